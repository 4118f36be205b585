package auditlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

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

// listEntries returns the rows matching where (with its tail: order and
// limit).
func listEntries(ctx context.Context, q db.Querier, where string, args ...any) ([]Entry, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM audit_logs WHERE `+where, args...)
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

func countEntries(ctx context.Context, q db.Querier, where string, args ...any) (total int64, err error) {
	err = db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM audit_logs WHERE `+where, args...), &total)
	return total, err
}

// exportHeader names the columns of an export record.
var exportHeader = []string{"id", "at", "actor_id", "actor_email", "ip", "user_agent", "action", "resource_type", "resource_id",
	"changes", "request_id", "hash"}

// exportRows runs the export query, newest first, at most limit rows; read
// each row with scanExportRecord and close the rows.
func exportRows(ctx context.Context, q db.Querier, where string, args []any, limit int) (*sql.Rows, error) {
	return q.Query(ctx, `SELECT `+cols+`, hash FROM audit_logs WHERE `+where+` ORDER BY id DESC LIMIT ?`,
		append(args[:len(args):len(args)], limit)...)
}

// scanExportRecord reads a row of exportRows as text, in exportHeader's
// order: the changes as stored (JSON) and the row's chain hash.
func scanExportRecord(rows *sql.Rows) ([]string, error) {
	var e Entry
	var actorID *int64
	var actorEmail, changes, hash string
	if err := rows.Scan(&e.ID, db.Time{T: &e.At}, &actorID, &actorEmail, &e.IP, &e.UserAgent, &e.Action, &e.ResourceType,
		&e.ResourceID, &changes, &e.RequestID, &hash); err != nil {
		return nil, err
	}
	actor := ""
	if actorID != nil {
		actor = strconv.FormatInt(*actorID, 10)
	}
	return []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), actor, actorEmail, e.IP, e.UserAgent,
		e.Action, e.ResourceType, e.ResourceID, changes, e.RequestID, hash}, nil
}
