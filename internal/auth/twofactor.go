package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// RecoveryCodeCount is how many one-time recovery codes enrolment gives.
const RecoveryCodeCount = 10

// TOTPStatus is GET /api/auth/totp.
type TOTPStatus struct {
	Enabled bool `json:"enabled"`
	// Required is true when one of the user's roles requires a second factor.
	Required          bool `json:"required"`
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
}

// TOTPSetup is the pending secret to show as a QR code (otpauth_url) or type in.
type TOTPSetup struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// TOTPCodeInput confirms enrolment with a code from the app.
type TOTPCodeInput struct {
	Code string `json:"code"`
}

// PasswordInput re-confirms the password for a sensitive change.
type PasswordInput struct {
	Password string `json:"password"`
}

// RecoveryCodes are shown once; each works once in place of a code.
type RecoveryCodes struct {
	Codes []string `json:"recovery_codes"`
}

// totpState is a user's second-factor columns.
type totpState struct {
	secret, pending string
	lastStep        int64
}

func loadTOTP(ctx context.Context, q db.Querier, userID int64) (totpState, error) {
	var st totpState
	err := db.Scan(q.QueryRow(ctx, `SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = ?`, userID),
		&st.secret, &st.pending, &st.lastStep)
	return st, err
}

// requireSession refuses token callers: second-factor changes need a login.
func requireSession(ctx context.Context, se *Session) (*authz.Principal, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if se == nil {
		return nil, apperr.New(apperr.PermissionDenied, "log in to change two-factor authentication; an API token cannot").
			WithReason(ReasonTokenCaller)
	}
	return p, nil
}

// TOTPStatusOf returns the caller's second-factor state.
func (s *Service) TOTPStatusOf(ctx context.Context) (TOTPStatus, error) {
	p := authz.From(ctx)
	if p == nil {
		return TOTPStatus{}, apperr.New(apperr.Unauthenticated, "log in first")
	}
	a, err := s.access(ctx, p.UserID)
	if err != nil {
		return TOTPStatus{}, err
	}
	st := TOTPStatus{Enabled: a.TOTPEnabled, Required: a.TOTPRequired}
	err = db.Scan(s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, p.UserID),
		&st.RecoveryCodesLeft)
	return st, err
}

// SetupTOTP starts enrolment with a new secret (replacing an unconfirmed
// one), after re-checking the password: whoever holds only the session
// cannot bind their own authenticator to the account.
func (s *Service) SetupTOTP(ctx context.Context, se *Session, in PasswordInput) (TOTPSetup, error) {
	p, err := requireSession(ctx, se)
	if err != nil {
		return TOTPSetup{}, err
	}
	if err := s.checkPassword(ctx, p.UserID, in.Password, "password"); err != nil {
		return TOTPSetup{}, err
	}
	st, err := loadTOTP(ctx, s.db.Reader(), p.UserID)
	if err != nil {
		return TOTPSetup{}, err
	}
	if st.secret != "" {
		return TOTPSetup{}, apperr.New(apperr.Conflict, "two-factor authentication is already on; turn it off first to enrol another app").
			WithReason(ReasonTOTPEnabled)
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return TOTPSetup{}, err
	}
	sealed, err := s.seal(secret)
	if err != nil {
		return TOTPSetup{}, err
	}
	if _, err := s.db.Writer().Exec(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, sealed, p.UserID); err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: totpEncoding.EncodeToString(secret), OTPAuthURL: otpauthURL(secret, p.Email)}, nil
}

// ConfirmTOTP turns the second factor on once the app shows a right code,
// and returns fresh recovery codes (shown once, stored hashed).
func (s *Service) ConfirmTOTP(ctx context.Context, se *Session, in TOTPCodeInput) (RecoveryCodes, error) {
	p, err := requireSession(ctx, se)
	if err != nil {
		return RecoveryCodes{}, err
	}
	var codes RecoveryCodes
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		st, err := loadTOTP(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if st.secret != "" {
			return apperr.New(apperr.Conflict, "two-factor authentication is already on")
		}
		if st.pending == "" {
			return apperr.New(apperr.Conflict, "start the set-up first")
		}
		secret, err := s.open(st.pending)
		if err != nil {
			return err
		}
		step := totpMatch(secret, strings.TrimSpace(in.Code), time.Now(), 0)
		if step == 0 {
			return apperr.Validation(map[string]string{"code": "is not the code your app shows now; check the phone's clock"})
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? WHERE id = ?`,
			step, p.UserID); err != nil {
			return err
		}
		if codes, err = newRecoveryCodes(ctx, tx, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.totp_enable", ResourceType: "user", ResourceID: itoa(p.UserID),
			Changes: map[string]audit.Change{"totp": {From: false, To: true}}})
	})
	if err != nil {
		return RecoveryCodes{}, err
	}
	s.afterAuthzChange(ctx, p.UserID)
	return codes, nil
}

// newRecoveryCodes replaces a user's recovery codes.
func newRecoveryCodes(ctx context.Context, tx *db.Tx, userID int64) (RecoveryCodes, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return RecoveryCodes{}, err
	}
	out := RecoveryCodes{Codes: make([]string, RecoveryCodeCount)}
	for i := range out.Codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return out, err
		}
		c := strings.ToLower(totpEncoding.EncodeToString(b))[:10]
		out.Codes[i] = c[:5] + "-" + c[5:]
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, hashToken(normalizeRecovery(c))); err != nil {
			return out, err
		}
	}
	return out, nil
}

// normalizeRecovery makes "ABCDE-fghij", "abcde fghij" and "abcdefghij" one.
func normalizeRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

// checkPassword re-checks the caller's password before a sensitive change.
// Wrong passwords count against the account like failed logins (a counter
// of their own, the same limit and window), so a stolen session cannot
// guess it at leisure; a right one takes its hit back.
func (s *Service) checkPassword(ctx context.Context, userID int64, pw, field string) error {
	key := "recheck:user:" + itoa(userID)
	if err := s.attemptMsg(ctx, key, s.cfg.LoginAccountLimit, "too many wrong passwords; try again later"); err != nil {
		return err
	}
	wrong := apperr.FieldReason(field, "is wrong", "wrong_password")
	if len(pw) > 1024 {
		return wrong
	}
	u, err := s.store.UserByID(ctx, s.db.Reader(), userID)
	if err != nil {
		_ = s.limiter.Undo(ctx, key)
		return err
	}
	ok, err := s.hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil && !errors.Is(err, errBadHash) {
		_ = s.limiter.Undo(ctx, key)
		return err
	}
	if !ok {
		return wrong
	}
	_ = s.limiter.Undo(ctx, key)
	return nil
}

// DisableTOTP turns the second factor off (password required), unless a
// role of the user requires it.
func (s *Service) DisableTOTP(ctx context.Context, se *Session, in PasswordInput) error {
	p, err := requireSession(ctx, se)
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, p.UserID, in.Password, "password"); err != nil {
		return err
	}
	a, err := s.access(ctx, p.UserID)
	if err != nil {
		return err
	}
	if a.TOTPRequired {
		return apperr.New(apperr.Conflict, "one of your roles requires two-factor authentication; it cannot be turned off").
			WithReason(ReasonTOTPRequiredByRole)
	}
	if !a.TOTPEnabled {
		return nil
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?`, p.UserID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.totp_disable", ResourceType: "user", ResourceID: itoa(p.UserID),
			Changes: map[string]audit.Change{"totp": {From: true, To: false}}})
	})
	if err != nil {
		return err
	}
	s.afterAuthzChange(ctx, p.UserID)
	return nil
}

