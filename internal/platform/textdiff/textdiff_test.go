package textdiff

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		want       []Op
	}{
		{"identical", "سلام دنیا", "سلام دنیا", []Op{{Equal, "سلام دنیا"}}},
		{"both empty", "", "", nil},
		{"from empty", "", "hello world", []Op{{Insert, "hello world"}}},
		{"to empty", "سلام", "", []Op{{Delete, "سلام"}}},
		{"english word changed", "the quick brown fox", "the slow brown fox",
			[]Op{{Equal, "the "}, {Delete, "quick"}, {Insert, "slow"}, {Equal, " brown fox"}}},
		{"persian word changed", "امروز هوا خوب است", "امروز هوا سرد است",
			[]Op{{Equal, "امروز هوا "}, {Delete, "خوب"}, {Insert, "سرد"}, {Equal, " است"}}},
		{"zwnj word stays whole", "من می\u200cخواهم بروم", "من می\u200cتوانم بروم",
			[]Op{{Equal, "من "}, {Delete, "می\u200cخواهم"}, {Insert, "می\u200cتوانم"}, {Equal, " بروم"}}},
		{"persian punctuation separates", "سلام،دنیا؟", "سلام؛دنیا؟",
			[]Op{{Equal, "سلام"}, {Delete, "،"}, {Insert, "؛"}, {Equal, "دنیا؟"}}},
		{"persian digits are one word", "سال ۱۴۰۴ بود", "سال ۱۴۰۵ بود",
			[]Op{{Equal, "سال "}, {Delete, "۱۴۰۴"}, {Insert, "۱۴۰۵"}, {Equal, " بود"}}},
		{"mixed direction", "قیمت iPhone 15 زیاد است", "قیمت iPhone 16 کم است",
			[]Op{{Equal, "قیمت iPhone "}, {Delete, "15 زیاد"}, {Insert, "16 کم"}, {Equal, " است"}}},
		{"diacritics stay with their letter", "كِتَاب خوب", "كِتَاب بد",
			[]Op{{Equal, "كِتَاب "}, {Delete, "خوب"}, {Insert, "بد"}}},
		{"all changed", "one two", "سه چهار", []Op{{Delete, "one two"}, {Insert, "سه چهار"}}},
		{"emoji sequence is one grapheme", "hi 👩\u200d💻!", "hi 👩\u200d🔬!",
			[]Op{{Equal, "hi "}, {Delete, "👩\u200d💻"}, {Insert, "👩\u200d🔬"}, {Equal, "!"}}},
		{"apostrophe inside a word", "don't go", "won't go", []Op{{Delete, "don't"}, {Insert, "won't"}, {Equal, " go"}}},
		{"insertion in the middle", "a c", "a b c", []Op{{Equal, "a "}, {Insert, "b "}, {Equal, "c"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Words(c.a, c.b)
			if !slices.Equal(got, c.want) {
				t.Fatalf("Words(%q, %q) =\n%q\nwant\n%q", c.a, c.b, got, c.want)
			}
			checkOps(t, c.a, c.b, got)
		})
	}
}

// checkOps asserts the contract: the ops rebuild both sides, no two
// neighbours share a kind, no op is empty, and a change never splits a
// token of either side.
func checkOps(t *testing.T, a, b string, ops []Op) {
	t.Helper()
	var oldText, newText strings.Builder
	var cutsA, cutsB []int
	for i, op := range ops {
		if op.Text == "" || i > 0 && ops[i-1].Kind == op.Kind {
			t.Fatalf("op %d %+v: empty or same kind as the one before", i, op)
		}
		if op.Kind != Insert {
			oldText.WriteString(op.Text)
		}
		if op.Kind != Delete {
			newText.WriteString(op.Text)
		}
		cutsA, cutsB = append(cutsA, oldText.Len()), append(cutsB, newText.Len())
	}
	if oldText.String() != a || newText.String() != b {
		t.Fatalf("ops rebuild %q / %q, want %q / %q", oldText.String(), newText.String(), a, b)
	}
	onBoundary := func(s string, cuts []int) {
		bounds := map[int]bool{0: true}
		n := 0
		for _, tok := range Tokens(s) {
			n += len(tok)
			bounds[n] = true
		}
		if len(Tokens(a)) > MaxTokens || len(Tokens(b)) > MaxTokens {
			return // compared by lines
		}
		for _, c := range cuts {
			if !bounds[c] {
				t.Fatalf("a change cuts %q at byte %d, inside a token", s, c)
			}
		}
	}
	onBoundary(a, cutsA)
	onBoundary(b, cutsB)
}

func TestTokensKeepWordsWhole(t *testing.T) {
	got := Tokens("می\u200cخواهم، کتاب\u200cها را؛ بخوانم؟ 🇮🇷 e\u0301t\u00e9\r\nok")
	want := []string{"می\u200cخواهم", "،", " ", "کتاب\u200cها", " ", "را", "؛", " ", "بخوانم", "؟", " ", "🇮🇷", " ", "e\u0301t\u00e9", "\r\n", "ok"}
	if !slices.Equal(got, want) {
		t.Fatalf("Tokens = %q\nwant %q", got, want)
	}
}

