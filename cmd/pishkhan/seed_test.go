package main

import (
	"context"
	"testing"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// `pishkhan seed --projects N` writes projects in bulk, past the service
// that indexes each one; the panel's project search reads the index, so
// the seed indexes them too (a seeded project is found by its title).
func TestSeededProjectsAreSearchable(t *testing.T) {
	cfg, err := config.Load(testkit.Env(map[string]string{"DATA_DIR": t.TempDir(), "HASH_CONCURRENCY": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := seed(ctx, cfg, []string{"--projects", "6"}); err != nil {
		t.Fatal(err)
	}
	s, err := open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.DB.Reader().Query(ctx, `SELECT id, title FROM projects ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			t.Fatal(err)
		}
		n++
		ids, err := s.Search.MatchIDs(ctx, search.Query{Text: title, Scope: search.Panel, Kinds: []string{"project"}}, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range ids {
			found = found || x == id
		}
		if !found {
			t.Errorf("seeded project %d %q is not found by its title: %v", id, title, ids)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("%d projects seeded, want 6", n)
	}
}
