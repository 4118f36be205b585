package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The public read API: what a website sees. Posts are written straight
// into their tables here (the posts room writes them in production): a
// working copy in posts and, for live ones, the snapshot in post_live.

const siteURL = "https://site.example"

func startPublic(t *testing.T, m testkit.Mode, extra map[string]string) *testkit.Instance {
	t.Helper()
	env := map[string]string{
		"SECRET_KEY":          testkit.SecretKey,
		"PUBLIC_SITE_URL":     siteURL,
		"PUBLIC_CORS_ORIGINS": "https://site.example, https://www.site.example",
		"PUBLIC_RATE_LIMIT":   "100000/min",
	}
	for k, v := range extra {
		env[k] = v
	}
	return testkit.Start(t, testkit.NewShared(t, m), env)
}

// contentFixture holds what seed made.
type contentFixture struct {
	owner int64
	// media ids: on a live post's cover, only on a draft's cover, in a live
	// body, in a published project's gallery, in a draft project's
	// gallery, used by nothing
	liveCover, draftCover, liveInline, galleryLive, galleryDraft, unused int64
	posts                                                                map[string]int64
}

func sqlExec(t *testing.T, in *testkit.Instance, q string, args ...any) {
	t.Helper()
	if _, err := in.Srv.DB.Writer().Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func insertID(t *testing.T, in *testkit.Instance, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := in.Srv.DB.Writer().QueryRow(context.Background(), q+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func readyImage(t *testing.T, in *testkit.Instance, owner int64, name string) int64 {
	t.Helper()
	now := time.Now().UTC()
	return insertID(t, in, `INSERT INTO media (owner_id, object_key, filename, declared_type, content_type, size, kind, status, scan,
		width, height, thumbnails, search_text, created_at, updated_at)
		VALUES (?, ?, ?, 'image/jpeg', 'image/jpeg', 1000, 'image', 'ready', 'clean', 1600, 1200, '256.jpg,1024.jpg', ?, ?, ?)`,
		owner, "media/"+name+"/"+name+".jpg", name+".jpg", name, now, now)
}

func term(t *testing.T, in *testkit.Instance, kind, lang, name string) int64 {
	t.Helper()
	slug := search.Slugify(name)
	sqlExec(t, in, `INSERT INTO content_terms (kind, lang, slug, name) VALUES (?, ?, ?, ?) ON CONFLICT (kind, lang, slug) DO NOTHING`, kind, lang, slug, name)
	var id int64
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM content_terms WHERE kind = ? AND lang = ? AND slug = ?`,
		kind, lang, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

type seedPost struct {
	lang, slug, title string
	status            content.Status
	live              bool // has a post_live snapshot
	liveTitle         string
	body              string
	cover             int64
	tags, cats        []string
	at                time.Time
}

func addPost(t *testing.T, in *testkit.Instance, owner int64, p seedPost) int64 {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var cover any
	if p.cover > 0 {
		cover = p.cover
	}
	id := insertID(t, in, `INSERT INTO posts (lang, slug, title, body_md, body_html, excerpt, cover_media_id, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)`, p.lang, p.slug, p.title, p.body, "excerpt of "+p.title, cover, string(p.status), owner, now, now)
	sqlExec(t, in, `INSERT INTO post_authors (post_id, user_id, position) VALUES (?, ?, 0)`, id, owner)
	var termIDs []int64
	for _, tg := range p.tags {
		termIDs = append(termIDs, term(t, in, "tag", p.lang, tg))
	}
	for _, c := range p.cats {
		termIDs = append(termIDs, term(t, in, "category", p.lang, c))
	}
	for _, tid := range termIDs {
		sqlExec(t, in, `INSERT INTO post_terms (post_id, term_id) VALUES (?, ?)`, id, tid)
	}
	if !p.live {
		return id
	}
	title := p.title
	if p.liveTitle != "" {
		title = p.liveTitle
	}
	at := p.at
	if at.IsZero() {
		at = now
	}
	sqlExec(t, in, `INSERT INTO post_live (post_id, lang, slug, title, excerpt, body_html, cover_media_id, seo_title, seo_description,
		canonical_url, authors, revision, published_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', '', '', ?, 1, ?, ?)`,
		id, p.lang, p.slug, title, "excerpt of "+title, p.body, cover, fmt.Sprintf(`[{"id":%d,"name":"Test Author"}]`, owner), at, at)
	for _, tid := range termIDs {
		sqlExec(t, in, `INSERT INTO post_live_terms (post_id, term_id) VALUES (?, ?)`, id, tid)
	}
	return id
}

// seedContent writes posts in every status, and projects through the
// panel API (published, draft, archived).
func seedContent(t *testing.T, in *testkit.Instance, admin *testkit.Client) contentFixture {
	t.Helper()
	f := contentFixture{posts: map[string]int64{}}
	f.owner = in.CreateUser(t, "author@example.com", content.PermView)
	f.liveCover = readyImage(t, in, f.owner, "livecover")
	f.draftCover = readyImage(t, in, f.owner, "draftcover")
	f.liveInline = readyImage(t, in, f.owner, "inline")
	f.galleryLive = readyImage(t, in, f.owner, "gallerylive")
	f.galleryDraft = readyImage(t, in, f.owner, "gallerydraft")
	f.unused = readyImage(t, in, f.owner, "unused")
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	inline := fmt.Sprintf(`<p><img src="%s" alt="x"></p>`, content.PublicMediaPath(f.liveInline))
	for i, p := range []seedPost{
		{lang: "fa", slug: "live-one", title: "نوشته\u200cی زنده", status: content.Published, live: true, cover: f.liveCover,
			tags: []string{"گو", "shared"}, cats: []string{"فنی"}, body: inline, at: base.Add(1 * time.Minute)},
		{lang: "fa", slug: "live-two", title: `Tom & Jerry <script>alert("x")</script>`, status: content.Published, live: true,
			tags: []string{"shared"}, body: `<p>a &lt;b&gt; &amp; <a href="/about">about</a></p>`, at: base.Add(2 * time.Minute)},
		{lang: "fa", slug: "live-edited", title: "DRAFT-SECRET working title", liveTitle: "the live title", status: content.Published,
			live: true, tags: []string{"shared"}, at: base.Add(3 * time.Minute)},
		{lang: "en", slug: "english", title: "An English post", status: content.Published, live: true, tags: []string{"shared"}, at: base.Add(4 * time.Minute)},
		{lang: "fa", slug: "draft-post", title: "DRAFT-SECRET draft", status: content.Draft, cover: f.draftCover, tags: []string{"hidden-tag"}, cats: []string{"hidden-cat"}},
		{lang: "fa", slug: "review-post", title: "DRAFT-SECRET in review", status: content.InReview, tags: []string{"shared"}},
		{lang: "fa", slug: "scheduled-post", title: "DRAFT-SECRET scheduled", status: content.Scheduled, tags: []string{"shared"}},
		{lang: "fa", slug: "archived-post", title: "DRAFT-SECRET archived", status: content.Archived, tags: []string{"shared"}},
	} {
		_ = i
		f.posts[p.slug] = addPost(t, in, f.owner, p)
	}
	// an old slug of a live post, and one of a post no longer live
	sqlExec(t, in, `INSERT INTO post_slug_redirects (lang, old_slug, post_id, created_at) VALUES ('fa', 'old-one', ?, ?)`, f.posts["live-one"], base)
	sqlExec(t, in, `INSERT INTO post_slug_redirects (lang, old_slug, post_id, created_at) VALUES ('fa', 'old-archived', ?, ?)`, f.posts["archived-post"], base)

	mk := func(slug, title string, gallery int64, featured bool) int64 {
		body := map[string]any{"title": title, "slug": slug, "lang": "fa", "featured": featured, "tags": []string{"web"},
			"body_md": "hello", "links": []map[string]string{{"label": "site", "url": "https://example.com"}}}
		if gallery > 0 {
			body["gallery"] = []map[string]any{{"media_id": gallery, "caption_fa": "عکس", "caption_en": "photo"}}
		}
		r := admin.Do("POST", "/api/projects", body)
		if r.Status != 201 {
			t.Fatalf("create project: %d %s", r.Status, r.Body)
		}
		var p struct{ ID int64 }
		r.JSON(t, &p)
		return p.ID
	}
	pub := mk("live-project", "A published project", f.galleryLive, true)
	mk("draft-project", "DRAFT-SECRET project", f.galleryDraft, true)
	arch := mk("archived-project", "DRAFT-SECRET archived project", 0, false)
	pub2 := mk("second-project", "Second published", 0, false)
	for _, id := range []int64{pub, pub2, arch} {
		if r := admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", id), map[string]string{"to": "published"}); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
	}
	if r := admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", arch), map[string]string{"to": "archived"}); r.Status != 200 {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	return f
}

// fakeIndex answers every search with every post and project, drafts
// included: what a lagging or wrong index could say.
type fakeIndex struct{ d *db.DB }

func (x fakeIndex) Search(ctx context.Context, q search.Query) ([]search.Hit, error) {
	var hits []search.Hit
	for _, src := range []struct{ kind, sql string }{{"post", "SELECT id, slug, title FROM posts"}, {"project", "SELECT id, slug, title FROM projects"}} {
		rows, err := x.d.Reader().Query(ctx, src.sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			h := search.Hit{Kind: src.kind, Score: 1, SnippetHTML: "<mark>x</mark>"}
			if err := rows.Scan(&h.ID, &h.Slug, &h.Title); err != nil {
				rows.Close()
				return nil, err
			}
			hits = append(hits, h)
		}
		rows.Close()
	}
	return hits, nil
}

func TestPublicContent(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			f := seedContent(t, in, admin)
			in.Srv.Public.SetSearcher(fakeIndex{in.Srv.DB})
			anon := in.Client(t)
			t.Run("no draft ever appears", func(t *testing.T) { publicNoLeaks(t, in, anon, f) })
			t.Run("posts list", func(t *testing.T) { publicPostsList(t, anon) })
			t.Run("old slug 301", func(t *testing.T) { publicRedirect(t, anon) })
			t.Run("projects", func(t *testing.T) { publicProjects(t, anon) })
			t.Run("feeds", func(t *testing.T) { publicFeeds(t, anon) })
			t.Run("etag and cache headers", func(t *testing.T) { publicETag(t, in, admin, anon) })
			t.Run("cors", func(t *testing.T) { publicCORS(t, anon) })
			t.Run("bad query values", func(t *testing.T) { publicBadQueries(t, anon) })
			t.Run("sessions are ignored", func(t *testing.T) { publicIgnoresSessions(t, in) })
			t.Run("preview links", func(t *testing.T) { publicPreview(t, anon, f) })
			t.Run("media redirect", func(t *testing.T) { publicMedia(t, in, anon, f) })
		})
	}
}

