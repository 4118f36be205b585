// Package audit writes audit-log rows inside the transaction of the change
// they describe, so the change and its record commit together or not at all.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

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

// Record inserts the entry in tx; the actor, IP, user agent and request id
// come from ctx.
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	info := reqinfo.From(ctx)
	var actorID *int64
	actorEmail := ""
	if p := authz.From(ctx); p != nil {
		id := p.UserID
		actorID = &id
		actorEmail = p.Email
	}
	if e.Changes == nil {
		e.Changes = map[string]Change{}
	}
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit changes: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_logs
		(at, actor_id, actor_email, ip, user_agent, action, resource_type, resource_id, changes, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		time.Now(), actorID, actorEmail, info.IP, info.UserAgent, e.Action, e.ResourceType, e.ResourceID,
		string(changes), info.RequestID)
	if err != nil {
		return fmt.Errorf("write audit row: %w", err)
	}
	return nil
}
