package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The container image's HEALTHCHECK: `pishkhan healthcheck` succeeds while
// `pishkhan serve` on the same ADDR is up (also when it listens on every
// interface) and fails once it has stopped.
func TestHealthcheckFollowsServe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cfg, err := config.Load(testkit.Env(map[string]string{"DATA_DIR": t.TempDir(), "ADDR": "0.0.0.0:" + port,
		"HASH_CONCURRENCY": "2", "JOB_WORKERS": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, nil) }()

	deadline := time.Now().Add(30 * time.Second)
	for err = healthcheck(context.Background(), cfg, nil); err != nil; err = healthcheck(context.Background(), cfg, nil) {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("healthcheck never passed against a running serve: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err := healthcheck(context.Background(), cfg, nil); err == nil {
		t.Fatal("healthcheck passed with serve stopped")
	}
}

// Anything but a 200 in time is unhealthy.
func TestHealthcheckFailsOnErrorOrTimeout(t *testing.T) {
	var status atomic.Int32 // 0: never answer
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		code := int(status.Load())
		if code == 0 {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(code)
	}))
	defer srv.Close()
	defer close(hang)
	cfg := config.Config{Addr: strings.TrimPrefix(srv.URL, "http://")}
	for _, c := range []struct {
		status int
		ok     bool
	}{{http.StatusOK, true}, {http.StatusServiceUnavailable, false}, {http.StatusFound, false}, {0, false}} {
		status.Store(int32(c.status))
		start := time.Now()
		err := healthcheck(context.Background(), cfg, []string{"--timeout", "500ms"})
		if (err == nil) != c.ok {
			t.Errorf("status %d: healthcheck error %v, want ok=%v", c.status, err, c.ok)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("status %d: healthcheck took %s with --timeout 500ms", c.status, took)
		}
	}
	if err := healthcheck(context.Background(), cfg, []string{"extra"}); err == nil {
		t.Error("healthcheck accepted a stray argument")
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.0.0.5:9000":  "http://10.0.0.5:9000/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
	} {
		if got, err := healthURL(addr); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := healthURL("8080"); err == nil {
		t.Error("healthURL accepted an address without a port")
	}
}

// With TLS_CERT_FILE, serve speaks only HTTPS on ADDR: the healthcheck
// follows it there (its certificate names the public host, not loopback),
// instead of failing on a plain HTTP request and marking a healthy
// container unhealthy.
func TestHealthcheckFollowsServeOverTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "panel.example"},
		DNSNames: []string{"panel.example"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cfg, err := config.Load(testkit.Env(map[string]string{"DATA_DIR": t.TempDir(), "ADDR": "0.0.0.0:" + port,
		"HASH_CONCURRENCY": "2", "JOB_WORKERS": "0", "TLS_CERT_FILE": certFile, "TLS_KEY_FILE": keyFile}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, nil) }()
	deadline := time.Now().Add(30 * time.Second)
	for err = healthcheck(context.Background(), cfg, nil); err != nil; err = healthcheck(context.Background(), cfg, nil) {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("healthcheck never passed against a running serve over TLS: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err := healthcheck(context.Background(), cfg, nil); err == nil {
		t.Fatal("healthcheck passed with serve stopped")
	}
}
