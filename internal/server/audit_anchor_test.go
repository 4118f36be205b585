package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func auditIDs(t *testing.T, in *testkit.Instance) []int64 {
	t.Helper()
	rows, err := in.Srv.DB.Reader().Query(context.Background(), `SELECT id FROM audit_logs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func reasons(rep audit.Report) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "[%d] %s\n", p.ID, p.Reason)
	}
	return b.String()
}

// metricValue reads one gauge from /metrics as served by the instance.
func metricValue(t *testing.T, in *testkit.Instance, name string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	in.Srv.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAuditVerifyAnchor: the hash chain alone cannot see its newest rows
// removed, nor every hash blanked (issue 12, finding 6); the signed
// checkpoint outside the table can.
func TestAuditVerifyAnchor(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// in PostgreSQL a CHECK refuses unhashed rows; the table's owner
			// can drop it
			unguard := `SELECT 1`
			if m.Postgres {
				unguard = `ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_chained`
			}
			newInstance := func(t *testing.T) (*testkit.Instance, *testkit.Client) {
				in := testkit.StartMode(t, m)
				in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create", "orders.update_status")
				clerk := in.LoggedIn(t, "clerk@example.com")
				for i := 0; i < 3; i++ {
					id := clerk.CreateOrder("buyer@example.com")
					clerk.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"})
				}
				return in, clerk
			}

			t.Run("an untouched chain verifies, and /metrics shows its head", func(t *testing.T) {
				in, _ := newInstance(t)
				rep := verify(t, in)
				ids := auditIDs(t, in)
				if len(rep.Problems) != 0 || rep.Checkpoint == nil || rep.Checkpoint.HeadID != ids[len(ids)-1] || rep.Checkpoint.Rows != int64(len(ids)) {
					t.Fatalf("untouched: %+v %s", rep.Checkpoint, reasons(rep))
				}
				if got := metricValue(t, in, "pishkhan_audit_head_id"); got != fmt.Sprint(ids[len(ids)-1]) {
					t.Fatalf("pishkhan_audit_head_id = %q, want %d", got, ids[len(ids)-1])
				}
				if got := metricValue(t, in, "pishkhan_audit_rows"); got != fmt.Sprint(len(ids)) {
					t.Fatalf("pishkhan_audit_rows = %q, want %d", got, len(ids))
				}
				// `cache clear` drops cached values, never the checkpoint
				if _, err := in.Srv.Cache.Clear(ctx); err != nil {
					t.Fatal(err)
				}
				if rep := verify(t, in); len(rep.Problems) != 0 || rep.Checkpoint == nil {
					t.Fatalf("after cache clear: %+v %s", rep.Checkpoint, reasons(rep))
				}
			})

			t.Run("removing the newest rows is tampering, also after a later write", func(t *testing.T) {
				in, clerk := newInstance(t)
				ids := auditIDs(t, in)
				headID := ids[len(ids)-1]
				tamper(t, in, fmt.Sprintf(`DELETE FROM audit_logs WHERE id >= %d`, ids[len(ids)-2]))
				rep := verify(t, in)
				if len(rep.Problems) == 0 || rep.Problems[0].ID != headID || !strings.Contains(rep.Problems[0].Reason, "newest rows were removed") {
					t.Fatalf("tail truncation: %s", reasons(rep))
				}
				// the next change links to the shortened chain; the checkpoint
				// must not move on and forget
				clerk.CreateOrder("later@example.com")
				rep = verify(t, in)
				if len(rep.Problems) == 0 || rep.Problems[0].ID != headID {
					t.Fatalf("after a later write the truncation is forgotten: %s", reasons(rep))
				}
			})

			t.Run("rewritten rows with every hash blanked are tampering", func(t *testing.T) {
				in, _ := newInstance(t)
				tamper(t, in, unguard, `UPDATE audit_logs SET changes = '{}', prev_hash = '', hash = ''`)
				rep := verify(t, in)
				ids := auditIDs(t, in)
				if rep.Unchained != 0 || !containsAll(problemIDs(rep), ids...) || !strings.Contains(reasons(rep), "blanked") {
					t.Fatalf("blanked chain: unchained %d, %s", rep.Unchained, reasons(rep))
				}
			})

			t.Run("blanking the hashes after the first chained row is tampering", func(t *testing.T) {
				in, _ := newInstance(t)
				ids := auditIDs(t, in)
				tamper(t, in, unguard, fmt.Sprintf(`UPDATE audit_logs SET prev_hash = '', hash = '' WHERE id > %d`, ids[0]))
				rep := verify(t, in)
				if !containsAll(problemIDs(rep), ids[1:]...) || containsAll(problemIDs(rep), ids[0]) {
					t.Fatalf("blanked after row %d: %s", ids[0], reasons(rep))
				}
			})

			t.Run("a forged checkpoint is reported", func(t *testing.T) {
				in, _ := newInstance(t)
				a := in.Srv.AuditAnchor
				_, raw, err := a.Load(ctx)
				if err != nil || raw == nil {
					t.Fatalf("load: %v %q", err, raw)
				}
				ids := auditIDs(t, in)
				forged := bytes.Replace(raw, fmt.Appendf(nil, `"rows":%d`, len(ids)), fmt.Appendf(nil, `"rows":%d`, len(ids)-2), 1)
				if ok, err := a.Store.Swap(ctx, raw, forged); !ok || err != nil {
					t.Fatalf("swap: %v %v", ok, err)
				}
				if rep := verify(t, in); !strings.Contains(reasons(rep), "signature does not match") {
					t.Fatalf("forged checkpoint: %s", reasons(rep))
				}
			})

			t.Run("a rotated SECRET_KEY keeps the checkpoint valid; another key does not", func(t *testing.T) {
				keyA, keyB, keyC := strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32)
				sh := testkit.NewShared(t, m)
				a := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyA})
				a.CreateUser(t, "clerk@example.com", "orders.view", "orders.create")
				a.LoggedIn(t, "clerk@example.com").CreateOrder("a@example.com")
				if rep := verify(t, a); len(rep.Problems) != 0 || rep.Checkpoint == nil {
					t.Fatalf("under key A: %s", reasons(rep))
				}
				b := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyB, "SECRET_KEY_OLD": keyA})
				if rep := verify(t, b); len(rep.Problems) != 0 || rep.Checkpoint == nil {
					t.Fatalf("key B with A as the old key: %s", reasons(rep))
				}
				c := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyC})
				if rep := verify(t, c); !strings.Contains(reasons(rep), "signature does not match") {
					t.Fatalf("key C alone: %s", reasons(rep))
				}
			})

			t.Run("after a purge the rest verifies, also when everything was purged", func(t *testing.T) {
				in, clerk := newInstance(t)
				cutoff := time.Now()
				time.Sleep(10 * time.Millisecond)
				clerk.CreateOrder("kept@example.com")
				var export bytes.Buffer
				if n, err := audit.Purge(ctx, in.Srv.DB, in.Srv.AuditAnchor, cutoff, &export, nil); err != nil || n == 0 {
					t.Fatalf("purge: %d %v", n, err)
				}
				if rep := verify(t, in); len(rep.Problems) != 0 || rep.Checkpoint.Rows != int64(len(auditIDs(t, in))) {
					t.Fatalf("after a purge: %+v %s", rep.Checkpoint, reasons(rep))
				}
				clerk.CreateOrder("after@example.com")
				if rep := verify(t, in); len(rep.Problems) != 0 {
					t.Fatalf("a write after a purge: %s", reasons(rep))
				}
				time.Sleep(10 * time.Millisecond)
				if _, err := audit.Purge(ctx, in.Srv.DB, in.Srv.AuditAnchor, time.Now(), &export, nil); err != nil {
					t.Fatal(err)
				}
				if rep := verify(t, in); len(rep.Problems) != 0 || rep.Rows != 0 {
					t.Fatalf("after purging everything: %d rows, %s", rep.Rows, reasons(rep))
				}
				clerk.CreateOrder("fresh@example.com")
				if rep := verify(t, in); len(rep.Problems) != 0 || rep.Rows != 1 {
					t.Fatalf("a write after purging everything: %d rows, %s", rep.Rows, reasons(rep))
				}
				// a tail removed after the purge is still seen
				ids := auditIDs(t, in)
				tamper(t, in, fmt.Sprintf(`DELETE FROM audit_logs WHERE id = %d`, ids[len(ids)-1]))
				if rep := verify(t, in); len(rep.Problems) == 0 {
					t.Fatal("tail truncation after a purge went unseen")
				}
			})
		})
	}
}
