package chat_test

import (
	"context"
	"testing"

	"github.com/pishkhan/pishkhan/internal/chat"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestServiceOverEngines runs the room's store through its service on each
// engine: an FAQ entry is a search document written with it, a rebuild of
// the index keeps it, and the bot answers from it; a wrong token reads
// nothing.
func TestServiceOverEngines(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			c := cache.New(cache.NewMemory(1000), cache.Options{Prefix: "t:"})
			defer c.Close()
			s := chat.NewService(d, c, events.NewMemory(), search.New(d), ratelimit.NewLocal(), chat.Config{}, []byte("0123456789abcdef0123456789abcdef"))
			ctx := context.Background()
			admin := authz.With(ctx, authz.System)
			f, err := s.CreateFAQ(admin, chat.FAQInput{Lang: chat.En, Question: "Do you ship abroad?", Answer: "Yes, worldwide.",
				Phrasings: []string{"international delivery"}})
			if err != nil {
				t.Fatal(err)
			}
			var docs []search.Doc
			if err := s.SearchDocs(ctx, func(doc search.Doc) error { docs = append(docs, doc); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].Kind != "faq" || docs[0].Scope != search.Public || docs[0].Title != f.Question ||
				len(docs[0].Tags) != 1 {
				t.Fatalf("search documents %+v", docs)
			}
			if _, err := search.Rebuild(ctx, d, func(yield func(search.Doc) error) error { return s.SearchDocs(ctx, yield) }); err != nil {
				t.Fatal(err)
			}
			st, err := s.Start(ctx, chat.StartInput{Lang: chat.En})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Post(ctx, st.ID, st.Token, chat.MessageInput{Text: "international delivery?"}, ""); err != nil {
				t.Fatal(err)
			}
			tr, err := s.Transcript(ctx, st.ID, st.Token)
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Messages) != 2 || tr.Messages[1].Text != "Yes, worldwide." || tr.State != chat.StateBot {
				t.Fatalf("after a rebuild the bot said %+v", tr)
			}
			other, err := s.Start(ctx, chat.StartInput{Lang: chat.Fa})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Transcript(ctx, st.ID, other.Token); apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("another conversation's token: %v", err)
			}
			if _, err := s.Post(ctx, st.ID, "", chat.MessageInput{Text: "x"}, ""); apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Fatalf("no token: %v", err)
			}
			if _, err := s.CreateFAQ(ctx, chat.FAQInput{Lang: chat.En, Question: "q", Answer: "a"}); apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Fatalf("an FAQ entry without a principal: %v", err)
			}
			if _, err := s.Take(admin, st.ID); apperr.CodeOf(err) != apperr.PermissionDenied {
				t.Fatalf("the System principal took a conversation: %v", err)
			}
			u, err := s.UnreadCounts(admin)
			if err != nil || u.Waiting != 0 {
				t.Fatalf("unread %+v, %v", u, err)
			}
		})
	}
}
