package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The audit row is written in the mutation's transaction: when it cannot
// be written, the mutation does not happen and the client gets an error.
func TestAuditFailureRollsBack(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			c := in.LoggedIn(t, "admin@example.com")
			id := c.CreateOrder("rollback@example.com")
			ctx := context.Background()
			breakAudit := `CREATE TRIGGER audit_down BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'audit down'); END`
			if in.Srv.DB.Engine == db.Postgres {
				breakAudit = `ALTER TABLE audit_logs ADD CONSTRAINT audit_down CHECK (false) NOT VALID`
			}
			if _, err := in.Srv.DB.Writer().Exec(ctx, breakAudit); err != nil {
				t.Fatal(err)
			}
			before := countOrders(t, in)
			r := c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"})
			wantError(t, r, 500, "INTERNAL")
			wantError(t, c.Do("POST", "/api/orders", testkit.SampleOrder("rollback2@example.com")), 500, "INTERNAL")
			if got := c.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil).Map(t)["status"]; got != "pending" {
				t.Fatalf("the status changed without its audit row: %v", got)
			}
			if after := countOrders(t, in); after != before {
				t.Fatalf("an order was created without its audit row (%d → %d)", before, after)
			}
			var hist int
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM order_history WHERE order_id = ?`, id).Scan(&hist)
			if hist != 1 {
				t.Fatalf("history rows without their change: %d", hist)
			}
		})
	}
}
