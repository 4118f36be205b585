package posts

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// The seed's vocabulary: Persian and English, never mixed within a post.
var seedText = map[content.Lang]struct {
	subjects, topics, sentences, tags, categories []string
}{
	content.Fa: {
		subjects:   []string{"راهنمای", "نکته\u200cهایی درباره", "تجربه\u200cی ما از", "چرا", "آینده\u200cی", "نگاهی تازه به"},
		topics:     []string{"زعفران قائنات", "چای لاهیجان", "فرش دستباف", "فروش آنلاین", "بسته\u200cبندی سبز", "خرید از کشاورز", "ارسال سریع", "پسته\u200cی رفسنجان"},
		sentences:  []string{"این نوشته حاصل گفت\u200cوگو با مشتریان ماست.", "کیفیت را از نزدیک دیده\u200cایم و با شما در میان می\u200cگذاریم.", "هر فصل چیز تازه\u200cای یاد می\u200cگیریم.", "اعداد و ارقام دقیق را در ادامه آورده\u200cایم.", "نظر شما برای ما ارزشمند است؛ برایمان بنویسید.", "در این بخش، گام\u200cبه\u200cگام پیش می\u200cرویم."},
		tags:       []string{"زعفران", "چای", "صادرات", "کیفیت", "بسته\u200cبندی", "ارسال", "کشاورزی"},
		categories: []string{"اخبار", "آموزش", "گزارش", "گفت\u200cوگو"},
	},
	content.En: {
		subjects:   []string{"A guide to", "Notes on", "What we learned from", "Why we love", "The future of", "A fresh look at"},
		topics:     []string{"Persian saffron", "Lahijan tea", "hand-woven rugs", "selling online", "green packaging", "buying from farmers", "fast shipping", "Rafsanjan pistachios"},
		sentences:  []string{"This post grew out of conversations with our customers.", "We saw the quality up close and share it here.", "Every season teaches us something new.", "The exact figures follow below.", "Your opinion matters to us; write to us.", "We go step by step in this part."},
		tags:       []string{"saffron", "tea", "export", "quality", "packaging", "shipping", "farming"},
		categories: []string{"News", "Guides", "Reports", "Interviews"},
	},
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// Seed creates n posts through the service (so each has its revision,
// terms, audit row and, when published, its live version) as the system,
// written by up to three of the existing users: about half published,
// some in review, the rest drafts; the two languages alternate.
func Seed(ctx context.Context, s *Service, n int, progress func(done int)) (int, error) {
	ctx = authz.With(ctx, authz.System)
	rows, err := s.db.Reader().Query(ctx, `SELECT id FROM users ORDER BY id LIMIT 3`)
	if err != nil {
		return 0, err
	}
	var authors []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		authors = append(authors, id)
	}
	rows.Close()
	if len(authors) == 0 {
		return 0, errors.New("seeding posts needs a user to write them: create one first")
	}
	r := rand.New(rand.NewPCG(uint64(n), 16))
	for i := range n {
		lang := content.Langs[i%2]
		w := seedText[lang]
		title := fmt.Sprintf("%s %s (%d)", pick(r, w.subjects), pick(r, w.topics), i+1)
		var body strings.Builder
		fmt.Fprintf(&body, "## %s\n\n", pick(r, w.topics))
		for p := range 2 + r.IntN(4) {
			for range 3 + r.IntN(4) {
				body.WriteString(pick(r, w.sentences) + " ")
			}
			body.WriteString("\n\n")
			if p == 0 {
				fmt.Fprintf(&body, "- %s\n- %s\n\n", pick(r, w.topics), pick(r, w.topics))
			}
		}
		tags := []string{pick(r, w.tags), pick(r, w.tags)}
		cats := []string{pick(r, w.categories)}
		by := []int64{pick(r, authors)}
		excerpt := pick(r, w.sentences)
		c, err := s.Create(ctx, Input{Title: &title, Lang: &lang, BodyMD: ptr(body.String()), Excerpt: &excerpt,
			Tags: &tags, Categories: &cats, Authors: &by})
		if err != nil {
			return i, fmt.Errorf("post %d: %w", i+1, err)
		}
		var to content.Status
		switch roll := r.IntN(10); {
		case roll < 5:
			to = content.Published
		case roll < 7:
			to = content.InReview
		}
		if to != "" {
			if _, err := s.Transition(ctx, c.ID, TransitionInput{To: to}, ""); err != nil {
				return i, fmt.Errorf("post %d: %w", i+1, err)
			}
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	return n, nil
}

func ptr[T any](v T) *T { return &v }
