package server_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/jobadmin"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

type overviewBody struct {
	Today struct {
		Date    string
		Orders  int64
		Revenue []struct {
			Currency string
			Amount   int64
		}
	}
	KPIs struct {
		Orders struct{ Value, Previous int64 }
	} `json:"kpis"`
	ByStatus []struct {
		Status string
		Orders int64
	} `json:"by_status"`
	Series []struct {
		Date   string
		Orders int64
	}
}

func statusCount(o overviewBody, st string) int64 {
	for _, s := range o.ByStatus {
		if s.Status == st {
			return s.Orders
		}
	}
	return 0
}

// TestStatsOverview: the dashboard's figures follow every order write at
// once, on every instance, through the cache, and bad input changes nothing.
func TestStatsOverview(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			a := testkit.Start(t, sh, nil)
			b := a
			if m.Redis {
				b = testkit.Start(t, sh, nil)
			}
			a.CreateSuperuser(t, "admin@example.com")
			a.CreateUser(t, "analyst@example.com", "stats.view")
			onA := a.LoggedIn(t, "admin@example.com")
			analystOnB := b.LoggedIn(t, "analyst@example.com")

			get := func(c *testkit.Client, rng string) (overviewBody, string) {
				t.Helper()
				r := c.Do("GET", "/api/stats/overview?range="+rng, nil)
				if r.Status != 200 {
					t.Fatalf("overview: %d %s", r.Status, r.Body)
				}
				var o overviewBody
				r.JSON(t, &o)
				return o, r.Header.Get("Cache-Status")
			}
			before, _ := get(analystOnB, "7d")
			if _, cs := get(analystOnB, "7d"); cs != "pishkhan; hit" {
				t.Fatalf("a second read should be a cache hit, got %q", cs)
			}
			if len(before.Series) != 7 || before.Series[6].Date != before.Today.Date {
				t.Fatalf("7d must give 7 days ending today: %+v", before.Series)
			}

			events := sseEvents(t, analystOnB)
			id := onA.CreateOrder("stats@example.com")
			after, cs := get(analystOnB, "7d")
			if cs == "pishkhan; hit" {
				t.Fatal("the overview was served from cache right after an order write")
			}
			if after.Today.Orders != before.Today.Orders+1 || after.KPIs.Orders.Value != before.KPIs.Orders.Value+1 ||
				statusCount(after, "pending") != statusCount(before, "pending")+1 {
				t.Fatalf("a new order must count at once: before %+v, after %+v", before, after)
			}
			waitEvent(t, events, fmt.Sprintf(`stats {"event":"updated","resource":"stats","id":%s}`,
				strings.ReplaceAll(after.Today.Date, "-", "")))

			if r := onA.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}); r.Status != 200 {
				t.Fatalf("pay: %d %s", r.Status, r.Body)
			}
			paid, _ := get(analystOnB, "7d")
			if statusCount(paid, "paid") != statusCount(before, "paid")+1 || statusCount(paid, "pending") != statusCount(before, "pending") {
				t.Fatalf("a status change must move the order between statuses: %+v", paid.ByStatus)
			}
			if len(paid.Today.Revenue) != 1 || paid.Today.Revenue[0].Currency != "IRR" || paid.Today.Revenue[0].Amount != 12500 {
				t.Fatalf("today's revenue after paying a 12,500 IRR order: %+v", paid.Today.Revenue)
			}

			for _, rng := range []string{"30d", "90d", "365d"} {
				o, _ := get(analystOnB, rng)
				if int64(len(o.Series)) != map[string]int64{"30d": 30, "90d": 90, "365d": 365}[rng] || o.KPIs.Orders.Value != 1 {
					t.Fatalf("%s: %d days, %d orders", rng, len(o.Series), o.KPIs.Orders.Value)
				}
			}
			if m.Redis {
				// the issue names the day keys; each value starts with the
				// 8-byte generation of its day's tag
				a.Srv.Cache.Close() // the days are stored in the background
				b.Srv.Cache.Close()
				ctx, rdb := context.Background(), sh.Redis.Client(t)
				day := strings.ReplaceAll(paid.Today.Date, "-", "")
				key := "pktest:stats:daily:" + day
				v, err := rdb.Get(ctx, key).Bytes()
				gen, gerr := rdb.Get(ctx, "pktest:gen:stats:day:"+day).Int64()
				if err != nil || gerr != nil || len(v) < 9 || int64(binary.BigEndian.Uint64(v)) != gen {
					t.Fatalf("today's figures should be cached under %s, stamped %d: %x %v %v", key, gen, v, err, gerr)
				}
				// a value this version cannot read (another version wrote it,
				// or it is damaged) is read from the tables instead
				if err := rdb.Set(ctx, key, append(v[:8:8], "not a day"...), time.Minute).Err(); err != nil {
					t.Fatal(err)
				}
				if err := rdb.Incr(ctx, "pktest:gen:stats").Err(); err != nil { // the overview must be rebuilt
					t.Fatal(err)
				}
				if again, cs := get(analystOnB, "7d"); cs == "pishkhan; hit" || again.Today.Orders != paid.Today.Orders ||
					statusCount(again, "paid") != statusCount(paid, "paid") {
					t.Fatalf("with today's cached value unreadable: %s, %+v; want %+v", cs, again.Today, paid.Today)
				}
			}
			for _, bad := range []string{"?range=1d", "?range=7", "?range=365d%00", "?range=" + strings.Repeat("9", 500)} {
				m := wantError(t, analystOnB.Do("GET", "/api/stats/overview"+bad, nil), 422, "VALIDATION_FAILED")
				if fields(t, m)["range"] == nil {
					t.Fatalf("%s: the error must name range: %v", bad, m)
				}
			}
			if r := analystOnB.Do("GET", "/api/stats/overview", nil); r.Status != 200 {
				t.Fatalf("no range means 30d: %d", r.Status)
			}
			wantError(t, b.Client(t).Do("GET", "/api/stats/overview", nil), 401, "UNAUTHENTICATED")
			a.CreateUser(t, "clerk@example.com", "orders.view")
			wantError(t, a.LoggedIn(t, "clerk@example.com").Do("GET", "/api/stats/overview", nil), 403, "PERMISSION_DENIED")
		})
	}
}

