package search_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// putVectors writes docs in one committed transaction.
func putVectors(t *testing.T, d *db.DB, docs ...search.VectorDoc) {
	t.Helper()
	ix := search.New(d)
	if err := d.InTx(context.Background(), func(tx *db.Tx) error {
		for _, doc := range docs {
			if err := ix.PutVector(context.Background(), tx, doc); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func vecIDs(hits []search.VectorHit) []int64 {
	var out []int64
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// The vector store's conformance suite: cosine nearest neighbours on every
// engine (sqlite-vec in the SQLite driver; pgvector on PostgreSQL, which
// services.sh builds and installs).
func TestVectors(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := testkit.OpenDB(t, e)
			ix := search.New(d)
			if e.Name == "postgres" {
				// writes need no extension; comparing does, and says so
				putVectors(t, d, search.VectorDoc{Kind: "post", ID: 99, Scope: search.Public, Lang: "fa", Model: "m", Vec: []float32{1, 0}})
				if _, err := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1, 0}, Model: "m", Scope: search.Public, Limit: 5}); !errors.Is(err, search.ErrVectorsUnavailable) {
					t.Fatalf("without pgvector: %v, want ErrVectorsUnavailable", err)
				}
				if _, err := d.Writer().Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector`); err != nil {
					t.Fatalf("pgvector is not installed in PostgreSQL (scripts/services.sh builds it): %v", err)
				}
				if _, err := d.Writer().Exec(ctx, `DELETE FROM search_vectors`); err != nil {
					t.Fatal(err)
				}
			}
			if err := ix.VectorsAvailable(ctx); err != nil {
				t.Fatal(err)
			}
			t.Run("nearest by cosine, filtered by scope, model, length, lang and kind", func(t *testing.T) {
				putVectors(t, d,
					search.VectorDoc{Kind: "post", ID: 1, Scope: search.Public, Lang: "fa", Model: "m", Vec: []float32{1, 0, 0}},
					search.VectorDoc{Kind: "post", ID: 2, Scope: search.Public, Lang: "fa", Model: "m", Vec: []float32{0.9, 0.1, 0}},
					// same direction as 1, ten times as long: cosine ignores length
					search.VectorDoc{Kind: "project", ID: 3, Scope: search.Public, Lang: "en", Model: "m", Vec: []float32{10, 0, 0.5}},
					search.VectorDoc{Kind: "post", ID: 4, Scope: search.Public, Lang: "fa", Model: "m", Vec: []float32{-1, 0, 0}},
					search.VectorDoc{Kind: "post", ID: 5, Scope: search.Panel, Lang: "fa", Model: "m", Vec: []float32{1, 0, 0}},
					search.VectorDoc{Kind: "post", ID: 6, Scope: search.Public, Lang: "fa", Model: "other", Vec: []float32{1, 0, 0}},
					search.VectorDoc{Kind: "post", ID: 7, Scope: search.Public, Lang: "fa", Model: "m", Vec: []float32{1, 0, 0, 0}},
				)
				q := search.VectorQuery{Vec: []float32{2, 0, 0}, Model: "m", Scope: search.Public, Limit: 10}
				hits, err := ix.Nearest(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if got := vecIDs(hits); !slices.Equal(got, []int64{1, 3, 2, 4}) {
					t.Fatalf("nearest %v, want [1 3 2 4]", got)
				}
				if math.Abs(hits[0].Distance) > 1e-6 || math.Abs(hits[3].Distance-2) > 1e-6 {
					t.Fatalf("distances %+v: want 0 for the same direction, 2 for the opposite", hits)
				}
				q.Lang, q.Kinds, q.Limit = "fa", []string{"post"}, 2
				if got, _ := ix.Nearest(ctx, q); !slices.Equal(vecIDs(got), []int64{1, 2}) {
					t.Fatalf("fa posts, 2: %v", vecIDs(got))
				}
				q = search.VectorQuery{Vec: []float32{1, 0, 0}, Model: "m", Scope: search.Panel, Limit: 10}
				if got, _ := ix.Nearest(ctx, q); !slices.Equal(vecIDs(got), []int64{5}) {
					t.Fatalf("panel scope: %v", vecIDs(got))
				}
			})
			t.Run("put replaces, remove removes, both in the caller's transaction", func(t *testing.T) {
				doc := search.VectorDoc{Kind: "faq", ID: 10, Scope: search.Public, Lang: "en", Model: "r", Vec: []float32{0, 1}}
				putVectors(t, d, doc)
				doc.Vec = []float32{1, 0}
				putVectors(t, d, doc)
				hits, err := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1, 0}, Model: "r", Scope: search.Public, Limit: 5})
				if err != nil || len(hits) != 1 || math.Abs(hits[0].Distance) > 1e-6 {
					t.Fatalf("after replace: %+v %v", hits, err)
				}
				rollback := errors.New("rollback")
				_ = d.InTx(ctx, func(tx *db.Tx) error {
					if err := ix.RemoveVector(ctx, tx, "faq", 10, search.Public); err != nil {
						t.Fatal(err)
					}
					return rollback
				})
				if hits, _ := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1, 0}, Model: "r", Scope: search.Public, Limit: 5}); len(hits) != 1 {
					t.Fatalf("a rolled back remove removed: %+v", hits)
				}
				if err := d.InTx(ctx, func(tx *db.Tx) error { return ix.RemoveVector(ctx, tx, "faq", 10, search.Public) }); err != nil {
					t.Fatal(err)
				}
				if hits, _ := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1, 0}, Model: "r", Scope: search.Public, Limit: 5}); len(hits) != 0 {
					t.Fatalf("after remove: %+v", hits)
				}
			})
			t.Run("removing or rebuilding away a document drops its embedding", func(t *testing.T) {
				doc := search.Doc{Kind: "post", ID: 30, Scope: search.Public, Lang: "en", Slug: "s", Title: "kept", Body: "b"}
				gone := doc
				gone.ID = 31
				put(t, d, doc, gone)
				putVectors(t, d, search.VectorDoc{Kind: "post", ID: 30, Scope: search.Public, Lang: "en", Model: "x", Vec: []float32{1, 0}},
					search.VectorDoc{Kind: "post", ID: 31, Scope: search.Public, Lang: "en", Model: "x", Vec: []float32{1, 0}},
					search.VectorDoc{Kind: "post", ID: 32, Scope: search.Public, Lang: "en", Model: "x", Vec: []float32{1, 0}})
				near := func() []int64 {
					hits, err := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1, 0}, Model: "x", Scope: search.Public, Limit: 10})
					if err != nil {
						t.Fatal(err)
					}
					return vecIDs(hits)
				}
				if err := d.InTx(ctx, func(tx *db.Tx) error { return ix.Remove(ctx, tx, "post", 32, search.Public) }); err != nil {
					t.Fatal(err)
				}
				if got := near(); !slices.Equal(got, []int64{31, 30}) {
					t.Fatalf("after Remove(32): %v", got)
				}
				if _, err := search.Rebuild(ctx, d, func(yield func(search.Doc) error) error { return yield(doc) }); err != nil {
					t.Fatal(err)
				}
				if got := near(); !slices.Equal(got, []int64{30}) {
					t.Fatalf("after a rebuild without 31: %v", got)
				}
			})
			t.Run("bad vectors and limits are refused", func(t *testing.T) {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					for _, v := range [][]float32{nil, {float32(math.NaN())}, {float32(math.Inf(1))}, make([]float32, search.MaxDims+1)} {
						if err := ix.PutVector(ctx, tx, search.VectorDoc{Kind: "post", ID: 1, Scope: search.Public, Model: "m", Vec: v}); !errors.Is(err, search.ErrBadVector) {
							t.Errorf("vector of %d: %v", len(v), err)
						}
					}
					if err := ix.PutVector(ctx, tx, search.VectorDoc{Kind: "post", ID: 1, Scope: search.Public, Vec: []float32{1}}); !errors.Is(err, search.ErrBadVector) {
						t.Errorf("no model: %v", err)
					}
					if err := ix.PutVector(ctx, tx, search.VectorDoc{Kind: "post", ID: 1, Scope: "x", Model: "m", Vec: []float32{1}}); !errors.Is(err, search.ErrBadScope) {
						t.Errorf("bad scope: %v", err)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var ae *apperr.Error
				if _, err := ix.Nearest(ctx, search.VectorQuery{Vec: []float32{1}, Model: "m", Scope: search.Public, Limit: search.MaxLimit + 1}); !errors.As(err, &ae) {
					t.Errorf("limit over MaxLimit: %v", err)
				}
				// the largest vector there may be round-trips
				big := make([]float32, search.MaxDims)
				big[0] = 1
				putVectors(t, d, search.VectorDoc{Kind: "post", ID: 20, Scope: search.Public, Lang: "en", Model: "big", Vec: big})
				if hits, err := ix.Nearest(ctx, search.VectorQuery{Vec: big, Model: "big", Scope: search.Public, Limit: 1}); err != nil || len(hits) != 1 || hits[0].ID != 20 {
					t.Fatalf("4096 dimensions: %+v %v", hits, err)
				}
			})
		})
	}
}

// TestFuse: reciprocal rank fusion puts documents both rankings found first,
// then by rank; ties go to the full-text rank.
func TestFuse(t *testing.T) {
	text := []search.Hit{{Kind: "post", ID: 1}, {Kind: "post", ID: 2}, {Kind: "faq", ID: 3}}
	vector := []search.VectorHit{{Kind: "faq", ID: 3}, {Kind: "post", ID: 4}, {Kind: "post", ID: 1}}
	got := search.Fuse(text, vector)
	var order []int64
	for _, h := range got {
		order = append(order, h.ID)
	}
	// 1: 1/61 + 1/63; 3: 1/63 + 1/61 (tie, 1 has the better text rank); 2: 1/62; 4: 1/62 (tie: 2 has a text rank)
	if !slices.Equal(order, []int64{1, 3, 2, 4}) {
		t.Fatalf("fused %v, want [1 3 2 4]", order)
	}
	if got[0].Text != 1 || got[0].Vector != 3 || got[3].Text != 0 || got[3].Vector != 2 {
		t.Fatalf("ranks %+v", got)
	}
	if len(search.Fuse(nil, nil)) != 0 {
		t.Fatal("nothing fused from nothing")
	}
}
