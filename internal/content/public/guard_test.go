package public

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

func guarded(limit int) http.Handler {
	g := Guard{Applies: Guarded, Origins: []string{"https://site.example"}, Limit: limit, Window: time.Minute, Counter: ratelimit.NewLocal()}
	return g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "route saw "+r.Method, http.StatusMethodNotAllowed)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
}

func serve(h http.Handler, method, path, ip string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	r = r.WithContext(reqinfo.With(r.Context(), reqinfo.Info{IP: ip}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestGuardCORS(t *testing.T) {
	h := guarded(1000)
	w := serve(h, "GET", "/api/public/v1/posts", "10.0.0.1", "Origin", "https://site.example")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://site.example" || w.Header().Get("Vary") != "Origin" ||
		w.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("allowed origin: %v", w.Header())
	}
	for _, o := range []string{"https://evil.example", "https://site.example.evil", "null", "http://site.example"} {
		if w := serve(h, "GET", "/api/public/v1/posts", "10.0.0.1", "Origin", o); w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("origin %q allowed", o)
		}
	}
	w = serve(h, "OPTIONS", "/api/public/v1/posts", "10.0.0.1", "Origin", "https://site.example", "Access-Control-Request-Method", "DELETE")
	if w.Code != 204 || w.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD" || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Fatalf("preflight: %d %v", w.Code, w.Header())
	}
	if w := serve(h, "HEAD", "/sitemap.xml", "10.0.0.1"); w.Code != 200 {
		t.Fatalf("HEAD reached the route as %d %s", w.Code, w.Body)
	}
	// other paths pass untouched
	if w := serve(h, "OPTIONS", "/api/orders", "10.0.0.1", "Origin", "https://site.example"); w.Code != 405 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("panel path: %d %v", w.Code, w.Header())
	}
}

func TestGuardRateLimit(t *testing.T) {
	h := guarded(2)
	for i := 0; i < 2; i++ {
		if w := serve(h, "GET", "/api/public/v1/tags", "192.0.2.7"); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := serve(h, "GET", "/api/public/v1/tags", "192.0.2.7")
	if w.Code != 429 || w.Header().Get("Retry-After") == "" || w.Header().Get("RateLimit-Limit") != "2" ||
		!strings.Contains(w.Body.String(), `"RATE_LIMITED"`) {
		t.Fatalf("third request: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// another address has its own count; the panel is not counted
	if w := serve(h, "GET", "/api/public/v1/tags", "192.0.2.8"); w.Code != 200 {
		t.Fatalf("other address: %d", w.Code)
	}
	if w := serve(h, "GET", "/api/orders", "192.0.2.7"); w.Code != 200 {
		t.Fatalf("panel path: %d", w.Code)
	}
	// an IPv6 subscriber's /64 is one client
	serve(h, "GET", "/api/public/v1/tags", "2001:db8::1")
	serve(h, "GET", "/api/public/v1/tags", "2001:db8::2")
	if w := serve(h, "GET", "/api/public/v1/tags", "2001:db8::3"); w.Code != 429 {
		t.Fatalf("a /64 spread over addresses: %d", w.Code)
	}
}

func TestBasesLinks(t *testing.T) {
	b := Bases{Site: "https://site.example", API: "https://api.example"}
	if got := b.link("/{lang}/blog/{slug}", "fa", "سلام-دنیا"); got != "https://site.example/fa/blog/%D8%B3%D9%84%D8%A7%D9%85-%D8%AF%D9%86%DB%8C%D8%A7" {
		t.Fatalf("link %q", got)
	}
	in := `<p><img src="/api/public/v1/media/4" alt=""><a href="/about">a</a><a href="//cdn.example/x">b</a><a href="https://x.example/">c</a></p>`
	want := `<p><img src="https://api.example/api/public/v1/media/4" alt=""><a href="https://site.example/about">a</a><a href="//cdn.example/x">b</a><a href="https://x.example/">c</a></p>`
	if got := b.absolute(in); got != want {
		t.Fatalf("absolute:\n%s\nwant\n%s", got, want)
	}
}

// TestGuardWritable: the paths Writable picks (the visitors' chat) may be
// POSTed from an allowed website with a bearer token and a JSON body; the
// rest of the public API stays read-only, and a foreign origin gets no
// CORS answer either way.
func TestGuardWritable(t *testing.T) {
	g := Guard{Applies: Guarded, Origins: []string{"https://site.example"}, Limit: 1000, Window: time.Minute, Counter: ratelimit.NewLocal(),
		Writable: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, Prefix+"chat/") }}
	h := g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	w := serve(h, "OPTIONS", "/api/public/v1/chat/conversations", "10.0.0.1", "Origin", "https://site.example",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
	allowed := w.Header().Get("Access-Control-Allow-Headers")
	if w.Code != 204 || w.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD, POST" ||
		!strings.Contains(allowed, "Authorization") || !strings.Contains(allowed, "Content-Type") ||
		!strings.Contains(allowed, "Idempotency-Key") || w.Header().Get("Allow") != "GET, HEAD, POST, OPTIONS" {
		t.Fatalf("chat preflight: %d %v", w.Code, w.Header())
	}
	w = serve(h, "OPTIONS", "/api/public/v1/posts", "10.0.0.1", "Origin", "https://site.example", "Access-Control-Request-Method", "POST")
	if w.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD" || strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("read API preflight: %v", w.Header())
	}
	w = serve(h, "OPTIONS", "/api/public/v1/chat/conversations", "10.0.0.1", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if w.Header().Get("Access-Control-Allow-Origin") != "" || w.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("a foreign origin's preflight: %v", w.Header())
	}
}