func pget(t *testing.T, c *testkit.Client, path string, want int, headers ...string) *testkit.Response {
	t.Helper()
	r := c.Do("GET", path, nil, headers...)
	if r.Status != want {
		t.Fatalf("GET %s: want %d, got %d %s", path, want, r.Status, r.Body)
	}
	return r
}

func publicNoLeaks(t *testing.T, in *testkit.Instance, anon *testkit.Client, f contentFixture) {
	paths := []string{
		"/api/public/v1/posts", "/api/public/v1/posts?lang=fa", "/api/public/v1/posts?tag=shared", "/api/public/v1/posts?limit=100",
		"/api/public/v1/projects", "/api/public/v1/projects?featured=true", "/api/public/v1/projects?tag=web",
		"/api/public/v1/tags", "/api/public/v1/tags?lang=fa", "/api/public/v1/categories", "/api/public/v1/categories?lang=fa",
		"/api/public/v1/search?q=x", "/api/public/v1/search?q=x&lang=fa&limit=50",
		"/api/public/v1/feed.atom", "/api/public/v1/feed.rss", "/api/public/v1/feed.atom?lang=en", "/sitemap.xml",
		"/api/public/v1/posts/live-edited", "/api/public/v1/projects/live-project",
	}
	for _, p := range paths {
		r := pget(t, anon, p, 200)
		body := string(r.Body)
		for _, secret := range []string{"DRAFT-SECRET", "draft-post", "review-post", "scheduled-post", "archived-post",
			"draft-project", "archived-project", "hidden-tag", "hidden-cat"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q: %s", p, secret, body)
			}
		}
	}
	for _, slug := range []string{"draft-post", "review-post", "scheduled-post", "archived-post", "no-such-post"} {
		wantError(t, anon.Do("GET", "/api/public/v1/posts/"+slug, nil), 404, "NOT_FOUND")
	}
	for _, slug := range []string{"draft-project", "archived-project", "no-such"} {
		wantError(t, anon.Do("GET", "/api/public/v1/projects/"+slug, nil), 404, "NOT_FOUND")
	}
	// the live version of an edited post, not its working copy
	var d struct{ Title string }
	pget(t, anon, "/api/public/v1/posts/live-edited", 200).JSON(t, &d)
	if d.Title != "the live title" {
		t.Fatalf("live post shows %q", d.Title)
	}
	// counts are of live posts only: "shared" is on 4 live posts (and 3 hidden ones)
	var tags struct {
		Items []struct {
			Slug  string
			Count int
		}
	}
	pget(t, anon, "/api/public/v1/tags", 200).JSON(t, &tags)
	counts := map[string]int{}
	for _, it := range tags.Items {
		counts[it.Slug] = it.Count
	}
	if counts["shared"] != 4 || counts["گو"] != 1 || len(counts) != 2 {
		t.Fatalf("tag counts %v", counts)
	}
	pget(t, anon, "/api/public/v1/tags?lang=en", 200).JSON(t, &tags)
	if len(tags.Items) != 1 || tags.Items[0].Count != 1 {
		t.Fatalf("en tag counts %+v", tags.Items)
	}
	// search: the index may say anything; only live items come out
	var hits struct {
		Items []struct{ Type, Slug, Title string }
	}
	pget(t, anon, "/api/public/v1/search?q=x", 200).JSON(t, &hits)
	var got []string
	for _, h := range hits.Items {
		got = append(got, h.Type+":"+h.Slug)
	}
	slices.Sort(got)
	want := []string{"post:english", "post:live-edited", "post:live-one", "post:live-two", "project:live-project", "project:second-project"}
	if !slices.Equal(got, want) {
		t.Fatalf("search hits %v, want %v", got, want)
	}
	// unpublishing a project takes it off every route at once
	var list struct{ Items []struct{ ID int64 } }
	admin := in.LoggedIn(t, "admin@example.com")
	admin.Do("GET", "/api/projects?q=second", nil).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("panel search: %+v", list)
	}
	pget(t, anon, "/api/public/v1/projects/second-project", 200)
	if r := admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", list.Items[0].ID), map[string]string{"to": "draft"}); r.Status != 200 {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	wantError(t, anon.Do("GET", "/api/public/v1/projects/second-project", nil), 404, "NOT_FOUND")
	for _, p := range []string{"/api/public/v1/projects", "/sitemap.xml", "/api/public/v1/search?q=x"} {
		if strings.Contains(string(pget(t, anon, p, 200).Body), "second-project") {
			t.Fatalf("%s still shows an unpublished project", p)
		}
	}
	if r := admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", list.Items[0].ID), map[string]string{"to": "published"}); r.Status != 200 {
		t.Fatalf("republish: %d %s", r.Status, r.Body)
	}
}

