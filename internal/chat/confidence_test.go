package chat

import (
	"testing"
)

func TestConfidence(t *testing.T) {
	for _, c := range []struct {
		name     string
		message  string
		texts    []string
		min, max float64
	}{
		{"the same words", "How much does shipping cost?", []string{"How much does shipping cost?"}, 1, 1},
		{"function words do not count", "shipping cost", []string{"How much does shipping cost?"}, 1, 1},
		{"one shared word of two is not enough", "what is your refund policy", []string{"What is your shipping policy?"}, 0.5, 0.5},
		{"a phrasing matches when the question does not", "do you deliver abroad",
			[]string{"Shipping outside Iran", "Do you deliver abroad?"}, 1, 1},
		{"Persian: an extra word lowers it a little", "هزینه ارسال سفارش چقدر است؟", []string{"هزینه ارسال چقدر است؟"}, 0.8, 0.8},
		{"Persian spellings are one word", "كتاب\u200cها را می خواهم", []string{"کتابها رو میخواهم"}, 1, 1},
		{"nothing shared", "opening hours", []string{"How much does shipping cost?"}, 0, 0},
		{"only function words", "hi, what is it?", []string{"what is it"}, 0, 0},
	} {
		got := Confidence(c.message, c.texts...)
		if got < c.min-1e-9 || got > c.max+1e-9 {
			t.Errorf("%s: Confidence(%q, %q) = %.3f, want [%.2f, %.2f]", c.name, c.message, c.texts, got, c.min, c.max)
		}
	}
	if Confidence("what is your refund policy", "What is your shipping policy?") >= Threshold {
		t.Error("refund policy would be answered with the shipping policy")
	}
	if Confidence("هزینه ارسال سفارش چقدر است؟", "هزینه ارسال چقدر است؟") < Threshold {
		t.Error("a near-identical Persian question is below the threshold")
	}
}

func TestDecide(t *testing.T) {
	faq := func(conf float64, lang Lang, text string) Passage {
		return Passage{Source: Source{Type: faqKind, Slug: text, Title: text}, Text: text, Confidence: conf, Lang: lang}
	}
	post := Passage{Source: Source{Type: "post", Slug: "p", Title: "P", URL: "https://site/p"}, Text: "snippet"}
	r := decide(En, "shipping cost", []Passage{faq(0.7, Fa, "fa-answer"), faq(0.9, En, "en-answer"), post})
	if r.handoff || r.text != "en-answer" || len(r.sources) != 2 || r.sources[0].Slug != "en-answer" || r.sources[1].Type != "post" {
		t.Fatalf("reply %+v: want the English answer citing it and the post", r)
	}
	r = decide(En, "shipping cost", []Passage{faq(0.7, Fa, "fa-answer")})
	if r.handoff || r.text != "fa-answer" {
		t.Fatalf("reply %+v: with no entry in the conversation's language, another language's confident entry answers", r)
	}
	r = decide(Fa, "shipping cost", []Passage{faq(0.5, Fa, "weak"), post})
	if !r.handoff || r.text != botText[Fa].handoff || len(r.sources) != 1 || r.sources[0].Type != "post" {
		t.Fatalf("reply %+v: want a handoff citing the post", r)
	}
	r = decide(En, "hello!", nil)
	if r.handoff || r.text != botText[En].askAgain {
		t.Fatalf("reply %+v: a greeting gets asked for a question, not handed off", r)
	}
}
