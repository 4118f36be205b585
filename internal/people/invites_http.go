package people

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// inviteRoutes mounts the set-password links: made for a user by an
// administrator, then checked and used by whoever holds the link.
func (h handlers) inviteRoutes(rt *httpapi.Router) {
	rt.Handle("POST", "/api/users/{id}/invite", httpapi.Op{ID: "reinviteUser", Tag: "users", Permission: PermManageUsers,
		Status: http.StatusCreated, Summary: "A new one-time set-password link (a password reset) for a user you outrank, never yourself; earlier links stop working; a logged-in session only",
		Response: Invite{}}, auth.NoStore(h.reinviteUser))
	rt.Handle("GET", "/api/auth/invite", httpapi.Op{ID: "checkInvite", Tag: "auth", Public: true,
		Summary: "Whose set-password link a token is (it stays unused)", Response: InviteInfo{},
		Query: []httpapi.Param{{Name: "token", Description: "the link's token"}}}, auth.NoStore(h.checkInvite))
	rt.Handle("POST", "/api/auth/invite", httpapi.Op{ID: "acceptInvite", Tag: "auth", Public: true, Status: http.StatusNoContent,
		Summary: "Set your password with a one-time link; then log in", Request: AcceptInviteInput{}}, h.acceptInvite)
}

func (h handlers) reinviteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	inv, err := h.s.ReinviteUser(r.Context(), id, h.linkBase(r))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusCreated, inv)
	return nil
}

func (h handlers) checkInvite(w http.ResponseWriter, r *http.Request) error {
	info, err := h.s.CheckInvite(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, info)
	return nil
}

func (h handlers) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	var in AcceptInviteInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.AcceptInvite(r.Context(), in); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
