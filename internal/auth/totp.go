package auth

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP is defined over HMAC-SHA1; authenticator apps expect it
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"time"
)

// TOTP parameters every authenticator app understands (RFC 6238 defaults).
const (
	totpPeriod = 30 * time.Second
	totpDigits = 6
	// totpSkew is how many steps before or after now a code may be from.
	totpSkew = 1
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// totpStep is the time step containing t.
func totpStep(t time.Time) int64 { return t.Unix() / int64(totpPeriod/time.Second) }

// totpCode is the code of a secret at a time step (RFC 4226 truncation).
func totpCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1_000_000)
}

// totpMatch returns the step within ±totpSkew of now whose code is code
// and that is later than lastStep (a used step never counts twice), or 0.
func totpMatch(secret []byte, code string, now time.Time, lastStep int64) int64 {
	if len(code) != totpDigits {
		return 0
	}
	cur := totpStep(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s > lastStep && hmac.Equal([]byte(totpCode(secret, s)), []byte(code)) {
			return s
		}
	}
	return 0
}

// otpauthURL is the enrolment URI authenticator apps read from a QR code.
func otpauthURL(secret []byte, account string) string {
	v := url.Values{}
	v.Set("secret", totpEncoding.EncodeToString(secret))
	v.Set("issuer", "Pishkhan")
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(totpDigits))
	v.Set("period", fmt.Sprint(int(totpPeriod/time.Second)))
	return "otpauth://totp/" + url.PathEscape("Pishkhan:"+account) + "?" + v.Encode()
}
