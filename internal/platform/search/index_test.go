package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The index's conformance suite: the same expectations on every engine.
func TestIndex(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			d := testkit.OpenDB(t, e)
			t.Run("Persian spellings find each other", func(t *testing.T) { persianSpellings(t, d) })
			t.Run("title hits rank above body hits", func(t *testing.T) { titleFirst(t, d) })
			t.Run("scope, lang and kinds filter", func(t *testing.T) { filters(t, d) })
			t.Run("snippets escape the document", func(t *testing.T) { snippets(t, d) })
			t.Run("put replaces, remove removes, both in the caller's transaction", func(t *testing.T) { transactions(t, d) })
			t.Run("the last word matches as a prefix", func(t *testing.T) { prefix(t, d) })
			t.Run("a one-letter typo is corrected", func(t *testing.T) { typo(t, d) })
			t.Run("query syntax is only text", func(t *testing.T) { syntax(t, d) })
			t.Run("limits and empty queries", func(t *testing.T) { limits(t, d) })
			t.Run("concurrent writers sharing new words never fail", func(t *testing.T) { concurrentPuts(t, d) })
			t.Run("match ids and rebuild", func(t *testing.T) { matchAndRebuild(t, d) })
			t.Run("any word: documents holding more of the words rank first", func(t *testing.T) { anyWord(t, d) })
		})
	}
}

// put writes docs in one committed transaction.
func put(t *testing.T, d *db.DB, docs ...search.Doc) {
	t.Helper()
	ix := search.New(d)
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		for _, doc := range docs {
			if err := ix.Put(context.Background(), tx, doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func find(t *testing.T, d *db.DB, q search.Query) []search.Hit {
	t.Helper()
	if q.Scope == "" {
		q.Scope = search.Public
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	hits, err := search.New(d).Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return hits
}

// ids lists the hits' ids of one kind, in order.
func ids(hits []search.Hit, kind string) []int64 {
	var out []int64
	for _, h := range hits {
		if h.Kind == kind {
			out = append(out, h.ID)
		}
	}
	return out
}

func persianSpellings(t *testing.T, d *db.DB) {
	const kind = "spell"
	doc := func(id int64, body string) search.Doc {
		return search.Doc{Kind: kind, ID: id, Scope: search.Public, Lang: "fa", Slug: fmt.Sprint(id), Title: "نوشته", Body: body}
	}
	put(t, d,
		doc(1, "این کتاب\u200cها را خواندم"),     // ZWNJ
		doc(2, "این کتابها را خواندم"),           // joined
		doc(3, "این کتاب ها را خواندم"),          // apart
		doc(4, "من می\u200cخواهم بروم"),          // ZWNJ
		doc(5, "من میخواهم بروم"),                // joined
		doc(6, "من می خواهم بروم"),               // apart
		doc(7, "كتابي قديمي"),                    // Arabic yeh and kaf
		doc(8, "سال ۱۴۰۵ خورشیدی"),               // Persian digits
		doc(9, "سال ١٤٠٥ هجري"),                  // Arabic digits
		doc(10, "year 1405 in English"),          // ASCII digits
		doc(11, "كِتَابِی با اِعراب و تـــطویل"), // diacritics and tatweel
	)
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"کتاب\u200cها ", []int64{1, 2, 3}},
		{"کتابها ", []int64{1, 2, 3}},
		{"کتاب ها ", []int64{1, 2, 3}},
		{"كتاب\u200cها ", []int64{1, 2, 3}},
		{"می\u200cخواهم ", []int64{4, 5, 6}},
		{"میخواهم ", []int64{4, 5, 6}},
		{"می خواهم ", []int64{4, 5, 6}},
		{"کتابی ", []int64{7, 11}},
		{"كتابي ", []int64{7, 11}},
		{"قدیمی ", []int64{7}},
		{"۱۴۰۵ ", []int64{8, 9, 10}},
		{"١٤٠٥ ", []int64{8, 9, 10}},
		{"1405 ", []int64{8, 9, 10}},
		{"تطویل ", []int64{11}},
	} {
		got := ids(find(t, d, search.Query{Text: c.q, Kinds: []string{kind}}), kind)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q found %v, want %v", c.q, got, c.want)
		}
	}
}

func titleFirst(t *testing.T, d *db.DB) {
	const kind = "rank"
	long := strings.Repeat("متن درباره باغبانی و گل و گیاه. ", 3)
	put(t, d,
		search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "fa", Slug: "body", Title: "یادداشت",
			Body: long + "باغبانی باغبانی باغبانی " + long},
		search.Doc{Kind: kind, ID: 2, Scope: search.Public, Lang: "fa", Slug: "title", Title: "راهنمای باغبانی",
			Body: "نکته\u200cهایی برای شروع"},
		search.Doc{Kind: kind, ID: 3, Scope: search.Public, Lang: "fa", Slug: "none", Title: "آشپزی", Body: "غذا"},
		// deep in a long body: found, ranked last
		search.Doc{Kind: kind, ID: 4, Scope: search.Public, Lang: "fa", Slug: "deep", Title: "یادداشت بلند",
			Body: strings.Repeat("واژه\u200cای دیگر ", 400) + "باغبانی"},
	)
	hits := find(t, d, search.Query{Text: "باغبانی", Kinds: []string{kind}})
	if got := ids(hits, kind); !slices.Equal(got, []int64{2, 1, 4}) {
		t.Fatalf("ranking %v, want the title hit 2, the body hit 1, the deep body hit 4 (and 3 not at all)", got)
	}
	if hits[0].Score <= hits[1].Score {
		t.Fatalf("scores %v ≤ %v: higher must be better", hits[0].Score, hits[1].Score)
	}
	if hits[0].Slug != "title" || hits[0].Title != "راهنمای باغبانی" {
		t.Fatalf("hit %+v lost its slug or title", hits[0])
	}
}

