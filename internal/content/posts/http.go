package posts

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// The list envelopes, for the OpenAPI document.
type (
	PostsPage           = paging.Page[Summary]
	PostsCursorPage     = paging.CursorPage[Summary]
	RevisionsPage       = paging.Page[Revision]
	RevisionsCursorPage = paging.CursorPage[Revision]
)

var ifMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the post as last read; a stale one gets 412"}}

// Routes mounts the posts endpoints and the content renderer.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	const tag = "posts"
	conflict := []int{http.StatusConflict}
	rt.Handle("GET", "/api/posts", httpapi.Op{ID: "listPosts", Tag: tag, Permission: content.PermView, Cached: true,
		Summary: "List posts (page or cursor pagination); items carry no body", Response: PostsPage{}, Query: listQuery},
		httpapi.List(ParseFilter, s.List))
	rt.Handle("POST", "/api/posts", httpapi.Op{ID: "createPost", Tag: tag, Permission: content.PermEdit, Errors: conflict,
		Status: http.StatusCreated, Summary: "Create a draft post (its first revision); a slug taken in the language is 409",
		Request: Input{}, Response: Post{}}, h.create)
	rt.Handle("GET", "/api/posts/{id}", httpapi.Op{ID: "getPost", Tag: tag, Permission: content.PermView, Cached: true,
		Summary: "One post: the working copy, with the revision the website shows", Response: Post{}}, h.get)
	rt.Handle("PATCH", "/api/posts/{id}", httpapi.Op{ID: "updatePost", Tag: tag, Permission: content.PermEdit, Errors: conflict,
		Summary: "Change a post's working copy (a new revision); a published post's live version stays until publish-changes",
		Request: Input{}, Response: Post{}, Headers: ifMatch}, h.update)
	rt.Handle("DELETE", "/api/posts/{id}", httpapi.Op{ID: "deletePost", Tag: tag, Permission: content.PermEdit,
		Status: http.StatusNoContent, Summary: "Delete a post; a published or scheduled one needs content.publish",
		Headers: ifMatch}, h.delete)
	rt.Handle("POST", "/api/posts/{id}/transition", httpapi.Op{ID: "transitionPost", Tag: tag, Permission: content.PermEdit,
		Errors: conflict, Summary: "Move a post through the workflow; publishing moves need content.publish; " +
			`{"to":"draft","at":T} on a published post schedules its unpublishing`,
		Request: TransitionInput{}, Response: Post{}, Headers: ifMatch}, h.transition)
	rt.Handle("POST", "/api/posts/{id}/publish-changes", httpapi.Op{ID: "publishPostChanges", Tag: tag,
		Permission: content.PermPublish, Errors: conflict,
		Summary:  "Put a published post's working copy live (the workflow refuses published → published; this is how edits go live)",
		Response: Post{}, Headers: ifMatch}, h.publishChanges)
	rt.Handle("GET", "/api/posts/{id}/revisions", httpapi.Op{ID: "listPostRevisions", Tag: tag, Permission: content.PermView,
		Cached: true, Summary: "A post's revisions, newest first", Response: RevisionsPage{}, Query: httpapi.PageQuery}, h.revisions)
	rt.Handle("GET", "/api/posts/{id}/revisions/diff", httpapi.Op{ID: "diffPostRevisions", Tag: tag, Permission: content.PermView,
		Cached: true, Summary: "Word-level changes between two revisions (from and to, either order)", Response: RevisionDiff{},
		Query: []httpapi.Param{{Name: "from", Type: "integer", Description: "a revision number"},
			{Name: "to", Type: "integer", Description: "another revision number"}}}, h.diff)
	rt.Handle("GET", "/api/posts/{id}/revisions/{rev}", httpapi.Op{ID: "getPostRevision", Tag: tag, Permission: content.PermView,
		Cached: true, Summary: "One revision with its snapshot", Response: RevisionDetail{}}, h.revision)
	rt.Handle("POST", "/api/posts/{id}/revisions/{rev}/restore", httpapi.Op{ID: "restorePostRevision", Tag: tag,
		Permission: content.PermEdit, Errors: conflict,
		Summary:  `Make a revision the working copy again, as a new revision ("restored from N")`,
		Response: Post{}, Headers: ifMatch}, h.restore)
	rt.Handle("PUT", "/api/posts/{id}/autosave", httpapi.Op{ID: "putPostAutosave", Tag: tag, Permission: content.PermEdit,
		Summary: "Keep the caller's one rolling autosave of a post (the post is untouched; a save drops it)",
		Request: AutosaveInput{}, Response: Autosave{}}, h.putAutosave)
	rt.Handle("GET", "/api/posts/{id}/autosave", httpapi.Op{ID: "getPostAutosave", Tag: tag, Permission: content.PermEdit,
		Summary: "The caller's own autosave of a post (404 when none)", Response: Autosave{}}, h.getAutosave)
	rt.Handle("POST", "/api/posts/{id}/preview-link", httpapi.Op{ID: "createPostPreviewLink", Tag: tag, Permission: content.PermEdit,
		Summary: "A signed, expiring link showing the post's latest version on the public read API",
		Request: PreviewInput{}, Response: PreviewLink{}}, h.previewLink)
	rt.Handle("PUT", "/api/posts/{id}/presence", httpapi.Op{ID: "postPresenceHeartbeat", Tag: tag, Permission: content.PermView,
		Summary:  "The editor's heartbeat (every ~15 s): the caller has the post open; answers the others who do",
		Response: Presence{}}, h.heartbeat)
	rt.Handle("DELETE", "/api/posts/{id}/presence", httpapi.Op{ID: "postPresenceLeave", Tag: tag, Permission: content.PermView,
		Status: http.StatusNoContent, Summary: "The caller closed the post"}, h.leave)
	rt.Handle("POST", "/api/content/render", httpapi.Op{ID: "renderContent", Tag: "content", Permission: content.PermView,
		OrPermissions: []authz.Permission{content.PermEdit}, Errors: []int{http.StatusTooManyRequests},
		Summary: "Render markdown as the website shows it (the one renderer), for the editor's preview",
		Request: RenderInput{}, Response: Rendered{}}, h.render)
}

