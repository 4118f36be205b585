package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The portfolio's panel search (GET /api/projects?q=) and the redirects
// the public API keeps from a published project's old slugs.

type projectRef struct {
	ID   int64
	Slug string
	Lang string
}

func newProjectVia(t *testing.T, c *testkit.Client, body map[string]any) projectRef {
	t.Helper()
	var p projectRef
	mustStatus(t, c.Do("POST", "/api/projects", body), 201, fmt.Sprintf("create project %v", body["title"])).JSON(t, &p)
	return p
}

func moveProject(t *testing.T, c *testkit.Client, id int64, to string) {
	t.Helper()
	mustStatus(t, c.Do("POST", fmt.Sprintf("/api/projects/%d/transition", id), map[string]string{"to": to}), 200, "move project to "+to)
}

func patchProject(t *testing.T, c *testkit.Client, id int64, body map[string]any) projectRef {
	t.Helper()
	var p projectRef
	mustStatus(t, c.Do("PATCH", fmt.Sprintf("/api/projects/%d", id), body), 200, fmt.Sprintf("patch project %v", body)).JSON(t, &p)
	return p
}

type panelList struct {
	Items []struct {
		ID    int64
		Title string
		Slug  string
	}
	Total      int64
	TotalPages int64   `json:"total_pages"`
	NextCursor *string `json:"next_cursor"`
}

func (l panelList) ids() []int64 {
	out := []int64{}
	for _, it := range l.Items {
		out = append(out, it.ID)
	}
	return out
}

func listProjects(t *testing.T, c *testkit.Client, query url.Values) panelList {
	t.Helper()
	var l panelList
	mustStatus(t, c.Do("GET", "/api/projects?"+query.Encode(), nil), 200, "list "+query.Encode()).JSON(t, &l)
	return l
}

