package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snippets are cut from the stored original text (so they keep the
// writer's ZWNJ, letters and case) in Go, the same on both engines: a word
// is marked when one of its terms, or its parts joined, is a query term (or
// starts with the query's prefix). Everything outside <mark> and </mark> is
// escaped with html.EscapeString, so a document's markup is only ever text.
const (
	snippetBefore = 8  // words kept before the first match
	snippetWords  = 32 // words in a snippet
)

type span struct{ start, end int } // byte offsets of one written word

// writtenWords finds the words of s: runs of letters, digits, marks and the
// joiners (ZWNJ, ZWJ, tatweel) that Persian writes inside a word.
func writtenWords(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
			r == '\u200c' || r == '\u200d' || r == 'ـ'
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

type highlighter struct {
	exact    map[string]bool
	prefixes []string
}

func newHighlighter(groups []group) highlighter {
	h := highlighter{exact: map[string]bool{}}
	for _, g := range groups {
		for _, a := range g.alts {
			for _, t := range a {
				h.exact[t] = true
			}
			if g.prefixOn(a) {
				h.prefixes = append(h.prefixes, a[len(a)-1])
			}
			h.exact[joinTerm(a)] = true
		}
	}
	return h
}

func (h highlighter) term(t string) bool {
	if h.exact[t] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func (h highlighter) matches(word string) bool {
	parts := splitTerms(nil, word)
	for _, p := range parts {
		if h.term(p) {
			return true
		}
	}
	return len(parts) > 1 && h.term(joinTerm(parts))
}

// snippet returns a window of text around its first match, as HTML holding
// only escaped text and <mark> elements; the text's beginning when nothing
// in it matches.
func (h highlighter) snippet(text string) string {
	words := writtenWords(text)
	if len(words) == 0 {
		return ""
	}
	// words repeat (a language's frequent words most of all): decide each
	// distinct word once
	seen := map[string]bool{}
	matches := func(w span) bool {
		word := text[w.start:w.end]
		m, ok := seen[word]
		if !ok {
			m = h.matches(word)
			seen[word] = m
		}
		return m
	}
	first := -1
	for i, w := range words {
		if matches(w) {
			first = i
			break
		}
	}
	from := 0
	if first > snippetBefore {
		from = first - snippetBefore
	}
	to := min(from+snippetWords, len(words))
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := words[from].start
	for _, w := range words[from:to] {
		b.WriteString(html.EscapeString(squash(text[pos:w.start])))
		word := html.EscapeString(text[w.start:w.end])
		if matches(w) {
			b.WriteString("<mark>" + word + "</mark>")
		} else {
			b.WriteString(word)
		}
		pos = w.end
	}
	if to < len(words) {
		b.WriteString(" …")
	} else {
		b.WriteString(html.EscapeString(strings.TrimRightFunc(text[pos:], unicode.IsSpace)))
	}
	return b.String()
}

// squash turns the text between two words into one line: runs of space
// (newlines included) become one space, and long runs of punctuation are
// cut.
func squash(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) && utf8.RuneCountInString(s) <= 8 {
		return s
	}
	f := strings.Fields(s)
	out := strings.Join(f, " ")
	if s != "" && unicode.IsSpace(rune(s[0])) {
		out = " " + out
	}
	if len(s) > 1 && unicode.IsSpace(rune(s[len(s)-1])) && out != " " {
		out += " "
	}
	if utf8.RuneCountInString(out) > 16 {
		r := []rune(out)
		out = string(r[:8]) + "…" + string(r[len(r)-8:])
	}
	return out
}