func filters(t *testing.T, d *db.DB) {
	put(t, d,
		search.Doc{Kind: "fpost", ID: 1, Scope: search.Panel, Lang: "fa", Slug: "draft", Title: "پیش\u200cنویس محرمانه", Body: "زرافه"},
		search.Doc{Kind: "fpost", ID: 2, Scope: search.Public, Lang: "fa", Slug: "live", Title: "منتشرشده", Body: "زرافه"},
		search.Doc{Kind: "fpost", ID: 3, Scope: search.Public, Lang: "en", Slug: "en", Title: "Published", Body: "زرافه giraffe"},
		search.Doc{Kind: "fproject", ID: 2, Scope: search.Public, Lang: "fa", Slug: "project", Title: "پروژه", Body: "زرافه"},
	)
	kinds := []string{"fpost", "fproject"}
	key := func(hits []search.Hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, fmt.Sprintf("%s/%d", h.Kind, h.ID))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name string
		q    search.Query
		want []string
	}{
		{"public", search.Query{Text: "زرافه", Kinds: kinds, Scope: search.Public}, []string{"fpost/2", "fpost/3", "fproject/2"}},
		{"panel", search.Query{Text: "زرافه", Kinds: kinds, Scope: search.Panel}, []string{"fpost/1"}},
		{"a panel title never in public", search.Query{Text: "محرمانه", Kinds: kinds, Scope: search.Public}, nil},
		{"lang", search.Query{Text: "زرافه", Kinds: kinds, Lang: "en"}, []string{"fpost/3"}},
		{"kind", search.Query{Text: "زرافه", Kinds: []string{"fproject"}}, []string{"fproject/2"}},
		{"two words", search.Query{Text: "زرافه giraffe", Kinds: kinds}, []string{"fpost/3"}},
	} {
		if got := key(find(t, d, c.q)); !slices.Equal(got, c.want) {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}
}

func snippets(t *testing.T, d *db.DB) {
	const kind = "snip"
	put(t, d,
		search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "en", Slug: "x", Title: "<b>Title</b>",
			Body: `before <script>alert(1)</script> the "needle" & <img src=x onerror=alert(2)> after`},
		search.Doc{Kind: kind, ID: 2, Scope: search.Public, Lang: "fa", Slug: "y", Title: "کتاب",
			Body: strings.Repeat("واژه ", 40) + "این کتاب\u200cها خوب\u200cاند " + strings.Repeat("پایان ", 40)},
	)
	hits := find(t, d, search.Query{Text: "needle", Kinds: []string{kind}})
	if len(hits) != 1 {
		t.Fatalf("hits %+v", hits)
	}
	s := hits[0].SnippetHTML
	if strings.Contains(s, "<script") || strings.Contains(s, "<img") || !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(s, "<mark>needle</mark>") || !strings.Contains(s, "&amp;") {
		t.Fatalf("snippet %q: want escaped markup and a marked match", s)
	}
	if rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s); strings.ContainsAny(rest, "<>") {
		t.Fatalf("snippet %q holds markup other than <mark>", s)
	}
	if hits[0].Title != "<b>Title</b>" {
		t.Fatalf("title %q: Title is plain text, escaped by whoever renders it", hits[0].Title)
	}
	// the window is around the match, keeps the writer's ZWNJ, marks the
	// whole written word
	hits = find(t, d, search.Query{Text: "كتابها", Kinds: []string{kind}})
	if len(hits) != 1 {
		t.Fatalf("hits %+v", hits)
	}
	s = hits[0].SnippetHTML
	if !strings.Contains(s, "<mark>کتاب\u200cها</mark>") || !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") {
		t.Fatalf("snippet %q: want the match marked, cut on both sides", s)
	}
}

