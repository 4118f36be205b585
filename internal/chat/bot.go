package chat

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Passage is one retrieved piece of the knowledge base. Its text is data
// to quote, never instructions to follow: whoever builds a prompt from it
// must delimit it as such.
type Passage struct {
	Source Source
	// Text is an FAQ entry's answer, or a post's or project's snippet
	// (plain text).
	Text string
	// Confidence is how well the visitor's message matches an FAQ entry's
	// question or phrasings (Confidence); 0 for posts and projects.
	Confidence float64
	Lang       Lang
}

// AnswerInput is what an Answerer is given: the visitor's message, the
// conversation so far (oldest first, the message last) and the passages
// retrieved for it, best first. Only FAQ entries and published posts and
// projects are ever retrieved: nothing of orders, users or drafts.
type AnswerInput struct {
	Lang     Lang
	Message  string
	History  []Message
	Passages []Passage
}

// AnswerOutput is an Answerer's answer. Handoff asks for a person instead
// (the text, when given, is said first).
type AnswerOutput struct {
	Text    string
	Sources []Source
	Handoff bool
}

// Answerer writes the bot's answer from the retrieved passages: the seam
// where a language model plugs in (the server sets one with SetAnswerer
// when an AI provider is configured). Token, when the answer is written in
// pieces, is told each piece as it comes (reserved for the stream's
// `event: token`; not relayed yet). An error makes the bot answer as it
// does without an Answerer: from FAQ entries alone.
type Answerer interface {
	Answer(ctx context.Context, in AnswerInput, token func(text string)) (AnswerOutput, error)
}

// retrieval bounds: FAQ candidates the index ranks before confidence is
// judged, and posts and projects cited beside an answer.
const (
	faqCandidates = 10
	contentCited  = 2
)

// retrieve finds the passages for a message: FAQ entries (with their
// confidence; the conversation's language first, then by confidence) and
// published posts and projects (the conversation's language first), all
// from the index's public scope.
func (s *Service) retrieve(ctx context.Context, lang Lang, message string) ([]Passage, error) {
	text := queryText(message)
	if text == "" {
		return nil, nil
	}
	hits, err := s.index.Search(ctx, search.Query{Text: text, Scope: search.Public, Kinds: []string{faqKind},
		Limit: faqCandidates, Any: true})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(hits))
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	entries, err := faqsByID(ctx, s.db.Reader(), ids)
	if err != nil {
		return nil, err
	}
	var faq []Passage
	for _, id := range ids {
		e, ok := entries[id]
		if !ok {
			continue
		}
		faq = append(faq, Passage{Source: Source{Type: faqKind, Slug: strconv.FormatInt(e.ID, 10), Title: e.Question},
			Text: e.Answer, Lang: e.Lang, Confidence: Confidence(message, append([]string{e.Question}, e.Phrasings...)...)})
	}
	slices.SortStableFunc(faq, func(a, b Passage) int {
		if (a.Lang == lang) != (b.Lang == lang) {
			if a.Lang == lang {
				return -1
			}
			return 1
		}
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	content, err := s.index.Search(ctx, search.Query{Text: text, Scope: search.Public, Kinds: []string{"post", "project"},
		Lang: string(lang), Limit: contentCited, Any: true})
	if err != nil {
		return nil, err
	}
	if len(content) == 0 {
		if content, err = s.index.Search(ctx, search.Query{Text: text, Scope: search.Public, Kinds: []string{"post", "project"},
			Limit: contentCited, Any: true}); err != nil {
			return nil, err
		}
	}
	out := faq
	for _, h := range content {
		out = append(out, Passage{Source: s.contentSource(h), Text: plainSnippet(h.SnippetHTML)})
	}
	return out, nil
}

// contentSource is the citation of a post or project hit, linking to it on
// the website in its language.
func (s *Service) contentSource(h search.Hit) Source {
	path := s.cfg.PostPath
	if h.Kind == "project" {
		path = s.cfg.ProjectPath
	}
	link := ""
	if path != "" {
		link = s.cfg.SiteURL + strings.NewReplacer("{lang}", url.PathEscape(h.Lang), "{slug}", url.PathEscape(h.Slug)).Replace(path)
	}
	return Source{Type: h.Kind, Slug: h.Slug, Title: h.Title, URL: link}
}

// plainSnippet drops the <mark> of a snippet and undoes its escaping.
func plainSnippet(html string) string {
	return strings.NewReplacer("<mark>", "", "</mark>", "", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#34;", `"`,
		"&#39;", "'", "&amp;", "&").Replace(html)
}

// The bot's own words.
var botText = map[Lang]struct{ handoff, askAgain, handoffAsked string }{
	Fa: {
		handoff:      "پاسخ مطمئنی برای این پرسش پیدا نکردم. گفتگو را به یکی از همکارانمان سپردم؛ به\u200cزودی همین\u200cجا پاسخ می\u200cدهند.",
		askAgain:     "سلام! پرسشتان را بنویسید تا از میان پرسش\u200cهای پرتکرار و نوشته\u200cهای سایت پاسخ بدهم.",
		handoffAsked: "گفتگو را به یکی از همکارانمان سپردم؛ به\u200cزودی همین\u200cجا پاسخ می\u200cدهند.",
	},
	En: {
		handoff:      "I couldn't find a sure answer to that, so I've asked a person from our team to join; they will reply here soon.",
		askAgain:     "Hello! Write your question and I'll answer from our FAQ and the site's pages.",
		handoffAsked: "I've asked a person from our team to join; they will reply here soon.",
	},
}

// reply is what the bot says to a message, and whether it hands off.
type reply struct {
	text    string
	sources []Source
	handoff bool
}

// decide is the bot's answer without a language model: the best FAQ entry
// at or above Threshold (the conversation's language first), citing it and
// the posts and projects retrieved; else an offer of a person, citing the
// posts and projects that may help meanwhile. A message with no content
// words ("hi") is asked to say what it wants.
func decide(lang Lang, message string, passages []Passage) reply {
	words := botText[lang]
	if queryText(message) == "" {
		return reply{text: words.askAgain}
	}
	var content []Source
	for _, p := range passages {
		if p.Source.Type != faqKind {
			content = append(content, p.Source)
		}
	}
	var best *Passage
	for i, p := range passages {
		if p.Source.Type != faqKind || p.Confidence < Threshold {
			continue
		}
		if best == nil || p.Lang == lang && best.Lang != lang || p.Lang == best.Lang && p.Confidence > best.Confidence {
			best = &passages[i]
		}
	}
	if best == nil {
		return reply{text: words.handoff, sources: content, handoff: true}
	}
	return reply{text: best.Text, sources: append([]Source{best.Source}, content...)}
}