type postsPage struct {
	Items []struct {
		Slug, Title, Lang string
		Cover             *struct {
			URL           string
			Width, Height int
		}
		Tags        []struct{ Slug, Name string }
		Categories  []struct{ Slug, Name string }
		Authors     []struct{ Name string }
		PublishedAt time.Time `json:"published_at"`
	}
	NextCursor *string `json:"next_cursor"`
	Limit      int
}

func publicPostsList(t *testing.T, anon *testkit.Client) {
	// newest first, by cursor, through every page
	var slugs []string
	path := "/api/public/v1/posts?limit=1"
	var first postsPage
	for i := 0; ; i++ {
		var p postsPage
		pget(t, anon, path, 200).JSON(t, &p)
		if i == 0 {
			first = p
		}
		for _, it := range p.Items {
			slugs = append(slugs, it.Slug)
		}
		if p.NextCursor == nil {
			break
		}
		path = "/api/public/v1/posts?limit=1&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	if want := []string{"english", "live-edited", "live-two", "live-one"}; !slices.Equal(slugs, want) {
		t.Fatalf("posts %v, want %v", slugs, want)
	}
	if first.Limit != 1 || first.Items[0].Authors[0].Name != "Test Author" {
		t.Fatalf("first page %+v", first)
	}
	var fa postsPage
	pget(t, anon, "/api/public/v1/posts?lang=fa&category=فنی", 200).JSON(t, &fa)
	if len(fa.Items) != 1 || fa.Items[0].Slug != "live-one" || fa.Items[0].Cover == nil ||
		fa.Items[0].Cover.Width != 1600 || !strings.HasPrefix(fa.Items[0].Cover.URL, "/api/public/v1/media/") ||
		len(fa.Items[0].Categories) != 1 || len(fa.Items[0].Tags) != 2 {
		t.Fatalf("by category: %s", pget(t, anon, "/api/public/v1/posts?lang=fa&category=فنی", 200).Body)
	}
	// page mode too, on the same path
	var pg struct {
		Items      []struct{ Slug string }
		Total      int
		TotalPages int `json:"total_pages"`
	}
	pget(t, anon, "/api/public/v1/posts?page=2&page_size=3", 200).JSON(t, &pg)
	if pg.Total != 4 || pg.TotalPages != 2 || len(pg.Items) != 1 || pg.Items[0].Slug != "live-one" {
		t.Fatalf("page mode %+v", pg)
	}
	pget(t, anon, "/api/public/v1/projects?page=1", 200).JSON(t, &pg)
	if pg.Total != 2 || len(pg.Items) != 2 {
		t.Fatalf("projects page mode %+v", pg)
	}
	// a cursor is bound to its filters
	var p postsPage
	pget(t, anon, "/api/public/v1/posts?limit=1", 200).JSON(t, &p)
	wantError(t, anon.Do("GET", "/api/public/v1/posts?lang=fa&limit=1&cursor="+url.QueryEscape(*p.NextCursor), nil), 400, "INVALID_JSON")
}

