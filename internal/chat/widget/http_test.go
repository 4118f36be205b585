package widget

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

func get(t *testing.T, method string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/widget.js", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, r)
	return w
}

func TestWidgetIsServedForAnyWebsite(t *testing.T) {
	w := get(t, "GET")
	h := w.Header()
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), script) || h.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		h.Get("Cross-Origin-Resource-Policy") != "cross-origin" || h.Get("Cache-Control") != CacheControl || h.Get("ETag") == "" {
		t.Fatalf("GET /widget.js: %d %v", w.Code, h)
	}
	if w := get(t, "GET", "If-None-Match", h.Get("ETag")); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Fatalf("a matching If-None-Match: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := get(t, "HEAD"); w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	z := get(t, "GET", "Accept-Encoding", "br, gzip")
	if z.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip not used: %v", z.Header())
	}
	zr, err := gzip.NewReader(z.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, script) {
		t.Fatalf("gzipped body is not the script: %v", err)
	}
}

// TestWidgetStaysSmallAndCSPSafe: "a few KB, no framework, works under a
// strict CSP": nothing that needs 'unsafe-eval' or 'unsafe-inline', and
// visitors' and agents' text is never parsed as HTML.
func TestWidgetStaysSmallAndCSPSafe(t *testing.T) {
	if len(gzipped) > 6*1024 {
		t.Errorf("widget.js is %d bytes gzipped, over 6 KiB", len(gzipped))
	}
	for _, bad := range []string{`\beval\(`, `new Function`, `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document\.write`,
		`setAttribute\("style"`, `\.style\.`, `createElement\("style"\)`, `setTimeout\("`, `\bimport\(`} {
		if regexp.MustCompile(bad).Match(script) {
			t.Errorf("widget.js uses %s", bad)
		}
	}
}
