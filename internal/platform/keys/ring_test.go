package keys

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var errTestUnknown = errors.New("unknown test key")

func testUse(prefix, purpose, aad string) Use {
	return Use{Prefix: prefix, Purpose: purpose, AAD: []byte(aad), ErrUnknown: errTestUnknown}
}

func TestRingSealsUnderTheCurrentKeyAndOpensUnderOldOnes(t *testing.T) {
	use := testUse("t1:", "test purpose", "test")
	oldKey, newKey, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	sealed, err := NewRing(use, oldKey).Seal([]byte("secret"))
	if err != nil || !strings.HasPrefix(sealed, "t1:") || len(NewRing(use, oldKey).KeyID(sealed)) != KeyIDLen {
		t.Fatalf("sealed %q, %v", sealed, err)
	}
	rotated := NewRing(use, newKey, oldKey)
	if got, err := rotated.Open(sealed); err != nil || string(got) != "secret" {
		t.Fatalf("old key after rotation: %q, %v", got, err)
	}
	if rotated.KeyID(sealed) == rotated.CurrentID() || !rotated.Knows(rotated.KeyID(sealed)) {
		t.Fatal("a value under SECRET_KEY_OLD should be named as not current yet known")
	}
	if _, err := NewRing(use, other).Open(sealed); !errors.Is(err, errTestUnknown) {
		t.Fatalf("unknown key: %v", err)
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := NewRing(use, oldKey).Open(tampered); !errors.Is(err, errTestUnknown) {
		t.Fatalf("tampered value: %v", err)
	}
	// the additional data binds a value to its use
	if _, err := NewRing(testUse("t1:", "test purpose", "another use"), oldKey).Open(sealed); !errors.Is(err, errTestUnknown) {
		t.Fatalf("other use: %v", err)
	}
	for _, bad := range []string{"", "t1:", "plain", "t2:" + sealed[3:], "t1:abc:xyz"} {
		if NewRing(use, oldKey).KeyID(bad) != "" {
			t.Errorf("KeyID(%q) should be empty", bad)
		}
		if _, err := NewRing(use, oldKey).Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

// Values sealed by the TOTP and webhook code before they shared the ring
// still open: same key derivation, format and additional data.
func TestRingOpensValuesSealedBeforeIt(t *testing.T) {
	key := bytes.Repeat([]byte{'k'}, 32)
	for _, c := range []struct {
		use          Use
		sealed, want string
	}{
		{testUse("w1:", "pishkhan webhook secrets v1", "pishkhan webhook secret"),
			"w1:c53195c7:U8mwgyXOgKk/T7spscSQKxZUC7txdCoSRb3C58tlF6pPoKhc9HkzBQ", "whsec_compat"},
		{testUse("v2:", "pishkhan totp secrets v2", "totp"),
			"v2:c53195c7:pyNromQDKl6ZbV0ZrWhwoKn/fPLJrXDC2ovWuCQkKNTXCc3hMa3e", "totp-compat"},
	} {
		got, err := NewRing(c.use, key).Open(c.sealed)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %q, %v", c.use.Prefix, got, err)
		}
	}
}
