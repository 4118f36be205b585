package posts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The store conformance suite: the same expectations on every engine.
func TestStore(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			t.Run("keyset pages equal offset pages for every sort", func(t *testing.T) { storeKeyset(t, d) })
			t.Run("live versions and slug redirects", func(t *testing.T) { storeLive(t, d) })
		})
	}
}

func insertPost(t *testing.T, d *db.DB, title, slug string, lang content.Lang, at time.Time, published *time.Time, tags ...string) int64 {
	t.Helper()
	ctx := context.Background()
	s := posts.Store{DB: d}
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		p := posts.Post{Summary: posts.Summary{Title: title, Slug: slug, Lang: lang, Status: content.Draft,
			CreatedAt: at, UpdatedAt: at, Revision: 1, PublishedAt: published}}
		var err error
		if id, err = s.Insert(ctx, tx, p, 0); err != nil {
			return err
		}
		p.ID = id
		if published != nil {
			p.Status = content.Published
			if err := s.SetWorkflow(ctx, tx, p); err != nil {
				return err
			}
		}
		return s.SetTerms(ctx, tx, id, lang, tags, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func storeKeyset(t *testing.T, d *db.DB) {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 23 {
		// equal times and titles in pairs exercise the id tie-breaker;
		// every third is a draft (no published_at)
		var pub *time.Time
		if i%3 != 0 {
			t := base.Add(time.Duration(i/2) * time.Hour)
			pub = &t
		}
		insertPost(t, d, fmt.Sprintf("Title %02d", i/2), fmt.Sprintf("keyset-%d", i), content.En, base.Add(time.Duration(i/2)*time.Minute), pub, "k")
	}
	s := posts.Store{DB: d}
	for _, sort := range []string{"id", "-id", "created_at", "-created_at", "updated_at", "-updated_at", "published_at", "-published_at", "title", "-title"} {
		f := posts.Filter{Sort: sort, Tag: "k"}
		all, err := s.ListByOffset(ctx, f, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 23 {
			t.Fatalf("%s: %d posts", sort, len(all))
		}
		var walked []int64
		var pos *posts.Position
		for {
			page, err := s.ListAfter(ctx, f, pos, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				walked = append(walked, p.ID)
			}
			if len(page) < 4 {
				break
			}
			p := f.PositionOf(page[len(page)-1])
			pos = &p
		}
		if len(walked) != len(all) {
			t.Fatalf("%s: keyset walk saw %d posts, offset list %d", sort, len(walked), len(all))
		}
		for i := range all {
			if all[i].ID != walked[i] {
				t.Fatalf("%s: position %d: keyset %d, offset %d", sort, i, walked[i], all[i].ID)
			}
		}
	}
}

func storeLive(t *testing.T, d *db.DB) {
	ctx := context.Background()
	s := posts.Store{DB: d}
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	id := insertPost(t, d, "Live", "live-one", content.Fa, now, nil, "x")
	put := func(slug string) {
		t.Helper()
		err := d.InTx(ctx, func(tx *db.Tx) error {
			p, err := s.Get(ctx, tx, id, true)
			if err != nil {
				return err
			}
			p.Slug = slug
			if err := s.Update(ctx, tx, p); err != nil {
				return err
			}
			return s.PutLive(ctx, tx, p, now, now)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	redirects := func() map[string]int64 {
		rows, err := d.Reader().Query(ctx, `SELECT old_slug, post_id FROM post_slug_redirects WHERE lang = 'fa'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int64{}
		for rows.Next() {
			var slug string
			var pid int64
			if err := rows.Scan(&slug, &pid); err != nil {
				t.Fatal(err)
			}
			out[slug] = pid
		}
		return out
	}
	put("live-one")
	if len(redirects()) != 0 {
		t.Fatal("a first publish made a redirect")
	}
	put("live-two")
	if r := redirects(); len(r) != 1 || r["live-one"] != id {
		t.Fatalf("redirects after a rename: %v", r)
	}
	// back to the first slug: it is live again, so no longer a redirect
	put("live-one")
	if r := redirects(); len(r) != 1 || r["live-two"] != id {
		t.Fatalf("redirects after renaming back: %v", r)
	}
	var terms int
	if err := d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM post_live_terms WHERE post_id = ?`, id).Scan(&terms); err != nil || terms != 1 {
		t.Fatalf("live terms: %d %v", terms, err)
	}
	taken, err := s.SlugTaken(ctx, d.Reader(), content.Fa, "live-one", 0)
	if err != nil || !taken {
		t.Fatalf("a live slug is taken for others: %v %v", taken, err)
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		was, err := s.DeleteLive(ctx, tx, id)
		if !was {
			t.Error("DeleteLive of a live post said it was not live")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, live, _ := s.LiveSlug(ctx, d.Reader(), id); live {
		t.Fatal("still live")
	}
}
