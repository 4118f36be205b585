package chat

import (
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// How sure the bot is that an FAQ entry answers a visitor's message.
//
// The search index ranks candidates (BM25 on SQLite, cover density on
// PostgreSQL), but those scores are neither on one scale across engines nor
// bounded, and a rank says only that one entry fits better than another,
// not that any fits. So the decision is made on a measure of its own, the
// same on both engines:
//
//	confidence(message, entry) = max over the entry's question and each of
//	its phrasings p of  2·|M ∩ P| / (|M| + |P|)
//
// (the Dice coefficient), where M and P are the sets of content words of
// the message and of p: search.Words (Persian-normalised, each word in one
// written form, so "کتاب‌ها", "کتابها" and "کتاب ها" are one word) without
// the function words of either language (stopWords: "what", "is", "the",
// "چه", "است", "را"…), which every question shares and which say nothing
// about what is asked. It is 1 when the message asks exactly the words of
// the question or a phrasing, and falls as either side has words the other
// lacks.
//
// Threshold is 0.6: the message and a phrasing must share most of their
// content words. A single shared word out of two on each side (0.5) is not
// enough: "refund policy" against "shipping policy" must not be answered
// with the shipping entry, while "shipping cost" against "how much does
// shipping cost" (1.0) or "هزینه ارسال سفارش چقدر است" against "هزینه
// ارسال چقدر است" (0.8) are. Below it the bot offers a person instead of
// guessing: a wrong answer stated with assurance costs more than a handoff.
// Phrasings are how an editor raises recall without lowering the bar.
const Threshold = 0.6

// Confidence is how well the message's words match the best of texts (an
// entry's question and phrasings), in [0, 1].
func Confidence(message string, texts ...string) float64 {
	m := contentWords(message)
	if len(m) == 0 {
		return 0
	}
	best := 0.0
	for _, t := range texts {
		p := contentWords(t)
		if len(p) == 0 {
			continue
		}
		shared := 0
		for w := range m {
			if p[w] {
				shared++
			}
		}
		if d := 2 * float64(shared) / float64(len(m)+len(p)); d > best {
			best = d
		}
	}
	return best
}

// contentWords is the set of s's words that are not function words.
func contentWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range search.Words(s) {
		if !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

// queryText is what the index is asked for a message: its content words,
// in order, each once, ended by a space (so the last is not matched as a
// prefix); "" when it has none.
func queryText(message string) string {
	seen := map[string]bool{}
	out := ""
	for _, w := range search.Words(message) {
		if stopWords[w] || seen[w] {
			continue
		}
		seen[w] = true
		out += w + " "
	}
	return out
}

// stopWords are function words of Persian and English, in search.Words'
// form (normalised: Persian ی and ک, lower case, joined affixes).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		// English
		"a", "an", "the", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "can", "could",
		"will", "would", "should", "shall", "may", "might", "must", "have", "has", "had", "i", "me", "my", "we",
		"our", "us", "you", "your", "it", "its", "they", "them", "their", "he", "she", "his", "her", "this",
		"that", "these", "those", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
		"much", "many", "of", "to", "in", "on", "at", "for", "from", "by", "with", "about", "into", "as", "and",
		"or", "but", "if", "so", "not", "no", "yes", "any", "some", "there", "here", "please", "hi", "hello",
		"thanks", "thank", "get", "know", "tell", "want", "need", "like", "just", "also", "there", "s", "t",
		// Persian (normalised; joined forms of the affixes the index joins)
		"و", "یا", "با", "به", "از", "در", "بر", "برای", "تا", "که", "را", "رو", "این", "آن", "اون", "این",
		"است", "هست", "هستند", "بود", "باشد", "باشه", "شد", "شده", "شود", "میشود", "میشه", "میشوند", "کرد",
		"کنم", "کنید", "کنیم", "میکنم", "میکنید", "میتوانم", "میتونم", "میخواهم", "میخوام", "دارید", "دارم",
		"داره", "دارد", "چه", "چی", "چیه", "چیست", "چطور", "چگونه", "چرا", "کجا", "کی", "کدام", "کدوم", "آیا", "ایا",
		"من", "ما", "شما", "او", "اینکه", "هم", "نیز", "اگر", "اگه", "ولی", "اما", "یک", "یه", "های", "ها",
		"ی", "چقدر", "چند", "لطفا", "سلام", "ممنون", "مرسی", "باید", "هر", "همه", "بله", "نه", "خیلی",
	} {
		m[w] = true
	}
	return m
}()
