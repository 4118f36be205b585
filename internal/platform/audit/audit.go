// Package audit writes audit-log rows inside the transaction of the change
// they describe, so the change and its record commit together or not at
// all. Rows form a hash chain: each row's hash covers its content and the
// previous row's hash, so Verify finds any altered, removed or reordered row.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Tag is the cache tag of audit-log reads; every transaction that writes a
// row touches it (see db.Tx.Touch), so a committed change's row is visible
// to the next read.
const Tag = "audit"

// Change is one field's before and after.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Entry is one mutation.
type Entry struct {
	Action       string // e.g. "orders.create"
	ResourceType string // e.g. "order"
	ResourceID   string
	Changes      map[string]Change
}

// Row is a stored audit row, as hashed.
type Row struct {
	ID           int64
	At           time.Time
	ActorID      *int64
	ActorEmail   string
	IP           string
	UserAgent    string
	Action       string
	ResourceType string
	ResourceID   string
	Changes      string // JSON
	RequestID    string
	PrevHash     string
	Hash         string
}

// chainHash is the hash of a row given the previous row's hash: SHA-256
// over a canonical JSON array of every stored field but the id.
func chainHash(r Row) string {
	b, _ := json.Marshal([]any{r.PrevHash, r.At.UTC().Format(time.RFC3339Nano), r.ActorID, r.ActorEmail, r.IP,
		r.UserAgent, r.Action, r.ResourceType, r.ResourceID, r.Changes, r.RequestID})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// chainLock serializes appends to the chain (PostgreSQL; SQLite writers
// are serialized already) until the transaction ends.
const chainLock = 7243912

// Record inserts the entry in tx; the actor, IP, user agent and request id
// come from ctx.
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	info := reqinfo.From(ctx)
	r := Row{At: time.Now().UTC().Truncate(time.Microsecond), IP: info.IP, UserAgent: info.UserAgent,
		Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, RequestID: info.RequestID}
	if p := authz.From(ctx); p != nil && p.UserID != 0 {
		id := p.UserID
		r.ActorID = &id
		r.ActorEmail = p.Email
	}
	if e.Changes == nil {
		e.Changes = map[string]Change{}
	}
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit changes: %w", err)
	}
	r.Changes = string(changes)
	if tx.Engine() == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, chainLock); err != nil {
			return fmt.Errorf("audit chain lock: %w", err)
		}
	}
	if err := tx.QueryRow(ctx, `SELECT hash FROM audit_logs ORDER BY id DESC LIMIT 1`).Scan(&r.PrevHash); err != nil && !errors.Is(err, db.ErrNoRows) {
		return fmt.Errorf("audit chain head: %w", err)
	}
	if r.PrevHash == "" {
		// the first row, or the first after a purge of everything
		_ = tx.QueryRow(ctx, `SELECT hash FROM audit_anchor WHERE id = 1`).Scan(&r.PrevHash)
	}
	r.Hash = chainHash(r)
	_, err = tx.Exec(ctx, `INSERT INTO audit_logs
		(at, actor_id, actor_email, ip, user_agent, action, resource_type, resource_id, changes, request_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.At, r.ActorID, r.ActorEmail, r.IP, r.UserAgent, r.Action, r.ResourceType, r.ResourceID, r.Changes, r.RequestID,
		r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("write audit row: %w", err)
	}
	tx.Touch(Tag)
	return nil
}
