package posts_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// post is the part of the Post JSON the tests read.
type post struct {
	ID           int64          `json:"id"`
	Title        string         `json:"title"`
	Slug         string         `json:"slug"`
	Lang         string         `json:"lang"`
	BodyMD       string         `json:"body_md"`
	BodyHTML     string         `json:"body_html"`
	Status       content.Status `json:"status"`
	Revision     int64          `json:"revision"`
	LiveRevision *int64         `json:"live_revision"`
	Tags         []string       `json:"tags"`
	Categories   []string       `json:"categories"`
	Authors      []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"authors"`
	CoverMediaID *int64     `json:"cover_media_id"`
	PublishAt    *time.Time `json:"publish_at"`
	UnpublishAt  *time.Time `json:"unpublish_at"`
	PublishedAt  *time.Time `json:"published_at"`
	AllowedNext  []string   `json:"allowed_next"`
}

func decodePost(t *testing.T, r *testkit.Response) post {
	t.Helper()
	var p post
	r.JSON(t, &p)
	return p
}

// world is one instance with an editor (content.edit), a publisher and a
// viewer.
type world struct {
	in                        *testkit.Instance
	editor, publisher, viewer *testkit.Client
	editorID, publisherID     int64
}

func newWorld(t *testing.T, in *testkit.Instance) world {
	w := world{in: in}
	w.editorID = in.CreateUser(t, "writer@example.com", content.PermView, content.PermEdit)
	w.publisherID = in.CreateUser(t, "chief@example.com", content.PermView, content.PermEdit, content.PermPublish)
	in.CreateUser(t, "reader@example.com", content.PermView)
	w.editor = in.LoggedIn(t, "writer@example.com")
	w.publisher = in.LoggedIn(t, "chief@example.com")
	w.viewer = in.LoggedIn(t, "reader@example.com")
	return w
}

func (w world) create(t *testing.T, c *testkit.Client, body map[string]any) post {
	t.Helper()
	r := c.Do("POST", "/api/posts", body)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	return decodePost(t, r)
}

// readyImage inserts a ready image into the media library.
func readyImage(t *testing.T, in *testkit.Instance, owner int64, status string) int64 {
	t.Helper()
	var id int64
	now := time.Now()
	err := in.Srv.DB.InTx(context.Background(), func(tx *db.Tx) error {
		return db.Scan(tx.QueryRow(context.Background(), `INSERT INTO media (owner_id, object_key, filename, declared_type,
			content_type, size, kind, status, width, height, search_text, created_at, updated_at)
			VALUES (?, ?, 'a.png', 'image/png', 'image/png', 10, 'image', ?, 640, 480, 'a.png', ?, ?) RETURNING id`,
			owner, fmt.Sprintf("k/%d/%d", owner, now.UnixNano()), status, now, now), &id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, in *testkit.Instance, q string, args ...any) int {
	t.Helper()
	var n int
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPostsAPI(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			w := newWorld(t, in)
			t.Run("create, read, list and cache", func(t *testing.T) { createRead(t, w) })
			t.Run("slugs: normalised, unique per language", func(t *testing.T) { slugs(t, w) })
			t.Run("bad input is 422 per field and changes nothing", func(t *testing.T) { badInput(t, w) })
			t.Run("stale saves are 412", func(t *testing.T) { staleSaves(t, w) })
			t.Run("access: 401 and 403 before validation", func(t *testing.T) { access(t, w) })
			t.Run("workflow and permissions", func(t *testing.T) { workflow(t, w) })
			t.Run("revisions and restore", func(t *testing.T) { revisions(t, w) })
			t.Run("autosave is per user", func(t *testing.T) { autosave(t, w) })
			t.Run("preview links and render", func(t *testing.T) { previewAndRender(t, w) })
			t.Run("presence", func(t *testing.T) { presence(t, w) })
			t.Run("search finds every spelling, and a rebuild keeps it", func(t *testing.T) { searchSpellings(t, w, in) })
		})
	}
}

func createRead(t *testing.T, w world) {
	img := readyImage(t, w.in, w.editorID, "ready")
	p := w.create(t, w.editor, map[string]any{
		"title": "Hello World", "lang": "en", "body_md": "# Hi\n\n![x](media:" + fmt.Sprint(img) + ")\n\n<script>alert(1)</script>",
		"excerpt": "short", "cover_media_id": img, "tags": []string{"Go", "go", "Web"}, "categories": []string{"News"},
		"seo": map[string]any{"title": "T", "canonical_url": "https://example.com/a"},
	})
	if p.Slug != "hello-world" || p.Status != content.Draft || p.Revision != 1 || p.LiveRevision != nil {
		t.Fatalf("new post: %+v", p)
	}
	if len(p.Authors) != 1 || p.Authors[0].ID != w.editorID || p.Authors[0].Name == "" {
		t.Fatalf("authors default to the creator: %+v", p.Authors)
	}
	if strings.Join(p.Tags, ",") != "Go,Web" || strings.Join(p.Categories, ",") != "News" {
		t.Fatalf("terms (one per slug): %v %v", p.Tags, p.Categories)
	}
	if !strings.Contains(p.BodyHTML, content.PublicMediaPath(img)) || strings.Contains(p.BodyHTML, "<script") {
		t.Fatalf("body_html: %s", p.BodyHTML)
	}
	if strings.Join(p.AllowedNext, ",") != "in_review,scheduled,published,archived" {
		t.Fatalf("allowed_next: %v", p.AllowedNext)
	}
	r := w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil)
	if r.Status != 200 || r.Header.Get("ETag") == "" || !strings.Contains(r.Header.Get("Cache-Status"), "pishkhan") {
		t.Fatalf("get: %d %v", r.Status, r.Header)
	}
	if again := w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil); !strings.Contains(again.Header.Get("Cache-Status"), "hit") {
		t.Fatalf("second read not a hit: %s", again.Header.Get("Cache-Status"))
	}
	// a write is visible to the next read at once
	r = w.editor.Do("PATCH", fmt.Sprintf("/api/posts/%d", p.ID), map[string]any{"title": "Hello again", "cover_media_id": nil})
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	got := decodePost(t, w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil))
	if got.Title != "Hello again" || got.Slug != "hello-world" || got.CoverMediaID != nil || got.Revision != 2 ||
		strings.Join(got.Tags, ",") != "Go,Web" {
		t.Fatalf("after patch: %+v", got)
	}
	list := w.viewer.Do("GET", "/api/posts?lang=en&tag=go&sort=-id", nil)
	var page struct {
		Items []post
		Total int
	}
	list.JSON(t, &page)
	if list.Status != 200 || page.Total != 1 || page.Items[0].ID != p.ID || page.Items[0].BodyMD != "" {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	for _, q := range []string{"?q=again", "?author_id=" + fmt.Sprint(w.editorID), "?category=news", "?status=draft"} {
		list = w.viewer.Do("GET", "/api/posts"+q, nil)
		list.JSON(t, &page)
		if page.Total < 1 {
			t.Fatalf("list %s found nothing: %s", q, list.Body)
		}
	}
	list = w.viewer.Do("GET", "/api/posts?q=nothing-like-it", nil)
	list.JSON(t, &page)
	if page.Total != 0 {
		t.Fatalf("q matched: %s", list.Body)
	}
	// cursor pages walk the same posts as one page
	for i := 0; i < 5; i++ {
		w.create(t, w.editor, map[string]any{"title": fmt.Sprintf("Walk %d", i), "lang": "fa"})
	}
	var walked []int64
	cursor := ""
	for range 10 {
		var cp struct {
			Items      []post
			NextCursor *string `json:"next_cursor"`
		}
		r := w.viewer.Do("GET", "/api/posts?sort=title&limit=2&lang=fa"+cursor, nil)
		r.JSON(t, &cp)
		for _, it := range cp.Items {
			walked = append(walked, it.ID)
		}
		if cp.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *cp.NextCursor
	}
	if len(walked) < 5 {
		t.Fatalf("cursor walk: %v", walked)
	}
	if r := w.viewer.Do("GET", "/api/posts?sort=title&limit=2&lang=en"+cursor, nil); r.Code() != "INVALID_JSON" {
		t.Fatalf("a cursor of other filters: %d %s", r.Status, r.Body)
	}
}

func slugs(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "مي\u200cخواهم دنيا را ببينم", "lang": "fa"})
	if p.Slug != "می-خواهم-دنیا-را-ببینم" {
		t.Fatalf("Persian slug: %q", p.Slug)
	}
	r := w.editor.Do("POST", "/api/posts", map[string]any{"title": "another", "slug": p.Slug, "lang": "fa"})
	var e struct {
		Details struct {
			FieldReasons map[string]string `json:"field_reasons"`
		}
	}
	r.JSON(t, &e)
	if r.Status != 409 || e.Details.FieldReasons["slug"] != "taken" {
		t.Fatalf("taken slug: %d %s", r.Status, r.Body)
	}
	// the same slug in the other language is fine
	w.create(t, w.editor, map[string]any{"title": "another", "slug": p.Slug, "lang": "en"})
	r = w.editor.Do("POST", "/api/posts", map[string]any{"title": "x", "slug": "Not Normal", "lang": "en"})
	r.JSON(t, &e)
	if r.Status != 422 || e.Details.FieldReasons["slug"] != "slug_not_normalised" {
		t.Fatalf("unnormalised slug: %d %s", r.Status, r.Body)
	}
	r = w.editor.Do("POST", "/api/posts", map[string]any{"title": "!!!", "lang": "en"})
	r.JSON(t, &e)
	if r.Status != 422 || e.Details.FieldReasons["slug"] != "required" {
		t.Fatalf("a title making no slug: %d %s", r.Status, r.Body)
	}
}

func badInput(t *testing.T, w world) {
	before := count(t, w.in, `SELECT COUNT(*) FROM posts`)
	revs := count(t, w.in, `SELECT COUNT(*) FROM post_revisions`)
	pending := readyImage(t, w.in, w.editorID, "pending")
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"lang": "en"}, "title"},
		{map[string]any{"title": strings.Repeat("a", 201), "lang": "en"}, "title"},
		{map[string]any{"title": "a", "lang": "de"}, "lang"},
		{map[string]any{"title": "a"}, "lang"},
		{map[string]any{"title": "a", "lang": "en", "excerpt": strings.Repeat("e", 501)}, "excerpt"},
		{map[string]any{"title": "a", "lang": "en", "seo": map[string]any{"title": strings.Repeat("s", 71)}}, "seo.title"},
		{map[string]any{"title": "a", "lang": "en", "seo": map[string]any{"description": strings.Repeat("s", 161)}}, "seo.description"},
		{map[string]any{"title": "a", "lang": "en", "seo": map[string]any{"canonical_url": "/relative"}}, "seo.canonical_url"},
		{map[string]any{"title": "a", "lang": "en", "seo": map[string]any{"canonical_url": "javascript:alert(1)"}}, "seo.canonical_url"},
		{map[string]any{"title": "a", "lang": "en", "cover_media_id": pending}, "cover_media_id"},
		{map[string]any{"title": "a", "lang": "en", "cover_media_id": 999999}, "cover_media_id"},
		{map[string]any{"title": "a", "lang": "en", "body_md": fmt.Sprintf("![x](media:%d)", pending)}, "body_md"},
		{map[string]any{"title": "a", "lang": "en", "seo": map[string]any{"og_image_media_id": pending}}, "seo.og_image_media_id"},
		{map[string]any{"title": "a", "lang": "en", "tags": make([]string, 21)}, "tags"},
		{map[string]any{"title": "a", "lang": "en", "tags": []string{"ok", "--"}}, "tags[1]"},
		{map[string]any{"title": "a", "lang": "en", "authors": []int64{999999}}, "authors[0]"},
		{map[string]any{"title": "a", "lang": "en", "authors": []int64{}}, "authors"},
		{map[string]any{"title": "a", "lang": "en", "translation_of": 999999}, "translation_of"},
		{map[string]any{"title": "a", "lang": "en", "body_md": strings.Repeat("x", 512<<10+1)}, "body_md"},
		{map[string]any{"title": "a", "lang": "en", "body_html": "<p>mine</p>"}, "body_html"},
		{map[string]any{"title": "a", "lang": "en", "status": "published"}, "status"},
	}
	for _, c := range cases {
		r := w.editor.Do("POST", "/api/posts", c.body)
		var e struct {
			Details struct {
				Fields map[string]string `json:"fields"`
			}
		}
		r.JSON(t, &e)
		if r.Status != 422 || e.Details.Fields[c.field] == "" {
			t.Errorf("%v: want 422 naming %s, got %d %s", c.body["title"], c.field, r.Status, r.Body)
		}
	}
	// a translation in the same language
	en := w.create(t, w.editor, map[string]any{"title": "Source", "lang": "en"})
	before++
	revs++
	r := w.editor.Do("POST", "/api/posts", map[string]any{"title": "Same", "lang": "en", "translation_of": en.ID})
	if r.Status != 422 {
		t.Fatalf("same-language translation: %d %s", r.Status, r.Body)
	}
	if fa := w.editor.Do("POST", "/api/posts", map[string]any{"title": "ترجمه", "lang": "fa", "translation_of": en.ID}); fa.Status != 201 {
		t.Fatalf("translation: %d %s", fa.Status, fa.Body)
	}
	if n := count(t, w.in, `SELECT COUNT(*) FROM posts`); n != before+1 {
		t.Fatalf("refused creates wrote posts: %d → %d", before, n)
	}
	if n := count(t, w.in, `SELECT COUNT(*) FROM post_revisions`); n != revs+1 {
		t.Fatalf("refused creates wrote revisions: %d → %d", revs, n)
	}
	// a refused update changes nothing either
	r = w.editor.Do("PATCH", fmt.Sprintf("/api/posts/%d", en.ID), map[string]any{"title": "", "excerpt": "new"})
	if r.Status != 422 {
		t.Fatalf("bad patch: %d", r.Status)
	}
	if got := decodePost(t, w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", en.ID), nil)); got.Revision != 1 || got.Title != "Source" {
		t.Fatalf("a refused patch changed the post: %+v", got)
	}
}

func staleSaves(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Race", "lang": "en"})
	path := fmt.Sprintf("/api/posts/%d", p.ID)
	tag := w.editor.Do("GET", path, nil).Header.Get("ETag")
	r := w.publisher.Do("PATCH", path, map[string]any{"body_md": "first"}, "If-Match", tag)
	if r.Status != 200 || r.Header.Get("ETag") == "" {
		t.Fatalf("first save: %d %s", r.Status, r.Body)
	}
	newTag := r.Header.Get("ETag")
	if got := w.editor.Do("GET", path, nil).Header.Get("ETag"); got != newTag {
		t.Fatalf("the save's ETag %s is not the next read's %s", newTag, got)
	}
	for _, c := range []struct{ method, path string }{
		{"PATCH", path}, {"DELETE", path}, {"POST", path + "/transition"}, {"POST", path + "/revisions/1/restore"},
	} {
		var body any = map[string]any{"body_md": "second"}
		if c.method == "DELETE" || strings.HasSuffix(c.path, "restore") {
			body = nil
		} else if strings.HasSuffix(c.path, "transition") {
			body = map[string]any{"to": "in_review"}
		}
		if r := w.editor.Do(c.method, c.path, body, "If-Match", tag); r.Status != 412 || r.Code() != "PRECONDITION_FAILED" {
			t.Fatalf("%s %s with a stale If-Match: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if got := decodePost(t, w.editor.Do("GET", path, nil)); got.BodyMD != "first" || got.Revision != 2 || got.Status != content.Draft {
		t.Fatalf("a stale save changed the post: %+v", got)
	}
}

func access(t *testing.T, w world) {
	anon := w.in.Client(t)
	p := w.create(t, w.editor, map[string]any{"title": "Access", "lang": "en"})
	path := fmt.Sprintf("/api/posts/%d", p.ID)
	if r := anon.Do("GET", "/api/posts", nil); r.Status != 401 {
		t.Fatalf("anonymous list: %d", r.Status)
	}
	if r := anon.Do("POST", "/api/posts", "{bad json"); r.Status != 401 {
		t.Fatalf("anonymous bad create: %d", r.Status)
	}
	// a viewer cannot write, whatever the body
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/posts"}, {"PATCH", path}, {"DELETE", path}, {"POST", path + "/transition"},
		{"PUT", path + "/autosave"}, {"POST", path + "/publish-changes"}, {"POST", "/api/posts/999999/transition"},
	} {
		if r := w.viewer.Do(c.method, c.path, "{bad json"); r.Status != 403 {
			t.Fatalf("viewer %s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	nobody := w.in.CreateUser(t, "nobody@example.com")
	_ = nobody
	if r := w.in.LoggedIn(t, "nobody@example.com").Do("GET", path, nil); r.Status != 403 {
		t.Fatalf("a user without content.view: %d", r.Status)
	}
	if r := w.viewer.Do("GET", "/api/posts/999999", nil); r.Status != 404 {
		t.Fatalf("missing post: %d", r.Status)
	}
}

func transition(t *testing.T, c *testkit.Client, id int64, body map[string]any) *testkit.Response {
	t.Helper()
	return c.Do("POST", fmt.Sprintf("/api/posts/%d/transition", id), body)
}

func workflow(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Flow", "lang": "en", "body_md": "v1", "tags": []string{"t"}})
	live := func() int { return count(t, w.in, `SELECT COUNT(*) FROM post_live WHERE post_id = ?`, p.ID) }
	// a writer may submit for review but not publish
	if r := transition(t, w.editor, p.ID, map[string]any{"to": "in_review"}); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.editor, p.ID, map[string]any{"to": "published"}); r.Status != 403 {
		t.Fatalf("writer publishing: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.editor, p.ID, map[string]any{"to": "scheduled", "at": time.Now().Add(time.Hour)}); r.Status != 403 {
		t.Fatalf("writer scheduling: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.publisher, p.ID, map[string]any{"to": "in_review"}); r.Code() != "INVALID_TRANSITION" {
		t.Fatalf("same status: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.publisher, p.ID, map[string]any{"to": "scheduled", "at": time.Now().Add(-time.Minute)}); r.Status != 422 {
		t.Fatalf("scheduling in the past: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.publisher, p.ID, map[string]any{"to": "scheduled"}); r.Status != 422 {
		t.Fatalf("scheduling without at: %d %s", r.Status, r.Body)
	}
	if r := transition(t, w.publisher, p.ID, map[string]any{"to": "gone"}); r.Status != 422 {
		t.Fatalf("unknown status: %d %s", r.Status, r.Body)
	}
	if live() != 0 {
		t.Fatal("a draft in post_live")
	}
	r := transition(t, w.publisher, p.ID, map[string]any{"to": "published"})
	got := decodePost(t, r)
	if r.Status != 200 || got.Status != content.Published || got.PublishedAt == nil || got.LiveRevision == nil || *got.LiveRevision != 1 || live() != 1 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	first := *got.PublishedAt
	if n := count(t, w.in, `SELECT COUNT(*) FROM post_live_terms WHERE post_id = ?`, p.ID); n != 1 {
		t.Fatalf("live terms: %d", n)
	}
	if n := count(t, w.in, `SELECT COUNT(*) FROM audit_logs WHERE action = 'posts.publish' AND resource_id = ?`, fmt.Sprint(p.ID)); n != 1 {
		t.Fatalf("publish audit rows: %d", n)
	}
	// editing a published post changes the working copy only
	r = w.editor.Do("PATCH", fmt.Sprintf("/api/posts/%d", p.ID), map[string]any{"body_md": "v2", "slug": "flow-renamed"})
	got = decodePost(t, r)
	if got.Revision != 2 || *got.LiveRevision != 1 || got.Status != content.Published {
		t.Fatalf("edit of a published post: %s", r.Body)
	}
	var liveHTML, liveSlug string
	_ = w.in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT body_html, slug FROM post_live WHERE post_id = ?`, p.ID).Scan(&liveHTML, &liveSlug)
	if !strings.Contains(liveHTML, "v1") || liveSlug != "flow" {
		t.Fatalf("the live version changed before publish-changes: %q %q", liveHTML, liveSlug)
	}
	if r := transition(t, w.publisher, p.ID, map[string]any{"to": "published"}); r.Code() != "INVALID_TRANSITION" {
		t.Fatalf("published → published: %d %s", r.Status, r.Body)
	}
	if r := w.editor.Do("POST", fmt.Sprintf("/api/posts/%d/publish-changes", p.ID), nil); r.Status != 403 {
		t.Fatalf("writer publishing changes: %d", r.Status)
	}
	r = w.publisher.Do("POST", fmt.Sprintf("/api/posts/%d/publish-changes", p.ID), nil)
	got = decodePost(t, r)
	if r.Status != 200 || *got.LiveRevision != 2 || !got.PublishedAt.Equal(first) {
		t.Fatalf("publish-changes: %d %s", r.Status, r.Body)
	}
	_ = w.in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT body_html, slug FROM post_live WHERE post_id = ?`, p.ID).Scan(&liveHTML, &liveSlug)
	if !strings.Contains(liveHTML, "v2") || liveSlug != "flow-renamed" {
		t.Fatalf("publish-changes left the live version: %q %q", liveHTML, liveSlug)
	}
	if n := count(t, w.in, `SELECT COUNT(*) FROM post_slug_redirects WHERE lang = 'en' AND old_slug = 'flow' AND post_id = ?`, p.ID); n != 1 {
		t.Fatal("no redirect from the old live slug")
	}
	// another post may not take the live slug
	if r := w.editor.Do("POST", "/api/posts", map[string]any{"title": "x", "slug": "flow-renamed", "lang": "en"}); r.Status != 409 {
		t.Fatalf("live slug reused: %d", r.Status)
	}
	// scheduled unpublish: stays published until then
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	r = transition(t, w.publisher, p.ID, map[string]any{"to": "draft", "at": at})
	got = decodePost(t, r)
	if r.Status != 200 || got.Status != content.Published || got.UnpublishAt == nil || !got.UnpublishAt.Equal(at) || live() != 1 {
		t.Fatalf("scheduled unpublish: %d %s", r.Status, r.Body)
	}
	// unpublish now
	r = transition(t, w.publisher, p.ID, map[string]any{"to": "draft"})
	got = decodePost(t, r)
	if r.Status != 200 || got.Status != content.Draft || got.LiveRevision != nil || live() != 0 || got.UnpublishAt != nil {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	// a writer may not delete a live post; a publisher may
	transition(t, w.publisher, p.ID, map[string]any{"to": "published"})
	if r := w.editor.Do("DELETE", fmt.Sprintf("/api/posts/%d", p.ID), nil); r.Status != 403 {
		t.Fatalf("writer deleting a live post: %d", r.Status)
	}
	if r := w.publisher.Do("DELETE", fmt.Sprintf("/api/posts/%d", p.ID), nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if live() != 0 || w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil).Status != 404 {
		t.Fatal("a deleted post lingers")
	}
	// no draft ever in post_live
	if n := count(t, w.in, `SELECT COUNT(*) FROM post_live l JOIN posts p ON p.id = l.post_id WHERE p.status <> 'published'`); n != 0 {
		t.Fatalf("%d unpublished posts live", n)
	}
}

func revisions(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Rev", "lang": "en", "body_md": "one"})
	path := fmt.Sprintf("/api/posts/%d", p.ID)
	w.editor.Do("PATCH", path, map[string]any{"body_md": "two", "revision_reason": "typo"})
	w.publisher.Do("PATCH", path, map[string]any{"body_md": "three"})
	var list struct {
		Items []struct {
			Number int64
			Reason string
			Author *struct{ ID int64 }
		}
		Total int
	}
	r := w.viewer.Do("GET", path+"/revisions", nil)
	r.JSON(t, &list)
	if r.Status != 200 || list.Total != 3 || list.Items[0].Number != 3 || list.Items[1].Reason != "typo" ||
		list.Items[2].Reason != "created" || list.Items[0].Author.ID != w.publisherID {
		t.Fatalf("revisions: %s", r.Body)
	}
	var one struct {
		Number   int64
		Snapshot struct {
			BodyMD string `json:"body_md"`
		}
	}
	r = w.viewer.Do("GET", path+"/revisions/1", nil)
	r.JSON(t, &one)
	if one.Snapshot.BodyMD != "one" {
		t.Fatalf("revision 1: %s", r.Body)
	}
	if r := w.viewer.Do("GET", path+"/revisions/99", nil); r.Status != 404 {
		t.Fatalf("missing revision: %d", r.Status)
	}
	r = w.editor.Do("POST", path+"/revisions/1/restore", nil)
	got := decodePost(t, r)
	if r.Status != 200 || got.BodyMD != "one" || got.Revision != 4 {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	r = w.viewer.Do("GET", path+"/revisions?limit=1", nil)
	var cp struct {
		Items []struct {
			Number int64
			Reason string
		}
	}
	r.JSON(t, &cp)
	if cp.Items[0].Number != 4 || cp.Items[0].Reason != "restored from 1" {
		t.Fatalf("restore revision: %s", r.Body)
	}

	// The diff between two revisions is word level and names the other
	// fields that changed.
	w.editor.Do("PATCH", path, map[string]any{"body_md": "کتاب\u200cهای خوب three", "tags": []string{"نو"}})
	var diff struct {
		Ops     []struct{ Kind, Text string }
		Changed []string
	}
	r = w.viewer.Do("GET", path+"/revisions/diff?from=3&to=5", nil)
	r.JSON(t, &diff)
	var ins, del []string
	for _, op := range diff.Ops {
		switch op.Kind {
		case "insert":
			ins = append(ins, op.Text)
		case "delete":
			del = append(del, op.Text)
		}
	}
	if r.Status != 200 || strings.Join(ins, "") != "کتاب\u200cهای خوب " || len(del) != 0 ||
		!slices.Equal(diff.Changed, []string{"tags"}) {
		t.Fatalf("diff 3→5: %d %s", r.Status, r.Body)
	}
	for _, q := range []string{"from=3&to=99", "from=x&to=1", "to=1"} {
		if r := w.viewer.Do("GET", path+"/revisions/diff?"+q, nil); r.Status != 404 && r.Status != 422 {
			t.Errorf("diff %s: %d %s", q, r.Status, r.Body)
		}
	}
}

func autosave(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Auto", "lang": "en"})
	path := fmt.Sprintf("/api/posts/%d/autosave", p.ID)
	if r := w.editor.Do("GET", path, nil); r.Status != 404 {
		t.Fatalf("no autosave yet: %d", r.Status)
	}
	r := w.editor.Do("PUT", path, map[string]any{"snapshot": map[string]any{"title": "Auto draft", "body_md": "typing"}})
	if r.Status != 200 {
		t.Fatalf("autosave: %d %s", r.Status, r.Body)
	}
	w.publisher.Do("PUT", path, map[string]any{"snapshot": map[string]any{"title": "Theirs"}})
	var a struct {
		Stale    bool
		Snapshot struct{ Title string }
	}
	w.editor.Do("GET", path, nil).JSON(t, &a)
	if a.Snapshot.Title != "Auto draft" || a.Stale {
		t.Fatalf("editor's autosave: %+v", a)
	}
	w.publisher.Do("GET", path, nil).JSON(t, &a)
	if a.Snapshot.Title != "Theirs" {
		t.Fatalf("publisher's autosave: %+v", a)
	}
	if got := decodePost(t, w.viewer.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil)); got.Title != "Auto" || got.Revision != 1 {
		t.Fatalf("an autosave touched the post: %+v", got)
	}
	// the publisher's save drops the publisher's autosave, not the editor's
	w.publisher.Do("PATCH", fmt.Sprintf("/api/posts/%d", p.ID), map[string]any{"excerpt": "saved"})
	if r := w.publisher.Do("GET", path, nil); r.Status != 404 {
		t.Fatalf("the saver's autosave stayed: %d", r.Status)
	}
	w.editor.Do("GET", path, nil).JSON(t, &a)
	if a.Snapshot.Title != "Auto draft" || !a.Stale {
		t.Fatalf("the other's autosave after a save: %+v", a)
	}
	if r := w.viewer.Do("GET", path, nil); r.Status != 403 {
		t.Fatalf("viewer reading autosave: %d", r.Status)
	}
}

func previewAndRender(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Preview", "lang": "en"})
	var link struct {
		URL       string
		ExpiresAt time.Time `json:"expires_at"`
	}
	// a link shows the draft to anyone holding it: an editor's to give, not a reader's
	if r := w.viewer.Do("POST", fmt.Sprintf("/api/posts/%d/preview-link", p.ID), map[string]any{"ttl_seconds": 3600}); r.Status != 403 || r.Code() != "PERMISSION_DENIED" {
		t.Fatalf("a reader made a preview link: %d %s", r.Status, r.Body)
	}
	r := w.editor.Do("POST", fmt.Sprintf("/api/posts/%d/preview-link", p.ID), map[string]any{"ttl_seconds": 3600})
	r.JSON(t, &link)
	if r.Status != 200 || !strings.HasPrefix(link.URL, w.in.URL+"/api/public/v1/preview/") ||
		time.Until(link.ExpiresAt) > time.Hour+time.Minute || time.Until(link.ExpiresAt) < 59*time.Minute {
		t.Fatalf("preview link: %d %s", r.Status, r.Body)
	}
	token := strings.TrimPrefix(link.URL, w.in.URL+"/api/public/v1/preview/")
	kind, id, err := w.in.Srv.Posts.PreviewSigner().Verify(token, time.Now())
	if err != nil || kind != 'p' || id != p.ID {
		t.Fatalf("token: %c %d %v", kind, id, err)
	}
	if r := w.editor.Do("POST", fmt.Sprintf("/api/posts/%d/preview-link", p.ID), map[string]any{"ttl_seconds": 8 * 24 * 3600}); r.Status != 422 {
		t.Fatalf("too long a preview: %d", r.Status)
	}
	var out struct{ HTML string }
	r = w.viewer.Do("POST", "/api/content/render", map[string]any{"markdown": "## T\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"})
	r.JSON(t, &out)
	if r.Status != 200 || !strings.Contains(out.HTML, "<h2") || strings.Contains(out.HTML, "javascript:") || strings.Contains(out.HTML, "onerror") {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
}

func presence(t *testing.T, w world) {
	p := w.create(t, w.editor, map[string]any{"title": "Together", "lang": "en"})
	path := fmt.Sprintf("/api/posts/%d/presence", p.ID)
	var pr struct {
		Editors []struct {
			ID   int64
			Name string
		}
	}
	r := w.editor.Do("PUT", path, nil)
	r.JSON(t, &pr)
	if r.Status != 200 || len(pr.Editors) != 0 {
		t.Fatalf("alone: %d %s", r.Status, r.Body)
	}
	w.publisher.Do("PUT", path, nil).JSON(t, &pr)
	if len(pr.Editors) != 1 || pr.Editors[0].ID != w.editorID {
		t.Fatalf("publisher sees: %+v", pr)
	}
	if r := w.editor.Do("DELETE", path, nil); r.Status != 204 {
		t.Fatalf("leave: %d", r.Status)
	}
	w.publisher.Do("PUT", path, nil).JSON(t, &pr)
	if len(pr.Editors) != 0 {
		t.Fatalf("after leaving: %+v", pr)
	}
}

// searchSpellings: the list's q goes through the search index with the
// Persian normaliser, so Arabic kaf/yeh, ZWNJ and digits do not matter, and
// `pishkhan search rebuild` recomputes the same answers.
func searchSpellings(t *testing.T, w world, in *testkit.Instance) {
	p := w.create(t, w.editor, map[string]any{"title": "راهنماي كتاب\u200cهای سال ۱۴۰۵", "lang": "fa", "body_md": "درباره\u200cی فهرست"})
	find := func(q string) []int64 {
		var page struct{ Items []struct{ ID int64 } }
		r := w.viewer.Do("GET", "/api/posts?q="+url.QueryEscape(q), nil)
		r.JSON(t, &page)
		if r.Status != 200 {
			t.Fatalf("q=%s: %d %s", q, r.Status, r.Body)
		}
		var ids []int64
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	check := func(queries ...string) {
		for _, q := range queries {
			if ids := find(q); !slices.Contains(ids, p.ID) {
				t.Errorf("q=%s did not find post %d: %v", q, p.ID, ids)
			}
		}
	}
	check("کتابهای", "كتاب ها", "راهنمای", "1405", "١٤٠٥")
	n, err := in.Srv.RebuildSearch(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("rebuild: %d, %v", n, err)
	}
	// spellings not asked before, so no cached answer stands in for the index
	check("كتابهاي", "کتاب\u200cهای", "۱۴۰۵ راهنمای")
}
