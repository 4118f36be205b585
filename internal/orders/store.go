package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// ErrNotFound means no such order.
var ErrNotFound = errors.New("order not found")

// SearchTexts returns what q searches in an order: search (number,
// customer name and email) for holders of customers.view_pii, public
// (number and name) for everyone else; both lower-cased.
func SearchTexts(number string, c Customer) (search, public string) {
	public = strings.ToLower(number + " " + c.Name)
	return public + " " + strings.ToLower(c.Email), public
}

// Position is a keyset position: the sort value and id of the last row.
type Position struct {
	Value int64 `json:"v"`
	ID    int64 `json:"id"`
}

// Store is the orders data access. Every query is written once and runs on
// both engines.
type Store struct{ DB *db.DB }

const orderCols = `o.id, o.number, o.status, o.items_count, o.subtotal, o.shipping, o.total, o.currency, o.note,
	o.created_at, o.updated_at, c.id, c.name, c.email, c.phone`

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var o Order
	err := row.Scan(&o.ID, &o.Number, &o.Status, &o.ItemsCount, &o.Subtotal, &o.Shipping, &o.Total, &o.Currency,
		&o.Note, db.Time{T: &o.CreatedAt}, db.Time{T: &o.UpdatedAt},
		&o.Customer.ID, &o.Customer.Name, &o.Customer.Email, &o.Customer.Phone)
	if errors.Is(err, db.ErrNoRows) {
		return o, ErrNotFound
	}
	return o, err
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// where renders the filter as a WHERE clause over orders o.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",")
		conds = append(conds, "o.status IN ("+ph+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.Q != "" {
		col := "o.search_public"
		if f.SearchPII {
			col = "o.search_text"
		}
		conds = append(conds, col+` LIKE ? ESCAPE '\'`)
		args = append(args, likeEscape(f.Q))
	}
	if f.CreatedFrom != nil {
		conds = append(conds, "o.created_at >= ?")
		args = append(args, *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		conds = append(conds, "o.created_at < ?")
		args = append(args, *f.CreatedTo)
	}
	if f.MinTotal != nil {
		conds = append(conds, "o.total >= ?")
		args = append(args, *f.MinTotal)
	}
	if f.MaxTotal != nil {
		conds = append(conds, "o.total <= ?")
		args = append(args, *f.MaxTotal)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (f Filter) sortColumn() (col string, desc bool) {
	switch f.Sort {
	case "total":
		return "o.total", false
	case "-total":
		return "o.total", true
	case "created_at":
		return "o.created_at", false
	default:
		return "o.created_at", true
	}
}

func (f Filter) orderBy() string { return f.orderByDir(false) }

// orderByDir renders the sort, or its exact reverse when reverse is set.
func (f Filter) orderByDir(reverse bool) string {
	col, desc := f.sortColumn()
	if desc != reverse {
		return " ORDER BY " + col + " DESC, o.id DESC"
	}
	return " ORDER BY " + col + " ASC, o.id ASC"
}

// Count returns how many orders match.
func (s Store) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where()
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM orders o`+where, args...).Scan(&n)
	return n, err
}

// ListByOffset returns one page by offset.
func (s Store) ListByOffset(ctx context.Context, f Filter, page, size int) ([]Order, error) {
	return s.listOffset(ctx, f, int64(page-1)*int64(size), int64(size), false)
}

// ListByOffsetCounted returns the same page as ListByOffset, given total, the
// Count of f: a page past the middle is read from the far end of the
// sort, so no page skips more than half of the matches.
func (s Store) ListByOffsetCounted(ctx context.Context, f Filter, page, size int, total int64) ([]Order, error) {
	offset, limit := int64(page-1)*int64(size), int64(size)
	if offset >= total {
		return []Order{}, nil
	}
	limit = min(limit, total-offset)
	if back := total - offset - limit; back < offset {
		return s.listOffset(ctx, f, back, limit, true)
	}
	return s.listOffset(ctx, f, offset, limit, false)
}

// listOffset returns limit orders after skipping offset in f's order (in
// the reverse order when reverse is set), answered in f's order. The skip
// walks ids alone, over an index of orders that covers the sort and the
// status and total filters (a deferred join); customers are joined for
// the page's rows only.
func (s Store) listOffset(ctx context.Context, f Filter, offset, limit int64, reverse bool) ([]Order, error) {
	where, args := f.where()
	q := `SELECT ` + orderCols + ` FROM (SELECT o.id FROM orders o` + where + f.orderByDir(reverse) + ` LIMIT ? OFFSET ?) p
		JOIN orders o ON o.id = p.id JOIN customers c ON c.id = o.customer_id` + f.orderBy()
	args = append(args, limit, offset)
	return s.list(ctx, q, args)
}

// ListAfter returns up to limit orders after pos (nil: from the start) in
// keyset order: the cost is the same at any depth.
func (s Store) ListAfter(ctx context.Context, f Filter, pos *Position, limit int) ([]Order, error) {
	where, args := f.where()
	if pos != nil {
		col, desc := f.sortColumn()
		op := ">"
		if desc {
			op = "<"
		}
		cond := "(" + col + ", o.id) " + op + " (?, ?)"
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		if col == "o.created_at" {
			args = append(args, time.UnixMicro(pos.Value).UTC(), pos.ID)
		} else {
			args = append(args, pos.Value, pos.ID)
		}
	}
	q := `SELECT ` + orderCols + ` FROM orders o JOIN customers c ON c.id = o.customer_id` + where + f.orderBy() + ` LIMIT ?`
	args = append(args, limit)
	return s.list(ctx, q, args)
}

// PositionOf returns o's keyset position under f's sort.
func (f Filter) PositionOf(o Order) Position {
	if col, _ := f.sortColumn(); col == "o.total" {
		return Position{Value: o.Total, ID: o.ID}
	}
	return Position{Value: o.CreatedAt.UnixMicro(), ID: o.ID}
}

func (s Store) list(ctx context.Context, q string, args []any) ([]Order, error) {
	rows, err := s.DB.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Get returns an order with its items and allowed next statuses. forUpdate locks the row (PostgreSQL;
// SQLite writers are serialized already).
func (s Store) Get(ctx context.Context, q db.Querier, id int64, forUpdate bool) (Order, error) {
	query := `SELECT ` + orderCols + ` FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?`
	if forUpdate && q.Engine() == db.Postgres {
		query += ` FOR UPDATE OF o`
	}
	o, err := scanOrder(q.QueryRow(ctx, query, id))
	if err != nil {
		return o, err
	}
	o.AllowedNext = o.Status.Allowed()
	rows, err := q.Query(ctx, `SELECT id, sku, name, quantity, unit_price, total FROM order_items WHERE order_id = ? ORDER BY id`, id)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	o.Items = []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPrice, &it.Total); err != nil {
			return o, err
		}
		o.Items = append(o.Items, it)
	}
	return o, rows.Err()
}

// CustomerByID returns a customer.
func (s Store) CustomerByID(ctx context.Context, q db.Querier, id int64) (Customer, bool, error) {
	var c Customer
	err := q.QueryRow(ctx, `SELECT id, name, email, phone FROM customers WHERE id = ?`, id).Scan(&c.ID, &c.Name, &c.Email, &c.Phone)
	if errors.Is(err, db.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// EnsureCustomer returns the customer with in's email (case-insensitive),
// creating it when new (created is then true).
func (s Store) EnsureCustomer(ctx context.Context, tx *db.Tx, in CustomerInput, now time.Time) (c Customer, created bool, err error) {
	res, err := tx.Exec(ctx, `INSERT INTO customers (name, email, email_lower, phone, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email_lower) DO NOTHING`, in.Name, in.Email, strings.ToLower(in.Email), in.Phone, now)
	if err != nil {
		return c, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return c, false, err
	}
	err = tx.QueryRow(ctx, `SELECT id, name, email, phone FROM customers WHERE email_lower = ?`, strings.ToLower(in.Email)).
		Scan(&c.ID, &c.Name, &c.Email, &c.Phone)
	return c, n == 1, err
}

// InsertOrder writes a new order with its items and returns its id and number.
func (s Store) InsertOrder(ctx context.Context, tx *db.Tx, o Order) (int64, string, error) {
	tmp := make([]byte, 12)
	_, _ = rand.Read(tmp)
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO orders (number, status, customer_id, items_count, subtotal, shipping, total,
		currency, note, search_text, search_public, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 1, ?, ?) RETURNING id`,
		"tmp-"+hex.EncodeToString(tmp), string(o.Status), o.Customer.ID, len(o.Items), o.Subtotal, o.Shipping, o.Total,
		o.Currency, o.Note, o.CreatedAt, o.UpdatedAt), &id)
	if err != nil {
		return 0, "", err
	}
	number := FormatNumber(id)
	search, public := SearchTexts(number, o.Customer)
	if _, err := tx.Exec(ctx, `UPDATE orders SET number = ?, search_text = ?, search_public = ? WHERE id = ?`,
		number, search, public, id); err != nil {
		return 0, "", err
	}
	for _, it := range o.Items {
		if _, err := tx.Exec(ctx, `INSERT INTO order_items (order_id, sku, name, quantity, unit_price, total) VALUES (?, ?, ?, ?, ?, ?)`,
			id, it.SKU, it.Name, it.Quantity, it.UnitPrice, it.Total); err != nil {
			return 0, "", err
		}
	}
	return id, number, nil
}

