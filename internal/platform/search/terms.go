package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A term is one normalised word: a run of letters and digits of Normalize's
// output (combining marks dropped), at most maxTermRunes long. Terms are the
// only thing either engine's full-text index ever sees: the indexed text is
// terms separated by spaces, and queries are built from terms alone, so
// nothing a user types reaches an engine's query syntax.
const maxTermRunes = 64

// maxQueryTerms bounds the work one query asks of the engine; words past it
// are ignored.
const maxQueryTerms = 12

// maxIndexedBytes bounds the text indexed per field (PostgreSQL refuses a
// tsvector over 1 MB); the rest of a very long body is stored for snippets
// but not searchable.
const maxIndexedBytes = 256 << 10

// Persian writes some affixes joined to their word, apart from it, or
// apart with a ZWNJ ("کتاب‌ها", "کتابها", "کتاب ها"). These are the ones
// joined to the next word (prefixes) or to the previous one (suffixes) when
// indexing and querying, so that the three spellings find each other.
var (
	prefixes = map[string]bool{"می": true, "نمی": true, "بی": true}
	suffixes = map[string]bool{
		"ها": true, "های": true, "هایی": true, "هایم": true, "هایت": true, "هایش": true,
		"هایمان": true, "هایتان": true, "هایشان": true, "تر": true, "ترین": true,
		"ام": true, "ات": true, "اش": true, "ای": true, "ایم": true, "اید": true, "اند": true,
	}
)

// splitTerms appends the terms of one whitespace-separated word of raw
// text (after Normalize, whose ZWNJ→space and punctuation split it into
// parts) to dst.
func splitTerms(dst []string, word string) []string {
	n := Normalize(word)
	var b strings.Builder
	runes := 0
	flush := func() {
		if b.Len() > 0 {
			dst = append(dst, b.String())
			b.Reset()
		}
		runes = 0
	}
	for _, r := range n {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if runes < maxTermRunes {
				b.WriteRune(r)
				runes++
			}
		case unicode.IsMark(r):
			// combining marks never split or end a term
		default:
			flush()
		}
	}
	flush()
	return dst
}

// rawWords splits s at whitespace (not at ZWNJ, which joins the parts of
// one written word).
func rawWords(s string) []string {
	return strings.FieldsFunc(s, unicode.IsSpace)
}

// affixPair reports whether two adjacent one-part words are written apart
// but may be written as one ("می خواهم", "کتاب ها").
func affixPair(a, b string) bool { return prefixes[a] || suffixes[b] }

