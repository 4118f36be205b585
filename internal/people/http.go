package people

import (
	"encoding/json"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Routes mounts the people endpoints: users, roles and set-password links
// (each resource's in its *_http.go).
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	h.userRoutes(rt)
	h.roleRoutes(rt)
	h.inviteRoutes(rt)
}

type handlers struct{ s *Service }

// pathID reads the {id} path value; a bad one is NOT_FOUND (what).
func pathID(r *http.Request, what string) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, apperr.New(apperr.NotFound, "no such %s", what)
	}
	return id, nil
}

// withETag answers 200 with v and its ETag, the one a GET of the changed
// object now answers, for the client's next If-Match.
func withETag(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}

// linkBase is where links in invites point: PUBLIC_URL when set, else
// the scheme and host the request came to.
func (h handlers) linkBase(r *http.Request) string {
	if h.s.cfg.PublicURL != "" {
		return h.s.cfg.PublicURL
	}
	if reqinfo.From(r.Context()).HTTPS {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