func publicRedirect(t *testing.T, anon *testkit.Client) {
	noFollow := *anon.HTTP
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := *anon
	c.HTTP = &noFollow
	r := c.Do("GET", "/api/public/v1/posts/old-one?lang=fa", nil)
	if r.Status != 301 || r.Header.Get("Location") != "/api/public/v1/posts/live-one?lang=fa" {
		t.Fatalf("old slug: %d %v", r.Status, r.Header)
	}
	// followed, it lands on the post
	var d struct{ Slug string }
	pget(t, anon, "/api/public/v1/posts/old-one", 200).JSON(t, &d)
	if d.Slug != "live-one" {
		t.Fatalf("followed to %q", d.Slug)
	}
	// an old slug of a post no longer live is gone, not redirected
	wantError(t, c.Do("GET", "/api/public/v1/posts/old-archived", nil), 404, "NOT_FOUND")
	// the slug of another language does not redirect
	wantError(t, c.Do("GET", "/api/public/v1/posts/old-one?lang=en", nil), 404, "NOT_FOUND")
}

func publicProjects(t *testing.T, anon *testkit.Client) {
	var p struct {
		Items []struct {
			Slug    string
			Gallery []struct {
				URL       string
				CaptionEn string `json:"caption_en"`
			}
			Links []struct{ URL string }
			Tags  []struct{ Slug string }
		}
	}
	pget(t, anon, "/api/public/v1/projects", 200).JSON(t, &p)
	if len(p.Items) != 2 || p.Items[0].Slug != "live-project" || p.Items[1].Slug != "second-project" {
		t.Fatalf("projects %s", pget(t, anon, "/api/public/v1/projects", 200).Body)
	}
	if g := p.Items[0].Gallery; len(g) != 1 || g[0].CaptionEn != "photo" || !strings.HasPrefix(g[0].URL, "/api/public/v1/media/") {
		t.Fatalf("gallery %+v", g)
	}
	pget(t, anon, "/api/public/v1/projects?featured=true", 200).JSON(t, &p)
	if len(p.Items) != 1 || p.Items[0].Slug != "live-project" {
		t.Fatalf("featured %+v", p.Items)
	}
	pget(t, anon, "/api/public/v1/projects?featured=false&lang=en", 200).JSON(t, &p)
	if len(p.Items) != 0 {
		t.Fatalf("en projects %+v", p.Items)
	}
	var d struct {
		BodyHTML string `json:"body_html"`
	}
	pget(t, anon, "/api/public/v1/projects/live-project?lang=fa", 200).JSON(t, &d)
	if !strings.Contains(d.BodyHTML, "hello") {
		t.Fatalf("body %q", d.BodyHTML)
	}
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Entries []struct {
		Title string `xml:"title"`
		ID    string `xml:"id"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

type rssFeed struct {
	XMLName xml.Name `xml:"rss"`
	Items   []struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
	} `xml:"channel>item"`
}

func publicFeeds(t *testing.T, anon *testkit.Client) {
	r := pget(t, anon, "/api/public/v1/feed.atom?lang=fa", 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Fatalf("atom content type %q", ct)
	}
	var a atomFeed
	if err := xml.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("atom does not parse: %v\n%s", err, r.Body)
	}
	if len(a.Entries) != 3 {
		t.Fatalf("atom entries %d", len(a.Entries))
	}
	tricky := `Tom & Jerry <script>alert("x")</script>`
	var found bool
	for _, e := range a.Entries {
		if !strings.HasPrefix(e.Link.Href, siteURL+"/fa/blog/") || e.ID != e.Link.Href {
			t.Fatalf("entry link %q", e.Link.Href)
		}
		if e.Title == tricky {
			found = true
			// the body is text holding HTML; its root-relative link now absolute
			if !strings.Contains(e.Content, `<a href="`+siteURL+`/about"`) || !strings.Contains(e.Content, "&lt;b&gt;") {
				t.Fatalf("entry content %q", e.Content)
			}
		}
		if strings.Contains(e.Content, `src="/api/`) {
			t.Fatalf("relative media link in the feed: %q", e.Content)
		}
	}
	if !found || strings.Contains(string(r.Body), "<script>") {
		t.Fatalf("escaped title not found, or a raw script tag:\n%s", r.Body)
	}
	r = pget(t, anon, "/api/public/v1/feed.rss?lang=fa", 200)
	var rss rssFeed
	if err := xml.Unmarshal(r.Body, &rss); err != nil {
		t.Fatalf("rss does not parse: %v\n%s", err, r.Body)
	}
	if len(rss.Items) != 3 || rss.Items[1].Title != tricky || !strings.HasPrefix(rss.Items[0].Link, siteURL+"/fa/blog/") ||
		strings.Contains(string(r.Body), "<script>") {
		t.Fatalf("rss:\n%s", r.Body)
	}
	var en atomFeed
	if err := xml.Unmarshal(pget(t, anon, "/api/public/v1/feed.atom?lang=en", 200).Body, &en); err != nil || len(en.Entries) != 1 {
		t.Fatalf("en feed: %v %+v", err, en)
	}
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	r = pget(t, anon, "/sitemap.xml", 200)
	if err := xml.Unmarshal(r.Body, &sm); err != nil {
		t.Fatalf("sitemap: %v", err)
	}
	var locs []string
	for _, u := range sm.URLs {
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Fatalf("lastmod %q", u.LastMod)
		}
		locs = append(locs, u.Loc)
	}
	slices.Sort(locs)
	want := []string{siteURL + "/en/blog/english", siteURL + "/fa/blog/live-edited", siteURL + "/fa/blog/live-one",
		siteURL + "/fa/blog/live-two", siteURL + "/fa/projects/live-project", siteURL + "/fa/projects/second-project"}
	if !slices.Equal(locs, want) {
		t.Fatalf("sitemap %v", locs)
	}
	if r.Header.Get("Cache-Control") != "public, max-age=0, must-revalidate" || r.Header.Get("ETag") == "" {
		t.Fatalf("sitemap headers %v", r.Header)
	}
	wantError(t, anon.Do("GET", "/api/public/v1/feed.rss?lang=de", nil), 422, "VALIDATION_FAILED")
}

