package jobadmin

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// List is the page-mode envelope of GET /api/jobs.
type List = paging.Page[Job]

// ParseFilter reads ?state= (repeatable) and ?kind=.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{States: q["state"], Kind: q.Get("kind")}
	fe := apperr.FieldErrors{}
	for _, s := range f.States {
		if !slices.Contains(States, s) {
			fe.Add("state", "must be one of available, scheduled, running, retryable, completed, discarded, cancelled, pending")
			break
		}
	}
	if len(f.Kind) > 100 {
		fe.Add("kind", "must be at most 100 characters")
	}
	return f, fe.Err()
}

// Routes mounts the job queue's endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	live := cache.Live.Header()
	rt.HandleFunc("GET", "/api/jobs", httpapi.Op{ID: "listJobs", Tag: "jobs", Permission: PermManage,
		Summary: "Background jobs, newest first (never cached: workers change them)", Response: List{},
		Query: append([]httpapi.Param{
			{Name: "state", Repeated: true, Enum: States, Description: "discarded is the dead-letter state"},
			{Name: "kind", Description: "e.g. stats_reconcile"}}, httpapi.PageQuery...)},
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
			body, err := s.List(r.Context(), f, pr)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, live)
		})
	rt.HandleFunc("GET", "/api/jobs/{id}", httpapi.Op{ID: "getJob", Tag: "jobs", Permission: PermManage,
		Summary: "One job with every attempt's error", Response: Job{}},
		func(w http.ResponseWriter, r *http.Request) {
			id, ok := httpapi.ParseID(r.PathValue("id"))
			if !ok {
				httpapi.WriteError(w, r, errNotFound)
				return
			}
			body, err := s.Get(r.Context(), id)
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			httpapi.WriteCached(w, r, body, live)
		})
	for _, a := range []struct {
		verb, id, summary string
		do                func(*Service) func(r *http.Request, id int64) ([]byte, error)
	}{
		{"retry", "retryJob", "Run a failed, discarded or cancelled job again now (409 when running or waiting)",
			func(s *Service) func(r *http.Request, id int64) ([]byte, error) {
				return func(r *http.Request, id int64) ([]byte, error) { return s.Retry(r.Context(), id) }
			}},
		{"cancel", "cancelJob", "Cancel a waiting or running job (409 when it has finished)",
			func(s *Service) func(r *http.Request, id int64) ([]byte, error) {
				return func(r *http.Request, id int64) ([]byte, error) { return s.Cancel(r.Context(), id) }
			}},
	} {
		do := a.do(s)
		rt.HandleFunc("POST", "/api/jobs/{id}/"+a.verb, httpapi.Op{ID: a.id, Tag: "jobs", Permission: PermManage, Errors: []int{http.StatusConflict},
			Summary: a.summary, Response: Job{}},
			func(w http.ResponseWriter, r *http.Request) {
				id, ok := httpapi.ParseID(r.PathValue("id"))
				if !ok {
					httpapi.WriteError(w, r, errNotFound)
					return
				}
				body, err := do(r, id)
				if err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				httpapi.WriteBody(w, r, http.StatusOK, body, "")
			})
	}
}
