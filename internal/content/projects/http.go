package projects

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// ProjectsPage and ProjectsCursorPage document the two list envelopes.
type (
	ProjectsPage       = paging.Page[Project]
	ProjectsCursorPage = paging.CursorPage[Project]
)

var ifMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the project as last read; a stale one gets 412"}}

// Routes mounts the projects' panel endpoints (API.md section 8).
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/projects", httpapi.Op{ID: "listProjects", Tag: "projects", Permission: content.PermView, Cached: true,
		Summary: "List projects (page or cursor pagination; the manual order by default)", Response: ProjectsPage{}, Query: listQuery},
		httpapi.List(ParseFilter, s.List))
	rt.Handle("GET", "/api/projects/{id}", httpapi.Op{ID: "getProject", Tag: "projects", Permission: content.PermView, Cached: true,
		Summary: "One project", Response: Project{}}, h.get)
	rt.Handle("POST", "/api/projects", httpapi.Op{ID: "createProject", Errors: []int{http.StatusConflict}, Tag: "projects",
		Permission: content.PermEdit, Status: http.StatusCreated, Summary: "Create a draft project, last in the manual order",
		Request: Input{}, Response: Project{}}, h.create)
	rt.Handle("PATCH", "/api/projects/{id}", httpapi.Op{ID: "updateProject", Errors: []int{http.StatusConflict}, Tag: "projects",
		Permission: content.PermEdit, Summary: "Change a project's fields (absent ones stay)", Request: Input{}, Response: Project{},
		Headers: ifMatch}, h.update)
	rt.Handle("DELETE", "/api/projects/{id}", httpapi.Op{ID: "deleteProject", Tag: "projects", Permission: content.PermEdit,
		Status: http.StatusNoContent, Summary: "Delete a project (a published one needs content.publish too)", Headers: ifMatch}, h.delete)
	rt.Handle("POST", "/api/projects/{id}/transition", httpapi.Op{ID: "transitionProject", Errors: []int{http.StatusConflict}, Tag: "projects",
		Permission: content.PermEdit, Summary: "Move a project through draft, published, archived (publishing, unpublishing and archiving need content.publish)",
		Request: TransitionInput{}, Response: Project{}, Headers: ifMatch}, h.transition)
	rt.Handle("PUT", "/api/projects/order", httpapi.Op{ID: "orderProjects", Tag: "projects", Permission: content.PermEdit,
		Summary: "Set the manual order: every project's id exactly once", Request: OrderInput{}, Response: OrderList{}}, h.order)
}

type handlers struct{ s *Service }

func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

// decodeInput reads a create or update body strictly. A nullable member
// sent as null clears it, as on posts: cover_media_id (also 0),
// started_on and ended_on (also "").
func decodeInput(r *http.Request) (Input, error) {
	var in Input
	var raw bytes.Buffer
	r.Body = io.NopCloser(io.TeeReader(r.Body, &raw))
	if err := httpapi.Decode(r, &in); err != nil {
		return in, err
	}
	var nulls struct {
		Cover   json.RawMessage `json:"cover_media_id"`
		Started json.RawMessage `json:"started_on"`
		Ended   json.RawMessage `json:"ended_on"`
	}
	if err := json.Unmarshal(raw.Bytes(), &nulls); err != nil {
		return in, apperr.New(apperr.InvalidJSON, "the body is not valid JSON")
	}
	isNull := func(m json.RawMessage) bool { return string(bytes.TrimSpace(m)) == "null" }
	if isNull(nulls.Cover) {
		in.CoverMediaID = new(int64)
	}
	if isNull(nulls.Started) {
		in.StartedOn = new(string)
	}
	if isNull(nulls.Ended) {
		in.EndedOn = new(string)
	}
	return in, nil
}

func (h handlers) create(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeInput(r)
	if err != nil {
		return err
	}
	res, err := h.s.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/projects/"+strconv.FormatInt(res.ID, 10))
	w.Header().Set("ETag", etag.Of(res.Body))
	httpapi.WriteBody(w, r, http.StatusCreated, res.Body, "")
	return nil
}

func (h handlers) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := decodeInput(r)
	if err != nil {
		return err
	}
	body, err := h.s.Update(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}

func (h handlers) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.Delete(r.Context(), id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}

func (h handlers) transition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in TransitionInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	body, err := h.s.Transition(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}

func (h handlers) order(w http.ResponseWriter, r *http.Request) error {
	var in OrderInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	body, err := h.s.Reorder(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}