func transactions(t *testing.T, d *db.DB) {
	const kind = "tx"
	ctx := context.Background()
	ix := search.New(d)
	doc := search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "en", Slug: "a", Title: "alpha", Body: "first"}
	put(t, d, doc)
	q := search.Query{Kinds: []string{kind}}
	count := func(text string) int {
		q.Text = text
		return len(find(t, d, q))
	}
	// Put replaces
	doc.Title, doc.Body = "beta", "second"
	put(t, d, doc)
	if count("alpha ") != 0 || count("first ") != 0 || count("beta ") != 1 || count("second ") != 1 {
		t.Fatal("Put did not replace the document")
	}
	// a rolled-back Put and Remove change nothing
	boom := errors.New("roll back")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		doc2 := doc
		doc2.Title = "gamma"
		if err := ix.Put(ctx, tx, doc2); err != nil {
			return err
		}
		if err := ix.Put(ctx, tx, search.Doc{Kind: kind, ID: 2, Scope: search.Public, Lang: "en", Title: "delta"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if count("gamma ") != 0 || count("delta ") != 0 || count("beta ") != 1 {
		t.Fatal("a rolled-back Put changed the index")
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if err := ix.Remove(ctx, tx, kind, 1, search.Public); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count("beta ") != 1 {
		t.Fatalf("a rolled-back Remove changed the index (%v)", err)
	}
	// Remove removes only its scope, and removing again is no error
	put(t, d, search.Doc{Kind: kind, ID: 1, Scope: search.Panel, Lang: "en", Slug: "a", Title: "beta"})
	for range 2 {
		if err := d.InTx(ctx, func(tx *db.Tx) error { return ix.Remove(ctx, tx, kind, 1, search.Public) }); err != nil {
			t.Fatal(err)
		}
	}
	if count("beta ") != 0 {
		t.Fatal("Remove left the document")
	}
	q.Scope = search.Panel
	if count("beta ") != 1 {
		t.Fatal("Remove of the public document removed the panel one")
	}
	// a bad scope is refused
	err = d.InTx(ctx, func(tx *db.Tx) error { return ix.Put(ctx, tx, search.Doc{Kind: kind, ID: 3, Scope: "everyone"}) })
	if !errors.Is(err, search.ErrBadScope) {
		t.Fatalf("Put with a bad scope: %v", err)
	}
}

func prefix(t *testing.T, d *db.DB) {
	const kind = "prefix"
	put(t, d, search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "fa", Title: "برنامه\u200cنویسی", Body: "یک برنامه ساده به زبان Go"})
	q := search.Query{Kinds: []string{kind}}
	for text, want := range map[string]int{
		"برنام":      1, // being typed: a prefix
		"ساده برنا":  1,
		"برنا ساده":  0, // only the last word
		"زبان G":     0, // a word under three letters is never a prefix ("go" is the term)…
		"بر":         0,
		"برن":        1, // …three are
		"زبان Go":    1,
		"برنامهنویس": 1, // the joined form, as a prefix
	} {
		q.Text = text
		if got := len(find(t, d, q)); got != want {
			t.Errorf("%q: %d hits, want %d", text, got, want)
		}
	}
}

func typo(t *testing.T, d *db.DB) {
	const kind = "typo"
	put(t, d,
		search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "fa", Title: "دانشگاه تهران", Body: "دانشجویان"},
		search.Doc{Kind: kind, ID: 2, Scope: search.Public, Lang: "en", Title: "Photography basics", Body: "camera"},
	)
	for _, c := range []struct {
		q    string
		want int64
	}{
		{"دانشگاح ", 1},      // one letter replaced
		{"دانشگا تهران ", 1}, // one letter missing (and a correct word)
		{"photografy ", 2},   // two letters off in a long word
		{"phtography ", 2},   // one letter missing
	} {
		got := ids(find(t, d, search.Query{Text: c.q, Kinds: []string{kind}}), kind)
		if !slices.Equal(got, []int64{c.want}) {
			t.Errorf("%q found %v, want [%d]", c.q, got, c.want)
		}
	}
	// short words are not corrected: "cam" is not "camera"
	if got := find(t, d, search.Query{Text: "cam ", Kinds: []string{kind}}); len(got) != 0 {
		t.Errorf("a short unknown word was corrected: %+v", got)
	}
}