func sortedIDs(ids ...int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestProjectsPanelSearch: q is answered by the search index's panel
// documents, so every spelling of a Persian word finds the same project,
// drafts included, and the client's name, summary and body are searched
// too; the list's own filters, sort and paging still hold over the
// matches.
func TestProjectsPanelSearch(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			viewer := func() *testkit.Client {
				w.in.CreateUser(t, "viewer@example.com", content.PermView)
				return w.in.LoggedIn(t, "viewer@example.com")
			}()
			library := newProjectVia(t, w.writer, map[string]any{"title": "کتاب\u200cخانه دیجیتال", "lang": "fa", "client": "شرکت کیان"})
			shop := newProjectVia(t, w.publisher, map[string]any{"title": "فروشگاه ۱۴۰۳", "lang": "fa", "summary": "سامانه کیفیت"})
			moveProject(t, w.publisher, shop.ID, "published")
			harbor := newProjectVia(t, w.writer, map[string]any{"title": "Harbor Logistics", "slug": "port-app", "lang": "en",
				"client": "Acme Shipping", "body_md": "A *tracking* dashboard."})
			old := newProjectVia(t, w.publisher, map[string]any{"title": "Archived harbor", "lang": "en"})
			moveProject(t, w.publisher, old.ID, "published")
			moveProject(t, w.publisher, old.ID, "archived")

			for _, tc := range []struct {
				q, lang string
				want    []int64
			}{
				{q: "کتابخانه", want: []int64{library.ID}},       // written without the ZWNJ
				{q: "کتاب\u200cخانه", want: []int64{library.ID}}, // with it
				{q: "كتابخانه", want: []int64{library.ID}},       // with the Arabic kaf
				{q: "كيان", want: []int64{library.ID}},           // the client, Arabic kaf and yeh
				{q: "1403", want: []int64{shop.ID}},              // ASCII digits find Persian ones
				{q: "۱۴۰۳", want: []int64{shop.ID}},              // Persian digits
				{q: "١٤٠٣", want: []int64{shop.ID}},              // Arabic-Indic digits
				{q: "سامانه كيفيت", want: []int64{shop.ID}},      // the summary, every word
				{q: "acme", want: []int64{harbor.ID}},            // the client
				{q: "TRACKING", want: []int64{harbor.ID}},        // the body, any case
				{q: "port-app", want: []int64{harbor.ID}},        // a slug the index does not hold
				{q: "harbor", want: []int64{harbor.ID, old.ID}},  // drafts and archived ones alike
				{q: "harbor", lang: "fa", want: []int64{}},       // the language filter holds
				{q: "harbor tracking", want: []int64{harbor.ID}}, // every word must match
				{q: "!!!", want: []int64{}},                      // nothing to search for finds nothing
				{q: "%", want: []int64{}},                        // nor do LIKE's wildcards
				{q: "_", want: []int64{}},
				{q: "کتابخانه", lang: "fa", want: []int64{library.ID}},
				{q: "nothing-like-this", want: []int64{}},
				{q: "لجستیک", want: []int64{}},
				{q: "Harbor Logistics", lang: "en", want: []int64{harbor.ID}},
			} {
				query := url.Values{"q": {tc.q}}
				if tc.lang != "" {
					query.Set("lang", tc.lang)
				}
				l := listProjects(t, viewer, query)
				if got := sortedIDs(l.ids()...); !slices.Equal(got, sortedIDs(tc.want...)) || l.Total != int64(len(tc.want)) {
					t.Errorf("q=%q lang=%q: got %v (total %d), want %v", tc.q, tc.lang, got, l.Total, tc.want)
				}
			}
			// a draft is found, and only with the status asked for
			if l := listProjects(t, viewer, url.Values{"q": {"کتابخانه"}, "status": {"published"}}); len(l.Items) != 0 {
				t.Fatalf("status filter ignored: %+v", l.Items)
			}
			if l := listProjects(t, viewer, url.Values{"q": {"کتابخانه"}, "status": {"draft"}}); !slices.Equal(l.ids(), []int64{library.ID}) {
				t.Fatalf("a draft not found: %+v", l.Items)
			}

			// the index follows each write at once: the old title is no longer found, the new one is
			patchProject(t, w.writer, library.ID, map[string]any{"title": "بایگانی اسناد"})
			if l := listProjects(t, viewer, url.Values{"q": {"کتابخانه"}}); len(l.Items) != 0 {
				t.Fatalf("found by its old title: %+v", l.Items)
			}
			if l := listProjects(t, viewer, url.Values{"q": {"اسناد"}}); !slices.Equal(l.ids(), []int64{library.ID}) {
				t.Fatalf("not found by its new title: %+v", l.Items)
			}
			mustStatus(t, w.writer.Do("DELETE", fmt.Sprintf("/api/projects/%d", library.ID), nil), 204, "delete the draft")
			if l := listProjects(t, viewer, url.Values{"q": {"اسناد"}}); len(l.Items) != 0 {
				t.Fatalf("a deleted project is found: %+v", l.Items)
			}

			// paging and sort over the matches: five share a word, one does not
			titles := []string{"Delta tile", "Alpha tile", "Echo tile", "Charlie tile", "Bravo tile"}
			var shared []int64
			for _, title := range titles {
				shared = append(shared, newProjectVia(t, w.writer, map[string]any{"title": title, "lang": "en", "summary": "مشترک"}).ID)
			}
			newProjectVia(t, w.writer, map[string]any{"title": "Foxtrot tile", "lang": "en"})
			byTitle := func(sort string) []string {
				var out []string
				for page := 1; ; page++ {
					l := listProjects(t, viewer, url.Values{"q": {"مشترك"}, "sort": {sort}, "page": {fmt.Sprint(page)}, "page_size": {"2"}})
					if l.Total != 5 || l.TotalPages != 3 {
						t.Fatalf("page %d of %s: total %d pages %d", page, sort, l.Total, l.TotalPages)
					}
					if len(l.Items) == 0 {
						break
					}
					for _, it := range l.Items {
						out = append(out, it.Title)
					}
				}
				return out
			}
			asc := byTitle("title")
			if want := slices.Sorted(slices.Values(titles)); !slices.Equal(asc, want) {
				t.Fatalf("sort=title over the matches: %v, want %v", asc, want)
			}
			desc := byTitle("-title")
			slices.Reverse(desc)
			if !slices.Equal(desc, asc) {
				t.Fatalf("sort=-title over the matches: %v", desc)
			}
			// cursor mode, the default manual order: the creation order
			var got []int64
			query := url.Values{"q": {"مشترک"}, "limit": {"2"}}
			for range 10 {
				l := listProjects(t, viewer, query)
				got = append(got, l.ids()...)
				if l.NextCursor == nil {
					break
				}
				query.Set("cursor", *l.NextCursor)
			}
			if !slices.Equal(got, shared) {
				t.Fatalf("cursor pages over the matches: %v, want %v", got, shared)
			}
			// a cursor is bound to its q
			l := listProjects(t, viewer, url.Values{"q": {"مشترک"}, "limit": {"2"}})
			wantError(t, viewer.Do("GET", "/api/projects?q=tile&limit=2&cursor="+url.QueryEscape(*l.NextCursor), nil), 400, "INVALID_JSON")

			// bad q: 422 naming it, never a 500 or a silent clamp
			long := strings.Repeat("ک", 201)
			for _, bad := range []string{long, "a\x00b", "\x00"} {
				r := viewer.Do("GET", "/api/projects?q="+url.QueryEscape(bad), nil)
				if m := wantError(t, r, 422, "VALIDATION_FAILED"); !strings.Contains(fmt.Sprint(m["details"]), "q:") {
					t.Fatalf("q %q: %s", bad, r.Body)
				}
			}
			mustStatus(t, viewer.Do("GET", "/api/projects?q="+url.QueryEscape(long[:len(long)-len("ک")]), nil), 200, "a q of 200 letters")
			// no q reaches another permission's data: content.view is needed to ask at all
			w.in.CreateUser(t, "nobody@example.com")
			wantError(t, w.in.LoggedIn(t, "nobody@example.com").Do("GET", "/api/projects?q=harbor", nil), 403, "PERMISSION_DENIED")
		})
	}
}

