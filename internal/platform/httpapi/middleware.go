package httpapi

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

func validRequestID(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !requestIDChar(s[i]) {
			return false
		}
	}
	return true
}

func requestIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// RequestInfo gives every request an id (the client's when well-formed),
// echoes it in X-Request-Id, and records the client IP, user agent and
// whether the request came over HTTPS. X-Forwarded-For and
// X-Forwarded-Proto are believed only from a trusted proxy.
func RequestInfo(trusted []netip.Prefix) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-Id")
			if !validRequestID(id) {
				id = ulid.MustNew(ulid.Now(), rand.Reader).String()
			}
			w.Header().Set("X-Request-Id", id)
			ip, https := clientAddr(r, trusted)
			ua := printableText(r.UserAgent(), 512)
			info := reqinfo.Info{RequestID: id, IP: ip, UserAgent: ua, HTTPS: https}
			next.ServeHTTP(w, r.WithContext(reqinfo.With(r.Context(), info)))
		})
	}
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// clientAddr returns the client IP and whether it used HTTPS. Behind
// trusted proxies the client is the rightmost X-Forwarded-For entry that is
// not itself a trusted proxy.
func clientAddr(r *http.Request, trusted []netip.Prefix) (string, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	https := r.TLS != nil
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host, https
	}
	if proto := r.Header.Get("X-Forwarded-Proto"); proto != "" {
		https = strings.EqualFold(strings.TrimSpace(strings.Split(proto, ",")[0]), "https")
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := hopAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !isTrusted(a, trusted) {
			return a.Unmap().String(), https
		}
	}
	return host, https
}

// hopAddr reads one X-Forwarded-For hop: an address, or an address with
// the client's port as some load balancers write it (1.2.3.4:5678,
// [2001:db8::1]:443).
func hopAddr(hop string) (netip.Addr, error) {
	a, err := netip.ParseAddr(hop)
	if err != nil {
		ap, perr := netip.ParseAddrPort(hop)
		if perr != nil {
			return a, err
		}
		a = ap.Addr()
	}
	return a, nil
}

// Recover turns a panic into the contract's 500 and logs the stack.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.ErrorContext(r.Context(), "panic", "request_id", reqinfo.From(r.Context()).RequestID,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				WriteError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// SecurityHeaders sets nosniff, Referrer-Policy and, over HTTPS, HSTS on
// every response; HTML responses get their CSP from the web handler, and
// API responses a CSP that allows nothing.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		if reqinfo.From(r.Context()).HTTPS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		}
		next.ServeHTTP(w, r)
	})
}

// StatusRecorder remembers the status a handler wrote.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
	Bytes  int
}

// WriteHeader records the status.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.Bytes += n
	return n, err
}

// Flush lets streaming handlers (SSE) flush through the recorder.
func (s *StatusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the writer to http.ResponseController.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Observe logs each request as one JSON line and reports it to observe
// (metrics), labelled with the route pattern, never the raw path.
func Observe(pattern func(*http.Request) string, observe func(route, method string, status int, d time.Duration)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &StatusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			d := time.Since(start)
			if rec.Status == 0 {
				rec.Status = http.StatusOK
			}
			route := pattern(r)
			if route == "" {
				route = "unmatched"
			}
			if ClientGone(r) && rec.Status >= 500 {
				// failed because the client hung up: not a server error
				rec.Status = StatusClientClosed
			}
			observe(route, methodLabel(r.Method), rec.Status, d)
			info := reqinfo.From(r.Context())
			level := slog.LevelInfo
			if rec.Status >= 500 {
				level = slog.LevelError
			}
			slog.Log(r.Context(), level, "request", "request_id", info.RequestID, "method", methodLabel(r.Method),
				"route", route, "status", rec.Status, "duration_ms", float64(d.Microseconds())/1000,
				"bytes", rec.Bytes, "ip", info.IP)
		})
	}
}

// methodLabel bounds the metric's method label: anything unusual is OTHER.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// LimitBody caps every request body but those skip names (which bound
// their own); decoders report the overflow as 413.
func LimitBody(limit int64, skip func(*http.Request) bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > limit {
				WriteError(w, r, apperr.New(apperr.PayloadTooLarge, "the body is larger than %d bytes", limit))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
		})
	}
}

// Timeout bounds a request's context (not the SSE stream's).
func Timeout(d time.Duration, skip func(*http.Request) bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := contextWithTimeout(r, d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// printableText is s made storable as text: invalid UTF-8 replaced, cut to
// at most max bytes on a character boundary (a header is any bytes a
// client sends; PostgreSQL TEXT refuses invalid UTF-8).
func printableText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
