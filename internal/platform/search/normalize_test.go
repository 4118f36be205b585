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
