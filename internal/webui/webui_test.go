package webui

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// The policy allows exactly the document's own inline scripts, by hash,
// and never 'unsafe-inline' or 'unsafe-eval' for scripts.
func TestPolicyHashesInlineScripts(t *testing.T) {
	html := `<html><head><script>self.a=1</script><script src="/_next/x.js"></script>
<script async="">self.__next_f.push([1,"x"])</script></head><body><script>
multi
line</script></body></html>`
	csp := policy([]byte(html), nil)
	for _, inline := range []string{`self.a=1`, `self.__next_f.push([1,"x"])`, "\nmulti\nline"} {
		sum := sha256.Sum256([]byte(inline))
		if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
			t.Errorf("no hash for inline script %q in %s", inline, csp)
		}
	}
	if n := strings.Count(csp, "'sha256-"); n != 3 {
		t.Errorf("want 3 hashes (external scripts need none), got %d", n)
	}
	script := csp[strings.Index(csp, "script-src"):]
	script = script[:strings.Index(script, ";")]
	if strings.Contains(script, "unsafe") {
		t.Errorf("script-src allows unsafe sources: %s", script)
	}
	for _, d := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("policy lacks %s", d)
		}
	}
}

// Media on S3 or a CDN: pages may load images and media from, and upload
// to, exactly those origins; scripts stay 'self' and hashes only.
func TestPolicyAllowsMediaOrigins(t *testing.T) {
	csp := policy([]byte(`<html></html>`), []string{"https://s3.example.com", "https://cdn.example.com"})
	directive := func(name string) string {
		d := csp[strings.Index(csp, name+" "):]
		return d[:strings.Index(d, ";")]
	}
	for _, name := range []string{"img-src", "media-src", "connect-src"} {
		if d := directive(name); !strings.Contains(d, "https://s3.example.com") || !strings.Contains(d, "https://cdn.example.com") {
			t.Errorf("%s lacks the media origins: %s", name, d)
		}
	}
	for _, name := range []string{"script-src", "default-src", "font-src"} {
		if strings.Contains(directive(name), "example.com") {
			t.Errorf("%s must not allow media origins: %s", name, directive(name))
		}
	}
}

// A Sentry DSN's origin is allowed in connect-src only, and only when set;
// the page carries the DSN in its head for the web app to find.
func TestSentryDSNInPageAndConnectSrc(t *testing.T) {
	doc := []byte(`<!DOCTYPE html><html><head><script>self.a=1</script></head><body></body></html>`)
	meta := []byte(`<meta name="` + SentryMeta + `" content="https://key@errors.example.com/42">`)
	page := withMeta(doc, meta)
	if !strings.Contains(string(page), "<head>"+string(meta)+"<script>") {
		t.Fatalf("meta not first in head: %s", page)
	}
	csp := policy(page, nil, "https://errors.example.com")
	directive := func(name string) string {
		d := csp[strings.Index(csp, name+" "):]
		return d[:strings.Index(d, ";")]
	}
	if d := directive("connect-src"); d != "connect-src 'self' https://errors.example.com" {
		t.Errorf("connect-src = %q", d)
	}
	for _, name := range []string{"default-src", "script-src", "img-src", "media-src", "font-src"} {
		if strings.Contains(directive(name), "errors.example.com") {
			t.Errorf("%s allows the DSN's origin: %s", name, directive(name))
		}
	}
	if off := policy(doc, nil); !strings.Contains(off, "connect-src 'self';") {
		t.Errorf("without a DSN connect-src must be 'self' alone: %s", off)
	}
}

// A DSN in the legacy form carrying a secret key (https://KEY:SECRET@host/N)
// reaches the page without its secret: the page is public, and reports need
// only the public key.
func TestSentryDSNSecretStaysOffThePage(t *testing.T) {
	origin, meta := sentryMeta("https://pubkey:s3cr3t@errors.example.com/42")
	if origin != "https://errors.example.com" {
		t.Errorf("origin %q", origin)
	}
	if string(meta) != `<meta name="`+SentryMeta+`" content="https://pubkey@errors.example.com/42">` {
		t.Errorf("meta %s: want the DSN without its secret", meta)
	}
	if origin, meta := sentryMeta(""); origin != "" || meta != nil {
		t.Errorf("no DSN: %q %s", origin, meta)
	}
}