func TestOpsRebuildBothSides(t *testing.T) {
	words := []string{"سلام", "دنیا", "می\u200cخواهم", "کتاب", "the", "fox", "۱۴۰۵", "،", "؟", ".", " ", " ", "\n", "👍🏽", "don't"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	mutate := func(s string) string {
		toks := Tokens(s)
		for range rng.IntN(6) {
			switch i := rng.IntN(len(toks) + 1); rng.IntN(3) {
			case 0:
				toks = slices.Insert(toks, i, words[rng.IntN(len(words))])
			case 1:
				if i < len(toks) {
					toks = slices.Delete(toks, i, i+1)
				}
			case 2:
				if i < len(toks) {
					toks[i] = words[rng.IntN(len(words))]
				}
			}
		}
		return strings.Join(toks, "")
	}
	for i := range 500 {
		a := text(rng.IntN(80))
		b := mutate(a)
		if i%5 == 0 {
			b = text(rng.IntN(80)) // unrelated
		}
		ops := Words(a, b)
		checkOps(t, a, b, ops)
		var joined []Op
		for _, l := range Lines(ops) {
			for j, op := range l.Ops {
				if strings.Contains(op.Text[:len(op.Text)-1], "\n") || j < len(l.Ops)-1 && strings.HasSuffix(op.Text, "\n") {
					t.Fatalf("line %q has a line break inside", l.Ops)
				}
			}
			joined = append(joined, l.Ops...)
		}
		var oldText, newText strings.Builder
		for _, op := range joined {
			if op.Kind != Insert {
				oldText.WriteString(op.Text)
			}
			if op.Kind != Delete {
				newText.WriteString(op.Text)
			}
		}
		if oldText.String() != a || newText.String() != b {
			t.Fatalf("Lines lost text: %q / %q", oldText.String(), newText.String())
		}
	}
}

func TestLinesGroupPerLine(t *testing.T) {
	got := Lines(Words("سطر اول\nline two\n", "سطر دوم\nline two\n"))
	want := []Line{
		{Ops: []Op{{Equal, "سطر "}, {Delete, "اول"}, {Insert, "دوم"}, {Equal, "\n"}}},
		{Ops: []Op{{Equal, "line two\n"}}},
	}
	if len(got) != len(want) {
		t.Fatalf("Lines = %+v", got)
	}
	for i := range want {
		if !slices.Equal(got[i].Ops, want[i].Ops) {
			t.Fatalf("line %d = %q, want %q", i, got[i].Ops, want[i].Ops)
		}
	}
}

// Past MaxTokens a side is compared by lines, and however different two
// large texts are, Words answers in bounded time.
func TestCapKeepsHugeInputsBounded(t *testing.T) {
	var a, b strings.Builder
	for i := range 30000 {
		a.WriteString("کلمه ")
		if i%1000 == 999 {
			a.WriteString("\n")
		}
	}
	for i := range 30000 {
		if i == 15000 {
			b.WriteString("تازه ")
		}
		b.WriteString("کلمه ")
		if i%1000 == 999 {
			b.WriteString("\n")
		}
	}
	start := time.Now()
	ops := Words(a.String(), b.String())
	checkOps(t, a.String(), b.String(), ops)
	changed := 0
	for _, op := range ops {
		if op.Kind != Equal {
			changed += strings.Count(op.Text, "\n")
		}
	}
	if changed != 2 { // the one changed line, deleted and inserted
		t.Errorf("line-level fallback changed %d lines, want the 1 line each way", changed)
	}
	// Within the cap, two unrelated texts (every token different).
	var x, y strings.Builder
	for i := range MaxTokens / 2 {
		x.WriteString("a" + string(rune('a'+i%26)) + " ")
		y.WriteString("ب" + string(rune('آ'+i%20)) + "،")
	}
	ops = Words(x.String(), y.String())
	checkOps(t, x.String(), y.String(), ops)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}

// Many scattered changes need more than maxEdits edits: the diff splits at
// the words each side has once and still keeps what did not change.
func TestManyScatteredChangesStillKeepTheRest(t *testing.T) {
	var a, b strings.Builder
	for i := range 5000 {
		w := "واژه" + strings.Repeat("ی", i%7) + string(rune('0'+i%10)) + strings.Repeat("x", i/10) // mostly unique
		a.WriteString(w + " ")
		if i%5 == 0 {
			b.WriteString("تغییر" + w + " ")
		} else {
			b.WriteString(w + " ")
		}
	}
	ops := Words(a.String(), b.String())
	checkOps(t, a.String(), b.String(), ops)
	kept := 0
	for _, op := range ops {
		if op.Kind == Equal {
			kept += len(op.Text)
		}
	}
	if kept < a.Len()*7/10 {
		t.Errorf("kept %d of %d bytes", kept, a.Len())
	}
}