// failingArgs is a job kind no Pishkhan process knows: it fails.
type failingArgs struct{}

func (failingArgs) Kind() string { return "test_unknown_kind" }

// TestJobsAPI: the jobs screen's API lists jobs by state, shows a dead
// job's error, retries and cancels with audit rows, and refuses what does
// not apply.
func TestJobsAPI(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
			in.CreateSuperuser(t, "admin@example.com")
			in.CreateUser(t, "analyst@example.com", "stats.view")
			c := in.LoggedIn(t, "admin@example.com")

			// the reconciliation runs at start
			waitFor(t, func() bool {
				return strings.Contains(string(c.Do("GET", "/api/jobs?state=completed&kind=stats_reconcile", nil).Body), `"stats_reconcile"`)
			})
			q, err := in.Srv.InsertOnlyQueue()
			if err != nil {
				t.Fatal(err)
			}
			res, err := q.Client.Insert(context.Background(), failingArgs{}, &river.InsertOpts{MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/api/jobs/%d", res.Job.ID)
			waitFor(t, func() bool { return c.Do("GET", path, nil).Map(t)["state"] == "discarded" })
			var dead struct {
				State  string
				Errors []struct{ Error, Kind string }
			}
			c.Do("GET", path, nil).JSON(t, &dead)
			if len(dead.Errors) != 1 || !strings.Contains(dead.Errors[0].Error, "test_unknown_kind") {
				t.Fatalf("a dead job must show why it failed: %+v", dead)
			}
			if k := dead.Errors[0].Kind; k != string(jobadmin.ClassifyText(dead.Errors[0].Error)) || k == "" {
				t.Fatalf("each error carries its kind, classified on the server: %+v", dead.Errors)
			}
			var list struct{ Items []struct{ ID int64 } }
			c.Do("GET", "/api/jobs?state=discarded", nil).JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0].ID != res.Job.ID {
				t.Fatalf("state=discarded lists %+v", list.Items)
			}
			if cs := c.Do("GET", "/api/jobs", nil).Header.Get("Cache-Status"); cs != "pishkhan; fwd=bypass; detail=live" {
				t.Fatalf("job lists are live, never cached: %q", cs)
			}

			wantReason(t, wantError(t, c.Do("POST", path+"/cancel", nil), 409, "CONFLICT"), "job_finished")
			if r := c.Do("POST", path+"/retry", nil); r.Status != 200 || r.Map(t)["state"] != "available" {
				t.Fatalf("retry: %d %s", r.Status, r.Body)
			}
			waitFor(t, func() bool { return c.Do("GET", path, nil).Map(t)["state"] == "discarded" })
			var audit struct {
				Items []struct {
					Action     string
					ResourceID string `json:"resource_id"`
				}
			}
			c.Do("GET", "/api/audit-logs?resource_type=job", nil).JSON(t, &audit)
			if len(audit.Items) != 1 || audit.Items[0].Action != "jobs.retry" || audit.Items[0].ResourceID != fmt.Sprint(res.Job.ID) {
				t.Fatalf("a retry must be audited: %+v", audit.Items)
			}

			later, err := q.Client.Insert(context.Background(), failingArgs{},
				&river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			lpath := fmt.Sprintf("/api/jobs/%d", later.Job.ID)
			// a queue no worker serves: the job stays available
			waiting, err := q.Client.Insert(context.Background(), failingArgs{}, &river.InsertOpts{Queue: "test_unserved"})
			if err != nil {
				t.Fatal(err)
			}
			wantReason(t, wantError(t, c.Do("POST", fmt.Sprintf("/api/jobs/%d/retry", waiting.Job.ID), nil), 409, "CONFLICT"),
				"job_already_waiting")
			if r := c.Do("POST", lpath+"/cancel", nil); r.Status != 200 || r.Map(t)["state"] != "cancelled" {
				t.Fatalf("cancel a scheduled job: %d %s", r.Status, r.Body)
			}
			wantReason(t, wantError(t, c.Do("POST", lpath+"/cancel", nil), 409, "CONFLICT"), "job_finished")

			wantError(t, c.Do("GET", "/api/jobs/999999", nil), 404, "NOT_FOUND")
			wantError(t, c.Do("POST", "/api/jobs/999999/retry", nil), 404, "NOT_FOUND")
			wantError(t, c.Do("GET", "/api/jobs/abc", nil), 404, "NOT_FOUND")
			m := wantError(t, c.Do("GET", "/api/jobs?state=dead", nil), 422, "VALIDATION_FAILED")
			if fields(t, m)["state"] == nil {
				t.Fatalf("the error must name state: %v", m)
			}
			wantError(t, c.Do("GET", "/api/jobs?limit=0", nil), 422, "VALIDATION_FAILED")
			wantError(t, c.Do("GET", "/api/jobs?cursor=bogus", nil), 400, "INVALID_JSON")
			analyst := in.LoggedIn(t, "analyst@example.com")
			wantError(t, analyst.Do("GET", "/api/jobs", nil), 403, "PERMISSION_DENIED")
			wantError(t, analyst.Do("POST", lpath+"/retry", nil), 403, "PERMISSION_DENIED")
		})
	}
}