func publicETag(t *testing.T, in *testkit.Instance, admin, anon *testkit.Client) {
	for _, p := range []string{"/api/public/v1/posts", "/api/public/v1/posts/live-one", "/api/public/v1/projects",
		"/api/public/v1/tags", "/api/public/v1/feed.atom", "/sitemap.xml"} {
		r := pget(t, anon, p, 200)
		tag := r.Header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || r.Header.Get("Cache-Control") != "public, max-age=0, must-revalidate" {
			t.Fatalf("%s: ETag %q Cache-Control %q", p, tag, r.Header.Get("Cache-Control"))
		}
		r2 := anon.Do("GET", p, nil, "If-None-Match", tag)
		if r2.Status != 304 || len(r2.Body) != 0 {
			t.Fatalf("%s with If-None-Match: %d %s", p, r2.Status, r2.Body)
		}
	}
	r := pget(t, anon, "/api/public/v1/projects", 200)
	if cs := r.Header.Get("Cache-Status"); cs != "pishkhan; hit" {
		t.Fatalf("second read Cache-Status %q", cs)
	}
	// an edit of a published project is seen at once, under a new tag
	var list struct{ Items []struct{ ID int64 } }
	admin.Do("GET", "/api/projects?q=live-project", nil).JSON(t, &list)
	g := admin.Do("GET", fmt.Sprintf("/api/projects/%d", list.Items[0].ID), nil)
	if w := admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", list.Items[0].ID), map[string]any{"summary": "changed"},
		"If-Match", `"stale"`); w.Status != 412 {
		t.Fatalf("stale If-Match: %d %s", w.Status, w.Body)
	}
	if w := admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", list.Items[0].ID), map[string]any{"summary": "changed"},
		"If-Match", g.Header.Get("ETag")); w.Status != 200 {
		t.Fatalf("patch: %d %s", w.Status, w.Body)
	}
	r2 := anon.Do("GET", "/api/public/v1/projects", nil, "If-None-Match", r.Header.Get("ETag"))
	if r2.Status != 200 || !strings.Contains(string(r2.Body), "changed") {
		t.Fatalf("after an edit: %d %s", r2.Status, r2.Body)
	}
	// errors are never for a CDN to keep
	if r := anon.Do("GET", "/api/public/v1/posts/nope", nil); r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("404 Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// the panel's own answers stay private
	if cc := admin.Do("GET", "/api/projects", nil).Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Fatalf("panel Cache-Control %q", cc)
	}
	_ = in
}

func publicCORS(t *testing.T, anon *testkit.Client) {
	r := pget(t, anon, "/api/public/v1/posts", 200, "Origin", "https://site.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "https://site.example" || !slices.Contains(r.Header.Values("Vary"), "Origin") ||
		r.Header.Get("Access-Control-Allow-Credentials") != "" || !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Fatalf("allowed origin: %v", r.Header)
	}
	r = pget(t, anon, "/api/public/v1/posts", 200, "Origin", "https://evil.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "" || !slices.Contains(r.Header.Values("Vary"), "Origin") {
		t.Fatalf("other origin: %v", r.Header)
	}
	pre := anon.Do("OPTIONS", "/api/public/v1/posts", nil, "Origin", "https://www.site.example", "Access-Control-Request-Method", "GET")
	if pre.Status != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "https://www.site.example" ||
		pre.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
	}
	pre = anon.Do("OPTIONS", "/api/public/v1/posts", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if pre.Status != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("other origin's preflight: %d %v", pre.Status, pre.Header)
	}
	head := anon.Do("HEAD", "/api/public/v1/posts", nil)
	if head.Status != 200 || len(head.Body) != 0 || head.Header.Get("ETag") == "" {
		t.Fatalf("HEAD: %d %v", head.Status, head.Header)
	}
	wantError(t, anon.Do("POST", "/api/public/v1/posts", map[string]string{}, "Origin", "https://site.example"), 405, "METHOD_NOT_ALLOWED")
	// the panel API gets no CORS
	if r := anon.Do("GET", "/api/projects", nil, "Origin", "https://site.example"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("panel answered CORS: %v", r.Header)
	}
}

func publicBadQueries(t *testing.T, anon *testkit.Client) {
	for path, want := range map[string]int{
		"/api/public/v1/posts?limit=0":                        422,
		"/api/public/v1/posts?limit=101":                      422,
		"/api/public/v1/posts?limit=ten":                      400,
		"/api/public/v1/posts?page=0":                         422,
		"/api/public/v1/posts?page=1&limit=5":                 422,
		"/api/public/v1/projects?page_size=101":               422,
		"/api/public/v1/posts?lang=de":                        422,
		"/api/public/v1/posts?cursor=forged":                  400,
		"/api/public/v1/posts?cursor=":                        400,
		"/api/public/v1/posts?tag=---":                        422,
		"/api/public/v1/projects?featured=maybe":              400,
		"/api/public/v1/projects?limit=-1":                    422,
		"/api/public/v1/tags?lang=xx":                         422,
		"/api/public/v1/search":                               422,
		"/api/public/v1/search?q=x&limit=51":                  422,
		"/api/public/v1/search?q=x&limit=a":                   400,
		"/api/public/v1/posts/live-one?lang=zz":               422,
		"/api/public/v1/media/1?w=0":                          422,
		"/api/public/v1/media/1?w=wide":                       400,
		"/api/public/v1/media/0":                              404,
		"/api/public/v1/preview/":                             404,
		"/api/public/v1/nothing-here":                         404,
		"/api/public/v1/search?q=" + strings.Repeat("x", 201): 422,
	} {
		r := anon.Do("GET", path, nil)
		if r.Status != want || r.Header.Get("Content-Type") != "application/json; charset=utf-8" || r.Code() == "" {
			t.Errorf("%s: want %d, got %d %s", path, want, r.Status, r.Body)
		}
	}
}

func publicIgnoresSessions(t *testing.T, in *testkit.Instance) {
	c := in.Client(t)
	for _, h := range [][]string{{"Cookie", "pishkhan_session=forged"}, {"Authorization", "Bearer pk_not_a_token"}} {
		r := c.Do("GET", "/api/public/v1/posts", nil, h...)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", h[0], r.Status, r.Body)
		}
	}
}

