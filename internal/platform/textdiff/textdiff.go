// Package textdiff compares two versions of a text word by word, for the
// revision history's readable diff. It is right-to-left aware in the sense
// that matters to the data: a diff never splits inside a word or a
// grapheme (a letter and its marks, a ZWJ emoji sequence, a flag), Persian
// words written with ZWNJ (می‌خواهم) are one word, and Arabic and Persian
// punctuation (، ؛ ؟) separates words as Latin punctuation does. Which way
// a line runs is left to the reader: Lines groups the diff per line so the
// UI can set dir="auto" on each.
package textdiff

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what an Op does to the old text to make the new one.
type Kind string

const (
	Equal  Kind = "equal"  // in both
	Insert Kind = "insert" // only in the new text
	Delete Kind = "delete" // only in the old text
)

// EnumValues lists the kinds for the OpenAPI document.
func (Kind) EnumValues() []string { return []string{string(Equal), string(Insert), string(Delete)} }

// Op is one run of the diff. Joining the Text of the Equal and Delete ops,
// in order, gives the old text; of the Equal and Insert ops, the new one.
// Consecutive ops never have the same Kind, and in a changed stretch the
// Delete comes before the Insert.
type Op struct {
	Kind Kind   `json:"kind"`
	Text string `json:"text"`
}

// MaxTokens is the most tokens per side Words compares word by word;
// beyond it, the texts are compared line by line (each line one token).
const MaxTokens = 20000

// maxEdits bounds the exact (Myers) diff of one stretch: a stretch needing
// more insertions plus deletions is split at the tokens it has once on each
// side (patience anchors), up to maxDepth times, and what is left is shown
// as deleted and inserted whole. This keeps time O((n+m)·maxEdits·maxDepth)
// and memory O(maxEdits²) whatever the input.
const (
	maxEdits = 500
	maxDepth = 8
)

// Words returns the word-level diff that turns a into b. Tokens are words
// (letters, digits and marks, with ZWNJ and an apostrophe between letters
// inside), runs of spaces, line breaks, and single other graphemes
// (punctuation, symbols, emoji).
func Words(a, b string) []Op {
	ta, tb := Tokens(a), Tokens(b)
	if len(ta) > MaxTokens || len(tb) > MaxTokens {
		ta, tb = lines(a), lines(b)
	}
	ids := map[string]int{}
	intern := func(toks []string) []int {
		out := make([]int, len(toks))
		for i, t := range toks {
			id, ok := ids[t]
			if !ok {
				id = len(ids)
				ids[t] = id
			}
			out[i] = id
		}
		return out
	}
	ia, ib := intern(ta), intern(tb)
	var d differ
	d.diff(ia, ib, 0, 0, 0)
	return absorbSpaces(d.ops(ta, tb))
}

// absorbSpaces makes a run of spaces (no line break) kept between two
// changed stretches part of the change, so "15 زیاد" → "16 کم" reads as one
// replacement instead of two around a kept space.
func absorbSpaces(ops []Op) []Op {
	out := make([]Op, 0, len(ops))
	// change reports the delete and insert text of the changed stretch
	// ending at out's end, and how many ops it has (0, 1 or 2).
	change := func() (del, ins string, n int) {
		for i := len(out) - 1; i >= 0 && n < 2 && out[i].Kind != Equal; i-- {
			if out[i].Kind == Delete {
				del = out[i].Text
			} else {
				ins = out[i].Text
			}
			n++
		}
		return del, ins, n
	}
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		if op.Kind == Equal && i+1 < len(ops) && strings.TrimLeft(op.Text, " \t") == "" {
			if del, ins, n := change(); n > 0 {
				out = out[:len(out)-n]
				for i+1 < len(ops) && ops[i+1].Kind != Equal {
					i++
					if ops[i].Kind == Delete {
						del += op.Text + ops[i].Text
						op.Text, ins = "", ins+op.Text
					} else {
						ins += op.Text + ops[i].Text
						op.Text, del = "", del+op.Text
					}
				}
				out = appendChange(out, del, ins)
				continue
			}
		}
		out = append(out, op)
	}
	return out
}

func appendChange(out []Op, del, ins string) []Op {
	if del != "" {
		out = append(out, Op{Delete, del})
	}
	if ins != "" {
		out = append(out, Op{Insert, ins})
	}
	return out
}

// Line is the part of a diff on one line of the shown text (a line break
// ends the line it is on), for the UI to render with dir="auto".
type Line struct {
	Ops []Op `json:"ops"`
}