type handlers struct{ s *Service }

// pathID reads the post id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

func answer(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, status, body, "")
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

// decodeInput reads a create or update body strictly and notes which
// nullable members it sent as null.
func decodeInput(r *http.Request) (Input, error) {
	var in Input
	var raw bytes.Buffer
	r.Body = io.NopCloser(io.TeeReader(r.Body, &raw))
	if err := httpapi.Decode(r, &in); err != nil {
		return in, err
	}
	var nulls struct {
		Cover       json.RawMessage `json:"cover_media_id"`
		Translation json.RawMessage `json:"translation_of"`
		SEO         *struct {
			OG json.RawMessage `json:"og_image_media_id"`
		} `json:"seo"`
	}
	if err := json.Unmarshal(raw.Bytes(), &nulls); err != nil {
		return in, apperr.New(apperr.InvalidJSON, "the body is not valid JSON")
	}
	isNull := func(m json.RawMessage) bool { return string(bytes.TrimSpace(m)) == "null" }
	var names []string
	if isNull(nulls.Cover) {
		names = append(names, "cover_media_id")
	}
	if isNull(nulls.Translation) {
		names = append(names, "translation_of")
	}
	if nulls.SEO != nil && isNull(nulls.SEO.OG) {
		names = append(names, "seo.og_image_media_id")
	}
	in.SetNulls(names...)
	return in, nil
}

func (h handlers) create(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeInput(r)
	if err != nil {
		return err
	}
	c, err := h.s.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/posts/"+strconv.FormatInt(c.ID, 10))
	answer(w, r, http.StatusCreated, c.Body)
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
	answer(w, r, http.StatusOK, body)
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
	answer(w, r, http.StatusOK, body)
	return nil
}

func (h handlers) publishChanges(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := h.s.PublishChanges(r.Context(), id, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	answer(w, r, http.StatusOK, body)
	return nil
}

func (h handlers) revisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pr, err := httpapi.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Revisions(r.Context(), id, pr)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) diff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, okFrom := httpapi.ParseID(q.Get("from"))
	to, okTo := httpapi.ParseID(q.Get("to"))
	if !okFrom || !okTo {
		fields := map[string]string{}
		if !okFrom {
			fields["from"] = "must be a revision number"
		}
		if !okTo {
			fields["to"] = "must be a revision number"
		}
		return apperr.Validation(fields)
	}
	body, st, err := h.s.Diff(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func revNumber(r *http.Request) (int64, error) {
	n, ok := httpapi.ParseID(r.PathValue("rev"))
	if !ok {
		return 0, errNoRevision
	}
	return n, nil
}

func (h handlers) revision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := revNumber(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Revision(r.Context(), id, n)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) restore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := revNumber(r)
	if err != nil {
		return err
	}
	body, err := h.s.Restore(r.Context(), id, n, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	answer(w, r, http.StatusOK, body)
	return nil
}

func (h handlers) putAutosave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in AutosaveInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.s.PutAutosave(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, a)
	return nil
}

func (h handlers) getAutosave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.s.GetAutosave(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, a)
	return nil
}

func (h handlers) previewLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in PreviewInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	link, err := h.s.PreviewLink(r.Context(), id, in, origin(r))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, link)
	return nil
}

// origin is the scheme and host the request came to (through a trusted
// proxy, as reqinfo judged it).
func origin(r *http.Request) string {
	scheme := "http"
	if reqinfo.From(r.Context()).HTTPS {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h handlers) heartbeat(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.s.Heartbeat(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, p)
	return nil
}

func (h handlers) leave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.Leave(r.Context(), id); err != nil {
		return err
	}
	httpapi.NoContent(w)
	return nil
}

func (h handlers) render(w http.ResponseWriter, r *http.Request) error {
	var in RenderInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.Render(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}
