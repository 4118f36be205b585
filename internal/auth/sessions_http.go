package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// sessionRoutes mounts the session endpoints (no-store: they describe credentials).
func (h handlers) sessionRoutes(rt *httpapi.Router) {
	rt.Handle("GET", "/api/sessions", httpapi.Op{ID: "listSessions", Tag: "sessions", Cached: true,
		Summary:  "Your live sessions, newest first; with users.manage those of every user you outrank (all=true) or of one (user_id); a logged-in session only",
		Response: SessionList{}, Query: sessionQuery}, NoStore(httpapi.List(ParseSessionFilter, h.s.ListSessions)))
	rt.Handle("DELETE", "/api/sessions/{id}", httpapi.Op{ID: "revokeSession", Tag: "sessions", Status: http.StatusNoContent,
		Summary: "End a session at once (yours; with users.manage, one of a user you outrank); a logged-in session only"},
		h.revokeSession)
}

func (h handlers) revokeSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "session")
	if err != nil {
		return err
	}
	if err := h.s.RevokeSession(r.Context(), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
