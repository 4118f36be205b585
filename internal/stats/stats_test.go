package stats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/stats"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// tehran makes day boundaries differ from UTC's, as for most users.
var tehran, _ = time.LoadLocation("Asia/Tehran")

type rig struct {
	db     *db.DB
	stats  *stats.Service
	orders *orders.Service
	clock  time.Time
}

func newRig(t *testing.T, e testkit.Engine) *rig {
	d := testkit.OpenDB(t, e)
	c := cache.New(cache.NewMemory(10_000), cache.Options{Prefix: "t:"})
	d.OnCommit = func(ctx context.Context, tags []string) { c.Invalidate(ctx, tags...) }
	bus := events.NewMemory()
	r := &rig{db: d}
	r.stats = stats.NewService(d, c, bus, stats.Config{Location: tehran, TodayTTL: time.Minute,
		ClosedDayTTL: time.Hour, OverviewTTL: time.Minute, ReconcileDays: 3})
	r.orders = orders.NewService(d, c, bus, r.stats, make([]byte, 32), time.Minute)
	now := func() time.Time { return r.clock }
	r.stats.SetClock(now)
	r.orders.SetClock(now)
	return r
}

// truth computes every day's figures straight from the orders and
// customers tables, bucketing timestamps in Go.
func (r *rig) truth(t *testing.T) map[string]stats.DayFigures {
	t.Helper()
	ctx := context.Background()
	out := map[string]stats.DayFigures{}
	type key struct{ day, currency, status string }
	sums := map[key]*stats.Row{}
	rows, err := r.db.Reader().Query(ctx, `SELECT created_at, currency, status, total FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var at time.Time
		var cur, st string
		var total int64
		if err := rows.Scan(db.Time{T: &at}, &cur, &st, &total); err != nil {
			t.Fatal(err)
		}
		k := key{stats.DayOf(at, tehran).String(), cur, st}
		if sums[k] == nil {
			sums[k] = &stats.Row{Currency: cur, Status: st}
		}
		sums[k].Orders++
		sums[k].Amount += total
	}
	rows.Close()
	for k, row := range sums {
		f := out[k.day]
		f.Rows = append(f.Rows, *row)
		out[k.day] = f
	}
	crows, err := r.db.Reader().Query(ctx, `SELECT created_at FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	for crows.Next() {
		var at time.Time
		if err := crows.Scan(db.Time{T: &at}); err != nil {
			t.Fatal(err)
		}
		f := out[stats.DayOf(at, tehran).String()]
		f.NewCustomers++
		out[stats.DayOf(at, tehran).String()] = f
	}
	crows.Close()
	return out
}

// stored reads the aggregate tables as they are.
func (r *rig) stored(t *testing.T) map[string]stats.DayFigures {
	t.Helper()
	ctx := context.Background()
	out := map[string]stats.DayFigures{}
	rows, err := r.db.Reader().Query(ctx, `SELECT day, currency, status, orders, amount FROM stats_daily`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var day string
		var row stats.Row
		if err := rows.Scan(&day, &row.Currency, &row.Status, &row.Orders, &row.Amount); err != nil {
			t.Fatal(err)
		}
		f := out[day]
		f.Rows = append(f.Rows, row)
		out[day] = f
	}
	rows.Close()
	crows, err := r.db.Reader().Query(ctx, `SELECT day, new_customers FROM stats_customers_daily`)
	if err != nil {
		t.Fatal(err)
	}
	for crows.Next() {
		var day string
		var n int64
		if err := crows.Scan(&day, &n); err != nil {
			t.Fatal(err)
		}
		f := out[day]
		f.NewCustomers = n
		out[day] = f
	}
	crows.Close()
	return out
}

func assertAggregatesTrue(t *testing.T, r *rig) {
	t.Helper()
	truth, stored := r.truth(t), r.stored(t)
	for day, f := range truth {
		if !stored[day].Equal(f) {
			t.Fatalf("day %s: stored %+v, computed from orders %+v", day, stored[day], f)
		}
	}
	for day, f := range stored {
		if !truth[day].Equal(f) {
			t.Fatalf("day %s: stored %+v, but the orders say %+v", day, f, truth[day])
		}
	}
}

var currencies = []string{"IRR", "USD", "EUR"}

// TestAggregatesFollowRandomWrites is the property: whatever sequence of
// order creations and status changes happens (across midnight in the
// configured zone, in several currencies, with new and returning
// customers), the aggregates equal a direct computation from the orders.
func TestAggregatesFollowRandomWrites(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
					r := newRig(t, e)
					rng := rand.New(rand.NewPCG(seed, seed*7919))
					ctx := authz.With(context.Background(), authz.System)
					// start two minutes before midnight in Tehran (20:28 UTC)
					r.clock = time.Date(2026, 3, 20, 23, 58, 0, 0, tehran)
					var ids []int64
					for step := range 120 {
						// mostly seconds apart, sometimes a jump of hours
						if rng.IntN(20) == 0 {
							r.clock = r.clock.Add(time.Duration(rng.IntN(30)) * time.Hour)
						} else {
							r.clock = r.clock.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
						}
						if len(ids) == 0 || rng.IntN(3) > 0 {
							in := orders.CreateInput{
								Customer: &orders.CustomerInput{Name: "Customer", Email: fmt.Sprintf("c%d@example.com", rng.IntN(15))},
								Items:    []orders.ItemInput{{SKU: "SKU-1", Name: "Item", Quantity: int64(1 + rng.IntN(4)), UnitPrice: int64(100 + rng.IntN(100_000))}},
								Currency: currencies[rng.IntN(len(currencies))],
							}
							c, err := r.orders.Create(ctx, in, "")
							if err != nil {
								t.Fatalf("step %d: create: %v", step, err)
							}
							ids = append(ids, c.ID)
							continue
						}
						id := ids[rng.IntN(len(ids))]
						body, _, err := r.orders.Get(ctx, id)
						if err != nil {
							t.Fatal(err)
						}
						var o orders.Order
						if err := json.Unmarshal(body, &o); err != nil {
							t.Fatal(err)
						}
						next := o.Status.Allowed()
						if len(next) == 0 {
							continue
						}
						to := next[rng.IntN(len(next))]
						if _, err := r.orders.UpdateStatus(ctx, id, orders.StatusInput{Status: to}, ""); err != nil {
							t.Fatalf("step %d: %s → %s: %v", step, o.Status, to, err)
						}
					}
					assertAggregatesTrue(t, r)
					if days := len(r.truth(t)); days < 2 {
						t.Fatalf("the sequence covered %d day(s); it must cross midnight", days)
					}
				})
			}
		})
	}
}