// Lines splits ops after every line break, keeping each op's Kind; the
// lines' ops, joined, are ops again.
func Lines(ops []Op) []Line {
	var out []Line
	var cur []Op
	for _, op := range ops {
		text := op.Text
		for text != "" {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				cur = append(cur, Op{op.Kind, text})
				break
			}
			cur = append(cur, Op{op.Kind, text[:i+1]})
			out = append(out, Line{Ops: cur})
			cur = nil
			text = text[i+1:]
		}
	}
	if len(cur) > 0 {
		out = append(out, Line{Ops: cur})
	}
	return out
}

// Tokens splits s as Words compares it; joining them gives s.
func Tokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		n := tokenLen(s[i:])
		toks = append(toks, s[i:i+n])
		i += n
	}
	return toks
}

func lines(s string) []string {
	toks := strings.SplitAfter(s, "\n")
	if toks[len(toks)-1] == "" {
		toks = toks[:len(toks)-1]
	}
	return toks
}

const (
	zwnj = '\u200c'
	zwj  = '\u200d'
)

type class int

const (
	word class = iota
	space
	newline
	other
)

func classOf(r rune) class {
	switch {
	case r == '\n' || r == '\r':
		return newline
	case r == zwnj || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return word
	case unicode.IsSpace(r):
		return space
	}
	return other
}

// tokenLen is the length in bytes of the token s starts with.
func tokenLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	switch classOf(r) {
	case newline:
		if strings.HasPrefix(s, "\r\n") {
			return 2
		}
		return n
	case space:
		i := n
		for i < len(s) {
			r, m := utf8.DecodeRuneInString(s[i:])
			if classOf(r) != space {
				break
			}
			i += m
		}
		return i
	case word:
		i := n
		for i < len(s) {
			r, m := utf8.DecodeRuneInString(s[i:])
			if classOf(r) == word || extends(r) {
				i += m
				continue
			}
			// An apostrophe between letters is part of the word: don't, l’eau.
			if r == '\'' || r == '’' {
				if next, _ := utf8.DecodeRuneInString(s[i+m:]); unicode.IsLetter(next) {
					i += m
					continue
				}
			}
			break
		}
		return i
	}
	return graphemeLen(s)
}

// extends reports a rune that belongs to the grapheme before it: marks,
// ZWJ, variation selectors, emoji skin tones and tag characters.
func extends(r rune) bool {
	return unicode.IsMark(r) || r == zwj || r >= 0xFE00 && r <= 0xFE0F ||
		r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

// graphemeLen approximates the extended grapheme cluster s starts with:
// a rune, its extending runes, the rune after each ZWJ, and a pair of
// regional indicators (a flag).
func graphemeLen(s string) int {
	r, i := utf8.DecodeRuneInString(s)
	if isRegional(r) {
		if r2, m := utf8.DecodeRuneInString(s[i:]); isRegional(r2) {
			i += m
		}
	}
	for i < len(s) {
		r, m := utf8.DecodeRuneInString(s[i:])
		if !extends(r) {
			break
		}
		i += m
		if r == zwj && i < len(s) {
			_, m := utf8.DecodeRuneInString(s[i:])
			i += m
		}
	}
	return i
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// differ collects edits: for each token, in order, whether it is kept,
// deleted from a or inserted from b.
type differ struct{ edits []edit }

type edit struct {
	kind Kind
	a, b int // token index in a (Equal, Delete) and b (Equal, Insert)
}

func (d *differ) diff(a, b []int, offA, offB, depth int) {
	// Common prefix and suffix.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		d.edits = append(d.edits, edit{Equal, offA + p, offB + p})
		p++
	}
	a, b, offA, offB = a[p:], b[p:], offA+p, offB+p
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ma, mb := a[:len(a)-s], b[:len(b)-s]
	switch {
	case len(ma) == 0 || len(mb) == 0:
		d.replace(len(ma), len(mb), offA, offB)
	case d.myers(ma, mb, offA, offB):
	case depth < maxDepth && d.anchored(ma, mb, offA, offB, depth):
	default:
		d.replace(len(ma), len(mb), offA, offB)
	}
	for i := 0; i < s; i++ {
		d.edits = append(d.edits, edit{Equal, offA + len(ma) + i, offB + len(mb) + i})
	}
}

func (d *differ) replace(na, nb, offA, offB int) {
	for i := 0; i < na; i++ {
		d.edits = append(d.edits, edit{Delete, offA + i, -1})
	}
	for i := 0; i < nb; i++ {
		d.edits = append(d.edits, edit{Insert, -1, offB + i})
	}
}

// myers appends the shortest edit script from a to b (Myers 1986) if it
// needs at most maxEdits insertions and deletions, and reports whether it did.
func (d *differ) myers(a, b []int, offA, offB int) bool {
	n, m := len(a), len(b)
	limit := min(maxEdits, n+m)
	v := make([]int, 2*limit+3)
	off := limit + 1
	var trace [][]int // trace[k]: v over diagonals -k..k after step k
	for step := 0; step <= limit; step++ {
		for k := -step; k <= step; k += 2 {
			var x int
			if k == -step || k != step && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				trace = append(trace, slices.Clone(v[off-step:off+step+1]))
				d.backtrack(trace, n, m, offA, offB)
				return true
			}
		}
		trace = append(trace, slices.Clone(v[off-step:off+step+1]))
	}
	return false
}

