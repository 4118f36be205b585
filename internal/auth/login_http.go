package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

func (h handlers) loginRoutes(rt *httpapi.Router) {
	rt.Handle("POST", "/api/auth/login", httpapi.Op{ID: "login", Errors: []int{http.StatusTooManyRequests}, Tag: "auth", Public: true,
		Summary: "Log in with email and password; sets the session cookie",
		Request: LoginInput{}, Response: LoginResponse{}}, NoStore(h.login))
	rt.Handle("POST", "/api/auth/logout", httpapi.Op{ID: "logout", Tag: "auth", Status: http.StatusNoContent,
		Summary: "End the current session at once"}, h.logout)
	rt.Handle("GET", "/api/auth/me", httpapi.Op{ID: "me", Tag: "auth", Summary: "The logged-in user", Response: Me{}},
		NoStore(h.me))
	rt.Handle("GET", "/api/permissions", httpapi.Op{ID: "listPermissions", Tag: "auth",
		Summary: "Every permission with its description", Response: PermissionList{}}, permissions)
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

func (h handlers) login(w http.ResponseWriter, r *http.Request) error {
	var in LoginInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.s.Login(r.Context(), in, sessionCookie(r))
	if err != nil {
		return err
	}
	setSessionCookie(w, r, res.SessionID, int(h.s.cfg.AbsoluteTimeout.Seconds()))
	httpapi.JSON(w, r, http.StatusOK, LoginResponse{User: res.Me, CSRFToken: res.Me.CSRFToken})
	return nil
}

func (h handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.s.Logout(r.Context(), SessionFrom(r.Context())); err != nil {
		return err
	}
	setSessionCookie(w, r, "", -1)
	httpapi.NoContent(w)
	return nil
}

func (h handlers) me(w http.ResponseWriter, r *http.Request) error {
	me, err := h.s.Me(r.Context(), SessionFrom(r.Context()))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, me)
	return nil
}

func permissions(w http.ResponseWriter, r *http.Request) error {
	if authz.From(r.Context()) == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	httpapi.JSON(w, r, http.StatusOK, PermissionList{Items: authz.All()})
	return nil
}
