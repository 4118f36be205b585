package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// Signing secrets are stored sealed (AES-256-GCM) under a key derived from
// SECRET_KEY, which never enters the database, like the TOTP secrets of
// internal/auth. A sealed value reads "w1:<key id>:<base64 nonce+ciphertext>";
// the key id names the SECRET_KEY it was sealed under, so a value sealed
// under one of SECRET_KEY_OLD still opens after a rotation.

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// sealUse is how signing secrets are sealed (the "w1:" format); the
// additional data binds a sealed value to this use: a value cut from
// another table sealed under the same SECRET_KEY would not open.
var sealUse = keys.Use{Prefix: "w1:", Purpose: "pishkhan webhook secrets v1", AAD: []byte("pishkhan webhook secret"), ErrUnknown: ErrUnknownKey}

// ErrUnknownKey means a secret is sealed under a key that is neither
// SECRET_KEY nor one of SECRET_KEY_OLD.
var ErrUnknownKey = errors.New("a webhook secret is sealed under a key that is neither SECRET_KEY nor in SECRET_KEY_OLD")

// Sealer seals signing secrets under SECRET_KEY and opens those sealed under
// it or an earlier key.
type Sealer struct{ ring keys.Ring }

// NewSealer derives the keys from SECRET_KEY (current) and the earlier
// SECRET_KEYs still accepted (old).
func NewSealer(current []byte, old ...[]byte) Sealer {
	return Sealer{ring: keys.NewRing(sealUse, current, old...)}
}

// Seal encrypts a signing secret for storage.
func (s Sealer) Seal(secret string) (string, error) { return s.ring.Seal([]byte(secret)) }

// Open decrypts a sealed signing secret.
func (s Sealer) Open(sealed string) (string, error) {
	out, err := s.ring.Open(sealed)
	return string(out), err
}

// newSecret returns a fresh signing secret: whsec_ and 32 random bytes in hex.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + hex.EncodeToString(b), nil
}

// hintOf is what the panel shows of a secret: its prefix and last four
// characters (16 of its 256 bits).
func hintOf(secret string) string {
	if len(secret) < len(SecretPrefix)+8 {
		return SecretPrefix + "…"
	}
	return SecretPrefix + "…" + secret[len(secret)-4:]
}

// Sign is the X-Pishkhan-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of the raw body keyed with the secret string as shown to the
// admin (prefix included).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
