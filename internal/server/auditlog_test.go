package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// tamper runs statements on audit_logs with the purge gate open: what
// someone with direct database access could do.
func tamper(t *testing.T, in *testkit.Instance, stmts ...string) {
	t.Helper()
	err := in.Srv.DB.InTx(context.Background(), func(tx *db.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO audit_purge_gate (opened_at) VALUES (?)`, time.Now()); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(context.Background(), s); err != nil {
				return err
			}
		}
		_, err := tx.Exec(context.Background(), `DELETE FROM audit_purge_gate`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, in *testkit.Instance) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), in.Srv.DB.Reader(), in.Srv.AuditAnchor)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func problemIDs(rep audit.Report) []int64 {
	var ids []int64
	for _, p := range rep.Problems {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestAuditLog checks the tamper-evident audit log (issue 4) in both modes.
func TestAuditLog(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			in.CreateUser(t, "auditor@example.com", "audit.view")
			in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create", "orders.update_status")
			clerk := in.LoggedIn(t, "clerk@example.com")
			auditor := in.LoggedIn(t, "auditor@example.com")
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				id := clerk.CreateOrder("buyer@example.com")
				clerk.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}, "User-Agent", "=HYPERLINK(\"http://evil\")")
			}

			t.Run("rows are append-only", func(t *testing.T) {
				if _, err := in.Srv.DB.Writer().Exec(ctx, `UPDATE audit_logs SET action = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Fatalf("UPDATE: %v", err)
				}
				if _, err := in.Srv.DB.Writer().Exec(ctx, `DELETE FROM audit_logs`); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Fatalf("DELETE: %v", err)
				}
				if rep := verify(t, in); len(rep.Problems) != 0 || rep.Rows < 6 {
					t.Fatalf("an untouched log must verify: %+v", rep)
				}
			})

			t.Run("the list shows every committed change at once, filtered", func(t *testing.T) {
				id := clerk.CreateOrder("fresh@example.com")
				var list struct {
					Items []struct {
						Action     string `json:"action"`
						ResourceID string `json:"resource_id"`
						Actor      *struct {
							Email string `json:"email"`
						} `json:"actor"`
						Changes map[string]map[string]any `json:"changes"`
					} `json:"items"`
					Total int `json:"total"`
				}
				r := auditor.Do("GET", "/api/audit-logs?resource_type=order&resource_id="+fmt.Sprint(id), nil)
				if r.Status != 200 || r.Header.Get("Cache-Status") == "" {
					t.Fatalf("list: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &list)
				if list.Total != 1 || list.Items[0].Action != "orders.create" || list.Items[0].Actor.Email != "clerk@example.com" {
					t.Fatalf("list: %+v", list)
				}
				clerk.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"})
				auditor.Do("GET", "/api/audit-logs?resource_type=order&resource_id="+fmt.Sprint(id), nil).JSON(t, &list)
				if list.Total != 2 || list.Items[0].Action != "orders.update_status" || list.Items[0].Changes["status"]["to"] != "paid" {
					t.Fatalf("after a change: %+v", list)
				}
				auditor.Do("GET", "/api/audit-logs?action=orders.update_status&from="+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), nil).JSON(t, &list)
				if list.Total != 4 {
					t.Fatalf("action and from filters: %d rows", list.Total)
				}
				auditor.Do("GET", "/api/audit-logs?to=2000-01-01T00:00:00Z", nil).JSON(t, &list)
				if list.Total != 0 {
					t.Fatalf("to filter: %d rows", list.Total)
				}
				wantError(t, auditor.Do("GET", "/api/audit-logs?from=yesterday", nil), 400, "INVALID_JSON")
				wantError(t, auditor.Do("GET", "/api/audit-logs?actor_id=-1", nil), 422, "VALIDATION_FAILED")
				wantError(t, auditor.Do("GET", "/api/audit-logs?actor_id=me", nil), 400, "INVALID_JSON")
				wantError(t, auditor.Do("GET", "/api/audit-logs?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", nil), 422, "VALIDATION_FAILED")
				wantError(t, clerk.Do("GET", "/api/audit-logs", nil), 403, "PERMISSION_DENIED")
				wantError(t, clerk.Do("GET", "/api/audit-logs/export", nil), 403, "PERMISSION_DENIED")
			})

			t.Run("CSV export is safe to open in a spreadsheet", func(t *testing.T) {
				r := auditor.Do("GET", "/api/audit-logs/export?action=orders.update_status", nil)
				if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
					!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || !bytes.HasPrefix(r.Body, []byte("\ufeff")) {
					t.Fatalf("export: %d %v", r.Status, r.Header)
				}
				recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if recs[0][0] != "id" || recs[0][6] != "action" || len(recs) < 5 {
					t.Fatalf("csv: %v", recs[:1])
				}
				for _, rec := range recs[1:] {
					if rec[6] != "orders.update_status" {
						t.Fatalf("filter ignored: %v", rec)
					}
					if ua := rec[5]; strings.HasPrefix(ua, "=") {
						t.Fatalf("a formula reached the CSV: %q", ua)
					}
				}
			})

			t.Run("audit verify names an altered, a removed and reordered rows", func(t *testing.T) {
				var ids []int64
				rows, err := in.Srv.DB.Reader().Query(ctx, `SELECT id FROM audit_logs ORDER BY id`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					_ = rows.Scan(&id)
					ids = append(ids, id)
				}
				rows.Close()
				if len(ids) < 8 {
					t.Fatalf("want at least 8 rows, have %d", len(ids))
				}
				// altered content
				tamper(t, in, fmt.Sprintf(`UPDATE audit_logs SET changes = '{"status":{"from":"pending","to":"refunded"}}' WHERE id = %d`, ids[3]))
				if got := problemIDs(verify(t, in)); fmt.Sprint(got) != fmt.Sprint([]int64{ids[3]}) {
					t.Fatalf("altered row %d: problems at %v", ids[3], got)
				}
				tamper(t, in, fmt.Sprintf(`DELETE FROM audit_logs WHERE id = %d`, ids[3]))
				rep := verify(t, in)
				if got := problemIDs(rep); fmt.Sprint(got) != fmt.Sprint([]int64{ids[4]}) || !strings.Contains(rep.Problems[0].Reason, "removed") {
					t.Fatalf("removed row %d: problems %+v", ids[3], rep.Problems)
				}
				// swap two rows' contents (hashes included): both links break
				tamper(t, in,
					fmt.Sprintf(`UPDATE audit_logs SET id = 999999999 WHERE id = %d`, ids[6]),
					fmt.Sprintf(`UPDATE audit_logs SET id = %d WHERE id = %d`, ids[6], ids[7]),
					fmt.Sprintf(`UPDATE audit_logs SET id = %d WHERE id = 999999999`, ids[7]))
				got := problemIDs(verify(t, in))
				if !containsAll(got, ids[4], ids[6], ids[7]) {
					t.Fatalf("reordered rows %d, %d: problems at %v", ids[6], ids[7], got)
				}
			})
		})
	}
}

