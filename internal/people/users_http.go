package people

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

func (h handlers) userRoutes(rt *httpapi.Router) {
	rt.Handle("GET", "/api/users", httpapi.Op{ID: "listUsers", Tag: "users", Permission: PermViewUsers, Cached: true,
		Summary: "List users, newest first (page or cursor pagination)", Response: UserList{}, Query: userListQuery},
		httpapi.List(ParseUserFilter, h.s.ListUsers))
	rt.Handle("GET", "/api/users/{id}", httpapi.Op{ID: "getUser", Tag: "users", Permission: PermViewUsers, Cached: true,
		Summary: "One user", Response: UserView{}}, h.getUser)
	rt.Handle("POST", "/api/users", httpapi.Op{ID: "createUser", Errors: []int{http.StatusConflict}, Tag: "users", Permission: PermManageUsers, Status: http.StatusCreated,
		Summary: "Invite a user: creates them without a password and returns a one-time set-password link (emailed when SMTP is configured); to an API token the invite is null and no link is made",
		Request: CreateUserInput{}, Response: CreatedUser{}}, auth.NoStore(h.createUser))
	rt.Handle("PATCH", "/api/users/{id}", httpapi.Op{ID: "updateUser", Errors: []int{http.StatusConflict}, Tag: "users", Permission: PermManageUsers,
		Summary: "Change a user; is_active false deactivates and ends every session at once",
		Request: UpdateUserInput{}, Response: UserView{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the user as last read; a stale one gets 412"}}},
		h.updateUser)
	rt.Handle("DELETE", "/api/users/{id}", httpapi.Op{ID: "deactivateUser", Tag: "users", Permission: PermManageUsers,
		Status: http.StatusNoContent, Summary: "Deactivate a user (users are never deleted), end every session at once and revoke their API tokens for good"},
		h.deactivateUser)
}

func (h handlers) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	body, st, err := h.s.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) createUser(w http.ResponseWriter, r *http.Request) error {
	var in CreateUserInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.InviteUser(r.Context(), in, h.linkBase(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/users/"+itoa(out.User.ID))
	httpapi.JSON(w, r, http.StatusCreated, out)
	return nil
}

func (h handlers) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	var in UpdateUserInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.UpdateUser(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return withETag(w, r, out)
}

func (h handlers) deactivateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := h.s.DeactivateUser(r.Context(), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
