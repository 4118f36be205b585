package content

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// PreviewKeyPurpose names the preview links' key (keys.Derive of SECRET_KEY).
const PreviewKeyPurpose = "pishkhan content preview v1"

// MaxPreviewTTL bounds how long a preview link lives.
const MaxPreviewTTL = 7 * 24 * time.Hour

// ErrBadPreview is any preview token that is malformed, tampered with or
// expired. Callers answer 404 NOT_FOUND for it, never saying which.
var ErrBadPreview = errors.New("invalid or expired preview token")

// A PreviewSigner makes and checks preview tokens: a post's id and an
// expiry, signed with HMAC-SHA256 under a key derived from SECRET_KEY. A
// token shows the post's latest version, draft or not, until it expires.
type PreviewSigner struct{ key []byte }

// NewPreviewSigner returns the signer for secret (SECRET_KEY).
func NewPreviewSigner(secret []byte) *PreviewSigner {
	return &PreviewSigner{key: keys.Derive(secret, PreviewKeyPurpose)}
}

const previewPayload = 1 + 8 + 8 // kind, id, unix expiry

// Sign returns the token for item id of kind ('p' post, 'j' project),
// valid until expires.
func (s *PreviewSigner) Sign(kind byte, id int64, expires time.Time) string {
	b := make([]byte, previewPayload, previewPayload+sha256.Size)
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:], uint64(id))
	binary.BigEndian.PutUint64(b[9:], uint64(expires.Unix()))
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b))
}

// Verify returns the kind and id token names, or ErrBadPreview.
func (s *PreviewSigner) Verify(token string, now time.Time) (kind byte, id int64, err error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token) // Strict: one spelling per token
	if err != nil || len(b) != previewPayload+sha256.Size {
		return 0, 0, ErrBadPreview
	}
	m := hmac.New(sha256.New, s.key)
	m.Write(b[:previewPayload])
	if !hmac.Equal(m.Sum(nil), b[previewPayload:]) {
		return 0, 0, ErrBadPreview
	}
	id = int64(binary.BigEndian.Uint64(b[1:]))
	if id <= 0 || now.Unix() >= int64(binary.BigEndian.Uint64(b[9:])) {
		return 0, 0, ErrBadPreview
	}
	return b[0], id, nil
}