// redirectClient is c stopping at redirects.
func redirectClient(c *testkit.Client) *testkit.Client {
	h := *c.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc := *c
	cc.HTTP = &h
	return &cc
}

func redirectCount(t *testing.T, in *testkit.Instance, projectID int64) int {
	t.Helper()
	var n int
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM project_slug_redirects WHERE project_id = ?`, projectID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestProjectSlugRedirects: a published project's changed slug keeps
// answering on the website, with the post route's old-slug answer (301,
// Location naming the current slug and language), until the project leaves
// the website; a project published under an old slug wins over it.
func TestProjectSlugRedirects(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			web := redirectClient(w.web)
			public := func(slug string) string { return "/api/public/v1/projects/" + slug }
			moved := func(path, to, lang string) *testkit.Response {
				t.Helper()
				r := web.Do("GET", path, nil)
				if want := public(url.PathEscape(to)) + "?lang=" + lang; r.Status != 301 || r.Header.Get("Location") != want {
					t.Fatalf("GET %s: want 301 to %s, got %d %q %s", path, want, r.Status, r.Header.Get("Location"), r.Body)
				}
				return r
			}
			gone := func(path string) {
				t.Helper()
				wantError(t, web.Do("GET", path, nil), 404, "NOT_FOUND")
			}
			live := func(path, slug string) {
				t.Helper()
				var d struct{ Slug string }
				pget(t, web, path, 200).JSON(t, &d)
				if d.Slug != slug {
					t.Fatalf("GET %s shows %q, want %q", path, d.Slug, slug)
				}
			}

			p := newProjectVia(t, w.publisher, map[string]any{"title": "Alpha", "lang": "fa"})
			moveProject(t, w.publisher, p.ID, "published")
			live(public("alpha"), "alpha") // cached now: the rename must invalidate it

			// a draft's renames make no redirect: the website never knew it
			d := newProjectVia(t, w.writer, map[string]any{"title": "Draft one", "lang": "fa"})
			patchProject(t, w.writer, d.ID, map[string]any{"slug": "draft-two"})
			gone(public("draft-one"))
			if n := redirectCount(t, w.in, d.ID); n != 0 {
				t.Fatalf("a draft's rename made %d redirects", n)
			}

			// rename: the old slug answers as an old post slug does
			patchProject(t, w.publisher, p.ID, map[string]any{"slug": "beta"})
			r := moved(public("alpha"), "beta", "fa")
			if r2 := web.Do("GET", public("alpha"), nil); r2.Header.Get("Cache-Status") != "pishkhan; hit" || r2.Status != 301 {
				t.Fatalf("the redirect is not cached: %d %q", r2.Status, r2.Header.Get("Cache-Status"))
			}
			postID := addPost(t, w.in, w.in.CreateUser(t, "author@example.com", content.PermView),
				seedPost{lang: "fa", slug: "post-now", title: "a post", status: content.Published, live: true})
			sqlExec(t, w.in, `INSERT INTO post_slug_redirects (lang, old_slug, post_id, created_at) VALUES ('fa', 'post-before', ?, ?)`, postID, time.Now().UTC())
			postMoved := web.Do("GET", "/api/public/v1/posts/post-before", nil)
			if postMoved.Status != 301 || len(postMoved.Body) != 0 || len(r.Body) != 0 {
				t.Fatalf("old post slug %d %q, old project slug %q", postMoved.Status, postMoved.Body, r.Body)
			}
			headerNames := func(h http.Header) []string {
				var out []string
				for k := range h {
					if k != "Date" {
						out = append(out, k)
					}
				}
				slices.Sort(out)
				return out
			}
			if a, b := headerNames(postMoved.Header), headerNames(r.Header); !slices.Equal(a, b) {
				t.Fatalf("headers of an old slug: post %v, project %v", a, b)
			}
			for _, h := range []string{"Cache-Control", "Content-Type", "Vary"} {
				if postMoved.Header.Get(h) != r.Header.Get(h) {
					t.Fatalf("%s of an old slug: post %q, project %q", h, postMoved.Header.Get(h), r.Header.Get(h))
				}
			}
			live(public("beta"), "beta")
			var followed struct{ Slug string }
			pget(t, w.web, public("alpha"), 200).JSON(t, &followed)
			if followed.Slug != "beta" {
				t.Fatalf("followed to %q", followed.Slug)
			}

			// a chain: every old slug answers with the current one
			patchProject(t, w.publisher, p.ID, map[string]any{"slug": "gamma"})
			moved(public("alpha"), "gamma", "fa")
			moved(public("beta"), "gamma", "fa")
			// back to the first slug: live again, so no longer a redirect
			patchProject(t, w.publisher, p.ID, map[string]any{"slug": "alpha"})
			live(public("alpha"), "alpha")
			moved(public("gamma"), "alpha", "fa")
			moved(public("beta"), "alpha", "fa")
			if n := redirectCount(t, w.in, p.ID); n != 2 {
				t.Fatalf("%d redirects, want beta and gamma", n)
			}
			// slug games: the old slug asked in any spelling Slugify folds
			moved(public("GAMMA"), "alpha", "fa")
			moved(public("gamma?lang=fa"), "alpha", "fa")
			gone(public("gamma?lang=en")) // lang scoping: the old slug was Persian
			gone(public("gamm"))

			// a Persian slug, asked with Arabic letters
			fa := newProjectVia(t, w.publisher, map[string]any{"title": "نمونه یک", "lang": "fa"})
			moveProject(t, w.publisher, fa.ID, "published")
			patchProject(t, w.publisher, fa.ID, map[string]any{"slug": "نمونه دو"})
			moved(public(url.PathEscape("نمونه-يك")), "نمونه-دو", "fa")

			// another project may take an old slug: while a draft the redirect
			// stays (the website never shows drafts); published, it wins
			q := newProjectVia(t, w.writer, map[string]any{"title": "Usurper", "slug": "beta", "lang": "fa"})
			moved(public("beta"), "alpha", "fa")
			moveProject(t, w.publisher, q.ID, "published")
			live(public("beta"), "beta")
			// and renamed in turn, beta now redirects to it, not to the first
			patchProject(t, w.publisher, q.ID, map[string]any{"slug": "delta"})
			moved(public("beta"), "delta", "fa")
			moved(public("gamma"), "alpha", "fa")

			// a language change: the old language's address names the new one
			patchProject(t, w.publisher, q.ID, map[string]any{"lang": "en"})
			moved(public("delta?lang=fa"), "delta", "en")
			live(public("delta?lang=en"), "delta")
			live(public("delta"), "delta")

			// a writer may not rename a live project; a stale If-Match neither: no redirect made
			before := redirectCount(t, w.in, p.ID)
			wantError(t, w.writer.Do("PATCH", fmt.Sprintf("/api/projects/%d", p.ID), map[string]any{"slug": "writer-took"}), 403, "PERMISSION_DENIED")
			wantError(t, w.publisher.Do("PATCH", fmt.Sprintf("/api/projects/%d", p.ID), map[string]any{"slug": "stale-took"}, "If-Match", `"stale"`),
				412, "PRECONDITION_FAILED")
			if n := redirectCount(t, w.in, p.ID); n != before {
				t.Fatalf("a refused rename changed the redirects: %d, want %d", n, before)
			}
			live(public("alpha"), "alpha")
			// a writer may not unpublish (so drop the redirects) either
			wantError(t, w.writer.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "draft"}), 403, "PERMISSION_DENIED")
			moved(public("gamma"), "alpha", "fa")

			// unpublishing clears: the old slugs are gone, and stay gone after a republish
			moveProject(t, w.publisher, p.ID, "draft")
			gone(public("alpha"))
			gone(public("gamma"))
			if n := redirectCount(t, w.in, p.ID); n != 0 {
				t.Fatalf("%d redirects left after an unpublish", n)
			}
			moveProject(t, w.publisher, p.ID, "published")
			live(public("alpha"), "alpha")
			gone(public("gamma"))
			// archiving clears too
			patchProject(t, w.publisher, fa.ID, map[string]any{"slug": "نمونه سه"})
			moved(public(url.PathEscape("نمونه-یک")), "نمونه-سه", "fa")
			moveProject(t, w.publisher, fa.ID, "archived")
			gone(public(url.PathEscape("نمونه-یک")))
			gone(public(url.PathEscape("نمونه-سه")))
			// deleting a live project takes its redirects with it
			moved(public("beta"), "delta", "en")
			mustStatus(t, w.publisher.Do("DELETE", fmt.Sprintf("/api/projects/%d", q.ID), nil), 204, "delete")
			gone(public("beta"))
			gone(public("delta"))
			if n := redirectCount(t, w.in, q.ID); n != 0 {
				t.Fatalf("%d redirects of a deleted project", n)
			}
		})
	}
}
