package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

func (h handlers) passwordRoutes(rt *httpapi.Router) {
	rt.Handle("POST", "/api/auth/password", httpapi.Op{ID: "changePassword", Errors: []int{http.StatusTooManyRequests}, Tag: "auth", Status: http.StatusNoContent,
		Summary: "Change your password (the current one is required); your other sessions end", Request: ChangePasswordInput{}},
		h.changePassword)
}

func (h handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in ChangePasswordInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.ChangePassword(r.Context(), SessionFrom(r.Context()), in); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