// TestReconcileRepairsDrift corrupts a day's aggregates behind the
// service's back; the reconciliation finds and repairs exactly that day,
// and a second run has nothing to do.
func TestReconcileRepairsDrift(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, e)
			ctx := authz.With(context.Background(), authz.System)
			r.clock = time.Date(2026, 6, 1, 10, 0, 0, 0, tehran)
			for i := range 3 {
				r.clock = r.clock.Add(24 * time.Hour)
				for j := range 4 {
					_, err := r.orders.Create(ctx, orders.CreateInput{
						Customer: &orders.CustomerInput{Name: "C", Email: fmt.Sprintf("c%d-%d@example.com", i, j)},
						Items:    []orders.ItemInput{{SKU: "S", Name: "N", Quantity: 1, UnitPrice: 1000}},
						Currency: "IRR"}, "")
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			before := overview(t, r, ctx)
			corrupted := stats.DayOf(r.clock, tehran).Add(-1)
			if _, err := r.db.Writer().Exec(ctx, `UPDATE stats_daily SET orders = orders + 5, amount = amount - 7 WHERE day = ?`,
				corrupted.String()); err != nil {
				t.Fatal(err)
			}
			if _, err := r.db.Writer().Exec(ctx, `DELETE FROM stats_customers_daily WHERE day = ?`, corrupted.String()); err != nil {
				t.Fatal(err)
			}
			repaired, err := r.stats.Reconcile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(repaired) != 1 || repaired[0] != corrupted {
				t.Fatalf("repaired %v, want exactly %s", repaired, corrupted)
			}
			assertAggregatesTrue(t, r)
			if after := overview(t, r, ctx); after.KPIs.Orders != before.KPIs.Orders || after.KPIs.NewCustomers != before.KPIs.NewCustomers {
				t.Fatalf("the overview after repair %+v differs from before the corruption %+v", after.KPIs, before.KPIs)
			}
			again, err := r.stats.Reconcile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != 0 {
				t.Fatalf("a second reconciliation repaired %v; it must find nothing", again)
			}
		})
	}
}

