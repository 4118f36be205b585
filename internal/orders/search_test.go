package orders_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestStoreSearchScope checks that q matches the customer's email only
// with SearchPII (a holder of customers.view_pii), on every engine, and
// that the migration that introduced search_public filled it for existing
// orders exactly as the server writes it.
func TestStoreSearchScope(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			ctx := context.Background()
			s := orders.Store{DB: d}
			at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
			var ids []int64
			for _, c := range []orders.CustomerInput{
				{Name: "Nima Karimi", Email: "ZQ.Secret@Hidden.example", Phone: "+989127654321"},
				{Name: "Ömer ÇELİK", Email: "Omer.Mailbox@Example.com"},
				{Name: "سارا احمدی", Email: "sara@example.org"},
				{Name: "Same Same", Email: "same@same.example"},
			} {
				var id int64
				err := d.InTx(ctx, func(tx *db.Tx) error {
					cust, _, err := s.EnsureCustomer(ctx, tx, c, at)
					if err != nil {
						return err
					}
					id, _, err = s.InsertOrder(ctx, tx, orders.Order{Status: orders.Pending, Customer: cust, Currency: "IRR",
						CreatedAt: at, UpdatedAt: at})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			count := func(q string, pii bool) int64 {
				t.Helper()
				n, err := s.Count(ctx, orders.Filter{Q: q, SearchPII: pii})
				if err != nil {
					t.Fatal(err)
				}
				list, err := s.ListByOffset(ctx, orders.Filter{Q: q, SearchPII: pii}, 1, 100)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(list)) != n {
					t.Fatalf("q=%q pii=%v: count %d, list %d", q, pii, n, len(list))
				}
				return n
			}
			email := "zq.secret@hidden.example"
			for i := 1; i <= len(email); i++ {
				if n := count(email[:i], false); n != 0 {
					t.Fatalf("q=%q matched %d orders by email without SearchPII", email[:i], n)
				}
			}
			for _, q := range []string{"omer.mailbox", "@example", "hidden", "7654321"} {
				if n := count(q, false); n != 0 {
					t.Fatalf("q=%q matched %d orders without SearchPII", q, n)
				}
			}
			for q, want := range map[string]int64{"ZQ.SECRET@": 1, "omer.mail": 1, "@example": 2, "sara@": 1} {
				if n := count(q, true); n != want {
					t.Fatalf("q=%q with SearchPII matched %d, want %d", q, n, want)
				}
			}
			for q, want := range map[string]int64{"nima k": 1, "KARIMI": 1, "سارا": 1, orders.FormatNumber(ids[1]): 1,
				strings.ToLower(orders.FormatNumber(ids[2])): 1, "same": 1, "ord-": 4} {
				for _, pii := range []bool{false, true} {
					if n := count(q, pii); n != want {
						t.Fatalf("q=%q (pii %v) matched %d, want %d", q, pii, n, want)
					}
				}
			}

			// the migration's backfill gives what InsertOrder wrote
			written := publicTexts(t, d)
			if _, err := d.Writer().Exec(ctx, `UPDATE orders SET search_public = ''`); err != nil {
				t.Fatal(err)
			}
			ms, err := db.Migrations(d.Engine)
			if err != nil {
				t.Fatal(err)
			}
			var backfill string
			for _, m := range ms {
				if m.Name == "orders_search_public" {
					_, backfill, _ = strings.Cut(m.SQL, "DEFAULT '';")
				}
			}
			if !strings.Contains(backfill, "UPDATE orders") {
				t.Fatalf("no backfill found in the search_public migration")
			}
			if _, err := d.Writer().Exec(ctx, backfill); err != nil {
				t.Fatal(err)
			}
			if got := publicTexts(t, d); strings.Join(got, "|") != strings.Join(written, "|") {
				t.Fatalf("backfill %q, InsertOrder wrote %q", got, written)
			}
		})
	}
}

func publicTexts(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Reader().Query(context.Background(), `SELECT search_public FROM orders ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