func (d *differ) backtrack(trace [][]int, n, m, offA, offB int) {
	var rev []edit
	x, y := n, m
	for step := len(trace) - 1; step > 0; step-- {
		prev := trace[step-1] // index k+step-1
		at := func(k int) int { return prev[k+step-1] }
		k := x - y
		var pk int
		if k == -step || k != step && at(k-1) < at(k+1) {
			pk = k + 1 // came by an insertion
		} else {
			pk = k - 1 // came by a deletion
		}
		px := at(pk)
		py := px - pk
		sx, sy := px, py+1 // where the snake began after the move
		if pk == k-1 {
			sx, sy = px+1, py
		}
		for x > sx && y > sy {
			x, y = x-1, y-1
			rev = append(rev, edit{Equal, offA + x, offB + y})
		}
		if pk == k+1 {
			rev = append(rev, edit{Insert, -1, offB + py})
		} else {
			rev = append(rev, edit{Delete, offA + px, -1})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, edit{Equal, offA + x, offB + y})
	}
	slices.Reverse(rev)
	d.edits = append(d.edits, rev...)
}

// anchored splits a and b at the tokens that occur once in each, keeping
// the longest run of them in the same order (patience diff), and diffs the
// stretches between; false when there is no such token.
func (d *differ) anchored(a, b []int, offA, offB, depth int) bool {
	type count struct{ na, nb, ia, ib int }
	counts := map[int]*count{}
	for i, t := range a {
		c := counts[t]
		if c == nil {
			c = &count{}
			counts[t] = c
		}
		c.na++
		c.ia = i
	}
	for i, t := range b {
		if c := counts[t]; c != nil {
			c.nb++
			c.ib = i
		}
	}
	type pair struct{ ia, ib int }
	var pairs []pair
	for i, t := range a {
		if c := counts[t]; c.na == 1 && c.nb == 1 {
			pairs = append(pairs, pair{i, c.ib})
		}
	}
	if len(pairs) == 0 {
		return false
	}
	// Longest increasing run of ib (pairs are in ia order).
	tails := []int{} // index into pairs of the smallest tail of each length
	prevOf := make([]int, len(pairs))
	for i, p := range pairs {
		j, _ := slices.BinarySearchFunc(tails, p.ib, func(t, ib int) int { return pairs[t].ib - ib })
		if j > 0 {
			prevOf[i] = tails[j-1]
		} else {
			prevOf[i] = -1
		}
		if j == len(tails) {
			tails = append(tails, i)
		} else {
			tails[j] = i
		}
	}
	var anchors []pair
	for i := tails[len(tails)-1]; i >= 0; i = prevOf[i] {
		anchors = append(anchors, pairs[i])
	}
	slices.Reverse(anchors)
	ia, ib := 0, 0
	for _, p := range anchors {
		d.diff(a[ia:p.ia], b[ib:p.ib], offA+ia, offB+ib, depth+1)
		d.edits = append(d.edits, edit{Equal, offA + p.ia, offB + p.ib})
		ia, ib = p.ia+1, p.ib+1
	}
	d.diff(a[ia:], b[ib:], offA+ia, offB+ib, depth+1)
	return true
}

// ops turns the edits into runs: within each changed stretch deletions
// first, then insertions, and runs of one kind merged.
func (d *differ) ops(ta, tb []string) []Op {
	var out []Op
	var kind Kind
	var run strings.Builder
	add := func(k Kind, text string) {
		if text == "" {
			return
		}
		if k != kind && run.Len() > 0 {
			out = append(out, Op{kind, run.String()})
			run.Reset()
		}
		kind = k
		run.WriteString(text)
	}
	var del, ins strings.Builder
	flush := func() {
		add(Delete, del.String())
		add(Insert, ins.String())
		del.Reset()
		ins.Reset()
	}
	for _, e := range d.edits {
		switch e.kind {
		case Equal:
			flush()
			add(Equal, ta[e.a])
		case Delete:
			del.WriteString(ta[e.a])
		case Insert:
			ins.WriteString(tb[e.b])
		}
	}
	flush()
	if run.Len() > 0 {
		out = append(out, Op{kind, run.String()})
	}
	return out
}
