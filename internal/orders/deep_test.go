package orders_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestStoreDeepPages checks that offset pages read through the deferred
// join, from either end, are exactly the pages of a straightforward query
// (join everything, sort, slice): same orders, same order, same total, for
// every sort, several filters and page sizes, on every engine.
func TestStoreDeepPages(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			ctx := context.Background()
			s := orders.Store{DB: d}
			base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			statuses := []orders.Status{orders.Pending, orders.Paid, orders.Shipped, orders.Cancelled}
			const n = 301
			err := d.InTx(ctx, func(tx *db.Tx) error {
				for i := range n {
					// repeated timestamps and totals exercise the id tie-breaker
					at := base.Add(time.Duration(i%97) * time.Hour)
					c, _, err := s.EnsureCustomer(ctx, tx, orders.CustomerInput{Name: fmt.Sprintf("Name %d", i%13),
						Email: fmt.Sprintf("deep%d@example.com", i%41)}, at)
					if err != nil {
						return err
					}
					total := int64(1000 + (i%23)*250)
					if _, _, err := s.InsertOrder(ctx, tx, orders.Order{Status: statuses[i%len(statuses)], Customer: c,
						Subtotal: total, Total: total, Currency: "IRR", CreatedAt: at, UpdatedAt: at}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			from, to := base.Add(10*time.Hour), base.Add(80*time.Hour)
			minT, maxT := int64(2000), int64(5000)
			filters := []struct {
				f     orders.Filter
				where string
				args  []any
			}{
				{orders.Filter{}, "", nil},
				{orders.Filter{Statuses: []orders.Status{orders.Paid, orders.Cancelled}}, "o.status IN ('paid', 'cancelled')", nil},
				{orders.Filter{MinTotal: &minT, MaxTotal: &maxT}, "o.total >= 2000 AND o.total <= 5000", nil},
				{orders.Filter{CreatedFrom: &from, CreatedTo: &to, Statuses: []orders.Status{orders.Pending}},
					"o.created_at >= ? AND o.created_at < ? AND o.status = 'pending'", []any{from, to}},
				{orders.Filter{Q: "name 1"}, "lower(c.name) LIKE 'name 1%'", nil},
				{orders.Filter{Q: "deep1", SearchPII: true}, "c.email LIKE 'deep1%'", nil},
			}
			sorts := map[string]string{
				"created_at": "o.created_at ASC, o.id ASC", "-created_at": "o.created_at DESC, o.id DESC",
				"total": "o.total ASC, o.id ASC", "-total": "o.total DESC, o.id DESC",
			}
			for _, fc := range filters {
				for sort, orderBy := range sorts {
					f := fc.f
					f.Sort = sort
					q := `SELECT o.id, o.status, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id`
					if fc.where != "" {
						q += " WHERE " + fc.where
					}
					want := straight(t, d, q+" ORDER BY "+orderBy, fc.args)
					total, err := s.Count(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if total != int64(len(want)) || total == 0 {
						t.Fatalf("%+v: count %d, straightforward query %d", f, total, len(want))
					}
					for _, size := range []int{3, 7, 50, 100} {
						for page := 1; (page-2)*size <= len(want); page++ {
							lo, hi := min((page-1)*size, len(want)), min(page*size, len(want))
							exp := strings.Join(want[lo:hi], " ")
							counted, err := s.ListByOffsetCounted(ctx, f, page, size, total)
							if err != nil {
								t.Fatal(err)
							}
							plain, err := s.ListByOffset(ctx, f, page, size)
							if err != nil {
								t.Fatal(err)
							}
							if got := rowsOf(counted); got != exp {
								t.Fatalf("%+v page %d of %d (total %d): counted page\n%s\nwant\n%s", f, page, size, total, got, exp)
							}
							if got := rowsOf(plain); got != exp {
								t.Fatalf("%+v page %d of %d: page\n%s\nwant\n%s", f, page, size, got, exp)
							}
						}
					}
				}
			}
		})
	}
}

func straight(t *testing.T, d *db.DB, q string, args []any) []string {
	t.Helper()
	rows, err := d.Reader().Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, total int64
		var status, email string
		if err := rows.Scan(&id, &status, &total, &email); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d/%s/%d/%s", id, status, total, email))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func rowsOf(list []orders.Order) string {
	parts := make([]string, len(list))
	for i, o := range list {
		parts[i] = fmt.Sprintf("%d/%s/%d/%s", o.ID, o.Status, o.Total, o.Customer.Email)
	}
	return strings.Join(parts, " ")
}
