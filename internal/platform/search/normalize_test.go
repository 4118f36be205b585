package search

import "testing"

func TestNormalizeFoldsTheWaysAPersianWordIsWritten(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"كتاب\u200cها", "کتاب ها"},
		{"كتابي", "کتابی"},
		{"مـــدرسه", "مدرسه"},
		{"كِتَابٌ", "کتاب"},
		{"۱۴۰۵ و ١٤٠٥", "1405 و 1405"},
		{"  Hello\u200cWORLD  ", "hello world"},
		{"می\u200cخواهم", "می خواهم"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSlugifyKeepsPersianLetters(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"راهنمای خرید كتاب\u200cها", "راهنمای-خرید-کتاب-ها"},
		{"Hello, World! 2026", "hello-world-2026"},
		{"  --سلام__دنیا--  ", "سلام-دنیا"},
		{"سال ۱۴۰۵", "سال-1405"},
		{"?!…", ""},
	} {
		if got := Slugify(c.in); got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSlugifyFoldsUnicodeTricks: a slug is what people read in an address
// bar and what makes two posts collide (unique per language). Bidi
// controls and invisible joiners never stay in it, and two spellings that
// render the same (a precomposed letter and its decomposed form, in
// Persian and Latin alike) give one slug, so a second post cannot take a
// look-alike of a first one's address.
func TestSlugifyFoldsUnicodeTricks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abc\u202egnp.exe", "abc-gnp-exe"},    // RTL override
		{"pay\u200dpal", "pay-pal"},            // zero-width joiner
		{"\u2066سلام\u2069 دنیا", "سلام-دنیا"}, // isolates
		{"cafe\u0301", "caf\u00e9"},            // decomposed é
		{"caf\u00e9", "caf\u00e9"},
		{"ا\u0653ب", "\u0622ب"}, // alef + maddah above is آ
		{"\u0622ب", "\u0622ب"},
		{"\u0301\u0301abc", "abc"}, // a mark with no letter to sit on
		{"a - \u0301b", "a-b"},
	} {
		got := Slugify(c.in)
		if got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, r := range got {
			if r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
				t.Errorf("Slugify(%q) kept the control %U", c.in, r)
			}
		}
	}
}
