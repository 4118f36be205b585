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
	msg, _ := PasswordRule(pw, email)
	return msg
}

// PasswordRule is PasswordProblem with the stable reason of the broken
// rule (details.field_reasons): invalid_text, too_short, too_long, common
// or like_email; both are "" when pw is acceptable.
func PasswordRule(pw, email string) (msg, reason string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "must be valid text", "invalid_text"
	case n < MinPasswordLength:
		return "must be at least 8 characters (15 or more recommended)", "too_short"
	case n > MaxPasswordLength:
		return "must be at most 128 characters", "too_long"
	case isCommonPassword(pw):
		return "is one of the most common passwords; choose another", "common"
	case email != "" && (strings.EqualFold(strings.TrimSpace(pw), email) ||
		strings.EqualFold(strings.TrimSpace(pw), strings.SplitN(email, "@", 2)[0])):
		return "must not be your email address or its name part", "like_email"
	}
	return "", ""
}
