// Package etag computes the strong version tags of JSON bodies and
// compares them with a client's If-Match, so services can refuse a stale
// write (412) without knowing HTTP.
package etag

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Of returns the strong tag of a body: a quoted hash, as an ETag header
// carries it.
func Of(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// MatchesStrong reports whether an If-Match value names tag by strong
// comparison (RFC 9110 13.1.1): "*" matches, weak tags never do.
func MatchesStrong(ifMatch, tag string) bool {
	for _, part := range strings.Split(ifMatch, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || part == tag {
			return true
		}
	}
	return false
}