// wantReason fails unless the error envelope m carries details.reason want.
func wantReason(t *testing.T, m map[string]any, want string) {
	t.Helper()
	if d, _ := m["details"].(map[string]any); d == nil || d["reason"] != want {
		t.Fatalf("want details.reason %q: %v", want, m)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCacheWarm: after a warm-up (what `pishkhan cache warm` and the job
// `migrate` enqueues run), the first order pages and every statistics
// range are served from the cache on the first request.
func TestCacheWarm(t *testing.T) {
	t.Parallel()
	in := testkit.StartMode(t, pgRedis)
	in.CreateSuperuser(t, "admin@example.com")
	in.CreateUser(t, "viewer@example.com", "orders.view", "stats.view")
	admin := in.LoggedIn(t, "admin@example.com")
	admin.CreateOrder("warm@example.com")
	if err := in.Srv.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	viewer := in.LoggedIn(t, "viewer@example.com")
	for c, paths := range map[*testkit.Client][]string{
		admin:  {"/api/orders", "/api/orders?limit=20", "/api/stats/overview"},
		viewer: {"/api/orders", "/api/stats/overview?range=7d", "/api/stats/overview?range=365d"},
	} {
		for _, p := range paths {
			if cs := c.Do("GET", p, nil).Header.Get("Cache-Status"); cs != "pishkhan; hit" {
				t.Errorf("GET %s right after the warm-up: Cache-Status %q, want a hit", p, cs)
			}
		}
	}
}
