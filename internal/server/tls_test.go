package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the
// serial number to dir and returns it.
func writeCert(t *testing.T, dir string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "pishkhan test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range map[string]*pem.Block{"cert.pem": {Type: "CERTIFICATE", Bytes: der}, "key.pem": {Type: "PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func tlsClient(roots ...*x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
}

// With TLS_CERT_FILE / TLS_KEY_FILE serve speaks HTTPS itself: HTTP/2,
// never below TLS 1.2, HSTS, the __Host- Secure cookie; a renewed
// certificate is picked up without a restart.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := writeCert(t, dir, 1)
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{
		"TLS_CERT_FILE": filepath.Join(dir, "cert.pem"), "TLS_KEY_FILE": filepath.Join(dir, "key.pem")})
	in.CreateSuperuser(t, "admin@example.com")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "https://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- in.Srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	c := tlsClient(first)
	resp, err := c.Post(base+"/api/auth/login", "application/json",
		strings.NewReader(`{"email":"admin@example.com","password":"`+testkit.TestPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login over HTTPS: %d", resp.StatusCode)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTP/2 not negotiated: %s", resp.Proto)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
		t.Errorf("HSTS over HTTPS = %q", got)
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-pishkhan_session" || !cookies[0].Secure || cookies[0].Path != "/" {
		t.Errorf("session cookie over HTTPS: %+v", cookies)
	}
	if r, err := c.Get(base + "/api/auth/me"); err != nil || r.StatusCode != 200 {
		t.Errorf("the __Host- cookie does not authenticate: %v %v", err, r)
	} else {
		r.Body.Close()
	}

	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v}) //nolint:gosec // the point is an old version
		if err == nil {
			conn.Close()
			t.Errorf("a TLS %s handshake was accepted", tls.VersionName(v))
		}
	}

	// the certificate is renewed in place
	time.Sleep(10 * time.Millisecond)
	second := writeCert(t, dir, 2)
	r, err := tlsClient(second).Get(base + "/healthz")
	if err != nil {
		t.Fatalf("after the certificate changed: %v", err)
	}
	r.Body.Close()
	if r.TLS == nil || r.TLS.PeerCertificates[0].SerialNumber.Int64() != 2 {
		t.Fatal("the renewed certificate is not served")
	}
}

// Over plain HTTP from a peer that is no trusted proxy, X-Forwarded-Proto
// and X-Forwarded-For are not believed: no HSTS, no Secure cookie, and the
// audit log and rate limits see the peer's own address.
func TestForwardedHeadersFromAnUntrustedPeer(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8", "LOGIN_IP_LIMIT": "2"})
	in.CreateSuperuser(t, "admin@example.com")
	r := in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": testkit.TestPassword},
		"X-Forwarded-For", "198.51.100.7", "X-Forwarded-Proto", "https")
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if h := r.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS sent over plain HTTP on a spoofed X-Forwarded-Proto: %q", h)
	}
	cookies := (&http.Response{Header: r.Header}).Cookies()
	if len(cookies) != 1 || cookies[0].Name != "pishkhan_session" || cookies[0].Secure {
		t.Errorf("cookie on a spoofed X-Forwarded-Proto: %+v", cookies)
	}
	var ip string
	_ = in.Srv.DB.Reader().QueryRow(t.Context(), `SELECT ip FROM audit_logs WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`).Scan(&ip)
	if ip != "127.0.0.1" {
		t.Errorf("a spoofed X-Forwarded-For was believed: audit IP %q", ip)
	}
	// nor does a new X-Forwarded-For each time buy a fresh login limit
	for i, spoofed := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		r := in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong"},
			"X-Forwarded-For", spoofed)
		if want := map[bool]int{true: 401, false: 429}[i < 2]; r.Status != want {
			t.Fatalf("failed login %d from a spoofed %s: %d, want %d", i+1, spoofed, r.Status, want)
		}
	}
}
