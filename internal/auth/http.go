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

func setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	name := CookieName
	secure := reqinfo.From(r.Context()).HTTPS
	if secure {
		name = SecureCookieName
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

// LoginResponse is the body of a successful login.
type LoginResponse struct {
	User      Me     `json:"user"`
	CSRFToken string `json:"csrf_token"`
}

// Routes mounts the auth endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	rt.HandleFunc("POST", "/api/auth/login", httpapi.Op{ID: "login", Errors: []int{http.StatusTooManyRequests}, Tag: "auth", Public: true,
		Summary: "Log in with email and password; sets the session cookie",
		Request: LoginInput{}, Response: LoginResponse{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			var in LoginInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			res, err := s.Login(r.Context(), in, sessionCookie(r))
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			setSessionCookie(w, r, res.SessionID, int(s.cfg.AbsoluteTimeout.Seconds()))
			httpapi.JSON(w, r, http.StatusOK, LoginResponse{User: res.Me, CSRFToken: res.Me.CSRFToken})
		})
	rt.HandleFunc("POST", "/api/auth/logout", httpapi.Op{ID: "logout", Tag: "auth", Status: http.StatusNoContent,
		Summary: "End the current session at once"},
		func(w http.ResponseWriter, r *http.Request) {
			if err := s.Logout(r.Context(), SessionFrom(r.Context())); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			setSessionCookie(w, r, "", -1)
			httpapi.NoContent(w)
		})
	rt.HandleFunc("GET", "/api/auth/me", httpapi.Op{ID: "me", Tag: "auth", Summary: "The logged-in user", Response: Me{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			me, err := s.Me(r.Context(), SessionFrom(r.Context()))
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.JSON(w, r, http.StatusOK, me)
		})
	rt.HandleFunc("GET", "/api/permissions", httpapi.Op{ID: "listPermissions", Tag: "auth",
		Summary: "Every permission with its description", Response: PermissionList{}},
		func(w http.ResponseWriter, r *http.Request) {
			if authz.From(r.Context()) == nil {
				httpapi.WriteError(w, r, apperr.New(apperr.Unauthenticated, "log in first"))
				return
			}
			httpapi.JSON(w, r, http.StatusOK, PermissionList{Items: authz.All()})
		})
}

// TokenRoutes mounts the API token endpoints. Their answers carry secrets
// or describe credentials, so none may be stored by a browser (no-store).
func TokenRoutes(rt *httpapi.Router, s *Service) {
	rt.HandleFunc("POST", "/api/tokens", httpapi.Op{ID: "createToken", Tag: "tokens", Status: http.StatusCreated,
		Summary: "Create an API token with some of your permissions; its secret is shown only in this answer; a logged-in session only",
		Request: CreateTokenInput{}, Response: CreatedToken{}},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			var in CreateTokenInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			out, err := s.CreateToken(r.Context(), in)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.Header().Set("Location", "/api/tokens/"+itoa(out.Token.ID))
			httpapi.JSON(w, r, http.StatusCreated, out)
		})
	rt.HandleFunc("GET", "/api/tokens", httpapi.Op{ID: "listTokens", Tag: "tokens", Cached: true,
		Summary: "Your API tokens, newest first (page or cursor pagination); a logged-in session only", Response: TokenList{},
		Query: httpapi.PageQuery},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			pr, err := httpapi.ParsePage(r.URL.Query())
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.ListTokens(r.Context(), pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.HandleFunc("DELETE", "/api/tokens/{id}", httpapi.Op{ID: "revokeToken", Tag: "tokens", Status: http.StatusNoContent,
		Summary: "Revoke an API token at once (yours; with users.manage, one of a user you outrank); a logged-in session only"},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "no such API token"))
				return
			}
			if err := s.RevokeToken(r.Context(), id); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.NoContent(w)
		})
}

// SessionRoutes mounts the session endpoints (no-store: they describe credentials).
func SessionRoutes(rt *httpapi.Router, s *Service) {
	rt.HandleFunc("GET", "/api/sessions", httpapi.Op{ID: "listSessions", Tag: "sessions", Cached: true,
		Summary:  "Your live sessions, newest first; with users.manage those of every user you outrank (all=true) or of one (user_id); a logged-in session only",
		Response: SessionList{}, Query: append([]httpapi.Param{
			{Name: "all", Type: "boolean", Description: "the sessions of every user you outrank, and yours (users.manage)"},
			{Name: "user_id", Type: "integer", Description: "one user's sessions (users.manage and outranking them, unless your own)"},
		}, httpapi.PageQuery...)},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			q := r.URL.Query()
			pr, err := httpapi.ParsePage(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			var f SessionFilter
			switch q.Get("all") {
			case "", "false":
			case "true":
				f.All = true
			default:
				httpapi.WriteError(w, r, apperr.New(apperr.InvalidJSON, "all must be true or false"))
				return
			}
			if f.UserID, err = httpapi.QueryID(q, "user_id"); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.ListSessions(r.Context(), f, pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.HandleFunc("DELETE", "/api/sessions/{id}", httpapi.Op{ID: "revokeSession", Tag: "sessions", Status: http.StatusNoContent,
		Summary: "End a session at once (yours; with users.manage, one of a user you outrank); a logged-in session only"},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "no such session"))
				return
			}
			if err := s.RevokeSession(r.Context(), id); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.NoContent(w)
		})
}

// PermissionList is the body of GET /api/permissions.
type PermissionList struct {
	Items []authz.Described `json:"items"`
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
