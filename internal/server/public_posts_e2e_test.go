package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestPublicPostsThroughThePanel drives the blog's panel API and reads the
// website's API: a draft is invisible, publishing shows it at once, an
// edit stays off the site until published, a slug change redirects, a
// preview link shows the working copy, unpublishing takes it off.
func TestPublicPostsThroughThePanel(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			web := in.Client(t)
			stop := *web.HTTP
			stop.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			noFollow := *web
			noFollow.HTTP = &stop

			r := admin.Do("POST", "/api/posts", map[string]any{"title": "سلام دنیا", "lang": "fa", "body_md": "نسخه\u200cی اول",
				"tags": []string{"خبر"}, "categories": []string{"عمومی"}})
			if r.Status != 201 {
				t.Fatalf("create post: %d %s", r.Status, r.Body)
			}
			var p struct {
				ID   int64
				Slug string
			}
			r.JSON(t, &p)
			path := "/api/public/v1/posts/" + url.PathEscape(p.Slug)
			wantError(t, web.Do("GET", path, nil), 404, "NOT_FOUND")
			if strings.Contains(string(pget(t, web, "/api/public/v1/posts", 200).Body), p.Slug) {
				t.Fatal("a draft in the public list")
			}
			move := func(to string) {
				t.Helper()
				if r := admin.Do("POST", fmt.Sprintf("/api/posts/%d/transition", p.ID), map[string]any{"to": to}); r.Status != 200 {
					t.Fatalf("to %s: %d %s", to, r.Status, r.Body)
				}
			}
			move("published")
			var d struct {
				Title    string
				BodyHTML string `json:"body_html"`
			}
			pget(t, web, path, 200).JSON(t, &d)
			if !strings.Contains(d.BodyHTML, "نسخه") {
				t.Fatalf("published post: %+v", d)
			}
			var tags struct{ Items []struct{ Count int } }
			pget(t, web, "/api/public/v1/tags?lang=fa", 200).JSON(t, &tags)
			if len(tags.Items) != 1 || tags.Items[0].Count != 1 {
				t.Fatalf("tags %+v", tags)
			}

			// an edit of the working copy stays off the site until published
			g := admin.Do("GET", fmt.Sprintf("/api/posts/%d", p.ID), nil)
			if r := admin.Do("PATCH", fmt.Sprintf("/api/posts/%d", p.ID), map[string]any{"body_md": "DRAFT-SECRET edit", "slug": "salam-new"},
				"If-Match", g.Header.Get("ETag")); r.Status != 200 {
				t.Fatalf("edit: %d %s", r.Status, r.Body)
			}
			if b := string(pget(t, web, path, 200).Body); strings.Contains(b, "DRAFT-SECRET") {
				t.Fatalf("an unpublished edit is live: %s", b)
			}
			var link struct{ URL string }
			if r := admin.Do("POST", fmt.Sprintf("/api/posts/%d/preview-link", p.ID), map[string]any{}); r.Status != 200 && r.Status != 201 {
				t.Fatalf("preview link: %d %s", r.Status, r.Body)
			} else {
				r.JSON(t, &link)
			}
			u, err := url.Parse(link.URL)
			if err != nil {
				t.Fatal(err)
			}
			if b := string(pget(t, web, u.Path, 200).Body); !strings.Contains(b, "DRAFT-SECRET") {
				t.Fatalf("the preview does not show the working copy: %s", b)
			}
			if r := admin.Do("POST", fmt.Sprintf("/api/posts/%d/publish-changes", p.ID), nil); r.Status != 200 {
				t.Fatalf("publish changes: %d %s", r.Status, r.Body)
			}
			// the new slug is live, the old one answers 301 naming it
			pget(t, web, "/api/public/v1/posts/salam-new", 200)
			old := noFollow.Do("GET", path+"?lang=fa", nil)
			if old.Status != 301 || old.Header.Get("Location") != "/api/public/v1/posts/salam-new?lang=fa" {
				t.Fatalf("old slug: %d %v", old.Status, old.Header)
			}
			move("draft")
			wantError(t, web.Do("GET", "/api/public/v1/posts/salam-new", nil), 404, "NOT_FOUND")
			wantError(t, noFollow.Do("GET", path, nil), 404, "NOT_FOUND")
			for _, p := range []string{"/api/public/v1/posts", "/api/public/v1/feed.atom", "/sitemap.xml", "/api/public/v1/tags"} {
				if b := string(pget(t, web, p, 200).Body); strings.Contains(b, "salam") || strings.Contains(b, "خبر") {
					t.Fatalf("%s still shows an unpublished post: %s", p, b)
				}
			}
		})
	}
}
