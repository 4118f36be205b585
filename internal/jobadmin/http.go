package jobadmin

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// JobsPage is the page-mode envelope of GET /api/jobs.
type JobsPage = paging.Page[Job]

// Routes mounts the job queue's endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/jobs", httpapi.Op{ID: "listJobs", Tag: "jobs", Permission: PermManage,
		Summary: "Background jobs, newest first (never cached: workers change them)", Response: JobsPage{},
		Query: listQuery}, h.list)
	rt.Handle("GET", "/api/jobs/{id}", httpapi.Op{ID: "getJob", Tag: "jobs", Permission: PermManage,
		Summary: "One job with every attempt's error", Response: Job{}}, h.get)
	rt.Handle("POST", "/api/jobs/{id}/retry", httpapi.Op{ID: "retryJob", Tag: "jobs", Permission: PermManage, Errors: []int{http.StatusConflict},
		Summary: "Run a failed, discarded or cancelled job again now (409 when running or waiting)", Response: Job{}}, h.retry)
	rt.Handle("POST", "/api/jobs/{id}/cancel", httpapi.Op{ID: "cancelJob", Tag: "jobs", Permission: PermManage, Errors: []int{http.StatusConflict},
		Summary: "Cancel a waiting or running job (409 when it has finished)", Response: Job{}}, h.cancel)
}

type handlers struct{ s *Service }

// live is the Cache-Status of every jobs answer: never cached.
var live = cache.Live.Header()

// pathID reads the job id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

// list is httpapi.List without a cache: the service answers no Cache-Status.
func (h handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pr, err := httpapi.ParsePage(q)
	if err != nil {
		return err
	}
	f, err := ParseFilter(q)
	if err != nil {
		return err
	}
	body, err := h.s.List(r.Context(), f, pr)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, live)
	return nil
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := h.s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, live)
	return nil
}

func (h handlers) retry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := h.s.Retry(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}

func (h handlers) cancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := h.s.Cancel(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}
