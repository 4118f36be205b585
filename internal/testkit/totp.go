package testkit

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 is HMAC-SHA1
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TOTP computes the six-digit RFC 6238 code of a base32 secret at t, as an
// authenticator app would: an oracle written apart from the server's.
func TOTP(secret string, t time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		panic(err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(counter[:])
	h := m.Sum(nil)
	o := h[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(h[o:])&0x7fffffff)%1000000)
}