func publicPreview(t *testing.T, anon *testkit.Client, f contentFixture) {
	key, err := config.ParseSecretKey(testkit.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	signer := content.NewPreviewSigner(key)
	tok := signer.Sign('p', f.posts["draft-post"], time.Now().Add(time.Hour))
	r := pget(t, anon, "/api/public/v1/preview/"+tok, 200)
	var d struct {
		Title   string
		Preview bool
		Cover   *struct{ URL string }
	}
	r.JSON(t, &d)
	if d.Title != "DRAFT-SECRET draft" || !d.Preview || d.Cover == nil {
		t.Fatalf("preview %s", r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("preview Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	if r2 := anon.Do("GET", "/api/public/v1/preview/"+tok, nil, "If-None-Match", r.Header.Get("ETag")); r2.Status != 304 {
		t.Fatalf("preview 304: %d", r2.Status)
	}
	expired := signer.Sign('p', f.posts["draft-post"], time.Now().Add(-time.Second))
	wantError(t, anon.Do("GET", "/api/public/v1/preview/"+expired, nil), 404, "NOT_FOUND")
	// every single-character change of a valid token is refused
	for i := 0; i < len(tok); i++ {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if r := anon.Do("GET", "/api/public/v1/preview/"+string(b), nil); r.Status != 404 {
			t.Fatalf("tampered token (byte %d) answered %d %s", i, r.Status, r.Body)
		}
	}
	other := content.NewPreviewSigner([]byte("another secret key of 32 bytes!!")).Sign('p', f.posts["draft-post"], time.Now().Add(time.Hour))
	wantError(t, anon.Do("GET", "/api/public/v1/preview/"+other, nil), 404, "NOT_FOUND")
	wantError(t, anon.Do("GET", "/api/public/v1/preview/"+signer.Sign('p', 999999, time.Now().Add(time.Hour)), nil), 404, "NOT_FOUND")
	wantError(t, anon.Do("GET", "/api/public/v1/preview/not-a-token", nil), 404, "NOT_FOUND")
}

func publicMedia(t *testing.T, in *testkit.Instance, anon *testkit.Client, f contentFixture) {
	noFollow := func(c *testkit.Client) *testkit.Client {
		h := *c.HTTP
		h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		cc := *c
		cc.HTTP = &h
		return &cc
	}
	a := noFollow(anon)
	for name, id := range map[string]int64{"live cover": f.liveCover, "inline in a live body": f.liveInline, "published gallery": f.galleryLive} {
		r := a.Do("GET", content.PublicMediaPath(id)+"?w=300", nil)
		if r.Status != 302 || r.Header.Get("Location") == "" || r.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Fatalf("%s: %d %v %s", name, r.Status, r.Header, r.Body)
		}
		if name == "live cover" && !strings.Contains(signedKey(t, r.Header.Get("Location")), "thumb-1024.jpg") {
			t.Fatalf("w=300 should pick the 1024 thumbnail: %s", signedKey(t, r.Header.Get("Location")))
		}
	}
	for w, want := range map[string]string{"": "media/livecover/livecover.jpg", "?w=100": "media/livecover/thumb-256.jpg",
		"?w=5000": "media/livecover/livecover.jpg"} {
		if k := signedKey(t, a.Do("GET", content.PublicMediaPath(f.liveCover)+w, nil).Header.Get("Location")); k != want {
			t.Fatalf("w=%q: %q, want %q", w, k, want)
		}
	}
	for name, id := range map[string]int64{"draft cover": f.draftCover, "draft gallery": f.galleryDraft, "unused": f.unused, "missing": 999999} {
		wantError(t, a.Do("GET", content.PublicMediaPath(id), nil), 404, "NOT_FOUND")
		_ = name
	}
	// a panel session that may see drafts may follow it, never through a shared cache
	in.CreateUser(t, "viewer@example.com", content.PermView)
	viewer := noFollow(in.LoggedIn(t, "viewer@example.com"))
	r := viewer.Do("GET", content.PublicMediaPath(f.draftCover), nil)
	if r.Status != 302 || r.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("viewer: %d %v", r.Status, r.Header)
	}
	in.CreateUser(t, "clerk2@example.com", "orders.view")
	clerk := noFollow(in.LoggedIn(t, "clerk2@example.com"))
	wantError(t, clerk.Do("GET", content.PublicMediaPath(f.draftCover), nil), 404, "NOT_FOUND")
	// even to that session, only ready images: not an item still scanning, nor a document
	now := time.Now().UTC()
	var owner int64
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM users ORDER BY id LIMIT 1`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	scanning := insertID(t, in, `INSERT INTO media (owner_id, object_key, filename, declared_type, size, kind, status, search_text, created_at, updated_at)
		VALUES (?, 'media/s/s.jpg', 's.jpg', 'image/jpeg', 10, 'image', 'scanning', 's', ?, ?)`, owner, now, now)
	document := insertID(t, in, `INSERT INTO media (owner_id, object_key, filename, declared_type, content_type, size, kind, status, scan, search_text, created_at, updated_at)
		VALUES (?, 'media/d/d.pdf', 'd.pdf', 'application/pdf', 'application/pdf', 10, 'document', 'ready', 'clean', 'd', ?, ?)`, owner, now, now)
	for name, id := range map[string]int64{"scanning image": scanning, "ready document": document} {
		r := viewer.Do("GET", content.PublicMediaPath(id), nil)
		if r.Status != 404 {
			t.Errorf("%s to a content.view session: %d %v", name, r.Status, r.Header)
		}
	}
}

// signedKey returns the object key a local-disk signed URL names.
func signedKey(t *testing.T, u string) string {
	t.Helper()
	token, _, _ := strings.Cut(strings.TrimPrefix(u, "/api/storage/"), ".")
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("signed URL %q: %v", u, err)
	}
	var claims struct {
		K string `json:"k"`
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.K
}

func TestPublicRateLimit(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, map[string]string{"PUBLIC_RATE_LIMIT": "3/min"})
			c := in.Client(t)
			for i := 0; i < 3; i++ {
				pget(t, c, "/api/public/v1/posts", 200)
			}
			r := c.Do("GET", "/api/public/v1/tags", nil, "Origin", "https://site.example")
			wantError(t, r, 429, "RATE_LIMITED")
			if r.Header.Get("Retry-After") == "" || r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != "0" ||
				r.Header.Get("RateLimit-Reset") == "" || r.Header.Get("Access-Control-Allow-Origin") != "https://site.example" {
				t.Fatalf("429 headers %v", r.Header)
			}
			wantError(t, c.Do("GET", "/sitemap.xml", nil), 429, "RATE_LIMITED")
			// the panel is not counted
			if r := c.Do("GET", "/api/ping", nil); r.Status != 200 {
				t.Fatalf("ping: %d", r.Status)
			}
		})
	}
}

// TestProjectsPanel covers the portfolio's panel API: validation, the
// workflow and its permissions, and the manual order.
func TestProjectsPanel(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			in.CreateUser(t, "writer@example.com", content.PermView, content.PermEdit)
			in.CreateUser(t, "reader@example.com", content.PermView)
			admin := in.LoggedIn(t, "admin@example.com")
			writer := in.LoggedIn(t, "writer@example.com")
			reader := in.LoggedIn(t, "reader@example.com")
			owner := in.CreateUser(t, "owner@example.com", content.PermView)
			img := readyImage(t, in, owner, "img")
			now := time.Now().UTC()
			pending := insertID(t, in, `INSERT INTO media (owner_id, object_key, filename, declared_type, size, kind, status, search_text, created_at, updated_at)
				VALUES (?, 'media/p/p.jpg', 'p.jpg', 'image/jpeg', 10, 'image', 'pending', 'p', ?, ?)`, owner, now, now)

			count := func() int64 {
				var n int64
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM projects`).Scan(&n)
				return n
			}
			// bad bodies change nothing
			for name, body := range map[string]any{
				"no title":        map[string]any{"lang": "fa"},
				"no lang":         map[string]any{"title": "x"},
				"bad lang":        map[string]any{"title": "x", "lang": "de"},
				"bad date":        map[string]any{"title": "x", "lang": "fa", "started_on": "2026-02-30"},
				"ended first":     map[string]any{"title": "x", "lang": "fa", "started_on": "2026-03-01", "ended_on": "2026-02-01"},
				"js link":         map[string]any{"title": "x", "lang": "fa", "links": []map[string]string{{"label": "l", "url": "javascript:alert(1)"}}},
				"pending gallery": map[string]any{"title": "x", "lang": "fa", "gallery": []map[string]any{{"media_id": pending}}},
				"missing cover":   map[string]any{"title": "x", "lang": "fa", "cover_media_id": 999999},
				"body media":      map[string]any{"title": "x", "lang": "fa", "body_md": fmt.Sprintf("![a](media:%d)", pending)},
				"unknown field":   map[string]any{"title": "x", "lang": "fa", "status": "published"},
				"slug of dashes":  map[string]any{"title": "x", "lang": "fa", "slug": "---"},
			} {
				r := writer.Do("POST", "/api/projects", body)
				if r.Status != 422 || r.Code() != "VALIDATION_FAILED" {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
			if n := count(); n != 0 {
				t.Fatalf("refused creates left %d projects", n)
			}
			wantError(t, reader.Do("POST", "/api/projects", map[string]any{"title": "x", "lang": "fa"}), 403, "PERMISSION_DENIED")

			var ids []int64
			for i, title := range []string{"پروژه\u200cی اول", "Second", "Third"} {
				r := writer.Do("POST", "/api/projects", map[string]any{"title": title, "lang": "fa", "cover_media_id": img,
					"body_md": fmt.Sprintf("![a](media:%d)", img), "gallery": []map[string]any{{"media_id": img, "caption_fa": "یک"}},
					"tags": []string{"Go", "go", "وب"}, "started_on": "2026-01-01", "ended_on": "2026-02-01"})
				if r.Status != 201 || r.Header.Get("Location") == "" {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				var p struct {
					ID       int64
					Slug     string
					Position int64
					Status   string
					BodyHTML string `json:"body_html"`
					Tags     []string
				}
				r.JSON(t, &p)
				if p.Position != int64(i+1) || p.Status != "draft" || len(p.Tags) != 2 ||
					!strings.Contains(p.BodyHTML, content.PublicMediaPath(img)) {
					t.Fatalf("created %s", r.Body)
				}
				if i == 0 && p.Slug != "پروژه-ی-اول" {
					t.Fatalf("persian slug %q", p.Slug)
				}
				ids = append(ids, p.ID)
			}
			wantError(t, writer.Do("POST", "/api/projects", map[string]any{"title": "Second", "lang": "fa"}), 409, "CONFLICT")
			if r := writer.Do("POST", "/api/projects", map[string]any{"title": "Second", "lang": "en"}); r.Status != 201 {
				t.Fatalf("same slug in another language: %d %s", r.Status, r.Body)
			} else {
				var p struct{ ID int64 }
				r.JSON(t, &p)
				ids = append(ids, p.ID)
			}

			// the workflow: a writer may not publish; nobody may skip the machine
			tr := func(c *testkit.Client, id int64, to string) *testkit.Response {
				return c.Do("POST", fmt.Sprintf("/api/projects/%d/transition", id), map[string]string{"to": to})
			}
			wantError(t, tr(writer, ids[0], "published"), 403, "PERMISSION_DENIED")
			wantError(t, tr(writer, ids[0], "draft"), 409, "INVALID_TRANSITION")
			wantError(t, tr(writer, ids[0], "in_review"), 422, "VALIDATION_FAILED")
			if r := tr(admin, ids[0], "published"); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Body)
			}
			// deleting a published project takes it off the site: content.publish
			wantError(t, writer.Do("DELETE", fmt.Sprintf("/api/projects/%d", ids[0]), nil), 403, "PERMISSION_DENIED")

			// the order: every id exactly once
			order := func(c *testkit.Client, ids []int64) *testkit.Response {
				return c.Do("PUT", "/api/projects/order", map[string]any{"ids": ids})
			}
			for name, bad := range map[string][]int64{
				"missing one": {ids[3], ids[2], ids[1]},
				"twice":       {ids[3], ids[2], ids[1], ids[0], ids[0]},
				"unknown":     {ids[3], ids[2], ids[1], ids[0], 999999},
				"empty":       {},
				"zero":        {ids[3], ids[2], ids[1], 0},
			} {
				r := order(writer, bad)
				if r.Status != 422 || r.Code() != "VALIDATION_FAILED" {
					t.Errorf("order %s: %d %s", name, r.Status, r.Body)
				}
			}
			wantError(t, order(reader, []int64{ids[3], ids[2], ids[1], ids[0]}), 403, "PERMISSION_DENIED")
			var before []int64
			var list struct {
				Items []struct{ ID, Position int64 }
			}
			writer.Do("GET", "/api/projects", nil).JSON(t, &list)
			for _, it := range list.Items {
				before = append(before, it.ID)
			}
			if !slices.Equal(before, ids) {
				t.Fatalf("refused orders changed it: %v", before)
			}
			want := []int64{ids[3], ids[0], ids[2], ids[1]}
			if r := order(writer, want); r.Status != 200 {
				t.Fatalf("order: %d %s", r.Status, r.Body)
			}
			writer.Do("GET", "/api/projects", nil).JSON(t, &list)
			var after []int64
			for i, it := range list.Items {
				after = append(after, it.ID)
				if it.Position != int64(i+1) {
					t.Fatalf("positions %+v", list.Items)
				}
			}
			if !slices.Equal(after, want) {
				t.Fatalf("order %v, want %v", after, want)
			}
			// the website sees the new order at once
			for _, id := range []int64{ids[1], ids[2]} {
				if r := tr(admin, id, "published"); r.Status != 200 {
					t.Fatalf("publish: %d %s", r.Status, r.Body)
				}
			}
			var pub struct{ Items []struct{ Title string } }
			pget(t, in.Client(t), "/api/public/v1/projects", 200).JSON(t, &pub)
			if len(pub.Items) != 3 || pub.Items[0].Title != "پروژه\u200cی اول" || pub.Items[1].Title != "Third" || pub.Items[2].Title != "Second" {
				t.Fatalf("public order %+v", pub.Items)
			}
			if r := order(writer, []int64{ids[1], ids[2], ids[0], ids[3]}); r.Status != 200 {
				t.Fatalf("order: %d", r.Status)
			}
			pget(t, in.Client(t), "/api/public/v1/projects", 200).JSON(t, &pub)
			if pub.Items[0].Title != "Second" {
				t.Fatalf("public order after a reorder %+v", pub.Items)
			}

			// filters and sort
			var fl struct {
				Items []struct{ ID int64 }
				Total int64
			}
			writer.Do("GET", "/api/projects?status=published&lang=fa&tag=go&sort=-title", nil).JSON(t, &fl)
			if fl.Total != 3 {
				t.Fatalf("filtered total %d", fl.Total)
			}
			wantError(t, writer.Do("GET", "/api/projects?sort=price", nil), 422, "VALIDATION_FAILED")
			wantError(t, writer.Do("GET", "/api/projects?status=in_review", nil), 422, "VALIDATION_FAILED")

			// audit rows
			var n int
			_ = in.Srv.DB.Reader().QueryRow(context.Background(),
				`SELECT COUNT(*) FROM audit_logs WHERE resource_type = 'project' AND action IN ('projects.create', 'projects.transition', 'projects.reorder')`).Scan(&n)
			if n != 4+3+2 {
				t.Fatalf("audit rows %d", n)
			}
			// null clears, as on posts (ids[2] is published: a publisher's edit)
			r := admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", ids[2]), map[string]any{"cover_media_id": nil, "started_on": nil, "ended_on": nil})
			var cleared map[string]any
			r.JSON(t, &cleared)
			if r.Status != 200 || cleared["cover_media_id"] != nil || cleared["started_on"] != nil || cleared["ended_on"] != nil {
				t.Fatalf("null patch: %d %s", r.Status, r.Body)
			}
			// delete with If-Match
			g := admin.Do("GET", fmt.Sprintf("/api/projects/%d", ids[3]), nil)
			wantError(t, admin.Do("DELETE", fmt.Sprintf("/api/projects/%d", ids[3]), nil, "If-Match", `"old"`), 412, "PRECONDITION_FAILED")
			if r := admin.Do("DELETE", fmt.Sprintf("/api/projects/%d", ids[3]), nil, "If-Match", g.Header.Get("ETag")); r.Status != 204 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			wantError(t, admin.Do("GET", fmt.Sprintf("/api/projects/%d", ids[3]), nil), 404, "NOT_FOUND")
			var ev map[string]any
			_ = json.Unmarshal([]byte(`{}`), &ev)
		})
	}
}

