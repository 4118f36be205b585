package auditlog

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

var filterQuery = []httpapi.Param{
	{Name: "actor_id", Type: "integer", Description: "rows of changes made by this user"},
	{Name: "action", Description: "e.g. orders.update_status"},
	{Name: "resource_type", Description: "e.g. order, user, role"},
	{Name: "resource_id"},
	{Name: "from", Type: "date-time", Description: "inclusive"},
	{Name: "to", Type: "date-time", Description: "exclusive"},
}

// ParseFilter reads the filters; a value that cannot be parsed is
// INVALID_JSON, an impossible range VALIDATION_FAILED.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	var err error
	if f.ActorID, err = httpapi.QueryID(q, "actor_id"); err != nil {
		return f, err
	}
	f.Action, f.ResourceType, f.ResourceID = q.Get("action"), q.Get("resource_type"), q.Get("resource_id")
	fe := apperr.FieldErrors{}
	// resource ids are positive ids written as text; the filter stays a
	// string, but a whole number that is no id is refused like actor_id's
	if n, err := strconv.ParseInt(f.ResourceID, 10, 64); errors.Is(err, strconv.ErrRange) || err == nil && (n < 1 || n >= 1<<53) {
		fe.Add("resource_id", "must be a positive id below 2^53")
	}
	for name, v := range map[string]string{"action": f.Action, "resource_type": f.ResourceType, "resource_id": f.ResourceID} {
		if len(v) > 200 {
			fe.Add(name, "must be at most 200 characters")
		}
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, apperr.New(apperr.InvalidJSON, "%s must be an RFC 3339 time such as 2026-11-28T09:30:00Z", p.name)
			}
			*p.dst = &t
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fe.Add("to", "must be after from")
	}
	return f, fe.Err()
}

// Routes mounts the audit-log endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	rt.HandleFunc("GET", "/api/audit-logs", httpapi.Op{ID: "listAuditLogs", Tag: "audit", Permission: PermView, Cached: true,
		Summary: "The audit log, newest first (page or cursor pagination)", Response: List{},
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
	rt.HandleFunc("GET", "/api/audit-logs/export", httpapi.Op{ID: "exportAuditLogs", Tag: "audit", Permission: PermView,
		Summary: "The filtered audit log as CSV (text/csv attachment, newest first, at most 100,000 rows)", Query: filterQuery},
		func(w http.ResponseWriter, r *http.Request) {
			f, err := ParseFilter(r.URL.Query())
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			started := false
			_, err = s.Export(r.Context(), f, func() io.Writer {
				started = true
				h := w.Header()
				h.Set("Content-Type", "text/csv; charset=utf-8")
				h.Set("Content-Disposition", `attachment; filename="audit-log-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
				h.Set("Cache-Control", "no-store")
				_, _ = w.Write([]byte("\ufeff")) // a BOM, so spreadsheet apps read UTF-8 (Persian) right
				return w
			})
			if err != nil && !started {
				httpapi.WriteError(w, r, err)
			}
		})
}
