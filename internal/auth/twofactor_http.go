package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

func (h handlers) twoFactorRoutes(rt *httpapi.Router) {
	rt.Handle("DELETE", "/api/users/{id}/totp", httpapi.Op{ID: "resetUserTOTP", Tag: "users", Permission: PermManageUsers,
		Status:  http.StatusNoContent,
		Summary: "Reset another user's second factor (lost phone): it is turned off, their recovery codes deleted and every session ended; they enrol again at their next login if a role requires it"},
		h.resetUserTOTP)
	rt.Handle("GET", "/api/auth/totp", httpapi.Op{ID: "totpStatus", Tag: "auth",
		Summary: "Your two-factor state", Response: TOTPStatus{}}, NoStore(h.totpStatus))
	rt.Handle("POST", "/api/auth/totp/setup", httpapi.Op{ID: "totpSetup", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth",
		Summary: "Start enrolling an authenticator app (your password is required): a new secret and its otpauth:// URL (for a QR code)",
		Request: PasswordInput{}, Response: TOTPSetup{}}, NoStore(h.totpSetup))
	rt.Handle("POST", "/api/auth/totp/confirm", httpapi.Op{ID: "totpConfirm", Errors: []int{http.StatusConflict}, Tag: "auth",
		Summary: "Turn two-factor on with a code from the app; answers ten one-time recovery codes, shown once",
		Request: TOTPCodeInput{}, Response: RecoveryCodes{}}, NoStore(h.totpConfirm))
	rt.Handle("POST", "/api/auth/totp/disable", httpapi.Op{ID: "totpDisable", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth", Status: http.StatusNoContent,
		Summary: "Turn two-factor off (your password is required; refused when a role requires it)", Request: PasswordInput{}},
		h.totpDisable)
	rt.Handle("POST", "/api/auth/totp/recovery-codes", httpapi.Op{ID: "totpRecoveryCodes", Errors: []int{http.StatusConflict, http.StatusTooManyRequests}, Tag: "auth",
		Summary: "Replace your recovery codes (your password is required); the new ones are shown once",
		Request: PasswordInput{}, Response: RecoveryCodes{}}, NoStore(h.recoveryCodes))
}

func (h handlers) resetUserTOTP(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := h.s.ResetUserTOTP(r.Context(), SessionFrom(r.Context()), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}

func (h handlers) totpStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.s.TOTPStatusOf(r.Context())
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, st)
	return nil
}

func (h handlers) totpSetup(w http.ResponseWriter, r *http.Request) error {
	var in PasswordInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.SetupTOTP(r.Context(), SessionFrom(r.Context()), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}

func (h handlers) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	var in TOTPCodeInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.ConfirmTOTP(r.Context(), SessionFrom(r.Context()), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}

func (h handlers) totpDisable(w http.ResponseWriter, r *http.Request) error {
	var in PasswordInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.DisableTOTP(r.Context(), SessionFrom(r.Context()), in); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}

func (h handlers) recoveryCodes(w http.ResponseWriter, r *http.Request) error {
	var in PasswordInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.RegenerateRecoveryCodes(r.Context(), SessionFrom(r.Context()), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}
