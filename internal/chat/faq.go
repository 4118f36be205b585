package chat

import (
	"fmt"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// FAQ is one entry of the knowledge base: a question in one language, its
// answer, and other ways visitors ask it.
type FAQ struct {
	ID        int64     `json:"id"`
	Lang      Lang      `json:"lang"`
	Question  string    `json:"question"`
	Answer    string    `json:"answer" doc:"plain text, shown to visitors as written"`
	Phrasings []string  `json:"phrasings" doc:"other ways of asking the question; the bot matches them like the question"`
	CreatedBy *Actor    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FAQInput is the body of POST /api/faq.
type FAQInput struct {
	Lang      Lang     `json:"lang"`
	Question  string   `json:"question"`
	Answer    string   `json:"answer"`
	Phrasings []string `json:"phrasings,omitempty"`
}

// Validate names every bad field.
func (in FAQInput) Validate() error {
	fe, reasons := apperr.FieldErrors{}, map[string]string{}
	if !in.Lang.Known() {
		fieldErr(fe, reasons, apperr.FieldReason("lang", "must be fa or en", "invalid"))
	}
	fieldErr(fe, reasons, checkText("question", in.Question, MaxQuestion, true))
	fieldErr(fe, reasons, checkText("answer", in.Answer, MaxAnswer, true))
	checkPhrasings(fe, reasons, in.Phrasings)
	return validation(fe, reasons)
}

// FAQPatch is the body of PATCH /api/faq/{id}: only what it names changes.
type FAQPatch struct {
	Lang      *Lang     `json:"lang,omitempty"`
	Question  *string   `json:"question,omitempty"`
	Answer    *string   `json:"answer,omitempty"`
	Phrasings *[]string `json:"phrasings,omitempty" doc:"replaces the phrasings; [] removes them"`
}

// Validate names every bad field.
func (in FAQPatch) Validate() error {
	fe, reasons := apperr.FieldErrors{}, map[string]string{}
	if in.Lang != nil && !in.Lang.Known() {
		fieldErr(fe, reasons, apperr.FieldReason("lang", "must be fa or en", "invalid"))
	}
	if in.Question != nil {
		fieldErr(fe, reasons, checkText("question", *in.Question, MaxQuestion, true))
	}
	if in.Answer != nil {
		fieldErr(fe, reasons, checkText("answer", *in.Answer, MaxAnswer, true))
	}
	if in.Phrasings != nil {
		checkPhrasings(fe, reasons, *in.Phrasings)
	}
	return validation(fe, reasons)
}

func checkPhrasings(fe apperr.FieldErrors, reasons map[string]string, ps []string) {
	if len(ps) > MaxPhrasings {
		fieldErr(fe, reasons, apperr.FieldReason("phrasings", fmt.Sprintf("must be at most %d", MaxPhrasings), "too_many"))
		return
	}
	for i, p := range ps {
		field := fmt.Sprintf("phrasings[%d]", i)
		if strings.ContainsAny(p, "\r\n") {
			fieldErr(fe, reasons, apperr.FieldReason(field, "must be one line", "invalid"))
			continue
		}
		fieldErr(fe, reasons, checkText(field, p, MaxQuestion, true))
	}
}

// cleanPhrasings trims each phrasing and drops repeats, keeping the order.
func cleanPhrasings(ps []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, p := range ps {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// Canned is a canned reply agents insert.
type Canned struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Lang      Lang      `json:"lang"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CannedInput is the body of POST /api/chat/canned and PUT
// /api/chat/canned/{id} (the whole reply).
type CannedInput struct {
	Title string `json:"title"`
	Text  string `json:"text"`
	Lang  Lang   `json:"lang"`
}

// Validate names every bad field.
func (in CannedInput) Validate() error {
	fe, reasons := apperr.FieldErrors{}, map[string]string{}
	fieldErr(fe, reasons, checkText("title", in.Title, MaxTitle, true))
	fieldErr(fe, reasons, checkText("text", in.Text, MaxMessageRunes, true))
	if !in.Lang.Known() {
		fieldErr(fe, reasons, apperr.FieldReason("lang", "must be fa or en", "invalid"))
	}
	return validation(fe, reasons)
}

// ToFAQInput is the body of POST /api/chat/conversations/{id}/messages/{mid}/faq:
// an agent's reply becomes an FAQ entry's answer; the question is given, or
// the visitor's message just before the reply.
type ToFAQInput struct {
	Question  *string  `json:"question,omitempty" doc:"default: the visitor's last message before the reply"`
	Phrasings []string `json:"phrasings,omitempty"`
}
