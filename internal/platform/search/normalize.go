package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds the ways one Persian or English word can be written into
// one form, at index time and at query time alike: Arabic yeh and kaf (and
// their final/alef-maksura forms) become Persian ی and ک, Arabic and Persian
// digits become ASCII digits, diacritics (harakat, tanwin, shadda, superscript
// alef) and tatweel are dropped, ZWNJ and every run of space become one
// space, and Latin letters are lower-cased.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == 'ي' || r == 'ى' || r == 'ئ':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ة':
			r = 'ه'
		case r == 'أ' || r == 'إ' || r == 'ٱ':
			r = 'ا'
		case r == 'ؤ':
			r = 'و'
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r == 'ـ' || isDiacritic(r):
			continue
		}
		if r == '\u200c' || r == '\u200b' || r == '\u200d' || r == '\ufeff' || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isDiacritic reports the Arabic-script marks that do not change a word:
// harakat and tanwin (U+064B–U+065F), the superscript alef (U+0670) and the
// Quranic marks (U+06D6–U+06ED).
func isDiacritic(r rune) bool {
	return r >= 0x064B && r <= 0x065F || r == 0x0670 || r >= 0x06D6 && r <= 0x06ED
}

// Slugify makes a URL slug that stays in the writer's script: the text is
// composed (Unicode NFC, so a decomposed letter and its precomposed form,
// which look alike, give one slug), then Normalize, then every run of
// anything but letters and digits (spaces, ZWNJ, bidi controls included)
// becomes one "-", with none at either end. A combining mark stays only on
// the letter or digit it follows. The result may be empty (a title of only
// punctuation); callers then ask for a slug.
func Slugify(s string) string {
	n := Normalize(norm.NFC.String(s))
	var b strings.Builder
	dash, onLetter := false, false
	for _, r := range n {
		if unicode.Is(unicode.Mn, r) {
			if onLetter {
				b.WriteRune(r)
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash, onLetter = false, true
			b.WriteRune(r)
			continue
		}
		dash, onLetter = true, false
	}
	return b.String()
}
