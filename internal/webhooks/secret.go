package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// Signing secrets are stored sealed (AES-256-GCM) under a key derived from
// SECRET_KEY, which never enters the database, like the TOTP secrets of
// internal/auth. A sealed value reads "w1:<key id>:<base64 nonce+ciphertext>";
// the key id names the SECRET_KEY it was sealed under, so a value sealed
// under one of SECRET_KEY_OLD still opens after a rotation.

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

const sealedPrefix = "w1:"

// sealAAD binds a sealed value to this use: a value cut from another table
// sealed under the same key would not open.
var sealAAD = []byte("pishkhan webhook secret")

// ErrUnknownKey means a secret is sealed under a key that is neither
// SECRET_KEY nor one of SECRET_KEY_OLD.
var ErrUnknownKey = errors.New("a webhook secret is sealed under a key that is neither SECRET_KEY nor in SECRET_KEY_OLD")

// Sealer seals signing secrets under SECRET_KEY and opens those sealed under
// it or an earlier key.
type Sealer struct {
	current string
	keys    map[string][]byte
}

// NewSealer derives the keys from SECRET_KEY (current) and the earlier
// SECRET_KEYs still accepted (old).
func NewSealer(current []byte, old ...[]byte) Sealer {
	s := Sealer{keys: map[string][]byte{}}
	for i, secret := range append([][]byte{current}, old...) {
		id := hex.EncodeToString(keys.Derive(secret, "pishkhan key id")[:4])
		if i == 0 {
			s.current = id
		}
		s.keys[id] = keys.Derive(secret, "pishkhan webhook secrets v1")
	}
	return s
}

func gcmOf(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts a signing secret for storage.
func (s Sealer) Seal(secret string) (string, error) {
	key, ok := s.keys[s.current]
	if !ok {
		return "", errors.New("no SECRET_KEY to seal webhook secrets with")
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + s.current + ":" + base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(secret), sealAAD)), nil
}

// Open decrypts a sealed signing secret.
func (s Sealer) Open(sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	id, body, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return "", errors.New("a webhook secret is not in the sealed format")
	}
	key := s.keys[id]
	if key == nil {
		return "", fmt.Errorf("%w (sealed under key id %s; SECRET_KEY is %s)", ErrUnknownKey, id, s.current)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", err
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errors.New("sealed webhook secret too short")
	}
	out, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], sealAAD)
	if err != nil {
		return "", fmt.Errorf("%w (key id %q does not open it)", ErrUnknownKey, id)
	}
	return string(out), nil
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

// keyIDOf returns the key id a value is sealed under ("" when it is not
// in the sealed format).
func keyIDOf(sealed string) string {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	id, _, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return ""
	}
	return id
}
