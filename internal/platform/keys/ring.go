package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// A Use names one kind of value sealed under SECRET_KEY: its format prefix
// ("v2:"), the purpose its key is derived for, the additional data that
// binds a sealed value to this use, and the error (wrapped) for a value no
// key of the ring opens.
type Use struct {
	Prefix     string
	Purpose    string
	AAD        []byte
	ErrUnknown error
}

// KeyIDLen is the length of a key id: 8 hex digits naming a SECRET_KEY.
const KeyIDLen = 8

// A Ring seals values (AES-256-GCM) under a key derived from SECRET_KEY and
// opens those sealed under it or under an earlier SECRET_KEY still
// accepted (SECRET_KEY_OLD). A sealed value reads
// "<prefix><key id>:<base64 nonce+ciphertext>"; the key id names the
// SECRET_KEY it was sealed under, so a rotation knows what is left to
// re-seal and a wrong key is named rather than failing obscurely.
type Ring struct {
	use     Use
	current string            // key id of the sealing key
	keys    map[string][]byte // key id → AES-256 key
}

// NewRing derives the ring of use from SECRET_KEY (current) and the
// earlier SECRET_KEYs still accepted (old).
func NewRing(use Use, current []byte, old ...[]byte) Ring {
	r := Ring{use: use, keys: map[string][]byte{}}
	for i, secret := range append([][]byte{current}, old...) {
		id := hex.EncodeToString(Derive(secret, "pishkhan key id")[:KeyIDLen/2])
		if i == 0 {
			r.current = id
		}
		r.keys[id] = Derive(secret, use.Purpose)
	}
	return r
}

// CurrentID is the key id of SECRET_KEY.
func (r Ring) CurrentID() string { return r.current }

// Knows reports whether the ring holds the key named id.
func (r Ring) Knows(id string) bool { return r.keys[id] != nil }

// HeadLen is the length of a sealed value's head, "<prefix><key id>:".
func (r Ring) HeadLen() int { return len(r.use.Prefix) + KeyIDLen + 1 }

// KeyID returns the key id a value is sealed under, "" when it is not in
// the sealed format.
func (r Ring) KeyID(sealed string) string {
	head := r.HeadLen()
	if !strings.HasPrefix(sealed, r.use.Prefix) || len(sealed) < head || sealed[head-1] != ':' {
		return ""
	}
	return sealed[len(r.use.Prefix) : head-1]
}

// Seal encrypts plain under SECRET_KEY.
func (r Ring) Seal(plain []byte) (string, error) {
	key, ok := r.keys[r.current]
	if !ok {
		return "", errors.New("no SECRET_KEY to seal with")
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return r.use.Prefix + r.current + ":" + base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, plain, r.use.AAD)), nil
}

// Open decrypts a sealed value. A value not in the sealed format is an
// error; one under a key the ring does not hold, or that its key does not
// open, wraps the use's ErrUnknown.
func (r Ring) Open(sealed string) ([]byte, error) {
	id := r.KeyID(sealed)
	if id == "" {
		return nil, errors.New("a value is not in the sealed format")
	}
	key := r.keys[id]
	if key == nil {
		return nil, fmt.Errorf("%w (sealed under key id %s; SECRET_KEY is %s)", r.use.ErrUnknown, id, r.current)
	}
	out, err := r.OpenUnder(key, sealed[r.HeadLen():])
	if errors.Is(err, ErrNotOpened) {
		return nil, fmt.Errorf("%w (key id %q does not open it)", r.use.ErrUnknown, id)
	}
	return out, err
}

// ErrNotOpened means a key does not open a sealed value (the wrong key, or
// the value was altered).
var ErrNotOpened = errors.New("the key does not open the sealed value")

// OpenUnder decrypts the base64 nonce+ciphertext body with key directly,
// for values sealed before the format named its key.
func (r Ring) OpenUnder(key []byte, body string) ([]byte, error) {
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return nil, err
	}
	gcm, err := gcmOf(key)
	if err != nil {
		return nil, err
	}
	if len(raw) < gcm.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	out, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], r.use.AAD)
	if err != nil {
		return nil, ErrNotOpened
	}
	return out, nil
}

func gcmOf(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
