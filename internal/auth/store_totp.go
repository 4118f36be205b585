package auth

import (
	"context"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

func (s Store) loadTOTP(ctx context.Context, q db.Querier, userID int64) (totpState, error) {
	var st totpState
	err := db.Scan(q.QueryRow(ctx, `SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = ?`, userID),
		&st.secret, &st.pending, &st.lastStep)
	return st, err
}

// setPendingTOTP stores a sealed secret waiting for confirmation.
func (s Store) setPendingTOTP(ctx context.Context, userID int64, sealed string) error {
	_, err := s.DB.Writer().Exec(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, sealed, userID)
	return err
}

// enableTOTP makes the pending secret the user's, with step used.
func (s Store) enableTOTP(ctx context.Context, tx *db.Tx, userID, step int64) error {
	_, err := tx.Exec(ctx, `UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? WHERE id = ?`,
		step, userID)
	return err
}

// clearTOTP removes a user's second factor, confirmed or pending, and
// deletes their recovery codes; updatedAt, when set, is the user's new
// updated_at (an administrator's reset changes the user as others see it).
func (s Store) clearTOTP(ctx context.Context, tx *db.Tx, userID int64, updatedAt *time.Time) error {
	var err error
	if updatedAt != nil {
		_, err = tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0, updated_at = ? WHERE id = ?`,
			*updatedAt, userID)
	} else {
		_, err = tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?`, userID)
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
	return err
}

// useTOTPStep records step as used unless a later or equal one is; it
// reports whether it did (the compare-and-set refuses a replayed code).
func (s Store) useTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.DB.Writer().Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// replaceRecoveryCodes stores the hashes of a user's new recovery codes
// in place of the old ones.
func (s Store) replaceRecoveryCodes(ctx context.Context, tx *db.Tx, userID int64, hashes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// useRecoveryCode uses up an unused recovery code; it reports whether there was one.
func (s Store) useRecoveryCode(ctx context.Context, userID int64, hash string, now time.Time) (bool, error) {
	res, err := s.DB.Writer().Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		now, userID, hash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// recoveryCodesLeft counts a user's unused recovery codes.
func (s Store) recoveryCodesLeft(ctx context.Context, userID int64) (n int, err error) {
	err = db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID), &n)
	return n, err
}

// sealedHeads lists the distinct first headLen characters of every stored
// TOTP secret, confirmed or pending.
func (s Store) sealedHeads(ctx context.Context, headLen int) ([]string, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT DISTINCT SUBSTR(totp_secret, 1, ?) FROM users WHERE totp_secret <> ''
		UNION SELECT DISTINCT SUBSTR(totp_pending, 1, ?) FROM users WHERE totp_pending <> ''`, headLen, headLen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var head string
		if err := rows.Scan(&head); err != nil {
			return nil, err
		}
		out = append(out, head)
	}
	return out, rows.Err()
}

// sealedTOTP is a user's stored TOTP values.
type sealedTOTP struct {
	id              int64
	secret, pending string
}

// sealedTOTPs lists the users with a TOTP value stored, by id.
func (s Store) sealedTOTPs(ctx context.Context) ([]sealedTOTP, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret <> '' OR totp_pending <> '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedTOTP
	for rows.Next() {
		var r sealedTOTP
		if err := rows.Scan(&r.id, &r.secret, &r.pending); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// resealTOTP replaces one TOTP column (totp_secret or totp_pending) of a
// user if it still holds old; it reports whether it did.
func (s Store) resealTOTP(ctx context.Context, userID int64, pending bool, old, sealed string) (bool, error) {
	col := "totp_secret"
	if pending {
		col = "totp_pending"
	}
	res, err := s.DB.Writer().Exec(ctx, `UPDATE users SET `+col+` = ? WHERE id = ? AND `+col+` = ?`, sealed, userID, old)
	if err != nil {
		return false, err
	}
	c, _ := res.RowsAffected()
	return c == 1, nil
}
