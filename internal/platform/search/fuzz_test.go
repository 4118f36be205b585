package search_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// FuzzSearchQuery sends anything as a query, lang and kind to both engines:
// no input may fail (an error would be a 500), and every snippet holds only
// escaped text and <mark> elements. Run it for a while with
// `go test ./internal/platform/search -run '^$' -fuzz FuzzSearchQuery -fuzztime 1m`.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{
		"کتاب\u200cها", `"near"`, `NEAR(a b, 3)`, `a* OR b`, `title:x`, `-x`, `(x`, `x)`, `a & b | !c <-> d:*`,
		`'x'`, `\`, "\x00", "\xff", "{title body}: x", "^x", "x AND", "AND OR NOT", "ـ\u200c", "۱۴۰۵", "برنام",
		`<script>alert(1)</script>`, "x y z w v u t s r q p o n m l k j i h g f e d",
	} {
		f.Add(s, "fa", "post")
	}
	ctx := context.Background()
	var dbs []*db.DB
	for _, e := range testkit.Engines {
		d := testkit.OpenDB(f, e)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			ix := search.New(d)
			for i, body := range []string{
				"کتاب\u200cها و نوشته\u200cها <b>bold</b> near and or not",
				`a "quoted" & <script>alert(1)</script> title:x (x) a-b c*`,
				"سال ۱۴۰۵ برنامه\u200cنویسی برای همه",
			} {
				if err := ix.Put(ctx, tx, search.Doc{Kind: "post", ID: int64(i + 1), Scope: search.Public, Lang: "fa",
					Slug: "s", Title: "عنوان " + body[:10], Body: body, Tags: []string{"tag", body[:5]}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
		dbs = append(dbs, d)
	}
	f.Fuzz(func(t *testing.T, text, lang, kind string) {
		for _, d := range dbs {
			ix := search.New(d)
			q := search.Query{Text: text, Scope: search.Public, Lang: lang, Kinds: []string{kind}, Limit: 10}
			if lang == "" {
				q.Kinds = nil
			}
			hits, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatalf("%s: Search(%q, lang %q, kind %q): %v", d.Engine, text, lang, kind, err)
			}
			for _, h := range hits {
				rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.SnippetHTML)
				if strings.ContainsAny(rest, "<>") {
					t.Fatalf("%s: snippet %q holds markup", d.Engine, h.SnippetHTML)
				}
			}
			if _, err := ix.MatchIDs(ctx, q, 50); err != nil {
				t.Fatalf("%s: MatchIDs(%q): %v", d.Engine, text, err)
			}
		}
	})
}