func overview(t *testing.T, r *rig, ctx context.Context) stats.Overview {
	t.Helper()
	body, _, err := r.stats.Overview(ctx, "7d")
	if err != nil {
		t.Fatal(err)
	}
	var o stats.Overview
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// overviewOf returns the overview of a range as served.
func overviewOf(t *testing.T, r *rig, ctx context.Context, name string) stats.Overview {
	t.Helper()
	body, _, err := r.stats.Overview(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	var o stats.Overview
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// customersBetween counts customers created in [from, to) straight from
// the customers table.
func (r *rig) customersBetween(t *testing.T, from, to time.Time) int64 {
	t.Helper()
	var n int64
	if err := r.db.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM customers WHERE created_at >= ? AND created_at < ?`,
		from, to).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRebuildCountsCustomersOlderThanTheFirstOrder: a rebuild (and the
// seed, which ends with one) starts at the earliest day of any counted
// table, so customers created long before the first order count in the
// 365-day overview's previous period as SQL over customers counts them
// (issue 12).
func TestRebuildCountsCustomersOlderThanTheFirstOrder(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := authz.With(context.Background(), authz.System)
			check := func(t *testing.T, r *rig) {
				t.Helper()
				if _, err := r.stats.RebuildAll(ctx); err != nil {
					t.Fatal(err)
				}
				today := stats.DayOf(r.clock, tehran)
				cur := today.Add(-364)
				want := r.customersBetween(t, cur.Add(-365).Start(tehran), cur.Start(tehran))
				o := overviewOf(t, r, ctx, "365d")
				if want == 0 || o.KPIs.NewCustomers.Previous != want {
					t.Fatalf("365d previous period: %d new customers, SQL over customers finds %d", o.KPIs.NewCustomers.Previous, want)
				}
				assertAggregatesTrue(t, r)
			}

			t.Run("customers created 400 days before the first order", func(t *testing.T) {
				r := newRig(t, e)
				r.clock = time.Date(2026, 6, 1, 10, 0, 0, 0, tehran)
				old := r.clock.Add(-400 * 24 * time.Hour).UTC().Truncate(time.Microsecond)
				var rows [][]any
				for i := range 600 {
					email := fmt.Sprintf("old%d@example.com", i)
					rows = append(rows, []any{int64(1000 + i), "Old", email, email, "", old})
				}
				if err := r.db.BulkInsert(ctx, "customers", []string{"id", "name", "email", "email_lower", "phone", "created_at"}, rows); err != nil {
					t.Fatal(err)
				}
				if _, err := r.orders.Create(ctx, orders.CreateInput{
					Customer: &orders.CustomerInput{Name: "C", Email: "new@example.com"},
					Items:    []orders.ItemInput{{SKU: "S", Name: "N", Quantity: 1, UnitPrice: 1000}},
					Currency: "IRR"}, ""); err != nil {
					t.Fatal(err)
				}
				check(t, r)
			})

			t.Run("the seed", func(t *testing.T) {
				r := newRig(t, e)
				r.clock = time.Now()
				if _, err := orders.Seed(ctx, r.db, 200, nil); err != nil {
					t.Fatal(err)
				}
				check(t, r)
			})
		})
	}
}
