// Package auditlog is the audit-log feature: reading the log through the
// server cache, with filters, and exporting it as CSV. Rows are written by
// every feature through platform/audit, in the transaction of the change.
package auditlog

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// PermView lets a user read and export the audit log.
const PermView authz.Permission = "audit.view"

func init() {
	authz.Register(map[authz.Permission]string{PermView: "Read the audit log"})
}

// MaxExportRows bounds one CSV export; narrow the filters for more.
const MaxExportRows = 100_000

// Actor names who made a change (null for the system).
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// Entry is an audit row as the API shows it.
type Entry struct {
	ID           int64                   `json:"id"`
	At           time.Time               `json:"at"`
	Actor        *Actor                  `json:"actor"`
	IP           string                  `json:"ip"`
	UserAgent    string                  `json:"user_agent"`
	Action       string                  `json:"action"`
	ResourceType string                  `json:"resource_type"`
	ResourceID   string                  `json:"resource_id"`
	Changes      map[string]audit.Change `json:"changes"`
	RequestID    string                  `json:"request_id"`
}

func (f Filter) where() (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.ResourceType != "" {
		add("resource_type = ?", f.ResourceType)
	}
	if f.ResourceID != "" {
		add("resource_id = ?", f.ResourceID)
	}
	if f.From != nil {
		add("at >= ?", *f.From)
	}
	if f.To != nil {
		add("at < ?", *f.To)
	}
	return strings.Join(where, " AND "), args
}

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

const cols = `id, at, actor_id, actor_email, ip, user_agent, action, resource_type, resource_id, changes, request_id`

func scanEntry(rows interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var actorID *int64
	var actorEmail, changes string
	if err := rows.Scan(&e.ID, db.Time{T: &e.At}, &actorID, &actorEmail, &e.IP, &e.UserAgent, &e.Action, &e.ResourceType,
		&e.ResourceID, &changes, &e.RequestID); err != nil {
		return e, err
	}
	if actorID != nil {
		e.Actor = &Actor{ID: *actorID, Email: actorEmail}
	}
	e.Changes = map[string]audit.Change{}
	err := json.Unmarshal([]byte(changes), &e.Changes)
	return e, err
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Entry, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT `+cols+` FROM audit_logs WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
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
		count := func() (total int64, err error) {
			err = db.Scan(s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_logs WHERE `+where, args...), &total)
			return total, err
		}
		return db.NewestFirst(pr, s.cursors, binding, after, "id",
			func(tail string, tailArgs ...any) ([]Entry, error) {
				return s.query(ctx, where+tail, append(args[:len(args):len(args)], tailArgs...)...)
			}, count, func(e Entry) int64 { return e.ID })
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
	rows, err := s.db.Reader().Query(ctx, `SELECT `+cols+`, hash FROM audit_logs WHERE `+where+` ORDER BY id DESC LIMIT ?`,
		append(args, MaxExportRows)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cw := csv.NewWriter(start())
	_ = cw.Write([]string{"id", "at", "actor_id", "actor_email", "ip", "user_agent", "action", "resource_type", "resource_id",
		"changes", "request_id", "hash"})
	n := 0
	for rows.Next() {
		var e Entry
		var actorID *int64
		var actorEmail, changes, hash string
		if err := rows.Scan(&e.ID, db.Time{T: &e.At}, &actorID, &actorEmail, &e.IP, &e.UserAgent, &e.Action, &e.ResourceType,
			&e.ResourceID, &changes, &e.RequestID, &hash); err != nil {
			return n, err
		}
		actor := ""
		if actorID != nil {
			actor = strconv.FormatInt(*actorID, 10)
		}
		rec := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), actor, actorEmail, e.IP, e.UserAgent,
			e.Action, e.ResourceType, e.ResourceID, changes, e.RequestID, hash}
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