func syntax(t *testing.T, d *db.DB) {
	const kind = "syntax"
	put(t, d, search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "en", Title: "near and or not", Body: "a-b c:d (e) \"f\" g*"})
	for _, q := range []string{
		`"`, `""`, `"near`, `NEAR(a b)`, `near/3`, `*`, `a*`, `:`, `title:near`, `-`, `-near`, `(`, `)`, `(near`,
		`AND`, `OR`, `NOT`, `near AND`, `OR near`, `near NOT`, `&`, `|`, `!`, `<->`, `near:*`, `'`, `''`, `\`, `\'`,
		`{title}: near`, `^near`, `+near`, `near <-> and`, "near\x00or", "\xff\xfe", `%`, `_`, `;DROP TABLE search_docs;--`,
		strings.Repeat("word ", 500), strings.Repeat("(", 1000),
	} {
		if _, err := search.New(d).Search(context.Background(), search.Query{Text: q, Scope: search.Public, Kinds: []string{kind}, Limit: 10}); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	// operators are words like any other
	for text, want := range map[string]int{"near and": 1, "or not": 1, "a-b ": 1, "c:d": 1, `"f"`: 1, "g*": 1, "NOT ": 1} {
		if got := len(find(t, d, search.Query{Text: text, Kinds: []string{kind}})); got != want {
			t.Errorf("%q: %d hits, want %d", text, got, want)
		}
	}
}

func limits(t *testing.T, d *db.DB) {
	ix := search.New(d)
	ctx := context.Background()
	for _, limit := range []int{-1, 0, 101} {
		_, err := ix.Search(ctx, search.Query{Text: "x", Scope: search.Public, Limit: limit})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.ValidationFailed || ae.Fields["limit"] == "" {
			t.Errorf("limit %d: %v, want VALIDATION_FAILED naming limit", limit, err)
		}
	}
	if _, err := ix.Search(ctx, search.Query{Text: "x", Scope: "nobody", Limit: 1}); !errors.Is(err, search.ErrBadScope) {
		t.Errorf("bad scope: %v", err)
	}
	for _, text := range []string{"", " ", "\u200c \t\n", "؟!…", "ـــ"} {
		hits, err := ix.Search(ctx, search.Query{Text: text, Scope: search.Public, Limit: 10})
		if err != nil || len(hits) != 0 {
			t.Errorf("%q: %v %v, want no hits and no error", text, hits, err)
		}
	}
	const kind = "limit"
	var docs []search.Doc
	for i := range 120 {
		docs = append(docs, search.Doc{Kind: kind, ID: int64(i + 1), Scope: search.Public, Lang: "en", Title: "many"})
	}
	put(t, d, docs...)
	if got := len(find(t, d, search.Query{Text: "many", Kinds: []string{kind}, Limit: 100})); got != 100 {
		t.Errorf("limit 100 answered %d hits", got)
	}
	if got := len(find(t, d, search.Query{Text: "many", Kinds: []string{kind}, Limit: 7})); got != 7 {
		t.Errorf("limit 7 answered %d hits", got)
	}
}

func concurrentPuts(t *testing.T, d *db.DB) {
	const kind = "concurrent"
	words := strings.Fields("alef beh peh tah seh jim cheh heh kheh dal zal reh zeh zheh sin shin sad zad")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				// every writer's documents hold the same new words, in an
				// order of their own
				body := slices.Clone(words)
				for j := range body {
					k := (j*7 + w*3 + i) % len(body)
					body[j], body[k] = body[k], body[j]
				}
				doc := search.Doc{Kind: kind, ID: int64(w*100 + i), Scope: search.Public, Lang: "en", Title: "doc",
					Body: strings.Join(body, " ") + fmt.Sprintf(" w%dx%d", w, i)}
				err := d.InTx(context.Background(), func(tx *db.Tx) error { return search.New(d).Put(context.Background(), tx, doc) })
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(find(t, d, search.Query{Text: "shin zad", Kinds: []string{kind}})); got != 80 {
		t.Fatalf("%d of 80 documents found", got)
	}
}