// SetStatus changes an order's status.
func (s Store) SetStatus(ctx context.Context, tx *db.Tx, id int64, st Status, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`, string(st), now, id)
	return err
}

// AddHistory records a status change.
func (s Store) AddHistory(ctx context.Context, tx *db.Tx, orderID int64, from *Status, to Status, note string, actor *Actor, at time.Time) error {
	var fromArg any
	if from != nil {
		fromArg = string(*from)
	}
	var actorID any
	email := ""
	if actor != nil {
		actorID, email = actor.ID, actor.Email
	}
	_, err := tx.Exec(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, note, actor_id, actor_email)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, orderID, at, fromArg, string(to), note, actorID, email)
	return err
}

// History returns an order's status changes, oldest first.
func (s Store) History(ctx context.Context, orderID int64) ([]HistoryEntry, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT id, at, from_status, to_status, note, actor_id, actor_email
		FROM order_history WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		var from *string
		var actorID *int64
		var email string
		if err := rows.Scan(&h.ID, db.Time{T: &h.At}, &from, &h.To, &h.Note, &actorID, &email); err != nil {
			return nil, err
		}
		if from != nil {
			st := Status(*from)
			h.From = &st
		}
		if actorID != nil {
			h.Actor = &Actor{ID: *actorID, Email: email}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Exists reports whether an order exists.
func (s Store) Exists(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// Idempotency is a stored Idempotency-Key.
type Idempotency struct {
	RequestHash string
	StatusCode  int
	ResourceID  int64
	Response    []byte
}

// IdempotencyTTL is how long keys are kept.
const IdempotencyTTL = 24 * time.Hour

// LookupIdempotency returns a live key record.
func (s Store) LookupIdempotency(ctx context.Context, q db.Querier, userID int64, key string) (Idempotency, bool, error) {
	var r Idempotency
	var body string
	err := q.QueryRow(ctx, `SELECT request_hash, status_code, resource_id, response FROM idempotency_keys
		WHERE user_id = ? AND key = ? AND created_at > ?`, userID, key, time.Now().Add(-IdempotencyTTL)).
		Scan(&r.RequestHash, &r.StatusCode, &r.ResourceID, &body)
	r.Response = []byte(body)
	if errors.Is(err, db.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// SaveIdempotency stores a key (replacing an expired one).
func (s Store) SaveIdempotency(ctx context.Context, tx *db.Tx, userID int64, key string, r Idempotency) error {
	if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at <= ?`,
		userID, key, time.Now().Add(-IdempotencyTTL)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, resource_id, response, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, key, r.RequestHash, r.StatusCode, r.ResourceID, string(r.Response), time.Now())
	return err
}
