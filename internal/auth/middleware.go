package auth

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Cookie names: the __Host- form is used over HTTPS.
const (
	CookieName       = "pishkhan_session"
	SecureCookieName = "__Host-pishkhan_session"
)

type sessionKey struct{}

// SessionFrom returns the request's session, or nil.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// sessionCookie reads the session id. Over HTTPS only the __Host- cookie
// counts, so a cookie planted over HTTP or by a sibling domain is ignored.
func sessionCookie(r *http.Request) string {
	if c, err := r.Cookie(SecureCookieName); err == nil && c.Value != "" {
		return c.Value
	}
	if reqinfo.From(r.Context()).HTTPS {
		return ""
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

// sameOrigin reports whether an Origin header names this server or a
// trusted origin. This server is self (PUBLIC_URL's origin) when set; only
// without it (the embedded default) is it the scheme and Host the request
// came to.
func sameOrigin(r *http.Request, origin, self string, trusted map[string]bool) bool {
	if trusted[origin] {
		return true
	}
	if self != "" {
		return strings.EqualFold(origin, self)
	}
	scheme := "http"
	if reqinfo.From(r.Context()).HTTPS {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

// Middleware authenticates every /api request from its session cookie and
// enforces CSRF on unsafe methods to known routes: cross-origin requests
// are refused whatever they carry (Go's CrossOriginProtection on
// Sec-Fetch-Site, and an Origin, when sent, must be exactly this server's
// origin or a trusted one; see sameOrigin), and cookie-authenticated ones
// must echo the session's CSRF token in X-CSRF-Token. self is PUBLIC_URL's
// origin ("" when unset). known reports whether a route exists, so unknown
// routes still answer 404.
func Middleware(s *Service, self string, trustedOrigins []string, known func(*http.Request) bool) httpapi.Middleware {
	cop := http.NewCrossOriginProtection()
	trusted := map[string]bool{}
	for _, o := range trustedOrigins {
		_ = cop.AddTrustedOrigin(o)
		trusted[o] = true
	}
	if self != "" {
		// CrossOriginProtection compares Origin with Host when a request
		// has no Sec-Fetch-Site; behind a proxy that rewrites Host, the
		// public origin must still pass it (sameOrigin then decides)
		_ = cop.AddTrustedOrigin(self)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				next.ServeHTTP(w, r)
				return
			}
			unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions && known(r)
			if unsafe {
				origin := r.Header.Get("Origin")
				if cop.Check(r) != nil || origin != "" && !sameOrigin(r, origin, self, trusted) {
					httpapi.WriteError(w, r, apperr.New(apperr.CSRFFailed, "cross-origin requests are refused"))
					return
				}
			}
			// A bearer token, when sent, is the only credential looked at.
			// Other schemes (Basic from a protecting proxy) are not ours.
			if secret, ok := bearerSecret(r); ok {
				p, err := s.AuthenticateToken(r.Context(), secret)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				next.ServeHTTP(w, r.WithContext(authz.With(r.Context(), p)))
				return
			}
			cookie := sessionCookie(r)
			if cookie == "" {
				next.ServeHTTP(w, r)
				return
			}
			p, se, err := s.Authenticate(r.Context(), cookie)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			if p == nil {
				next.ServeHTTP(w, r)
				return
			}
			if unsafe {
				got := r.Header.Get("X-CSRF-Token")
				if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(se.CSRFToken)) != 1 {
					httpapi.WriteError(w, r, apperr.New(apperr.CSRFFailed, "the CSRF token is missing or wrong; reload the page"))
					return
				}
			}
			ctx := authz.With(r.Context(), p)
			ctx = context.WithValue(ctx, sessionKey{}, se)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// bearerSecret returns the API token of an "Authorization: Bearer" header.
func bearerSecret(r *http.Request) (string, bool) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.TrimSpace(secret), strings.EqualFold(scheme, "bearer")
}

// StreamCheck returns a function that re-checks the request's credential
// (the one Middleware authenticated: its API token when it sent one, else
// its session), for long-lived streams: it yields the current principal,
// or nil once the credential has ended (logout, expiry, revocation,
// deactivation). A check is no activity: an open stream does not keep an
// idle session alive, it ends with it.
func StreamCheck(s *Service, r *http.Request) func(ctx context.Context) *authz.Principal {
	if secret, ok := bearerSecret(r); ok {
		return func(ctx context.Context) *authz.Principal {
			p, err := s.AuthenticateToken(ctx, secret)
			if err != nil {
				return nil
			}
			return p
		}
	}
	cookie := sessionCookie(r)
	return func(ctx context.Context) *authz.Principal {
		p, _, err := s.authenticate(ctx, cookie, false)
		if err != nil {
			return nil
		}
		return p
	}
}
