package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Routes mounts the auth endpoints: login, sessions, API tokens, second
// factors and password change (each resource's in its *_http.go).
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	h.loginRoutes(rt)
	h.tokenRoutes(rt)
	h.sessionRoutes(rt)
	h.twoFactorRoutes(rt)
	h.passwordRoutes(rt)
}

type handlers struct{ s *Service }

// NoStore marks h's answers, errors included, as never to be stored by a
// browser (Cache-Control: no-store): they carry secrets or describe
// credentials.
func NoStore(h httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		return h(w, r)
	}
}

// pathID reads the {id} path value; a bad one is NOT_FOUND (what).
func pathID(r *http.Request, what string) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, apperr.New(apperr.NotFound, "no such %s", what)
	}
	return id, nil
}
