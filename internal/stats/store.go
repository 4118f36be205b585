package stats

import (
	"context"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// addOrders adds n orders worth amount to a day's (currency, status)
// figure (negative n and amount take them away).
func addOrders(ctx context.Context, tx *db.Tx, day Day, currency, status string, n, amount int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO stats_daily (day, currency, status, orders, amount) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (day, currency, status) DO UPDATE
		SET orders = stats_daily.orders + excluded.orders, amount = stats_daily.amount + excluded.amount`,
		day.String(), currency, status, n, amount)
	return err
}

func addCustomer(ctx context.Context, tx *db.Tx, day Day) error {
	_, err := tx.Exec(ctx, `INSERT INTO stats_customers_daily (day, new_customers) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET new_customers = stats_customers_daily.new_customers + 1`, day.String())
	return err
}

// readDays returns the stored figures of the days [from, to] by day.
func readDays(ctx context.Context, q db.Querier, from, to Day) (map[string]DayFigures, error) {
	out := map[string]DayFigures{}
	rows, err := q.Query(ctx, `SELECT day, currency, status, orders, amount FROM stats_daily
		WHERE day >= ? AND day <= ? AND (orders <> 0 OR amount <> 0)`, from.String(), to.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		var r Row
		if err := rows.Scan(&day, &r.Currency, &r.Status, &r.Orders, &r.Amount); err != nil {
			return nil, err
		}
		f := out[day]
		f.Rows = append(f.Rows, r)
		out[day] = f
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	crow, err := q.Query(ctx, `SELECT day, new_customers FROM stats_customers_daily WHERE day >= ? AND day <= ?`,
		from.String(), to.String())
	if err != nil {
		return nil, err
	}
	defer crow.Close()
	for crow.Next() {
		var day string
		var n int64
		if err := crow.Scan(&day, &n); err != nil {
			return nil, err
		}
		f := out[day]
		f.NewCustomers = n
		out[day] = f
	}
	return out, crow.Err()
}

// compute derives a day's figures from the orders and customers tables
// (through their created_at indexes): the truth the aggregates must equal.
func compute(ctx context.Context, q db.Querier, day Day, loc *time.Location) (DayFigures, error) {
	start, end := day.Start(loc), day.End(loc)
	var f DayFigures
	rows, err := q.Query(ctx, `SELECT currency, status, COUNT(*), COALESCE(SUM(total), 0) FROM orders
		WHERE created_at >= ? AND created_at < ? GROUP BY currency, status`, start, end)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Currency, &r.Status, &r.Orders, &r.Amount); err != nil {
			return f, err
		}
		f.Rows = append(f.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE created_at >= ? AND created_at < ?`, start, end).
		Scan(&f.NewCustomers)
	return f, err
}

// replaceDay stores f as the day's figures.
func replaceDay(ctx context.Context, tx *db.Tx, day Day, f DayFigures) error {
	if _, err := tx.Exec(ctx, `DELETE FROM stats_daily WHERE day = ?`, day.String()); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM stats_customers_daily WHERE day = ?`, day.String()); err != nil {
		return err
	}
	for _, r := range f.Rows {
		if _, err := tx.Exec(ctx, `INSERT INTO stats_daily (day, currency, status, orders, amount) VALUES (?, ?, ?, ?, ?)`,
			day.String(), r.Currency, r.Status, r.Orders, r.Amount); err != nil {
			return err
		}
	}
	if f.NewCustomers > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO stats_customers_daily (day, new_customers) VALUES (?, ?)`,
			day.String(), f.NewCustomers); err != nil {
			return err
		}
	}
	return nil
}

// lockForReconcile makes concurrent order writes wait until a
// reconciliation commits, and waits for those already writing: between the
// lock and the commit no order write can slip in between reading the
// truth and storing it. SQLite's writers are serialized anyway.
func lockForReconcile(ctx context.Context, tx *db.Tx) error {
	if tx.Engine() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `LOCK TABLE stats_daily, stats_customers_daily IN EXCLUSIVE MODE`)
	return err
}

// countedTables are the tables whose rows the aggregates count, by
// created_at: a rebuild starts at the earliest day of any of them.
var countedTables = []string{"orders", "customers"}

// firstCountedDay returns the earliest day of any counted table's rows
// (customers may predate every order), false when all are empty.
func firstCountedDay(ctx context.Context, q db.Querier, loc *time.Location) (Day, bool, error) {
	var first *time.Time
	for _, table := range countedTables {
		var t *time.Time
		if err := q.QueryRow(ctx, `SELECT MIN(created_at) FROM `+table).Scan(db.NullTime{T: &t}); err != nil {
			return Day{}, false, err
		}
		if t != nil && (first == nil || t.Before(*first)) {
			first = t
		}
	}
	if first == nil {
		return Day{}, false, nil
	}
	return DayOf(*first, loc), true, nil
}
