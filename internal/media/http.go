package media

import (
	"encoding/json"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// MediaPage is the page-mode envelope of GET /api/media.
type MediaPage = paging.Page[Media]

// BulkDeleted answers a bulk delete.
type BulkDeleted struct {
	Deleted int `json:"deleted"`
}

// MaxBulk is the most ids one bulk delete takes.
const MaxBulk = 100

// Routes mounts the media endpoints, and the signed local-disk storage
// endpoint (404 unless local is the storage in use).
func Routes(rt *httpapi.Router, s *Service, local *storage.Local) {
	h := handlers{s: s, local: local}
	rt.Handle("GET", "/api/media", httpapi.Op{ID: "listMedia", Tag: "media", Permission: PermView, Cached: true,
		Summary: "The media library, newest first; ready items carry signed (or public) URLs", Response: MediaPage{},
		Query: listQuery},
		httpapi.List(ParseFilter, s.List))
	rt.Handle("POST", "/api/media/upload", httpapi.Op{ID: "uploadMedia", Tag: "media", Permission: PermUpload,
		Status: http.StatusCreated, Request: UploadInput{}, Response: UploadResult{},
		Summary: "Record a pending item and sign the browser's upload of its bytes straight to storage"}, h.upload)
	rt.Handle("POST", "/api/media/{id}/complete", httpapi.Op{ID: "completeMedia", Errors: []int{http.StatusConflict}, Tag: "media", Permission: PermUpload,
		Status: http.StatusAccepted, Response: Media{},
		Summary: "The upload finished: queue the scan and processing (the uploader only; repeatable)"}, h.complete)
	rt.Handle("GET", "/api/media/{id}", httpapi.Op{ID: "getMedia", Tag: "media", Permission: PermView, Cached: true,
		Summary: "One item", Response: Media{}}, h.get)
	rt.Handle("PATCH", "/api/media/{id}", httpapi.Op{ID: "updateMedia", Tag: "media", Permission: PermUpload,
		Request: PatchInput{}, Response: Media{}, Summary: "Change an item's title and alt text (Persian and English)",
		Headers: []httpapi.Param{{Name: "If-Match", Description: "the ETag of the item as last read; a stale one gets 412"}}}, h.patch)
	rt.Handle("DELETE", "/api/media/{id}", httpapi.Op{ID: "deleteMedia", Tag: "media", Permission: PermDelete,
		Status: http.StatusNoContent, Summary: "Delete an item; its file and thumbnails are removed from storage"}, h.delete)
	rt.Handle("POST", "/api/media/bulk-delete", httpapi.Op{ID: "bulkDeleteMedia", Tag: "media", Permission: PermDelete,
		Request: BulkDeleteInput{}, Response: BulkDeleted{},
		Summary: "Delete up to 100 items at once; ids that do not exist are skipped"}, h.bulkDelete)

	rt.Handle("PUT", "/api/storage/{token}", httpapi.Op{ID: "storageUpload", Tag: "media", Public: true,
		Summary: "Local-disk storage: a signed upload (the signature binds key, size, type and expiry)"}, h.storage)
	rt.Handle("GET", "/api/storage/{token}", httpapi.Op{ID: "storageDownload", Tag: "media", Public: true,
		Summary: "Local-disk storage: a signed download"}, h.storage)
}

type handlers struct {
	s     *Service
	local *storage.Local // nil unless media is stored on this server's disk
}

// pathID reads the item id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

// writeMedia answers one item with its ETag.
func writeMedia(w http.ResponseWriter, r *http.Request, status int, m Media) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	httpapi.WriteBody(w, r, status, body, VersionTag(m))
	return nil
}

func (h handlers) upload(w http.ResponseWriter, r *http.Request) error {
	var in UploadInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.s.Upload(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusCreated, res)
	return nil
}

func (h handlers) complete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := h.s.Complete(r.Context(), id)
	if err != nil {
		return err
	}
	return writeMedia(w, r, http.StatusAccepted, m)
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, st, err := h.s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Status", st.Header())
	return writeMedia(w, r, http.StatusOK, m)
}

func (h handlers) patch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in PatchInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.s.Patch(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeMedia(w, r, http.StatusOK, m)
}

func (h handlers) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := h.s.Delete(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h handlers) bulkDelete(w http.ResponseWriter, r *http.Request) error {
	var in BulkDeleteInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	if len(in.IDs) < 1 || len(in.IDs) > MaxBulk {
		return apperr.Validation(map[string]string{"ids": "send 1 to 100 ids"})
	}
	for _, id := range in.IDs {
		if id < 1 || id >= 1<<53 {
			return apperr.Validation(map[string]string{"ids": "must be positive whole numbers"})
		}
	}
	n, err := h.s.Delete(r.Context(), in.IDs)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, BulkDeleted{Deleted: n})
	return nil
}

// storage serves a signed local-disk upload or download. ServeSigned
// raises the connection's deadlines itself, once the signature and size
// check out (storage.Transfer).
func (h handlers) storage(w http.ResponseWriter, r *http.Request) error {
	if h.local == nil {
		return apperr.New(apperr.NotFound, "files are not stored on this server's disk")
	}
	status, err := h.local.ServeSigned(w, r, r.PathValue("token"))
	if err == nil {
		return nil
	}
	code := apperr.PermissionDenied
	switch status {
	case http.StatusNotFound:
		code = apperr.NotFound
	case http.StatusBadRequest:
		code = apperr.ValidationFailed
	case http.StatusServiceUnavailable:
		code = apperr.Unavailable
	}
	return apperr.New(code, "%s", err.Error())
}