func containsAll(have []int64, want ...int64) bool {
	set := map[int64]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// A mutation whose audit row cannot be written does not happen.
func TestAuditFailureRollsTheChangeBack(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create", "orders.update_status")
			clerk := in.LoggedIn(t, "clerk@example.com")
			id := clerk.CreateOrder("a@example.com")
			ctx := context.Background()
			var block, unblock string
			if m.Postgres {
				block = `CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store broken'; END $$;
					CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_audit();`
				unblock = `DROP TRIGGER fail_audit ON audit_logs; DROP FUNCTION fail_audit();`
			} else {
				block = `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'audit store broken'); END;`
				unblock = `DROP TRIGGER fail_audit;`
			}
			if _, err := in.Srv.DB.SQL.ExecContext(ctx, block); err != nil {
				t.Fatal(err)
			}
			var before int
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&before)
			r := clerk.Do("POST", "/api/orders", testkit.SampleOrder("b@example.com"))
			if m := wantError(t, r, 500, "INTERNAL"); strings.Contains(fmt.Sprint(m["message"]), "audit store broken") {
				t.Fatalf("the error leaks internals: %v", m)
			}
			wantError(t, clerk.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}), 500, "INTERNAL")
			var after int
			var status string
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&after)
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT status FROM orders WHERE id = ?`, id).Scan(&status)
			if after != before || status != "pending" {
				t.Fatalf("the change happened without its audit row: %d -> %d orders, status %s", before, after, status)
			}
			if _, err := in.Srv.DB.SQL.ExecContext(ctx, unblock); err != nil {
				t.Fatal(err)
			}
			var o struct{ Status string }
			clerk.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil).JSON(t, &o)
			if o.Status != "pending" {
				t.Fatalf("a read after the failed change shows %s", o.Status)
			}
		})
	}
}

// Purging exports the old rows first and keeps the rest verifiable.
func TestAuditPurge(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[0])
	in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create")
	clerk := in.LoggedIn(t, "clerk@example.com")
	for i := 0; i < 3; i++ {
		clerk.CreateOrder("a@example.com")
	}
	cutoff := time.Now()
	time.Sleep(10 * time.Millisecond)
	clerk.CreateOrder("b@example.com")
	var total int
	_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs`).Scan(&total)
	var export bytes.Buffer
	synced := false
	n, err := audit.Purge(context.Background(), in.Srv.DB, in.Srv.AuditAnchor, cutoff, &export, func() error { synced = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(export.String(), "\n")
	var left int
	_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs`).Scan(&left)
	if n == 0 || n != lines || left != total-n || !synced || !strings.Contains(export.String(), `"hash":`) {
		t.Fatalf("purged %d, exported %d lines, %d of %d rows left, synced %v", n, lines, left, total, synced)
	}
	if rep := verify(t, in); len(rep.Problems) != 0 {
		t.Fatalf("after a purge the rest must verify: %+v", rep.Problems)
	}
	clerk.CreateOrder("c@example.com")
	if rep := verify(t, in); len(rep.Problems) != 0 {
		t.Fatalf("appending after a purge: %+v", rep.Problems)
	}
}

// In PostgreSQL the application's role cannot change or delete audit rows,
// nor open the purge gate; it still writes them with every change.
func TestAuditRowsAreAppendOnlyForTheAppRole(t *testing.T) {
	ctx := context.Background()
	ownerURL := testkit.NewPostgres(t)
	role := "pk_app_" + strings.ReplaceAll(fmt.Sprint(time.Now().UnixNano()), "-", "")
	owner, err := db.Open(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.SQL.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if o, err := db.Open(context.Background(), ownerURL); err == nil {
			_, _ = o.SQL.ExecContext(context.Background(), `DROP OWNED BY `+role)
			_, _ = o.SQL.ExecContext(context.Background(), `DROP ROLE `+role)
			_ = o.Close()
		}
	})
	if _, err := owner.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantAppRole(ctx, role); err != nil {
		t.Fatal(err)
	}
	appURL := strings.Replace(ownerURL, "postgres@", role+"@", 1)
	in := testkit.Start(t, testkit.Shared{DatabaseURL: appURL}, nil)
	in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create")
	if id := in.LoggedIn(t, "clerk@example.com").CreateOrder("a@example.com"); id == 0 {
		t.Fatal("no order")
	}
	app := in.Srv.DB
	for _, stmt := range []string{
		`UPDATE audit_logs SET action = 'x'`,
		`DELETE FROM audit_logs`,
		`TRUNCATE audit_logs`,
		`INSERT INTO audit_purge_gate (opened_at) VALUES (now())`,
		`DELETE FROM schema_migrations`,
	} {
		if _, err := app.SQL.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as the app role: %v", stmt, err)
		}
	}
	if rep := verify(t, in); rep.Rows < 3 || len(rep.Problems) != 0 {
		t.Fatalf("the app role's rows: %+v", rep)
	}
}
