package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

const rowCols = `id, at, actor_id, actor_email, ip, user_agent, action, resource_type, resource_id, changes, request_id, prev_hash, hash`

func scanRow(rows interface{ Scan(...any) error }) (Row, error) {
	var r Row
	err := rows.Scan(&r.ID, db.Time{T: &r.At}, &r.ActorID, &r.ActorEmail, &r.IP, &r.UserAgent, &r.Action, &r.ResourceType,
		&r.ResourceID, &r.Changes, &r.RequestID, &r.PrevHash, &r.Hash)
	return r, err
}

// Problem is one place where the chain is broken.
type Problem struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// Report is what Verify found.
type Report struct {
	Rows     int64     `json:"rows"`
	Problems []Problem `json:"problems"`
	// Unchained counts rows written before the chain existed (no hash).
	Unchained int64 `json:"unchained"`
}

// Verify walks the whole log in id order and reports every row whose
// content does not match its hash (altered) and every row whose link to
// the row before does not match (a row removed, inserted or reordered).
func Verify(ctx context.Context, q db.Querier) (Report, error) {
	var rep Report
	prev := ""
	if err := q.QueryRow(ctx, `SELECT hash FROM audit_anchor WHERE id = 1`).Scan(&prev); err != nil && !errors.Is(err, db.ErrNoRows) {
		return rep, err
	}
	rows, err := q.Query(ctx, `SELECT `+rowCols+` FROM audit_logs ORDER BY id`)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	var prevID int64
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if r.Hash == "" && r.PrevHash == "" && rep.Rows == rep.Unchained+1 {
			rep.Unchained++
			continue
		}
		if r.PrevHash != prev {
			before := "the start of the log"
			if prevID != 0 {
				before = fmt.Sprintf("row %d", prevID)
			}
			rep.Problems = append(rep.Problems, Problem{ID: r.ID, Reason: fmt.Sprintf(
				"its link does not match %s: a row between them was removed or inserted, the rows were reordered, or %s was altered and re-hashed", before, before)})
		}
		if chainHash(r) != r.Hash {
			rep.Problems = append(rep.Problems, Problem{ID: r.ID, Reason: "its content does not match its hash: the row was altered"})
		}
		prev, prevID = r.Hash, r.ID
	}
	return rep, rows.Err()
}

// ExportedRow is one line of a purge export (JSON Lines), hashes included,
// so the export itself can be checked against the chain.
type ExportedRow struct {
	ID           int64           `json:"id"`
	At           time.Time       `json:"at"`
	ActorID      *int64          `json:"actor_id"`
	ActorEmail   string          `json:"actor_email"`
	IP           string          `json:"ip"`
	UserAgent    string          `json:"user_agent"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Changes      json.RawMessage `json:"changes"`
	RequestID    string          `json:"request_id"`
	PrevHash     string          `json:"prev_hash"`
	Hash         string          `json:"hash"`
}

// Purge removes the oldest rows, those before cutoff, after writing each
// to export as JSON Lines; done (when not nil) runs after the export is
// written and before the rows are deleted (the caller syncs the file
// there; an error keeps every row). The chain stays verifiable: its anchor
// records the last purged row's hash.
func Purge(ctx context.Context, d *db.DB, cutoff time.Time, export io.Writer, done func() error) (int, error) {
	n := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if tx.Engine() == db.Postgres {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, chainLock); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT `+rowCols+` FROM audit_logs ORDER BY id`)
		if err != nil {
			return err
		}
		var last Row
		enc := json.NewEncoder(export)
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if !r.At.Before(cutoff) {
				break // only a prefix goes, so the rest still links to the anchor
			}
			if err := enc.Encode(ExportedRow{ID: r.ID, At: r.At, ActorID: r.ActorID, ActorEmail: r.ActorEmail, IP: r.IP,
				UserAgent: r.UserAgent, Action: r.Action, ResourceType: r.ResourceType, ResourceID: r.ResourceID,
				Changes: json.RawMessage(r.Changes), RequestID: r.RequestID, PrevHash: r.PrevHash, Hash: r.Hash}); err != nil {
				rows.Close()
				return fmt.Errorf("export: %w", err)
			}
			last, n = r, n+1
		}
		rows.Close()
		if err := rows.Err(); err != nil || n == 0 {
			return err
		}
		tx.Touch(Tag)
		if done != nil {
			if err := done(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_purge_gate (opened_at) VALUES (?)`, time.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_logs WHERE id <= ?`, last.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_anchor (id, purged_through_id, hash) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET purged_through_id = excluded.purged_through_id, hash = excluded.hash`, last.ID, last.Hash); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM audit_purge_gate`)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
