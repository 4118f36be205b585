package auditlog

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Service reads the audit log.
type Service struct {
	db      *db.DB
	cache   *cache.Cache
	cursors paging.CursorCodec
}

// NewService wires the service; cursorKey signs list cursors.
func NewService(d *db.DB, c *cache.Cache, cursorKey []byte) *Service {
	return &Service{db: d, cache: c, cursors: paging.CursorCodec{Key: cursorKey}}
}

// List returns a page of the log, newest first.
func (s *Service) List(ctx context.Context, f Filter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	where, args := f.where()
	binding := fmt.Sprintf("audit|%s|%v", where, args)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("audit:list:%s|p=%d|ps=%d|c=%s|l=%d|cm=%t", cache.KeyHash(binding), pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	return s.cache.Fetch(ctx, "audit", key, []string{audit.Tag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		return db.NewestFirst(pr, s.cursors, binding, after, "id",
			func(tail string, tailArgs ...any) ([]Entry, error) {
				return listEntries(ctx, s.db.Reader(), where+tail, append(args[:len(args):len(args)], tailArgs...)...)
			},
			func() (int64, error) { return countEntries(ctx, s.db.Reader(), where, args...) },
			func(e Entry) int64 { return e.ID })
	})
}

// csvSafe defuses spreadsheet formula injection (OWASP "CSV Injection"):
// a cell starting with = + - @ tab or carriage return gets a leading quote.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Export writes the filtered log as CSV, newest first, at most
// MaxExportRows rows, to the writer start returns; start is called only
// once the permission check and the query have succeeded, so an error
// before it can still be answered as JSON. It returns the rows written.
func (s *Service) Export(ctx context.Context, f Filter, start func() io.Writer) (int, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return 0, err
	}
	where, args := f.where()
	rows, err := exportRows(ctx, s.db.Reader(), where, args, MaxExportRows)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cw := csv.NewWriter(start())
	_ = cw.Write(exportHeader)
	n := 0
	for rows.Next() {
		rec, err := scanExportRecord(rows)
		if err != nil {
			return n, err
		}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, rows.Err()
}
