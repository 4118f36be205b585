package auth

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswordsData is the list of the 10,000 most common passwords, one
// lower-cased entry per line in rank order. See data/README.md for its source
// and license.
//
//go:embed data/common-passwords.txt
var commonPasswordsData string

// commonPasswords returns the set of entries in commonPasswordsData. It is
// built on first use and shared afterwards; callers must not modify it.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for line := range strings.Lines(commonPasswordsData) {
		if w := strings.TrimSpace(line); w != "" {
			set[w] = struct{}{}
		}
	}
	return set
})

// isCommonPassword reports whether pw is one of the most common passwords.
// The comparison ignores letter case and any leading or trailing whitespace,
// so "  PassWord " counts as common.
func isCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}
