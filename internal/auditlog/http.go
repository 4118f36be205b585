package auditlog

import (
	"io"
	"net/http"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// EntriesPage is the page-mode envelope of GET /api/audit-logs.
type EntriesPage = paging.Page[Entry]

// Routes mounts the audit-log endpoints.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/audit-logs", httpapi.Op{ID: "listAuditLogs", Tag: "audit", Permission: PermView, Cached: true,
		Summary: "The audit log, newest first (page or cursor pagination)", Response: EntriesPage{}, Query: listQuery},
		httpapi.List(ParseFilter, s.List))
	rt.Handle("GET", "/api/audit-logs/export", httpapi.Op{ID: "exportAuditLogs", Tag: "audit", Permission: PermView,
		Summary: "The filtered audit log as CSV (text/csv attachment, newest first, at most 100,000 rows)", Query: filterQuery},
		h.export)
}

type handlers struct{ s *Service }

// export streams the CSV. An error once the first bytes are sent cannot be
// answered any more: the client gets a truncated file.
func (h handlers) export(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	started := false
	_, err = h.s.Export(r.Context(), f, func() io.Writer {
		started = true
		hd := w.Header()
		hd.Set("Content-Type", "text/csv; charset=utf-8")
		hd.Set("Content-Disposition", `attachment; filename="audit-log-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
		hd.Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("\ufeff")) // a BOM, so spreadsheet apps read UTF-8 (Persian) right
		return w
	})
	if started {
		return nil
	}
	return err
}
