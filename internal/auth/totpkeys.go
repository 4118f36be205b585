package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
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

const sealedPrefix = "v2:"

// sealedHeadLen is the length of "v2:<8 hex digits>:".
const sealedHeadLen = len(sealedPrefix) + 8 + 1

// ErrUnknownTOTPKey means a TOTP secret is sealed under a key that is
// neither SECRET_KEY nor one of SECRET_KEY_OLD.
var ErrUnknownTOTPKey = errors.New("a TOTP secret is sealed under a key that is neither SECRET_KEY nor in SECRET_KEY_OLD")

// TOTPKeys are the keys that seal TOTP secrets: the current one seals,
// every one opens.
type TOTPKeys struct {
	current string            // key id of the sealing key
	keys    map[string][]byte // key id → AES-256 key
}

// NewTOTPKeys derives the sealing keys from SECRET_KEY (current) and the
// earlier SECRET_KEYs still accepted (old).
func NewTOTPKeys(current []byte, old ...[]byte) TOTPKeys {
	k := TOTPKeys{keys: map[string][]byte{}}
	for i, secret := range append([][]byte{current}, old...) {
		id, key := deriveTOTPKey(secret)
		if i == 0 {
			k.current = id
		}
		k.keys[id] = key
	}
	return k
}

// deriveTOTPKey returns the key id and the AES key of a SECRET_KEY (each
// use of SECRET_KEY gets a key of its own).
func deriveTOTPKey(secret []byte) (id string, key []byte) {
	return hex.EncodeToString(keys.Derive(secret, "pishkhan key id")[:4]), keys.Derive(secret, "pishkhan totp secrets v2")
}

// CurrentID is the key id of SECRET_KEY.
func (k TOTPKeys) CurrentID() string { return k.current }

func gcmOf(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (k TOTPKeys) seal(secret []byte) (string, error) {
	key, ok := k.keys[k.current]
	if !ok {
		return "", errors.New("no SECRET_KEY to seal TOTP secrets with")
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + k.current + ":" + base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, secret, []byte("totp"))), nil
}

// keyIDOf returns the key id a value is sealed under ("" for the legacy
// format).
func keyIDOf(sealed string) string {
	if !strings.HasPrefix(sealed, sealedPrefix) || len(sealed) < sealedHeadLen || sealed[sealedHeadLen-1] != ':' {
		return ""
	}
	return sealed[len(sealedPrefix) : sealedHeadLen-1]
}

// open unseals a value; legacy, when not nil, opens the legacy format.
func (k TOTPKeys) open(sealed string, legacy []byte) ([]byte, error) {
	id := keyIDOf(sealed)
	key, body := legacy, sealed
	if id != "" {
		key, body = k.keys[id], sealed[sealedHeadLen:]
		if key == nil {
			return nil, fmt.Errorf("%w (sealed under key id %s; SECRET_KEY is %s)", ErrUnknownTOTPKey, id, k.current)
		}
	} else if key == nil {
		return nil, fmt.Errorf("%w (sealed under the key earlier versions kept in the database, which is gone)", ErrUnknownTOTPKey)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return nil, err
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return nil, err
	}
	if len(raw) < gcm.NonceSize() {
		return nil, errors.New("sealed secret too short")
	}
	out, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte("totp"))
	if err != nil {
		return nil, fmt.Errorf("%w (key id %q does not open it)", ErrUnknownTOTPKey, id)
	}
	return out, nil
}

// seal encrypts a TOTP secret for storage under SECRET_KEY; open reverses it.
func (s *Service) seal(secret []byte) (string, error) { return s.totpKeys.seal(secret) }

func (s *Service) open(sealed string) ([]byte, error) { return s.totpKeys.open(sealed, nil) }

// CheckTOTPKeys refuses keys that cannot open the stored TOTP secrets: it
// names every key id found in the database that is neither SECRET_KEY nor
// in SECRET_KEY_OLD (a wrong or missing key), before any login fails on it.
func (s *Service) CheckTOTPKeys(ctx context.Context) error {
	heads, err := s.store.sealedHeads(ctx, sealedHeadLen)
	if err != nil {
		return err
	}
	var unknown []string
	for _, head := range heads {
		id := keyIDOf(head + "x")
		switch {
		case id == "":
			unknown = append(unknown, "the key earlier versions kept in the database")
		case s.totpKeys.keys[id] == nil:
			unknown = append(unknown, "key id "+id)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%w: stored TOTP secrets are sealed under %s; SECRET_KEY (key id %s) cannot open them: set SECRET_KEY to the key they were sealed with, or list it in SECRET_KEY_OLD",
			ErrUnknownTOTPKey, strings.Join(unknown, ", "), s.totpKeys.current)
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
			if col.value == "" || keyIDOf(col.value) == s.totpKeys.current {
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
