package chat

import (
	"net/url"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// faqQuery documents GET /api/faq's parameters.
var faqQuery = append([]httpapi.Param{{Name: "lang", Description: "only entries of this language", Enum: Lang("").EnumValues()}},
	httpapi.PageQuery...)

// conversationsQuery documents GET /api/chat/conversations's parameters.
var conversationsQuery = append([]httpapi.Param{{Name: "state", Description: "only conversations in this state",
	Enum: State("").EnumValues()}}, httpapi.PageQuery...)

// ParseFAQFilter reads ?lang=; an unknown language is 422 naming it.
func ParseFAQFilter(q url.Values) (FAQFilter, error) {
	var f FAQFilter
	if v := q.Get("lang"); v != "" {
		if f.Lang = Lang(v); !f.Lang.Known() {
			return f, apperr.FieldReason("lang", "must be fa or en", "invalid")
		}
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
