package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// TOTP secrets are stored sealed (AES-256-GCM) under a key derived from
// SECRET_KEY, which lives outside the database. A sealed value reads
// "v2:<key id>:<base64 nonce+ciphertext>"; the key id names the SECRET_KEY
// it was sealed under, so a rotation knows what is left to re-seal and a
// wrong key is named rather than failing as a bad code. Values without the
// prefix were sealed by earlier versions under a key kept in the database
// (app_secrets.totp_key); ResealTOTP moves them over.

// totpUse is how TOTP secrets are sealed (the "v2:" format).
var totpUse = keys.Use{Prefix: "v2:", Purpose: "pishkhan totp secrets v2", AAD: []byte("totp"), ErrUnknown: ErrUnknownTOTPKey}

// ErrUnknownTOTPKey means a TOTP secret is sealed under a key that is
// neither SECRET_KEY nor one of SECRET_KEY_OLD.
var ErrUnknownTOTPKey = errors.New("a TOTP secret is sealed under a key that is neither SECRET_KEY nor in SECRET_KEY_OLD")

// TOTPKeys are the keys that seal TOTP secrets: the current one seals,
// every one opens.
type TOTPKeys struct{ ring keys.Ring }

// NewTOTPKeys derives the sealing keys from SECRET_KEY (current) and the
// earlier SECRET_KEYs still accepted (old).
func NewTOTPKeys(current []byte, old ...[]byte) TOTPKeys {
	return TOTPKeys{ring: keys.NewRing(totpUse, current, old...)}
}

// CurrentID is the key id of SECRET_KEY.
func (k TOTPKeys) CurrentID() string { return k.ring.CurrentID() }

func (k TOTPKeys) seal(secret []byte) (string, error) { return k.ring.Seal(secret) }

// open unseals a value; legacy, when not nil, opens the legacy format.
func (k TOTPKeys) open(sealed string, legacy []byte) ([]byte, error) {
	if k.ring.KeyID(sealed) != "" {
		return k.ring.Open(sealed)
	}
	if legacy == nil {
		return nil, fmt.Errorf("%w (sealed under the key earlier versions kept in the database, which is gone)", ErrUnknownTOTPKey)
	}
	out, err := k.ring.OpenUnder(legacy, sealed)
	if errors.Is(err, keys.ErrNotOpened) {
		return nil, fmt.Errorf("%w (the key earlier versions kept in the database does not open it)", ErrUnknownTOTPKey)
	}
	return out, err
}

// seal encrypts a TOTP secret for storage under SECRET_KEY; open reverses it.
func (s *Service) seal(secret []byte) (string, error) { return s.totpKeys.seal(secret) }

func (s *Service) open(sealed string) ([]byte, error) { return s.totpKeys.open(sealed, nil) }

// CheckTOTPKeys refuses keys that cannot open the stored TOTP secrets: it
// names every key id found in the database that is neither SECRET_KEY nor
// in SECRET_KEY_OLD (a wrong or missing key), before any login fails on it.
func (s *Service) CheckTOTPKeys(ctx context.Context) error {
	heads, err := s.store.sealedHeads(ctx, s.totpKeys.ring.HeadLen())
	if err != nil {
		return err
	}
	var unknown []string
	for _, head := range heads {
		id := s.totpKeys.ring.KeyID(head + "x")
		switch {
		case id == "":
			unknown = append(unknown, "the key earlier versions kept in the database")
		case !s.totpKeys.ring.Knows(id):
			unknown = append(unknown, "key id "+id)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%w: stored TOTP secrets are sealed under %s; SECRET_KEY (key id %s) cannot open them: set SECRET_KEY to the key they were sealed with, or list it in SECRET_KEY_OLD",
			ErrUnknownTOTPKey, strings.Join(unknown, ", "), s.totpKeys.CurrentID())
	}
	return nil
}

// ResealTOTP re-encrypts every stored TOTP secret (confirmed or pending)
// not yet sealed under SECRET_KEY: those under SECRET_KEY_OLD, and those
// in the legacy format when legacy (the key earlier versions kept in the
// database) is given. Each row changes only if it still holds what was
// read, so a concurrent enrolment is never overwritten. It returns how
// many values it re-sealed; values no key opens are left as they are and
// reported in the error, by user id.
func (s *Service) ResealTOTP(ctx context.Context, legacy []byte) (int, error) {
	todo, err := s.store.sealedTOTPs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var failed []string
	for _, r := range todo {
		for _, col := range []struct {
			name    string
			pending bool
			value   string
		}{{"totp_secret", false, r.secret}, {"totp_pending", true, r.pending}} {
			if col.value == "" || s.totpKeys.ring.KeyID(col.value) == s.totpKeys.CurrentID() {
				continue
			}
			plain, err := s.totpKeys.open(col.value, legacy)
			if err != nil {
				failed = append(failed, fmt.Sprintf("user %d (%s)", r.id, col.name))
				continue
			}
			sealed, err := s.seal(plain)
			if err != nil {
				return n, err
			}
			done, err := s.store.resealTOTP(ctx, r.id, col.pending, col.value, sealed)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
	}
	if len(failed) > 0 {
		return n, fmt.Errorf("%w: %s; give the key they were sealed with in SECRET_KEY_OLD and run again", ErrUnknownTOTPKey, strings.Join(failed, ", "))
	}
	return n, nil
}