// TestPublicSitemapPages: beyond PUBLIC_SITEMAP_SIZE URLs, /sitemap.xml is
// a sitemap index of this API's /sitemap.xml?page=N, whose pages together
// hold every live URL once; a page past the end is 404, a bad page 4xx.
func TestPublicSitemapPages(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, map[string]string{"PUBLIC_SITEMAP_SIZE": "4", "PUBLIC_URL": "https://api.example"})
			in.CreateSuperuser(t, "admin@example.com")
			seedContent(t, in, in.LoggedIn(t, "admin@example.com"))
			anon := in.Client(t)
			var idx struct {
				XMLName  xml.Name
				Sitemaps []struct {
					Loc string `xml:"loc"`
				} `xml:"sitemap"`
			}
			r := pget(t, anon, "/sitemap.xml", 200)
			if err := xml.Unmarshal(r.Body, &idx); err != nil || idx.XMLName.Local != "sitemapindex" {
				t.Fatalf("want a sitemap index: %v\n%s", err, r.Body)
			}
			var want []string
			for n := 1; n <= 2; n++ {
				want = append(want, "https://api.example/sitemap.xml?page="+strconv.Itoa(n))
			}
			var got []string
			for _, s := range idx.Sitemaps {
				got = append(got, s.Loc)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("index names %v, want %v", got, want)
			}
			var locs []string
			for n, size := range []int{4, 2} {
				var set struct {
					XMLName xml.Name
					URLs    []struct {
						Loc string `xml:"loc"`
					} `xml:"url"`
				}
				r := pget(t, anon, "/sitemap.xml?page="+strconv.Itoa(n+1), 200)
				if err := xml.Unmarshal(r.Body, &set); err != nil || set.XMLName.Local != "urlset" || len(set.URLs) != size {
					t.Fatalf("page %d: want a urlset of %d: %v\n%s", n+1, size, err, r.Body)
				}
				for _, u := range set.URLs {
					locs = append(locs, u.Loc)
				}
			}
			slices.Sort(locs)
			all := []string{siteURL + "/en/blog/english", siteURL + "/fa/blog/live-edited", siteURL + "/fa/blog/live-one",
				siteURL + "/fa/blog/live-two", siteURL + "/fa/projects/live-project", siteURL + "/fa/projects/second-project"}
			if !slices.Equal(locs, all) {
				t.Fatalf("pages hold %v, want each of %v once", locs, all)
			}
			wantError(t, anon.Do("GET", "/sitemap.xml?page=3", nil), 404, "NOT_FOUND")
			wantError(t, anon.Do("GET", "/sitemap.xml?page=0", nil), 422, "VALIDATION_FAILED")
			wantError(t, anon.Do("GET", "/sitemap.xml?page=x", nil), 400, "INVALID_JSON")
		})
	}
}
