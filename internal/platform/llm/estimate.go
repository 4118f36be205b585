package llm

import "unicode"

// EstimateTokens is a rough token count of text, for providers that report
// none: about four characters of Latin text per token, two letters of
// other scripts (Persian, Arabic) per token, a token per punctuation mark
// outside Latin text, at least one for any non-empty text. It leans high
// rather than low, so a budget is not overrun by underestimates.
func EstimateTokens(text string) int64 {
	var latin, other, marks int64
	for _, r := range text {
		switch {
		case r < 0x80:
			latin++
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			other++
		case unicode.IsSpace(r):
			latin++
		default:
			marks++
		}
	}
	n := (latin+3)/4 + (other+1)/2 + marks
	if n == 0 && text != "" {
		n = 1
	}
	return n
}

// perMessageTokens is the framing each chat message costs (role and separators).
const perMessageTokens = 4

// estimate is a chat's usage when the provider reported none.
func estimate(messages []Message, answer string) Usage {
	u := Usage{Estimated: true, OutputTokens: EstimateTokens(answer)}
	for _, m := range messages {
		u.InputTokens += perMessageTokens + EstimateTokens(m.Content)
	}
	return u
}
