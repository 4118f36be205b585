// Package auditlog is the audit-log feature: reading the log through the
// server cache, with filters, and exporting it as CSV. Rows are written by
// every feature through platform/audit, in the transaction of the change.
package auditlog

import (
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
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
