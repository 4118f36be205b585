package media

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// List is the page-mode envelope of GET /api/media.
type List = paging.Page[Media]

// BulkDeleted answers a bulk delete.
type BulkDeleted struct {
	Deleted int `json:"deleted"`
}

// MaxBulk is the most ids one bulk delete takes.
const MaxBulk = 100

var filterQuery = []httpapi.Param{
	{Name: "kind", Enum: Kinds},
	{Name: "status", Enum: Statuses},
	{Name: "q", Description: "case-insensitive substring of the file name or title"},
	{Name: "from", Type: "date-time", Description: "uploaded at or after (inclusive)"},
	{Name: "to", Type: "date-time", Description: "uploaded before (exclusive)"},
}

// ParseFilter reads the list's filters.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Kind: q.Get("kind"), Status: q.Get("status"), Q: q.Get("q")}
	fe := apperr.FieldErrors{}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		fe.Add("kind", "must be image, video, audio or document")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		fe.Add("status", "must be pending, scanning, ready, rejected or failed")
	}
	if len(f.Q) > 200 {
		fe.Add("q", "must be at most 200 characters")
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				fe.Add(p.name, "must be an RFC 3339 time such as 2026-11-28T09:30:00Z")
				continue
			}
			*p.dst = &t
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fe.Add("to", "must be after from")
	}
	return f, fe.Err()
}

func idOf(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		httpapi.WriteError(w, r, errNotFound)
	}
	return id, ok
}

func writeMedia(w http.ResponseWriter, r *http.Request, status int, m Media) {
	body, err := json.Marshal(m)
	if err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	httpapi.WriteBody(w, r, status, body, VersionTag(m))
}

// Routes mounts the media endpoints, and the signed local-disk storage
// endpoint (404 unless local is the storage in use).
func Routes(rt *httpapi.Router, s *Service, local *storage.Local) {
	rt.HandleFunc("GET", "/api/media", httpapi.Op{ID: "listMedia", Tag: "media", Permission: PermView, Cached: true,
		Summary: "The media library, newest first; ready items carry signed (or public) URLs", Response: List{},
		Query: append(filterQuery[:len(filterQuery):len(filterQuery)], httpapi.PageQuery...)},
		func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			pr, err := httpapi.ParsePage(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			f, err := ParseFilter(q)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			body, st, err := s.List(r.Context(), f, pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, st.Header())
		})
	rt.HandleFunc("POST", "/api/media/upload", httpapi.Op{ID: "uploadMedia", Tag: "media", Permission: PermUpload,
		Status: http.StatusCreated, Request: UploadInput{}, Response: UploadResult{},
		Summary: "Record a pending item and sign the browser's upload of its bytes straight to storage"},
		func(w http.ResponseWriter, r *http.Request) {
			var in UploadInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			res, err := s.Upload(r.Context(), in)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.JSON(w, r, http.StatusCreated, res)
		})
	rt.HandleFunc("POST", "/api/media/{id}/complete", httpapi.Op{ID: "completeMedia", Errors: []int{http.StatusConflict}, Tag: "media", Permission: PermUpload,
		Status: http.StatusAccepted, Response: Media{},
		Summary: "The upload finished: queue the scan and processing (the uploader only; repeatable)"},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := idOf(w, r)
			if !ok {
				return
			}
			m, err := s.Complete(r.Context(), id)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			writeMedia(w, r, http.StatusAccepted, m)
		})
	rt.HandleFunc("GET", "/api/media/{id}", httpapi.Op{ID: "getMedia", Tag: "media", Permission: PermView, Cached: true,
		Summary: "One item", Response: Media{}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := idOf(w, r)
			if !ok {
				return
			}
			m, st, err := s.Get(r.Context(), id)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.Header().Set("Cache-Status", st.Header())
			writeMedia(w, r, http.StatusOK, m)
		})
	rt.HandleFunc("PATCH", "/api/media/{id}", httpapi.Op{ID: "updateMedia", Tag: "media", Permission: PermUpload,
		Request: PatchInput{}, Response: Media{}, Summary: "Change an item's title and alt text (Persian and English)",
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the item as last read; a stale one gets 412"}}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := idOf(w, r)
			if !ok {
				return
			}
			var in PatchInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			m, err := s.Patch(r.Context(), id, in, r.Header.Get("If-Match"))
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			writeMedia(w, r, http.StatusOK, m)
		})
	rt.HandleFunc("DELETE", "/api/media/{id}", httpapi.Op{ID: "deleteMedia", Tag: "media", Permission: PermDelete,
		Status: http.StatusNoContent, Summary: "Delete an item; its file and thumbnails are removed from storage"},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := idOf(w, r)
			if !ok {
				return
			}
			n, err := s.Delete(r.Context(), []int64{id})
			if err == nil && n == 0 {
				err = errNotFound
			}
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	rt.HandleFunc("POST", "/api/media/bulk-delete", httpapi.Op{ID: "bulkDeleteMedia", Tag: "media", Permission: PermDelete,
		Request: BulkDeleteInput{}, Response: BulkDeleted{},
		Summary: "Delete up to 100 items at once; ids that do not exist are skipped"},
		func(w http.ResponseWriter, r *http.Request) {
			var in BulkDeleteInput
			if err := httpapi.Decode(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			if len(in.IDs) < 1 || len(in.IDs) > MaxBulk {
				httpapi.WriteError(w, r, apperr.Validation(map[string]string{"ids": "send 1 to 100 ids"}))
				return
			}
			for _, id := range in.IDs {
				if id < 1 || id >= 1<<53 {
					httpapi.WriteError(w, r, apperr.Validation(map[string]string{"ids": "must be positive whole numbers"}))
					return
				}
			}
			n, err := s.Delete(r.Context(), in.IDs)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.JSON(w, r, http.StatusOK, BulkDeleted{Deleted: n})
		})

	serve := func(w http.ResponseWriter, r *http.Request) {
		if local == nil {
			httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "files are not stored on this server's disk"))
			return
		}
		// ServeSigned raises the connection's deadlines itself, once the
		// signature and size check out (storage.Transfer)
		if status, err := local.ServeSigned(w, r, r.PathValue("token")); err != nil {
			code := apperr.PermissionDenied
			switch status {
			case http.StatusNotFound:
				code = apperr.NotFound
			case http.StatusBadRequest:
				code = apperr.ValidationFailed
			case http.StatusServiceUnavailable:
				code = apperr.Unavailable
			}
			httpapi.WriteError(w, r, apperr.New(code, "%s", err.Error()))
		}
	}
	rt.HandleFunc("PUT", "/api/storage/{token}", httpapi.Op{ID: "storageUpload", Tag: "media", Public: true,
		Summary: "Local-disk storage: a signed upload (the signature binds key, size, type and expiry)"}, serve)
	rt.HandleFunc("GET", "/api/storage/{token}", httpapi.Op{ID: "storageDownload", Tag: "media", Public: true,
		Summary: "Local-disk storage: a signed download"}, serve)
}
