package public

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Guard is what stands in front of the public read API: a per-IP rate
// limit, CORS for the configured origins only, HEAD served as GET, and
// OPTIONS answered (preflights included) without reaching a route.
type Guard struct {
	// Applies picks the requests guarded (the public API and the sitemap).
	Applies func(*http.Request) bool
	// Origins are the exact origins that get Access-Control-Allow-Origin.
	Origins []string
	// Limit requests per Window are allowed per client IP (ratelimit.ClientKey).
	Limit   int
	Window  time.Duration
	Counter ratelimit.Counter
	// Writable picks the guarded requests that may also be POSTed from a
	// website with a bearer credential and a JSON body (the visitors'
	// chat): their preflights allow POST and those headers.
	Writable func(*http.Request) bool
}

// exposed are the response headers a website's script may read.
const exposed = "ETag, Cache-Status, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id"

// Middleware returns the guard as a middleware.
func (g Guard) Middleware(next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(g.Origins))
	for _, o := range g.Origins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Applies(r) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		origin := r.Header.Get("Origin")
		if len(allowed) > 0 {
			// the answer differs by Origin: shared caches must keep them apart
			h.Add("Vary", "Origin")
		}
		corsOK := origin != "" && allowed[origin]
		if corsOK {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", exposed)
		}
		if err := g.hit(r); err != nil {
			httpapi.WriteError(w, r, err)
			return
		}
		switch r.Method {
		case http.MethodOptions:
			writable := g.Writable != nil && g.Writable(r)
			methods, headers := "GET, HEAD", "If-None-Match, X-Request-Id"
			if writable {
				methods, headers = "GET, HEAD, POST", "Authorization, Content-Type, Idempotency-Key, If-None-Match, Last-Event-ID, X-Request-Id"
			}
			h.Set("Allow", methods+", OPTIONS")
			if corsOK && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", methods)
				h.Set("Access-Control-Allow-Headers", headers)
				h.Set("Access-Control-Max-Age", "600")
			}
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodHead:
			// served as GET; the server drops the body of a HEAD answer
			r2 := r.Clone(r.Context())
			r2.Method = http.MethodGet
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hit counts the request against its client's limit: RATE_LIMITED past it.
func (g Guard) hit(r *http.Request) error {
	if g.Limit <= 0 || g.Counter == nil {
		return nil
	}
	key := "public:ip:" + ratelimit.ClientKey(reqinfo.From(r.Context()).IP)
	n, err := g.Counter.Hit(r.Context(), key, g.Window)
	if err != nil {
		return err
	}
	if n <= g.Limit {
		return nil
	}
	_, ttl, _ := g.Counter.Count(r.Context(), key)
	secs := int(ttl/time.Second) + 1
	if ttl <= 0 {
		secs = int(g.Window / time.Second)
	}
	return &apperr.Error{Code: apperr.RateLimited, RetryAfter: secs,
		Limit:   &apperr.LimitInfo{Limit: g.Limit, Remaining: 0, ResetSecs: secs},
		Message: "too many requests from your address; wait " + strconv.Itoa(secs) + " s"}
}

// Guarded reports whether r is for the public read API or the sitemap.
func Guarded(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, Prefix) || r.URL.Path == "/sitemap.xml"
}
