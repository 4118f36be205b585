package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

func TestRefused(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.255.0.9", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.0.1", "fe80::1",
		"fc00::1", "fd12:3456::1", "224.0.0.1", "239.255.255.250", "ff02::1", "255.255.255.255",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",
		"::127.0.0.1", "fe80::1%eth0",
	}
	allowed := []string{"1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111",
		"::ffff:1.1.1.1", "64:ff9b::808:808", "169.255.0.1"}
	for _, s := range refused {
		if !Refused(netip.MustParseAddr(s)) {
			t.Errorf("%s is allowed, want refused", s)
		}
	}
	for _, s := range allowed {
		if Refused(netip.MustParseAddr(s)) {
			t.Errorf("%s is refused, want allowed", s)
		}
	}
}

// TestGuardDials: the client refuses loopback when it connects, whether the
// URL names the address or a host name resolving to it, and follows no
// redirect; allowed, the same request goes through.
func TestGuardDials(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	guarded := newClient(false)
	for _, u := range []string{srv.URL + "/x", "http://localhost:" + port + "/x", "http://[::ffff:127.0.0.1]:" + port + "/x"} {
		resp, err := guarded.Post(u, "application/json", bytes.NewReader([]byte("{}")))
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: %v, want the private address refused", u, err)
		}
		if describe(err) != "private address refused" {
			t.Errorf("%s is described as %q", u, describe(err))
		}
	}
	if hits != 0 {
		t.Fatalf("the guarded client reached loopback %d times", hits)
	}
	open := newClient(true)
	resp, err := open.Post(srv.URL+"/redirect", "application/json", bytes.NewReader([]byte("{}")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || hits != 1 {
		t.Fatalf("redirect: %d after %d requests, want the 302 itself", resp.StatusCode, hits)
	}
}

func TestCheckURL(t *testing.T) {
	good := []string{"https://example.com/hooks", "http://example.com:8080/a?b=c", "https://سایت.ایران/هوک",
		"https://[2606:4700::1111]/x", "http://127.0.0.1:9/x"}
	bad := []string{"", " ", "example.com/x", "/x", "ftp://example.com", "javascript:alert(1)", "https://u:p@example.com",
		"https://u@example.com", "https:///nohost", "https://example.com/x#frag", "https://exa mple.com",
		"https://example.com/\x00", "https://example.com/" + strings.Repeat("a", MaxURLLength), "mailto:a@b.c",
		"https://example.com:99999/x", "data:text/plain,hi"}
	for _, u := range good {
		fe := apperr.FieldErrors{}
		if checkURL(fe, u); len(fe) != 0 {
			t.Errorf("%q refused: %v", u, fe)
		}
	}
	for _, u := range bad {
		fe := apperr.FieldErrors{}
		if checkURL(fe, u); fe["url"] == "" {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestSealer(t *testing.T) {
	oldKey, newKey, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	secret, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := NewSealer(oldKey).Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, secret[len(SecretPrefix):]) {
		t.Fatal("the sealed value holds the secret")
	}
	// after a rotation the old key still opens what it sealed
	if got, err := NewSealer(newKey, oldKey).Open(sealed); err != nil || got != secret {
		t.Fatalf("open under SECRET_KEY_OLD: %q %v", got, err)
	}
	if _, err := NewSealer(other).Open(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a wrong key: %v", err)
	}
	// a tampered value does not open
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	if _, err := NewSealer(oldKey).Open(tampered); err == nil {
		t.Fatal("a tampered value opened")
	}
}

func TestSign(t *testing.T) {
	body := []byte(`{"event":"ping"}`)
	m := hmac.New(sha256.New, []byte("whsec_abc"))
	m.Write(body)
	if got, want := Sign("whsec_abc", body), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestExcerpt(t *testing.T) {
	raw := append([]byte("سلام\x00\xff"), bytes.Repeat([]byte("ب"), MaxResponseKeep)...)
	got := excerpt(raw)
	if len(got) > MaxResponseKeep || !utf8.ValidString(got) || strings.Contains(got, "\x00") || !strings.HasPrefix(got, "سلام\uFFFD") {
		t.Fatalf("excerpt: %d bytes, %q…", len(got), got[:20])
	}
}

func TestEventsFilter(t *testing.T) {
	if !wants([]string{}, "post.deleted") || !wants([]string{"post.deleted"}, "post.deleted") || wants([]string{"post.published"}, "post.deleted") {
		t.Fatal("wants")
	}
	if got := normalEvents([]string{"project.updated", "post.updated"}); strings.Join(got, ",") != "post.updated,project.updated" {
		t.Fatalf("normalEvents: %v", got)
	}
	fe := apperr.FieldErrors{}
	checkEvents(fe, []string{"ping"})
	if fe["events[0]"] == "" {
		t.Fatal("ping is not subscribable")
	}
}

// TestRefusedTranslatedForms: IPv6 forms that carry (or translate to) an
// inside IPv4 address are refused like the address itself: 6to4
// (2002:V4ADDR::/48), the local-use NAT64 prefix (64:ff9b:1::/48, RFC
// 8215), Teredo (2001::/32, deprecated, its IPv4 obfuscated) and the
// discard-only prefix (100::/64). A 6to4 address of a public IPv4 one
// stays allowed.
func TestRefusedTranslatedForms(t *testing.T) {
	for _, s := range []string{"2002:7f00:1::", "2002:a00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101::5",
		"64:ff9b:1::a00:1", "64:ff9b:1:ffff::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "100::1"} {
		if !Refused(netip.MustParseAddr(s)) {
			t.Errorf("%s is allowed, want refused", s)
		}
	}
	for _, s := range []string{"2002:808:808::1", "2001:4860:4860::8888", "2001:db9::1"} {
		if Refused(netip.MustParseAddr(s)) {
			t.Errorf("%s is refused, want allowed", s)
		}
	}
}
