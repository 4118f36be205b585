package chat

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// faqQuery documents GET /api/faq's parameters.
var faqQuery = append([]httpapi.Param{{Name: "lang", Description: "only entries of this language", Enum: Lang("").EnumValues()},
	{Name: "q", Description: "words of the question, its phrasings or the answer, matched as the bot matches them (Persian spellings folded; the last word also as a prefix)"}},
	httpapi.PageQuery...)

// conversationsQuery documents GET /api/chat/conversations's parameters.
var conversationsQuery = append([]httpapi.Param{{Name: "state", Description: "only conversations in this state",
	Enum: State("").EnumValues()}}, httpapi.PageQuery...)

// ParseFAQFilter reads ?lang= and ?q=; an unknown language, or a q over
// 200 characters or holding NUL or invalid UTF-8, is 422 naming it.
func ParseFAQFilter(q url.Values) (FAQFilter, error) {
	var f FAQFilter
	if v := q.Get("lang"); v != "" {
		if f.Lang = Lang(v); !f.Lang.Known() {
			return f, apperr.FieldReason("lang", "must be fa or en", "invalid")
		}
	}
	f.Q = strings.TrimSpace(q.Get("q"))
	switch {
	case !utf8.ValidString(f.Q) || strings.ContainsRune(f.Q, 0):
		return f, apperr.FieldReason("q", "must be text (UTF-8, no NUL)", "invalid")
	case utf8.RuneCountInString(f.Q) > 200:
		return f, apperr.FieldReason("q", "must be at most 200 characters", "too_long")
	}
	return f, nil
}

// ParseConversationFilter reads ?state=; an unknown state is 422 naming it.
func ParseConversationFilter(q url.Values) (ConversationFilter, error) {
	var f ConversationFilter
	if v := q.Get("state"); v != "" {
		if f.State = State(v); !f.State.Known() {
			return f, apperr.FieldReason("state", "must be one of bot, waiting, agent, resolved", "invalid")
		}
	}
	return f, nil
}
