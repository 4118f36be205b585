package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Hasher hashes and verifies passwords with argon2id, running at most a
// fixed number of hashes at once so a login flood cannot exhaust memory.
type Hasher struct {
	slots chan struct{}
	dummy string
}

// NewHasher allows concurrency simultaneous hashes.
func NewHasher(concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	h := &Hasher{slots: make(chan struct{}, concurrency)}
	h.dummy, _ = h.Hash(context.Background(), "pishkhan-timing-equalizer")
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	h.release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// Verify reports whether password matches encoded. An empty encoded hash
// (unknown user) is checked against a dummy so both take the same time.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if encoded == "" {
		_, err := h.verify(ctx, password, h.dummy)
		return false, err
	}
	return h.verify(ctx, password, encoded)
}

func (h *Hasher) verify(ctx context.Context, password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, errBadHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	h.release()
	return subtle.ConstantTimeCompare(got, want) == 1, nil
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

// ChangePassword sets a new password for the logged-in user after checking
// the current one; every other session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, se *Session, in ChangePasswordInput) error {
	p := authz.From(ctx)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if se == nil {
		return apperr.New(apperr.PermissionDenied, "log in to change your password; an API token cannot").WithReason(ReasonTokenCaller)
	}
	if err := s.checkPassword(ctx, p.UserID, in.CurrentPassword, "current_password"); err != nil {
		if apperr.CodeOf(err) == apperr.ValidationFailed {
			_ = s.db.InTx(ctx, func(tx *db.Tx) error {
				return audit.Record(ctx, tx, audit.Entry{Action: "auth.password_change_failed", ResourceType: "user", ResourceID: itoa(p.UserID)})
			})
		}
		return err
	}
	u, err := s.store.UserByID(ctx, s.db.Reader(), p.UserID)
	if err != nil {
		return err
	}
	if msg, reason := PasswordRule(in.NewPassword, u.Email); msg != "" {
		return apperr.FieldReason("new_password", msg, reason)
	}
	if in.NewPassword == in.CurrentPassword {
		return apperr.FieldReason("new_password", "must differ from the current password", "same_as_current")
	}
	hash, err := s.hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := s.store.SetPasswordHash(ctx, tx, u.ID, hash, time.Now()); err != nil {
			return err
		}
		// API tokens made before the change may be an intruder's
		if _, err := s.store.RevokeUserTokens(ctx, tx, u.ID, time.Now()); err != nil {
			return err
		}
		// so may an administrator's reset link the user no longer needs
		if err := s.store.VoidLinks(ctx, tx, u.ID, time.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.password_change", ResourceType: "user", ResourceID: itoa(u.ID),
			Changes: map[string]audit.Change{"password": {From: "***", To: "***"}, "api_tokens": {To: "revoked"}}})
	})
	if err != nil {
		return err
	}
	s.tokensChanged(ctx, u.ID, "updated")
	if err := s.endOtherSessions(ctx, u.ID, se.IDHash); err != nil {
		return apperr.Unavailablef(err, "the password is changed, but the session store is unavailable; other sessions end when it returns")
	}
	return s.RevokeAfterCredentialChange(ctx, u.ID)
}

// endOtherSessions ends every session of a user except keep.
func (s *Service) endOtherSessions(ctx context.Context, userID int64, keep string) error {
	hashes, err := s.index.OtherHashes(ctx, userID, keep)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		if err := s.sessions.Delete(ctx, h); err != nil {
			return err
		}
	}
	s.sessionsChanged(ctx, userID, "deleted")
	return nil
}
