package orders_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The store conformance suite: the same expectations on every engine.
func TestStore(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			t.Run("insert and get round-trip every field", func(t *testing.T) { storeRoundTrip(t, d) })
			t.Run("keyset pages equal offset pages for every sort", func(t *testing.T) { storeKeyset(t, d) })
			t.Run("filters", func(t *testing.T) { storeFilters(t, d) })
			t.Run("concurrent writers never fail", func(t *testing.T) { storeConcurrentWrites(t, d) })
			t.Run("unknown migrations are refused", func(t *testing.T) { storeUnknownMigration(t, d) })
		})
	}
}

func insert(t *testing.T, d *db.DB, email string, status orders.Status, total int64, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	s := orders.Store{DB: d}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		c, _, err := s.EnsureCustomer(ctx, tx, orders.CustomerInput{Name: "N " + email, Email: email, Phone: "+98 912 000 1111"}, at)
		if err != nil {
			return err
		}
		id, _, err = s.InsertOrder(ctx, tx, orders.Order{Status: status, Customer: c, Subtotal: total, Total: total,
			Currency: "IRR", CreatedAt: at, UpdatedAt: at,
			Items: []orders.Item{{SKU: "S", Name: "Item", Quantity: 1, UnitPrice: total, Total: total}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func storeRoundTrip(t *testing.T, d *db.DB) {
	ctx := context.Background()
	at := time.Date(2026, 3, 21, 10, 30, 15, 123456000, time.UTC)
	id := insert(t, d, "Round@Example.com", orders.Paid, 4200, at)
	o, err := orders.Store{DB: d}.Get(ctx, d.Reader(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != orders.FormatNumber(id) || o.Status != orders.Paid || o.Total != 4200 || o.Currency != "IRR" ||
		!o.CreatedAt.Equal(at) || o.Customer.Email != "Round@Example.com" || len(o.Items) != 1 || o.Items[0].Total != 4200 {
		t.Fatalf("round trip lost data: %+v", o)
	}
	// the same email in another case is the same customer
	id2 := insert(t, d, "round@example.COM", orders.Pending, 1, at)
	o2, _ := orders.Store{DB: d}.Get(ctx, d.Reader(), id2, false)
	if o2.Customer.ID != o.Customer.ID {
		t.Fatalf("customer not reused by case-insensitive email: %d vs %d", o2.Customer.ID, o.Customer.ID)
	}
	if _, err := (orders.Store{DB: d}).Get(ctx, d.Reader(), 999999, false); err != orders.ErrNotFound {
		t.Fatalf("missing order: got %v", err)
	}
}

func storeKeyset(t *testing.T, d *db.DB) {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 37; i++ {
		// equal timestamps and totals in pairs exercise the id tie-breaker
		insert(t, d, fmt.Sprintf("k%d@example.com", i), orders.Pending, int64(1000+(i/2)*10), base.Add(time.Duration(i/2)*time.Hour))
	}
	s := orders.Store{DB: d}
	for _, sort := range []string{"created_at", "-created_at", "total", "-total"} {
		f := orders.Filter{Sort: sort, Q: "k"}
		all, err := s.ListByOffset(ctx, f, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		var walked []int64
		var pos *orders.Position
		for {
			page, err := s.ListAfter(ctx, f, pos, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				walked = append(walked, o.ID)
			}
			if len(page) < 5 {
				break
			}
			p := f.PositionOf(page[len(page)-1])
			pos = &p
		}
		if len(walked) != len(all) {
			t.Fatalf("%s: keyset walk saw %d orders, offset list %d", sort, len(walked), len(all))
		}
		for i := range all {
			if all[i].ID != walked[i] {
				t.Fatalf("%s: position %d: keyset %d, offset %d", sort, i, walked[i], all[i].ID)
			}
		}
	}
}

func storeFilters(t *testing.T, d *db.DB) {
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := insert(t, d, "filter-a@example.com", orders.Shipped, 500, at)
	b := insert(t, d, "filter_b@example.com", orders.Cancelled, 900, at.Add(24*time.Hour))
	s := orders.Store{DB: d}
	ids := func(f orders.Filter) []int64 {
		f.Sort = "created_at"
		out, err := s.ListByOffset(ctx, f, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		var r []int64
		for _, o := range out {
			r = append(r, o.ID)
		}
		return r
	}
	from, to := at, at.Add(24*time.Hour)
	minT, maxT := int64(600), int64(900)
	cases := []struct {
		name string
		f    orders.Filter
		want []int64
	}{
		{"status", orders.Filter{Statuses: []orders.Status{orders.Shipped}, Q: "filter"}, []int64{a}},
		{"q is case-insensitive", orders.Filter{Q: "FILTER-A@"}, []int64{a}},
		{"q treats _ and % literally", orders.Filter{Q: "filter_"}, []int64{b}},
		{"q matches the order number", orders.Filter{Q: orders.FormatNumber(b)}, []int64{b}},
		{"created_from inclusive, created_to exclusive", orders.Filter{Q: "filter", CreatedFrom: &from, CreatedTo: &to}, []int64{a}},
		{"total range inclusive", orders.Filter{Q: "filter", MinTotal: &minT, MaxTotal: &maxT}, []int64{b}},
	}
	for _, c := range cases {
		got := ids(c.f)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		n, err := s.Count(ctx, c.f)
		if err != nil || n != int64(len(c.want)) {
			t.Errorf("%s: count %d (%v), want %d", c.name, n, err, len(c.want))
		}
	}
}

func storeConcurrentWrites(t *testing.T, d *db.DB) {
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx := context.Background()
			s := orders.Store{DB: d}
			errs <- d.InTx(ctx, func(tx *db.Tx) error {
				c, _, err := s.EnsureCustomer(ctx, tx, orders.CustomerInput{Name: "C", Email: fmt.Sprintf("cw%d@example.com", i%5)}, time.Now())
				if err != nil {
					return err
				}
				_, _, err = s.InsertOrder(ctx, tx, orders.Order{Status: orders.Pending, Customer: c, Currency: "IRR",
					CreatedAt: time.Now(), UpdatedAt: time.Now()})
				return err
			})
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a concurrent write failed: %v", err)
		}
	}
}

func storeUnknownMigration(t *testing.T, d *db.DB) {
	ctx := context.Background()
	if err := d.CheckCurrent(ctx); err != nil {
		t.Fatalf("a migrated database must be current: %v", err)
	}
	if _, err := d.Writer().Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', 0)`); err != nil {
		t.Fatal(err)
	}
	defer d.Writer().Exec(ctx, `DELETE FROM schema_migrations WHERE version = 9999`) //nolint:errcheck
	if err := d.CheckCurrent(ctx); err == nil {
		t.Fatal("serve must refuse a database with a migration it does not know")
	}
	if _, err := d.Migrate(ctx); err == nil {
		t.Fatal("migrate must refuse a database with a migration it does not know")
	}
}

// Seeded data is consistent: totals add up, every order's history ends in
// its status, dates fall within the past year, ids continue afterwards.
func TestSeed(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			ctx := context.Background()
			n, err := orders.Seed(ctx, d, 1500, nil)
			if err != nil || n != 1500 {
				t.Fatalf("seed: %d %v", n, err)
			}
			checks := map[string]string{
				"orders": `SELECT COUNT(*) FROM orders`,
				"orders whose items do not add up": `SELECT COUNT(*) FROM orders o WHERE o.subtotal <> (SELECT SUM(total) FROM order_items i WHERE i.order_id = o.id)
					OR o.total <> o.subtotal + o.shipping OR o.items_count <> (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id)`,
				"orders whose last history entry is not their status": `SELECT COUNT(*) FROM orders o WHERE o.status <> (SELECT h.to_status FROM order_history h
					WHERE h.order_id = o.id ORDER BY h.id DESC LIMIT 1)`,
				"orders dated outside the past year": `SELECT COUNT(*) FROM orders WHERE created_at < ? OR created_at > ?`,
			}
			want := map[string]int64{"orders": 1500}
			for name, q := range checks {
				var got int64
				var args []any
				if name == "orders dated outside the past year" {
					args = []any{time.Now().Add(-366 * 24 * time.Hour), time.Now().Add(time.Minute)}
				}
				if err := d.Reader().QueryRow(ctx, q, args...).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want[name] {
					t.Errorf("%s: %d, want %d", name, got, want[name])
				}
			}
			var statuses int
			_ = d.Reader().QueryRow(ctx, `SELECT COUNT(DISTINCT status) FROM orders`).Scan(&statuses)
			if statuses < 5 {
				t.Errorf("seeded orders use only %d statuses", statuses)
			}
			// new orders continue after the seeded ids
			id := insert(t, d, "after-seed@example.com", orders.Pending, 1, time.Now())
			if id != 1501 {
				t.Fatalf("the next order id after seeding is %d", id)
			}
		})
	}
}
