package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// The webhooks data access. Every query is written once with "?"
// placeholders and runs on both engines.

var errNoRow = errors.New("webhook row not found")

// stored is a webhooks row: the API's webhook plus its sealed secret.
type stored struct {
	Webhook
	sealed string
}

const webhookCols = `w.id, w.url, w.description, w.events, w.active, w.secret_sealed, w.secret_hint,
	w.created_by, COALESCE(u.email, ''), w.created_at, w.updated_at`

const webhookFrom = ` FROM webhooks w LEFT JOIN users u ON u.id = w.created_by`

func scanWebhook(row interface{ Scan(...any) error }) (stored, error) {
	var w stored
	var events string
	var by sql.NullInt64
	var email string
	err := row.Scan(&w.ID, &w.URL, &w.Description, &events, &w.Active, &w.sealed, &w.SecretHint,
		&by, &email, db.Time{T: &w.CreatedAt}, db.Time{T: &w.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return w, errNoRow
	}
	w.Events = splitEvents(events)
	if by.Valid {
		w.CreatedBy = &Actor{ID: by.Int64, Email: email}
	}
	return w, err
}

// Events are stored comma-separated in the order of Events; "" is every event.
func joinEvents(events []string) string { return strings.Join(normalEvents(events), ",") }

func splitEvents(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func getWebhook(ctx context.Context, q db.Querier, id int64) (stored, error) {
	return scanWebhook(q.QueryRow(ctx, `SELECT `+webhookCols+webhookFrom+` WHERE w.id = ?`, id))
}

func listWebhooks(ctx context.Context, q db.Querier, tail string, args ...any) ([]Webhook, error) {
	rows, err := q.Query(ctx, `SELECT `+webhookCols+webhookFrom+` WHERE 1=1`+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w.Webhook)
	}
	return out, rows.Err()
}

func countWebhooks(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM webhooks`).Scan(&n)
	return n, err
}

// activeSubscriptions returns the id and events of every active webhook,
// read in tx so a webhook deactivated by a committed change gets nothing.
func activeSubscriptions(ctx context.Context, tx *db.Tx) (map[int64][]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhooks WHERE active = ?`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var events string
		if err := rows.Scan(&id, &events); err != nil {
			return nil, err
		}
		out[id] = splitEvents(events)
	}
	return out, rows.Err()
}

func insertWebhook(ctx context.Context, tx *db.Tx, w stored, createdBy int64, now time.Time) (int64, error) {
	var by any
	if createdBy > 0 {
		by = createdBy
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO webhooks (url, description, events, active, secret_sealed, secret_hint, version,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		w.URL, w.Description, joinEvents(w.Events), w.Active, w.sealed, w.SecretHint, by, now, now).Scan(&id)
	return id, err
}

// updateWebhook writes every changeable field and bumps the version.
func updateWebhook(ctx context.Context, tx *db.Tx, w stored, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE webhooks SET url = ?, description = ?, events = ?, active = ?, secret_sealed = ?,
		secret_hint = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		w.URL, w.Description, joinEvents(w.Events), w.Active, w.sealed, w.SecretHint, now, w.ID)
	return err
}

// deleteWebhook removes a webhook and its delivery log; deliveries still
// queued find no row and end quietly.
func deleteWebhook(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
		return false, err
	}
	r, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

const deliveryCols = `d.id, d.webhook_id, d.delivery_id, d.event, d.status, d.attempts, d.response_code, d.response_excerpt,
	d.error, d.duration_ms, d.payload, d.created_at, d.updated_at, d.completed_at`

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var code sql.NullInt64
	var payload string
	var completed *time.Time
	err := row.Scan(&d.ID, &d.WebhookID, &d.DeliveryID, &d.Event, &d.Status, &d.Attempts, &code, &d.ResponseExcerpt,
		&d.Error, &d.DurationMS, &payload, db.Time{T: &d.CreatedAt}, db.Time{T: &d.UpdatedAt}, db.NullTime{T: &completed})
	if errors.Is(err, db.ErrNoRows) {
		return d, errNoRow
	}
	if code.Valid {
		c := int(code.Int64)
		d.ResponseCode = &c
	}
	d.Payload = []byte(payload)
	d.CompletedAt = completed
	return d, err
}

func insertDelivery(ctx context.Context, tx *db.Tx, webhookID int64, deliveryID, event string, payload []byte, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, delivery_id, event, payload, status, attempts,
		response_excerpt, error, duration_ms, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, '', '', 0, ?, ?) RETURNING id`,
		webhookID, deliveryID, event, string(payload), string(Pending), now, now).Scan(&id)
	return id, err
}

func getDelivery(ctx context.Context, q db.Querier, id int64) (Delivery, error) {
	return scanDelivery(q.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d WHERE d.id = ?`, id))
}

func listDeliveries(ctx context.Context, q db.Querier, webhookID int64, tail string, args ...any) ([]Delivery, error) {
	rows, err := q.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d WHERE d.webhook_id = ?`+tail,
		append([]any{webhookID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func countDeliveries(ctx context.Context, q db.Querier, webhookID int64) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?`, webhookID).Scan(&n)
	return n, err
}

// attempt is the outcome of one delivery attempt.
type attempt struct {
	status   DeliveryStatus
	code     *int
	excerpt  string
	errText  string
	duration time.Duration
}

// recordAttempt counts one more attempt of a pending delivery and keeps
// its outcome; it reports false when the delivery was no longer pending
// (finished by an earlier run of the same job).
func recordAttempt(ctx context.Context, tx *db.Tx, id int64, a attempt, now time.Time) (bool, error) {
	var completed *time.Time
	if a.status != Pending {
		completed = &now
	}
	var code any
	if a.code != nil {
		code = *a.code
	}
	r, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, response_code = ?,
		response_excerpt = ?, error = ?, duration_ms = ?, updated_at = ?, completed_at = ? WHERE id = ? AND status = ?`,
		string(a.status), code, a.excerpt, a.errText, a.duration.Milliseconds(), now, completed, id, string(Pending))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// failDelivery ends a pending delivery without an attempt (its webhook was
// deactivated, its secret cannot be opened).
func failDelivery(ctx context.Context, tx *db.Tx, id int64, why string, now time.Time) (bool, error) {
	r, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, error = ?, updated_at = ?, completed_at = ?
		WHERE id = ? AND status = ?`, string(Failed), why, now, now, id, string(Pending))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// sealedSecret is a webhook's stored secret, for re-sealing.
type sealedSecret struct {
	id     int64
	sealed string
}

func sealedSecrets(ctx context.Context, q db.Querier) ([]sealedSecret, error) {
	rows, err := q.Query(ctx, `SELECT id, secret_sealed FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedSecret
	for rows.Next() {
		var s sealedSecret
		if err := rows.Scan(&s.id, &s.sealed); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// resealSecret replaces a sealed secret if it still holds what was read, so
// a concurrent rotation is never overwritten. The secret itself is the
// same, so the webhook's version and cached answers stay as they are.
func resealSecret(ctx context.Context, q db.Querier, id int64, old, sealed string) (bool, error) {
	r, err := q.Exec(ctx, `UPDATE webhooks SET secret_sealed = ? WHERE id = ? AND secret_sealed = ?`, sealed, id, old)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}
