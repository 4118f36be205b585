package auth

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 rows, cut to six digits.
func TestTOTPMatchesTheRFCVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		if got := totpCode(secret, totpStep(time.Unix(unix, 0))); got != want {
			t.Errorf("T=%d: got %s, want %s", unix, got, want)
		}
	}
}

func TestTOTPSkewAndReplay(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	cur := totpStep(now)
	for _, d := range []int64{-1, 0, 1} {
		if got := totpMatch(secret, totpCode(secret, cur+d), now, 0); got != cur+d {
			t.Errorf("a code %d step(s) away: matched step %d, want %d", d, got, cur+d)
		}
	}
	for _, d := range []int64{-2, 2} {
		if got := totpMatch(secret, totpCode(secret, cur+d), now, 0); got != 0 {
			t.Errorf("a code %d steps away must not match (got step %d)", d, got)
		}
	}
	if got := totpMatch(secret, totpCode(secret, cur), now, cur); got != 0 {
		t.Error("a code of an already used step must not match again")
	}
	if got := totpMatch(secret, totpCode(secret, cur-1), now, cur); got != 0 {
		t.Error("a code older than the last used step must not match")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if totpMatch(secret, bad, now, 0) != 0 {
			t.Errorf("%q matched", bad)
		}
	}
}
