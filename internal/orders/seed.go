package orders

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

var (
	// names in Persian and in Latin script, never mixed within one name
	seedNames = [2][2][]string{
		{{"سارا", "علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "مهدی", "ندا", "امیر", "لیلا", "امید"},
			{"احمدی", "حسینی", "کریمی", "رضایی", "مرادی", "جعفری", "ابراهیمی", "رحیمی", "تهرانی"}},
		{{"Sara", "Ali", "Maryam", "Reza", "Zahra", "Hossein", "Neda", "Amir", "Anna", "John", "Leila", "Omid"},
			{"Ahmadi", "Hosseini", "Karimi", "Rezaei", "Moradi", "Jafari", "Ebrahimi", "Smith", "Tehrani"}},
	}
	seedProducts = []struct {
		sku, name string
		price     int64 // IRR
	}{
		{"TEA-001", "چای سیاه لاهیجان ۵۰۰ گرم", 1_850_000}, {"SAF-002", "زعفران سرگل ۴ گرم", 6_400_000},
		{"PIS-003", "پسته اکبری ۱ کیلو", 12_500_000}, {"DAT-004", "خرمای مضافتی", 1_200_000},
		{"CAR-005", "فرش دستباف ۶ متری", 480_000_000}, {"BOK-006", "دیوان حافظ، چاپ نفیس", 3_900_000},
		{"MUG-007", "Ceramic mug", 950_000}, {"KBD-008", "Mechanical keyboard", 38_000_000},
		{"USB-009", "USB-C cable 1 m", 1_100_000}, {"HDP-010", "Wireless headphones", 52_000_000},
		{"LMP-011", "Desk lamp", 7_600_000}, {"BAG-012", "Leather bag", 29_000_000},
	}
)

// seedPath is the status history of an order that ended in each status.
var seedPath = map[Status][]Status{
	Pending:    {Pending},
	Paid:       {Pending, Paid},
	Processing: {Pending, Paid, Processing},
	Shipped:    {Pending, Paid, Processing, Shipped},
	Delivered:  {Pending, Paid, Processing, Shipped, Delivered},
	Cancelled:  {Pending, Cancelled},
	Refunded:   {Pending, Paid, Processing, Shipped, Delivered, Refunded},
}

// seedStatus picks a plausible status for an order of the given age: old
// orders are mostly finished, recent ones still moving.
func seedStatus(r *rand.Rand, age time.Duration) Status {
	x := r.IntN(100)
	if age > 14*24*time.Hour {
		switch {
		case x < 78:
			return Delivered
		case x < 90:
			return Cancelled
		case x < 96:
			return Refunded
		default:
			return Shipped
		}
	}
	switch {
	case x < 25:
		return Pending
	case x < 45:
		return Paid
	case x < 62:
		return Processing
	case x < 80:
		return Shipped
	case x < 92:
		return Delivered
	default:
		return Cancelled
	}
}

// Seed inserts n realistic demo orders (with customers, items and history)
// spread over the past year, in batches, using COPY on PostgreSQL. It
// returns the number of orders written.
func Seed(ctx context.Context, d *db.DB, n int, progress func(done int)) (int, error) {
	var maxOrder, maxCust, maxItem, maxHist int64
	for table, dst := range map[string]*int64{"orders": &maxOrder, "customers": &maxCust, "order_items": &maxItem, "order_history": &maxHist} {
		if err := d.Reader().QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(dst); err != nil {
			return 0, err
		}
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(maxOrder)))
	now := time.Now().UTC().Truncate(time.Microsecond)

	nCust := max(20, n/5)
	type cust struct {
		id                 int64
		name, email, phone string
	}
	custs := make([]cust, 0, nCust)
	var custRows [][]any
	flushCusts := func() error {
		err := d.BulkInsert(ctx, "customers", []string{"id", "name", "email", "email_lower", "phone", "created_at"}, custRows)
		custRows = custRows[:0]
		return err
	}
	for i := 0; i < nCust; i++ {
		id := maxCust + int64(i) + 1
		names := seedNames[r.IntN(2)]
		first, last := names[0][r.IntN(len(names[0]))], names[1][r.IntN(len(names[1]))]
		email := fmt.Sprintf("customer%d@example.com", id)
		c := cust{id: id, name: first + " " + last, email: email, phone: fmt.Sprintf("+98912%07d", r.IntN(10_000_000))}
		custs = append(custs, c)
		custRows = append(custRows, []any{c.id, c.name, c.email, strings.ToLower(c.email), c.phone, now.Add(-400 * 24 * time.Hour)})
		if len(custRows) == 5000 {
			if err := flushCusts(); err != nil {
				return 0, err
			}
		}
	}
	if err := flushCusts(); err != nil {
		return 0, err
	}

	const batch = 20000
	orderCols := []string{"id", "number", "status", "customer_id", "items_count", "subtotal", "shipping", "total",
		"currency", "note", "search_text", "search_public", "version", "created_at", "updated_at"}
	itemCols := []string{"id", "order_id", "sku", "name", "quantity", "unit_price", "total"}
	histCols := []string{"id", "order_id", "at", "from_status", "to_status", "note", "actor_id", "actor_email"}
	itemID, histID := maxItem, maxHist
	done := 0
	// items and history of one batch load (on two connections) while the
	// next batch's orders are generated and loaded: they only need their
	// own orders to exist (foreign keys), which were loaded before.
	var loading sync.WaitGroup
	var loadErr error // written by the loader, read after loading.Wait
	defer loading.Wait()
	for done < n {
		size := min(batch, n-done)
		orderRows := make([][]any, 0, size)
		itemRows := make([][]any, 0, size*3)
		histRows := make([][]any, 0, size*4)
		for i := 0; i < size; i++ {
			id := maxOrder + int64(done+i) + 1
			c := custs[r.IntN(len(custs))]
			age := time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))
			created := now.Add(-age)
			status := seedStatus(r, age)
			lines := 1 + r.IntN(4)
			var subtotal int64
			for l := 0; l < lines; l++ {
				p := seedProducts[r.IntN(len(seedProducts))]
				q := int64(1 + r.IntN(3))
				itemID++
				itemRows = append(itemRows, []any{itemID, id, p.sku, p.name, q, p.price, q * p.price})
				subtotal += q * p.price
			}
			shipping := int64(r.IntN(4)) * 250_000
			number := FormatNumber(id)
			at := created
			path := seedPath[status]
			for k, st := range path {
				histID++
				var from any
				if k > 0 {
					from = string(path[k-1])
					at = at.Add(time.Duration(1+r.IntN(48)) * time.Hour)
					if at.After(now) {
						at = now
					}
				}
				histRows = append(histRows, []any{histID, id, at, from, string(st), "", nil, "seed"})
			}
			search, public := SearchTexts(number, Customer{Name: c.name, Email: c.email})
			orderRows = append(orderRows, []any{id, number, string(status), c.id, lines, subtotal, shipping,
				subtotal + shipping, "IRR", "", search, public, int64(len(path)), created, at})
		}
		if err := d.BulkInsertConsistent(ctx, "orders", orderCols, orderRows); err != nil {
			return done, fmt.Errorf("seed orders: %w", err)
		}
		if loading.Wait(); loadErr != nil {
			return done, loadErr
		}
		loading.Add(1)
		go func() {
			defer loading.Done()
			var g errgroup.Group
			g.Go(func() error { return wrap("items", d.BulkInsertConsistent(ctx, "order_items", itemCols, itemRows)) })
			g.Go(func() error { return wrap("history", d.BulkInsertConsistent(ctx, "order_history", histCols, histRows)) })
			loadErr = g.Wait()
		}()
		done += size
		if progress != nil {
			progress(done)
		}
	}
	if loading.Wait(); loadErr != nil {
		return done, loadErr
	}
	for _, t := range []string{"customers", "orders", "order_items", "order_history"} {
		if err := d.ResetSequence(ctx, t); err != nil {
			return done, err
		}
	}
	if d.Engine == db.Postgres {
		_, _ = d.SQL.ExecContext(ctx, `ANALYZE customers, orders, order_items, order_history`)
	}
	return done, nil
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("seed %s: %w", what, err)
	}
	return nil
}

// InvalidateLists makes every cached order list miss (after a bulk insert
// such as seeding, which adds orders but changes none).
func InvalidateLists(ctx context.Context, c *cache.Cache) { c.Invalidate(ctx, listTag) }