func matchAndRebuild(t *testing.T, d *db.DB) {
	const kind = "match"
	ctx := context.Background()
	put(t, d,
		search.Doc{Kind: kind, ID: 10, Scope: search.Panel, Lang: "fa", Title: "پنگوئن", Body: "یخ"},
		search.Doc{Kind: kind, ID: 20, Scope: search.Panel, Lang: "fa", Title: "یخچال", Body: "پنگوئن پنگوئن"},
		search.Doc{Kind: kind, ID: 30, Scope: search.Panel, Lang: "fa", Title: "خرس", Body: "قطب"},
	)
	ix := search.New(d)
	got, err := ix.MatchIDs(ctx, search.Query{Text: "پنگوئن", Scope: search.Panel, Kinds: []string{kind}}, 50)
	if err != nil || !slices.Equal(got, []int64{10, 20}) {
		t.Fatalf("MatchIDs = %v %v, want [10 20] (title hit first)", got, err)
	}
	if _, err := ix.MatchIDs(ctx, search.Query{Text: "x", Scope: search.Panel}, 0); err == nil {
		t.Fatal("MatchIDs with max 0 answered")
	}
	// Rebuild replaces everything with what the source yields…
	n, err := search.Rebuild(ctx, d, func(yield func(search.Doc) error) error {
		for _, doc := range []search.Doc{
			{Kind: kind, ID: 30, Scope: search.Panel, Lang: "fa", Title: "خرس قطبی", Body: "پنگوئن نیست"},
			{Kind: kind, ID: 30, Scope: search.Public, Lang: "fa", Title: "خرس قطبی"},
		} {
			if err := yield(doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("Rebuild = %d, %v", n, err)
	}
	got, _ = ix.MatchIDs(ctx, search.Query{Text: "پنگوئن", Scope: search.Panel, Kinds: []string{kind}}, 50)
	if !slices.Equal(got, []int64{30}) {
		t.Fatalf("after rebuild MatchIDs = %v, want [30]", got)
	}
	if got := find(t, d, search.Query{Text: "قطبی", Kinds: []string{kind}}); len(got) != 1 {
		t.Fatalf("after rebuild the public document is missing: %+v", got)
	}
	// …and a failing source leaves the index as it was
	boom := errors.New("source failed")
	_, err = search.Rebuild(ctx, d, func(yield func(search.Doc) error) error {
		_ = yield(search.Doc{Kind: kind, ID: 99, Scope: search.Panel, Lang: "fa", Title: "پنگوئن"})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	got, _ = ix.MatchIDs(ctx, search.Query{Text: "پنگوئن", Scope: search.Panel, Kinds: []string{kind}}, 50)
	if !slices.Equal(got, []int64{30}) {
		t.Fatalf("after a failed rebuild MatchIDs = %v, want [30]", got)
	}
}

func anyWord(t *testing.T, d *db.DB) {
	const kind = "anyword"
	put(t, d,
		search.Doc{Kind: kind, ID: 1, Scope: search.Public, Lang: "fa", Slug: "a", Title: "هزینه ارسال", Body: "ارسال رایگان"},
		search.Doc{Kind: kind, ID: 2, Scope: search.Public, Lang: "fa", Slug: "b", Title: "زمان ارسال", Body: "دو روز"},
		search.Doc{Kind: kind, ID: 3, Scope: search.Public, Lang: "fa", Slug: "c", Title: "بازگرداندن کالا", Body: "تا هفت روز"},
		search.Doc{Kind: kind, ID: 4, Scope: search.Panel, Lang: "fa", Slug: "d", Title: "هزینه ارسال پیش\u200cنویس", Body: "ارسال"},
	)
	q := search.Query{Text: "هزینه ارسال سفارش ", Kinds: []string{kind}}
	if got := ids(find(t, d, q), kind); len(got) != 0 {
		t.Fatalf("every word: found %v, want nothing (no document holds سفارش)", got)
	}
	q.Any = true
	hits := find(t, d, q)
	if got := ids(hits, kind); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("any word: found %v, want 1 (two of the words) then 2 (one), never the panel's 4", got)
	}
	if hits[0].Lang != "fa" {
		t.Fatalf("hit %+v: Lang is the document's language", hits[0])
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"کتاب\u200cها را می خواهم", []string{"کتابها", "را", "میخواهم"}},
		{"كتابها رو ميخواهم", []string{"کتابها", "رو", "میخواهم"}},
		{"کتاب ها", []string{"کتابها"}},
		{"E-mail me, please!", []string{"email", "me", "please"}},
		{"سال ۱۴۰۵", []string{"سال", "1405"}},
		{"  ", nil},
	} {
		if got := search.Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
