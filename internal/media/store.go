package media

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

const cols = `m.id, m.object_key, m.filename, m.declared_type, m.content_type, m.size, m.kind, m.status, m.scan, m.reason,
	m.width, m.height, m.thumbnails, m.title_fa, m.title_en, m.alt_fa, m.alt_en, m.owner_id, u.email, m.created_at, m.updated_at,
	m.upload_key, m.reason_code`

func scanMedia(row interface{ Scan(...any) error }) (Media, error) {
	var m Media
	var declared, thumbs string
	err := row.Scan(&m.ID, &m.key, &m.Filename, &declared, &m.ContentType, &m.Size, &m.Kind, &m.Status, &m.Scan, &m.Reason,
		&m.Width, &m.Height, &thumbs, &m.Title.FA, &m.Title.EN, &m.Alt.FA, &m.Alt.EN, &m.Owner.ID, &m.Owner.Email,
		db.Time{T: &m.CreatedAt}, db.Time{T: &m.UpdatedAt}, &m.uploadKey, &m.ReasonCode)
	if err != nil {
		return m, err
	}
	if m.ContentType == "" {
		m.ContentType = declared
	}
	if thumbs != "" {
		m.thumbs = strings.Split(thumbs, ",")
	}
	return m, nil
}

var errNoRow = errors.New("no such media row")

func getMedia(ctx context.Context, q db.Querier, id int64) (Media, error) {
	m, err := scanMedia(q.QueryRow(ctx, `SELECT `+cols+` FROM media m JOIN users u ON u.id = m.owner_id WHERE m.id = ?`, id))
	if errors.Is(err, db.ErrNoRows) {
		return m, errNoRow
	}
	return m, err
}

func insertMedia(ctx context.Context, tx *db.Tx, ownerID int64, key string, in UploadInput, now time.Time) (int64, error) {
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO media (owner_id, object_key, upload_key, filename, declared_type, size, kind, status,
		search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ownerID, key, stagingKey(key), in.Filename, in.ContentType, in.Size, KindOf(in.ContentType), Pending,
		strings.ToLower(in.Filename), now, now), &id)
	return id, err
}

// uploadPending says whether a signed upload to uploadKey is still
// expected: its item exists and is pending.
func uploadPending(ctx context.Context, q db.Querier, uploadKey string) (bool, error) {
	key, ok := strings.CutPrefix(uploadKey, stagingPrefix)
	if !ok {
		return false, nil
	}
	var status string
	err := q.QueryRow(ctx, `SELECT status FROM media WHERE object_key = ? AND upload_key = ?`, key, uploadKey).Scan(&status)
	if errors.Is(err, db.ErrNoRows) {
		return false, nil
	}
	return status == Pending, err
}

// outcome is what the pipeline decided about an item.
type outcome struct {
	// Code is the stable reason code (ReasonInfected, …), Reason its
	// English explanation.
	Status, Scan, Code, Reason, ContentType string
	Width, Height                           int
	// Thumbs are the thumbnails' file names ("256.jpg"), see thumbKey.
	Thumbs []string
}

func setOutcome(ctx context.Context, tx *db.Tx, id int64, o outcome, now time.Time) error {
	kind := ""
	if o.ContentType != "" {
		kind = KindOf(o.ContentType)
	}
	_, err := tx.Exec(ctx, `UPDATE media SET status = ?, scan = ?, reason = ?, reason_code = ?,
		content_type = CASE WHEN ? = '' THEN content_type ELSE ? END, kind = CASE WHEN ? = '' THEN kind ELSE ? END,
		width = ?, height = ?, thumbnails = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		o.Status, o.Scan, o.Reason, o.Code, o.ContentType, o.ContentType, kind, kind, o.Width, o.Height, strings.Join(o.Thumbs, ","), now, id)
	return err
}

func setStatus(ctx context.Context, tx *db.Tx, id int64, status string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE media SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`, status, now, id)
	return err
}

func patchMedia(ctx context.Context, tx *db.Tx, m Media, title, alt Text, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE media SET title_fa = ?, title_en = ?, alt_fa = ?, alt_en = ?,
		search_text = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		title.FA, title.EN, alt.FA, alt.EN, strings.ToLower(m.Filename+" "+title.FA+" "+title.EN), now, m.ID)
	return err
}

func deleteMedia(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM media WHERE id = ?`, id)
	return err
}

func (f Filter) where() (string, []any) {
	conds := []string{`1 = 1`}
	var args []any
	if f.Kind != "" {
		conds = append(conds, `m.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		conds = append(conds, `m.status = ?`)
		args = append(args, f.Status)
	}
	if f.Q != "" {
		q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Q))
		conds = append(conds, `m.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+q+"%")
	}
	if f.From != nil {
		conds = append(conds, `m.created_at >= ?`)
		args = append(args, *f.From)
	}
	if f.To != nil {
		conds = append(conds, `m.created_at < ?`)
		args = append(args, *f.To)
	}
	return strings.Join(conds, ` AND `), args
}

func listMedia(ctx context.Context, q db.Querier, where string, args ...any) ([]Media, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM media m JOIN users u ON u.id = m.owner_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Media{}
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func countMedia(ctx context.Context, q db.Querier, where string, args ...any) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM media m WHERE `+where, args...).Scan(&n)
	return n, err
}