// indexTerms is the text an engine indexes for s: its terms in order,
// separated by spaces, and after the parts of each word written with a ZWNJ
// or punctuation inside ("کتاب‌ها", "e-mail") or of an affix pair written
// apart ("کتاب ها"), their joined form ("کتابها", "email").
func indexTerms(s string) string {
	if len(s) > maxIndexedBytes {
		s = s[:maxIndexedBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	var out []string
	prev := "" // the previous word when it was a single term
	var parts []string
	for _, w := range rawWords(s) {
		parts = splitTerms(parts[:0], w)
		if len(parts) == 0 {
			prev = ""
			continue
		}
		out = append(out, parts...)
		if len(parts) > 1 {
			out = append(out, joinTerm(parts))
			prev = ""
			continue
		}
		if prev != "" && affixPair(prev, parts[0]) {
			out = append(out, joinTerm([]string{prev, parts[0]}))
		}
		prev = parts[0]
	}
	return strings.Join(out, " ")
}

// Words returns the words of s, each in one written form: a word written
// in parts (with a ZWNJ or punctuation inside, "کتاب‌ها", "e-mail") or as
// an affix pair apart ("کتاب ها", "می خواهم") is its joined form only
// ("کتابها", "email", "میخواهم"), so that every spelling of a text gives
// the same words. For comparing two texts word by word (the chatbot's
// confidence in an answer); the index itself keeps the parts too.
func Words(s string) []string {
	var out []string
	single := false // the last word out was one term, written alone
	for _, w := range rawWords(s) {
		parts := splitTerms(nil, w)
		switch {
		case len(parts) == 0:
			single = false
		case len(parts) > 1:
			out = append(out, joinTerm(parts))
			single = false
		case single && affixPair(out[len(out)-1], parts[0]):
			out[len(out)-1] = joinTerm([]string{out[len(out)-1], parts[0]})
			single = false
		default:
			out = append(out, parts[0])
			single = true
		}
	}
	return out
}

func joinTerm(parts []string) string {
	j := strings.Join(parts, "")
	if utf8.RuneCountInString(j) > maxTermRunes {
		r := []rune(j)
		j = string(r[:maxTermRunes])
	}
	return j
}

// A group is one word of a query: it matches a document containing any of
// its alternatives, each a phrase of terms (one term, or the parts of a word
// written with a ZWNJ or apart). A query matches documents matching every
// group.
type group struct {
	alts [][]string
	// prefix: the last term of each alternative also matches longer terms
	// ("برنام" finds "برنامه"): set on the query's last word while it is
	// still being typed.
	prefix bool
}

// parseQuery turns what a user typed into groups. It never fails; text with
// no letters or digits has no groups (and finds nothing).
func parseQuery(text string) []group {
	var groups []group
	count := 0
	var lastSingle string // the previous group when it was one word of one term
	for _, w := range rawWords(text) {
		parts := splitTerms(nil, w)
		if len(parts) == 0 {
			lastSingle = ""
			continue
		}
		if count+len(parts) > maxQueryTerms {
			break
		}
		count += len(parts)
		if len(parts) > 1 {
			groups = append(groups, group{alts: [][]string{parts, {joinTerm(parts)}}})
			lastSingle = ""
			continue
		}
		if lastSingle != "" && affixPair(lastSingle, parts[0]) {
			// "کتاب ها": the two words, adjacent, or written as one
			pair := []string{lastSingle, parts[0]}
			groups[len(groups)-1] = group{alts: [][]string{pair, {joinTerm(pair)}}}
			lastSingle = ""
			continue
		}
		groups = append(groups, group{alts: [][]string{{parts[0]}}})
		lastSingle = parts[0]
	}
	if len(groups) > 0 && !endsInSpace(text) {
		// (prefixOn leaves out terms shorter than minPrefixRunes)
		groups[len(groups)-1].prefix = true
	}
	return groups
}

func endsInSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// minPrefixRunes is the shortest term matched as a prefix: shorter ones
// ("در", "th") start too many words to narrow anything, and cost the most.
const minPrefixRunes = 3

// prefixOn reports whether the alternative's last term is matched as a
// prefix.
func (g group) prefixOn(alt []string) bool {
	return g.prefix && utf8.RuneCountInString(alt[len(alt)-1]) >= minPrefixRunes
}

// fts5Match writes the groups in FTS5's query syntax, confined to the
// title, tags and body columns: every term a quoted string (terms hold only
// letters and digits, so no quote can end one early), phrases as one quoted
// string, alternatives joined by OR, groups by AND (by OR when anyWord).
func fts5Match(groups []group, anyWord bool) string {
	join := " AND "
	if anyWord {
		join = " OR "
	}
	var b strings.Builder
	b.WriteString("{title tags body} : (")
	for i, g := range groups {
		if i > 0 {
			b.WriteString(join)
		}
		b.WriteByte('(')
		for j, a := range g.alts {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(strings.Join(a, " "), `"`, `""`))
			b.WriteByte('"')
			if g.prefixOn(a) {
				b.WriteByte('*')
			}
		}
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return b.String()
}

// tsQuery writes the groups in PostgreSQL's to_tsquery syntax: every term
// a quoted lexeme (quotes and backslashes escaped, though terms hold
// neither), phrases with <->, alternatives joined by |, groups by & (by |
// when any).
func tsQuery(groups []group, anyWord bool) string {
	join := " & "
	if anyWord {
		join = " | "
	}
	var b strings.Builder
	quote := func(t string) {
		b.WriteByte('\'')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t))
		b.WriteByte('\'')
	}
	for i, g := range groups {
		if i > 0 {
			b.WriteString(join)
		}
		b.WriteByte('(')
		for j, a := range g.alts {
			if j > 0 {
				b.WriteString(" | ")
			}
			if len(a) > 1 {
				b.WriteByte('(')
			}
			for k, t := range a {
				if k > 0 {
					b.WriteString(" <-> ")
				}
				quote(t)
				if k == len(a)-1 && g.prefixOn(a) {
					b.WriteString(":*")
				}
			}
			if len(a) > 1 {
				b.WriteByte(')')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
