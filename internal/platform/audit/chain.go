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
	// Checkpoint is the signed checkpoint checked against (nil: none).
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
}

// Verify walks the whole log in id order and reports every row whose
// content does not match its hash (altered), every row whose link to the
// row before does not match (a row removed, inserted or reordered), and
// every row without a hash where one was due (blanked). With an anchor it
// also checks the log against the signed checkpoint: its head row must
// still be there with its hash, and as many rows up to it as it counted,
// so removing the newest rows is reported too. Problems about the log as a
// whole have ID 0.
func Verify(ctx context.Context, q db.Querier, a *Anchor) (Report, error) {
	var rep Report
	prev := ""
	var purgedThrough int64
	if err := q.QueryRow(ctx, `SELECT purged_through_id, hash FROM audit_anchor WHERE id = 1`).Scan(&purgedThrough, &prev); err != nil && !errors.Is(err, db.ErrNoRows) {
		return rep, err
	}
	var cp *Checkpoint
	badCheckpoint := false
	if a != nil {
		var err error
		if cp, _, err = a.Load(ctx); errors.Is(err, errBadCheckpoint) {
			badCheckpoint = true
			rep.Problems = append(rep.Problems, Problem{Reason: err.Error() + " (" + a.Store.Where() + ")"})
		} else if err != nil {
			return rep, fmt.Errorf("audit checkpoint: %w", err)
		}
	}
	rows, err := q.Query(ctx, `SELECT `+rowCols+` FROM audit_logs ORDER BY id`)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	var prevID, upToHead int64
	headSeen := false
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if cp != nil && r.ID <= cp.HeadID {
			upToHead++
			if r.ID == cp.HeadID {
				headSeen = true
				if r.Hash != cp.HeadHash {
					rep.Problems = append(rep.Problems, Problem{ID: r.ID, Reason: "its hash differs from the one the checkpoint recorded for it: the row was replaced"})
				}
			}
		}
		if r.Hash == "" && r.PrevHash == "" {
			switch {
			case cp != nil && cp.ChainFrom > 0 && r.ID >= cp.ChainFrom:
				rep.Problems = append(rep.Problems, Problem{ID: r.ID, Reason: fmt.Sprintf(
					"it has no hash, but every row from %d on was written with one: its hash was blanked", cp.ChainFrom)})
				prevID = r.ID
				continue
			case rep.Rows == rep.Unchained+1:
				rep.Unchained++
				continue
			default:
				rep.Problems = append(rep.Problems, Problem{ID: r.ID, Reason: "it has no hash, but a row before it has one: its hash was blanked"})
				prevID = r.ID
				continue
			}
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
	if err := rows.Err(); err != nil {
		return rep, err
	}
	switch {
	case a == nil || badCheckpoint:
	case cp == nil:
		if rep.Rows > rep.Unchained {
			rep.Problems = append(rep.Problems, Problem{Reason: "there is no audit checkpoint (" + a.Store.Where() +
				"): whether the newest rows were removed cannot be told; it is written again at the next change"})
		}
	case !headSeen && (cp.Rows != 0 || cp.HeadID != purgedThrough):
		rep.Problems = append(rep.Problems, Problem{ID: cp.HeadID, Reason: fmt.Sprintf(
			"row %d, the newest when the checkpoint was taken (%s), is gone: the newest rows were removed (the log now ends at row %d)",
			cp.HeadID, cp.At.Format(time.RFC3339), prevID)})
	case headSeen && upToHead != cp.Rows && len(rep.Problems) == 0: // else the chain has shown where
		rep.Problems = append(rep.Problems, Problem{Reason: fmt.Sprintf(
			"the log holds %d rows up to row %d where the checkpoint counted %d: rows were removed or inserted", upToHead, cp.HeadID, cp.Rows)})
	}
	rep.Checkpoint = cp
	return rep, nil
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
// records the last purged row's hash, and the checkpoint (when a is not
// nil) is rewritten after the commit to count the rows that are left.
func Purge(ctx context.Context, d *db.DB, a *Anchor, cutoff time.Time, export io.Writer, done func() error) (int, error) {
	n := 0
	var last Row
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
	if a != nil && n > 0 {
		if err := a.afterPurge(ctx, d.Reader(), last, int64(n)); err != nil {
			return n, fmt.Errorf("purged %d rows, but the audit checkpoint was not updated (audit verify will report it): %w", n, err)
		}
	}
	return n, nil
}
