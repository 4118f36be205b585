package auth

import (
	"strings"
	"testing"
)

func TestCommonPasswordsData(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(commonPasswordsData, "\n"), "\n")
	if len(lines) != 10000 {
		t.Fatalf("data file has %d lines, want 10000", len(lines))
	}
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			t.Errorf("line %d is empty", i+1)
		}
		if seen[l] {
			t.Errorf("line %d: duplicate entry %q", i+1, l)
		}
		seen[l] = true
	}
	if n := len(commonPasswords()); n != 10000 {
		t.Errorf("set has %d entries, want 10000", n)
	}
}

func TestIsCommonPassword(t *testing.T) {
	for _, pw := range []string{"123456", "password", "qwerty", "PassWord", "QWERTY", "  password\t"} {
		if !isCommonPassword(pw) {
			t.Errorf("isCommonPassword(%q) = false, want true", pw)
		}
	}
	for _, pw := range []string{"violet-tundra-cobalt-9184", "", "   "} {
		if isCommonPassword(pw) {
			t.Errorf("isCommonPassword(%q) = true, want false", pw)
		}
	}
}
