package auth

import (
	"strings"
	"unicode/utf8"
)

// Password length bounds, in characters. The UI recommends 15 or more.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// PasswordProblem applies the password policy (NIST SP 800-63B: length,
// not composition rules; no common or context-specific passwords) and
// says what is wrong, or "" when pw is acceptable. email is the account's.
func PasswordProblem(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "must be valid text"
	case n < MinPasswordLength:
		return "must be at least 8 characters (15 or more recommended)"
	case n > MaxPasswordLength:
		return "must be at most 128 characters"
	case isCommonPassword(pw):
		return "is one of the most common passwords; choose another"
	case email != "" && (strings.EqualFold(strings.TrimSpace(pw), email) ||
		strings.EqualFold(strings.TrimSpace(pw), strings.SplitN(email, "@", 2)[0])):
		return "must not be your email address or its name part"
	}
	return ""
}
