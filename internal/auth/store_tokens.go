package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

const tokenCols = `id, user_id, name, prefix, permissions, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var perms string
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &perms, db.Time{T: &t.CreatedAt}, db.Time{T: &t.ExpiresAt},
		db.NullTime{T: &t.LastUsedAt}, db.NullTime{T: &t.RevokedAt})
	if errors.Is(err, db.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, err
	}
	err = json.Unmarshal([]byte(perms), &t.Permissions)
	return t, err
}

// InsertToken stores a new token under its secret's hash and returns its id.
func (s Store) InsertToken(ctx context.Context, tx *db.Tx, t Token, hash string) (int64, error) {
	permsJSON, _ := json.Marshal(t.Permissions)
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, permissions, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.UserID, t.Name, hash, t.Prefix, string(permsJSON),
		t.CreatedAt, t.ExpiresAt), &id)
	return id, err
}

// TokenByID finds a token (ErrNotFound).
func (s Store) TokenByID(ctx context.Context, q db.Querier, id int64) (Token, error) {
	return scanToken(q.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, id))
}

// TokenByHash finds a token by its secret's hash (ErrNotFound).
func (s Store) TokenByHash(ctx context.Context, hash string) (Token, error) {
	return scanToken(s.DB.Reader().QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ?`, hash))
}

// ListTokens lists a user's tokens with tail (ORDER BY, LIMIT) appended
// to the WHERE clause.
func (s Store) ListTokens(ctx context.Context, userID int64, tail string, tailArgs ...any) ([]Token, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = ?`+tail, append([]any{userID}, tailArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CountTokens counts a user's tokens.
func (s Store) CountTokens(ctx context.Context, userID int64) (total int64, err error) {
	err = db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ?`, userID), &total)
	return total, err
}

// RevokeToken revokes one token.
func (s Store) RevokeToken(ctx context.Context, tx *db.Tx, id int64, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, id)
	return err
}

// RevokeUserTokens revokes a user's live tokens and says how many.
func (s Store) RevokeUserTokens(ctx context.Context, tx *db.Tx, userID int64, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// revokedToken is a token RevokeLive revoked.
type revokedToken struct{ ID, Owner int64 }

// RevokeLive revokes the live token id (when not 0) or every live token
// of userID, and returns what it revoked.
func (s Store) RevokeLive(ctx context.Context, tx *db.Tx, id, userID int64, now time.Time) ([]revokedToken, error) {
	where, arg := `user_id = ?`, userID
	if id != 0 {
		where, arg = `id = ?`, id
	}
	rows, err := tx.Query(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND `+where+` RETURNING id, user_id`, now, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []revokedToken
	for rows.Next() {
		var r revokedToken
		if err := rows.Scan(&r.ID, &r.Owner); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NoteTokenUse records when a token was last used.
func (s Store) NoteTokenUse(ctx context.Context, id int64, at time.Time) error {
	_, err := s.DB.Writer().Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at, id)
	return err
}
