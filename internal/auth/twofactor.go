package auth

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

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
	st.RecoveryCodesLeft, err = s.store.recoveryCodesLeft(ctx, p.UserID)
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
	st, err := s.store.loadTOTP(ctx, s.db.Reader(), p.UserID)
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
	if err := s.store.setPendingTOTP(ctx, p.UserID, sealed); err != nil {
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
		st, err := s.store.loadTOTP(ctx, tx, p.UserID)
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
		if err := s.store.enableTOTP(ctx, tx, p.UserID, step); err != nil {
			return err
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.totp_enable", ResourceType: "user", ResourceID: itoa(p.UserID),
			Changes: map[string]audit.Change{"totp": {From: false, To: true}}})
	})
	if err != nil {
		return RecoveryCodes{}, err
	}
	s.AccessChanged(ctx, p.UserID)
	return codes, nil
}

// newRecoveryCodes replaces a user's recovery codes.
func (s *Service) newRecoveryCodes(ctx context.Context, tx *db.Tx, userID int64) (RecoveryCodes, error) {
	out := RecoveryCodes{Codes: make([]string, RecoveryCodeCount)}
	hashes := make([]string, RecoveryCodeCount)
	for i := range out.Codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return out, err
		}
		c := strings.ToLower(totpEncoding.EncodeToString(b))[:10]
		out.Codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = HashToken(normalizeRecovery(c))
	}
	return out, s.store.replaceRecoveryCodes(ctx, tx, userID, hashes)
}

// normalizeRecovery makes "ABCDE-fghij", "abcde fghij" and "abcdefghij" one.
func normalizeRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
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
		if err := s.store.clearTOTP(ctx, tx, p.UserID, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.totp_disable", ResourceType: "user", ResourceID: itoa(p.UserID),
			Changes: map[string]audit.Change{"totp": {From: true, To: false}}})
	})
	if err != nil {
		return err
	}
	s.AccessChanged(ctx, p.UserID)
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
		if err := s.outranksUser(ctx, tx, p, id); err != nil {
			return err
		}
		st, err := s.store.loadTOTP(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.secret == "" && st.pending == "" {
			return nil
		}
		reset = true
		now := time.Now()
		if err := s.store.clearTOTP(ctx, tx, id, &now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.totp_reset", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"totp": {From: st.secret != "", To: false}}})
	})
	if err != nil || !reset {
		return err
	}
	s.AccessChanged(ctx, id)
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
		st, err := s.store.loadTOTP(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if st.secret == "" {
			return apperr.New(apperr.Conflict, "turn two-factor authentication on first")
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, p.UserID); err != nil {
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
	st, err := s.store.loadTOTP(ctx, s.db.Reader(), userID)
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
		ok, err := s.store.useTOTPStep(ctx, userID, step)
		return true, ok, err
	}
	ok, err = s.store.useRecoveryCode(ctx, userID, HashToken(normalizeRecovery(code)), time.Now())
	return true, ok, err
}
