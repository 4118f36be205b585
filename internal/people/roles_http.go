package people

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

func (h handlers) roleRoutes(rt *httpapi.Router) {
	rt.Handle("GET", "/api/roles", httpapi.Op{ID: "listRoles", Tag: "roles", Permission: PermViewUsers,
		OrPermissions: []authz.Permission{PermManageRoles}, Cached: true,
		Summary: "List roles with their permissions (users.view or roles.manage)", Response: RoleList{}, Query: httpapi.PageQuery},
		httpapi.List(httpapi.NoFilter, h.s.ListRoles))
	rt.Handle("GET", "/api/roles/{id}", httpapi.Op{ID: "getRole", Tag: "roles", Permission: PermViewUsers,
		OrPermissions: []authz.Permission{PermManageRoles}, Cached: true,
		Summary: "One role (users.view or roles.manage)", Response: RoleView{}}, h.getRole)
	rt.Handle("POST", "/api/roles", httpapi.Op{ID: "createRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles, Status: http.StatusCreated,
		Summary: "Create a custom role with permissions you hold", Request: RoleInput{}, Response: RoleView{}}, h.createRole)
	rt.Handle("PATCH", "/api/roles/{id}", httpapi.Op{ID: "updateRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles,
		Summary: "Change a role (of a built-in one only require_totp); its users' next request, on every instance, sees the change",
		Request: RoleInput{}, Response: RoleView{},
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the role as last read; a stale one gets 412"}}},
		h.updateRole)
	rt.Handle("DELETE", "/api/roles/{id}", httpapi.Op{ID: "deleteRole", Errors: []int{http.StatusConflict}, Tag: "roles", Permission: PermManageRoles,
		Status: http.StatusNoContent, Summary: "Delete a custom role nobody holds"}, h.deleteRole)
}

func (h handlers) getRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "role")
	if err != nil {
		return err
	}
	body, st, err := h.s.GetRole(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) createRole(w http.ResponseWriter, r *http.Request) error {
	var in RoleInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.CreateRole(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/roles/"+itoa(out.ID))
	httpapi.JSON(w, r, http.StatusCreated, out)
	return nil
}

func (h handlers) updateRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "role")
	if err != nil {
		return err
	}
	var in RoleInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.UpdateRole(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return withETag(w, r, out)
}

func (h handlers) deleteRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "role")
	if err != nil {
		return err
	}
	if err := h.s.DeleteRole(r.Context(), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
