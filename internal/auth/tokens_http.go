package auth

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// tokenRoutes mounts the API token endpoints. Their answers carry secrets
// or describe credentials, so none may be stored by a browser (no-store).
func (h handlers) tokenRoutes(rt *httpapi.Router) {
	rt.Handle("POST", "/api/tokens", httpapi.Op{ID: "createToken", Tag: "tokens", Status: http.StatusCreated,
		Summary: "Create an API token with some of your permissions; its secret is shown only in this answer; a logged-in session only",
		Request: CreateTokenInput{}, Response: CreatedToken{}}, NoStore(h.createToken))
	rt.Handle("GET", "/api/tokens", httpapi.Op{ID: "listTokens", Tag: "tokens", Cached: true,
		Summary: "Your API tokens, newest first (page or cursor pagination); a logged-in session only", Response: TokenList{},
		Query: httpapi.PageQuery}, NoStore(httpapi.List(httpapi.NoFilter, h.s.ListTokens)))
	rt.Handle("DELETE", "/api/tokens/{id}", httpapi.Op{ID: "revokeToken", Tag: "tokens", Status: http.StatusNoContent,
		Summary: "Revoke an API token at once (yours; with users.manage, one of a user you outrank); a logged-in session only"},
		h.revokeToken)
}

func (h handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	var in CreateTokenInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.CreateToken(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/tokens/"+itoa(out.Token.ID))
	httpapi.JSON(w, r, http.StatusCreated, out)
	return nil
}

func (h handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "API token")
	if err != nil {
		return err
	}
	if err := h.s.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}
