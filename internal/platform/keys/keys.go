// Package keys derives the keys each use of SECRET_KEY needs, so that no
// two uses share a key and none of them is SECRET_KEY itself.
package keys

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Derive returns the key of secret for one purpose: HMAC-SHA256(secret,
// purpose). A purpose names one use for good; changing it changes the key.
func Derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
