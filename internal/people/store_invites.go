package people

import (
	"context"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// insertInvite stores a link by its token's hash.
func (s Store) insertInvite(ctx context.Context, tx *db.Tx, userID int64, tokenHash string, createdBy int64, now, expires time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO invites (user_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		userID, tokenHash, createdBy, now, expires)
	return err
}

// storedInvite is a link as stored, with its active user's email and name.
type storedInvite struct {
	ID, UserID int64
	Issuer     *int64 // nil or 0: the system (command line)
	Info       InviteInfo
	UsedAt     *time.Time
}

// inviteByHash finds the link of an active user by its token's hash
// (db.ErrNoRows).
func (s Store) inviteByHash(ctx context.Context, q db.Querier, tokenHash string) (storedInvite, error) {
	var i storedInvite
	err := q.QueryRow(ctx, `SELECT i.id, i.user_id, i.created_by, u.email, u.name, i.expires_at, i.used_at FROM invites i
		JOIN users u ON u.id = i.user_id WHERE i.token_hash = ? AND u.is_active = ?`, tokenHash, true).
		Scan(&i.ID, &i.UserID, &i.Issuer, &i.Info.Email, &i.Info.Name, db.Time{T: &i.Info.ExpiresAt}, db.NullTime{T: &i.UsedAt})
	return i, err
}

// useInvite marks an unused link used; it reports whether it was unused.
func (s Store) useInvite(ctx context.Context, tx *db.Tx, id int64, now time.Time) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