// ResetUserTOTP turns another user's second factor off (a lost phone): the
// secret and recovery codes go, and every session of the user ends, so
// the next login, with the password alone, is theirs to re-enrol from.
// It needs users.manage and a logged-in caller who outranks the user; your
// own second factor you turn off with your password instead.
func (s *Service) ResetUserTOTP(ctx context.Context, se *Session, id int64) error {
	p, err := authz.Require(ctx, PermManageUsers)
	if err != nil {
		return err
	}
	if se == nil {
		return apperr.New(apperr.PermissionDenied, "log in to reset a second factor; an API token cannot").WithReason(ReasonTokenCaller)
	}
	if id == p.UserID {
		return apperr.New(apperr.PermissionDenied, "you cannot reset your own second factor here; turn it off on your two-factor page").
			WithReason(ReasonSelf)
	}
	reset := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := loadUserView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.requireOutranks(ctx, tx, p, u); err != nil {
			return err
		}
		st, err := loadTOTP(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.secret == "" && st.pending == "" {
			return nil
		}
		reset = true
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0, updated_at = ? WHERE id = ?`,
			time.Now(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.totp_reset", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"totp": {From: st.secret != "", To: false}}})
	})
	if err != nil || !reset {
		return err
	}
	s.afterAuthzChange(ctx, id)
	s.sessionsChanged(ctx, id, "deleted")
	if err := s.sessions.DeleteUser(ctx, id); err != nil {
		return apperr.Unavailablef(err, "the second factor is reset, but the session store is unavailable; their sessions end when it returns")
	}
	return nil
}

// RegenerateRecoveryCodes replaces the recovery codes (password required).
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, se *Session, in PasswordInput) (RecoveryCodes, error) {
	p, err := requireSession(ctx, se)
	if err != nil {
		return RecoveryCodes{}, err
	}
	if err := s.checkPassword(ctx, p.UserID, in.Password, "password"); err != nil {
		return RecoveryCodes{}, err
	}
	var codes RecoveryCodes
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		st, err := loadTOTP(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if st.secret == "" {
			return apperr.New(apperr.Conflict, "turn two-factor authentication on first")
		}
		if codes, err = newRecoveryCodes(ctx, tx, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.recovery_codes_regenerate", ResourceType: "user", ResourceID: itoa(p.UserID)})
	})
	return codes, err
}

// verifySecondFactor checks a login's code: a TOTP code (once per time
// step, ±1 step of skew) or an unused recovery code. It reports whether
// the user has a second factor at all.
func (s *Service) verifySecondFactor(ctx context.Context, userID int64, code string) (enabled, ok bool, err error) {
	st, err := loadTOTP(ctx, s.db.Reader(), userID)
	if err != nil || st.secret == "" {
		return false, false, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return true, false, nil
	}
	if len(code) == totpDigits {
		secret, err := s.open(st.secret)
		if err != nil {
			return true, false, err
		}
		step := totpMatch(secret, code, time.Now(), st.lastStep)
		if step == 0 {
			return true, false, nil
		}
		// the compare-and-set refuses a concurrent replay of the same code
		res, err := s.db.Writer().Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
		if err != nil {
			return true, false, err
		}
		n, _ := res.RowsAffected()
		return true, n == 1, nil
	}
	res, err := s.db.Writer().Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		time.Now(), userID, hashToken(normalizeRecovery(code)))
	if err != nil {
		return true, false, err
	}
	n, _ := res.RowsAffected()
	return true, n == 1, nil
}
