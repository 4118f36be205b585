package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Attacks on the content wave by a writer (content.edit, no
// content.publish): only content.publish publishes (issue 16), so no route
// may let a writer change what the website shows or will show.

// contentRanks is one instance with a writer and a publisher.
type contentRanks struct {
	in                *testkit.Instance
	writer, publisher *testkit.Client
	web               *testkit.Client
}

func newContentRanks(t *testing.T, m testkit.Mode) contentRanks {
	in := startPublic(t, m, nil)
	in.CreateUser(t, "writer@example.com", content.PermView, content.PermEdit)
	in.CreateUser(t, "chief@example.com", content.PermView, content.PermEdit, content.PermPublish)
	return contentRanks{in: in, writer: in.LoggedIn(t, "writer@example.com"), publisher: in.LoggedIn(t, "chief@example.com"), web: in.Client(t)}
}

func mustStatus(t *testing.T, r *testkit.Response, want int, what string) *testkit.Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: want %d, got %d %s", what, want, r.Status, r.Body)
	}
	return r
}

// TestWriterCannotChangeAPublishedProject: a published project has no
// separate live copy, so a PATCH of it is a publish. A writer's is refused
// (403, nothing changes, the website still shows the publisher's words); a
// draft project stays theirs to edit, and a publisher's edit goes live.
func TestWriterCannotChangeAPublishedProject(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			r := mustStatus(t, w.publisher.Do("POST", "/api/projects", map[string]any{"title": "Bridge", "lang": "en",
				"summary": "approved words", "body_md": "approved body"}), 201, "create project")
			var p struct {
				ID   int64
				Slug string
			}
			r.JSON(t, &p)
			path := fmt.Sprintf("/api/projects/%d", p.ID)
			mustStatus(t, w.publisher.Do("POST", path+"/transition", map[string]any{"to": "published"}), 200, "publish")
			live := "/api/public/v1/projects/" + p.Slug
			pget(t, w.web, live, 200)

			etag := mustStatus(t, w.writer.Do("GET", path, nil), 200, "writer reads").Header.Get("ETag")
			wantError(t, w.writer.Do("PATCH", path, map[string]any{"summary": "DEFACED", "body_md": "DEFACED"}, "If-Match", etag), 403, "PERMISSION_DENIED")
			wantError(t, w.writer.Do("PATCH", path, map[string]any{"summary": "DEFACED"}), 403, "PERMISSION_DENIED")
			if b := string(pget(t, w.web, live, 200).Body); strings.Contains(b, "DEFACED") || !strings.Contains(b, "approved words") {
				t.Fatalf("a writer changed a published project: %s", b)
			}
			if g := w.writer.Do("GET", path, nil); g.Header.Get("ETag") != etag {
				t.Fatalf("a refused edit changed the project: %s", g.Body)
			}

			// the publisher may; a draft is the writer's to edit
			mustStatus(t, w.publisher.Do("PATCH", path, map[string]any{"summary": "second approved"}), 200, "publisher edits")
			if b := string(pget(t, w.web, live, 200).Body); !strings.Contains(b, "second approved") {
				t.Fatalf("the publisher's edit is not live: %s", b)
			}
			mustStatus(t, w.publisher.Do("POST", path+"/transition", map[string]any{"to": "draft"}), 200, "unpublish")
			mustStatus(t, w.writer.Do("PATCH", path, map[string]any{"summary": "draft words"}), 200, "writer edits a draft")
		})
	}
}

// TestWriterCannotRewriteAScheduledPost: a publisher schedules a post;
// the job later puts the working copy live. A writer's edit (PATCH or a
// revision restore) of the scheduled post would be published unreviewed,
// so it is refused (403) and the post is unchanged; once unscheduled the
// writer may edit again.
func TestWriterCannotRewriteAScheduledPost(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			r := mustStatus(t, w.writer.Do("POST", "/api/posts", map[string]any{"title": "Launch", "lang": "en", "body_md": "first words"}), 201, "create")
			var p struct{ ID int64 }
			r.JSON(t, &p)
			path := fmt.Sprintf("/api/posts/%d", p.ID)
			mustStatus(t, w.writer.Do("PATCH", path, map[string]any{"body_md": "approved words"}), 200, "second revision")
			at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			mustStatus(t, w.publisher.Do("POST", path+"/transition", map[string]any{"to": "scheduled", "at": at}), 200, "schedule")

			before := mustStatus(t, w.writer.Do("GET", path, nil), 200, "read")
			wantError(t, w.writer.Do("PATCH", path, map[string]any{"body_md": "UNREVIEWED"}, "If-Match", before.Header.Get("ETag")), 403, "PERMISSION_DENIED")
			wantError(t, w.writer.Do("POST", path+"/revisions/1/restore", nil), 403, "PERMISSION_DENIED")
			after := mustStatus(t, w.writer.Do("GET", path, nil), 200, "read again")
			if after.Header.Get("ETag") != before.Header.Get("ETag") || strings.Contains(string(after.Body), "UNREVIEWED") {
				t.Fatalf("a refused edit changed the scheduled post: %s", after.Body)
			}

			// the publisher may edit what they scheduled
			mustStatus(t, w.publisher.Do("PATCH", path, map[string]any{"body_md": "approved again"}), 200, "publisher edits")
			mustStatus(t, w.publisher.Do("POST", path+"/transition", map[string]any{"to": "draft"}), 200, "unschedule")
			mustStatus(t, w.writer.Do("PATCH", path, map[string]any{"body_md": "draft words"}), 200, "writer edits the draft")
		})
	}
}

// TestWebhookDeleteHonoursIfMatch: a stale If-Match is 412 on every
// mutating route; on DELETE it was ignored, so an admin acting on an old
// screen deleted a webhook someone had just repointed. Without If-Match a
// DELETE still goes through (the contract allows it).
func TestWebhookDeleteHonoursIfMatch(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			w := createWebhook(t, admin, map[string]any{"url": "https://example.com/a"})
			path := fmt.Sprintf("/api/webhooks/%d", w.ID)
			stale := mustStatus(t, admin.Do("GET", path, nil), 200, "read").Header.Get("ETag")
			mustStatus(t, admin.Do("PATCH", path, map[string]any{"url": "https://example.com/b"}, "If-Match", stale), 200, "repoint")
			audits := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`)
			wantError(t, admin.Do("DELETE", path, nil, "If-Match", stale), 412, "PRECONDITION_FAILED")
			mustStatus(t, admin.Do("GET", path, nil), 200, "still there")
			if n := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`); n != audits {
				t.Fatalf("a refused delete wrote %d audit rows", n-audits)
			}
			cur := mustStatus(t, admin.Do("GET", path, nil), 200, "read").Header.Get("ETag")
			mustStatus(t, admin.Do("DELETE", path, nil, "If-Match", cur), 204, "delete with the current ETag")
			mustStatus(t, admin.Do("GET", path, nil), 404, "gone")
			w2 := createWebhook(t, admin, map[string]any{"url": "https://example.com/c"})
			mustStatus(t, admin.Do("DELETE", fmt.Sprintf("/api/webhooks/%d", w2.ID), nil), 204, "delete without If-Match")
		})
	}
}

// TestNULBytesAreRefusedNotCrashed: U+0000 is valid UTF-8, but PostgreSQL
// text cannot hold it. Every field and query a user or a website sends is
// answered with the contract's 4xx error (or a plain answer), never a 500,
// on both engines; nothing is stored.
func TestNULBytesAreRefusedNotCrashed(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			w.in.CreateSuperuser(t, "admin@example.com")
			admin := w.in.LoggedIn(t, "admin@example.com")
			nul := "a\x00b"
			writes := []struct {
				method, path string
				body         map[string]any
			}{
				{"POST", "/api/posts", map[string]any{"title": "t1", "lang": "en", "body_md": nul}},
				{"POST", "/api/posts", map[string]any{"title": nul, "lang": "en"}},
				{"POST", "/api/posts", map[string]any{"title": "t2", "lang": "en", "tags": []string{nul}}},
				{"POST", "/api/posts", map[string]any{"title": "t3", "lang": "en", "seo": map[string]any{"description": nul}}},
				{"POST", "/api/projects", map[string]any{"title": "p1", "lang": "en", "body_md": nul}},
				{"POST", "/api/projects", map[string]any{"title": "p2", "lang": "en", "summary": nul}},
				{"POST", "/api/projects", map[string]any{"title": "p3", "lang": "en", "tags": []string{nul}}},
				{"POST", "/api/projects", map[string]any{"title": "p4", "lang": "en", "links": []map[string]any{{"label": nul, "url": "https://example.com"}}}},
				{"POST", "/api/projects", map[string]any{"title": "p5", "lang": "en", "client": nul}},
				{"POST", "/api/projects", map[string]any{"title": "p6", "lang": "en", "links": []map[string]any{{"label": "l", "url": "https://example.com/" + nul}}}},
				{"POST", "/api/posts", map[string]any{"title": "t4", "lang": "en", "excerpt": nul}},
				{"POST", "/api/posts", map[string]any{"title": "t5", "lang": "en", "categories": []string{nul}}},
				{"POST", "/api/posts", map[string]any{"title": "t6", "lang": "en", "seo": map[string]any{"canonical_url": "https://example.com/" + nul}}},
				{"POST", "/api/webhooks", map[string]any{"url": "https://example.com/h", "description": nul}},
			}
			for _, c := range writes {
				c2 := w.publisher
				if strings.HasPrefix(c.path, "/api/webhooks") {
					c2 = admin
				}
				r := c2.Do(c.method, c.path, c.body)
				if r.Status != 422 {
					t.Errorf("%s %s %v: want 422, got %d %s", c.method, c.path, c.body, r.Status, r.Body)
				}
			}
			if n := countRows(t, w.in, `SELECT COUNT(*) FROM posts`) + countRows(t, w.in, `SELECT COUNT(*) FROM projects`); n != 0 {
				t.Errorf("%d rows stored from refused writes", n)
			}
			var paths []string
			for _, bad := range []string{"a%00b", "a%ffb"} { // NUL, and a byte that is no UTF-8
				paths = append(paths, "/api/posts?q="+bad, "/api/projects?q="+bad, "/api/public/v1/search?q="+bad,
					"/api/public/v1/posts?tag="+bad, "/api/public/v1/posts?category="+bad, "/api/public/v1/projects?tag="+bad,
					"/api/public/v1/posts/"+bad, "/api/public/v1/projects/"+bad, "/api/posts?tag="+bad, "/api/projects?tag="+bad)
			}
			for _, path := range paths {
				c := w.publisher
				if strings.HasPrefix(path, "/api/public/") {
					c = w.web
				}
				if r := c.Do("GET", path, nil); r.Status >= 500 {
					t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
				}
			}
		})
	}
}

// TestPublicMediaIgnoresStaleCredentials: the media route is the one
// public route that looks at the caller's session (a panel user may see
// draft images). A website visitor whose browser still sends an expired
// panel cookie must still get a live image (302), not a 401 that breaks
// the page; a draft image stays 404. (A bearer token is sent on purpose:
// a bad one is 401 INVALID_TOKEN there as everywhere.)
func TestPublicMediaIgnoresStaleCredentials(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			owner := w.in.CreateUser(t, "owner@example.com", content.PermView)
			live, draft := readyImage(t, w.in, owner, "live"), readyImage(t, w.in, owner, "draft")
			r := mustStatus(t, w.publisher.Do("POST", "/api/posts", map[string]any{"title": "Pic", "lang": "en", "cover_media_id": live}), 201, "create")
			var p struct{ ID int64 }
			r.JSON(t, &p)
			mustStatus(t, w.publisher.Do("POST", fmt.Sprintf("/api/posts/%d/transition", p.ID), map[string]any{"to": "published"}), 200, "publish")
			mustStatus(t, w.publisher.Do("POST", "/api/posts", map[string]any{"title": "Draft pic", "lang": "en", "cover_media_id": draft}), 201, "draft")
			h := *w.web.HTTP
			h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			c := *w.web
			c.HTTP = &h
			for _, cred := range [][]string{{"Cookie", "pishkhan_session=expired-or-forged"}, {"Cookie", "__Host-pishkhan_session=forged"}, {}} {
				r := c.Do("GET", content.PublicMediaPath(live), nil, cred...)
				if r.Status != 302 || r.Header.Get("Location") == "" {
					t.Errorf("live image with %v: %d %s", cred, r.Status, r.Body)
				}
				if r := c.Do("GET", content.PublicMediaPath(draft), nil, cred...); r.Status != 404 {
					t.Errorf("draft image with %v: %d %s", cred, r.Status, r.Body)
				}
			}
		})
	}
}

// TestRestoreRefusesMediaNoLongerReady: restoring an old revision is a
// save like any other; one whose cover or body names an image since taken
// out of the library (no longer ready) is 422 and changes nothing, so a
// restore cannot bring back a reference the editor would refuse.
func TestRestoreRefusesMediaNoLongerReady(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			owner := w.in.CreateUser(t, "owner@example.com", content.PermView)
			img, inline := readyImage(t, w.in, owner, "cover"), readyImage(t, w.in, owner, "inline")
			r := mustStatus(t, w.writer.Do("POST", "/api/posts", map[string]any{"title": "Old", "lang": "en", "cover_media_id": img,
				"body_md": fmt.Sprintf("![x](media:%d)", inline)}), 201, "create")
			var p struct{ ID int64 }
			r.JSON(t, &p)
			path := fmt.Sprintf("/api/posts/%d", p.ID)
			mustStatus(t, w.writer.Do("PATCH", path, map[string]any{"cover_media_id": nil, "body_md": "plain"}), 200, "drop the images")
			sqlExec(t, w.in, `UPDATE media SET status = 'pending' WHERE id IN (?, ?)`, img, inline)
			before := mustStatus(t, w.writer.Do("GET", path, nil), 200, "read").Header.Get("ETag")
			e := wantError(t, w.writer.Do("POST", path+"/revisions/1/restore", nil), 422, "VALIDATION_FAILED")
			fields, _ := e["details"].(map[string]any)["fields"].(map[string]any)
			if fields["cover_media_id"] == nil || fields["body_md"] == nil {
				t.Errorf("restore refusal names %v, want cover_media_id and body_md", fields)
			}
			if after := mustStatus(t, w.writer.Do("GET", path, nil), 200, "read").Header.Get("ETag"); after != before {
				t.Fatal("a refused restore changed the post")
			}
		})
	}
}

// TestPatchCannotSetWorkflowFields: status, publish_at, live_revision and
// published_at are the workflow's; a PATCH naming any of them is refused
// (an unknown field) and the post stays a draft the website never sees.
func TestPatchCannotSetWorkflowFields(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			w := newContentRanks(t, m)
			r := mustStatus(t, w.writer.Do("POST", "/api/posts", map[string]any{"title": "Sneaky", "lang": "en"}), 201, "create")
			var p struct{ ID int64 }
			r.JSON(t, &p)
			path := fmt.Sprintf("/api/posts/%d", p.ID)
			for _, body := range []map[string]any{{"status": "published"}, {"publish_at": time.Now().Add(time.Minute)},
				{"live_revision": 1}, {"published_at": time.Now()}, {"body_html": "<script>x</script>"}} {
				if r := w.writer.Do("PATCH", path, body); r.Status != 400 && r.Status != 422 {
					t.Errorf("PATCH %v: %d %s", body, r.Status, r.Body)
				}
				if r := w.writer.Do("POST", "/api/posts", map[string]any{"title": "x", "lang": "en", "status": "published"}); r.Status != 400 && r.Status != 422 {
					t.Errorf("create published: %d %s", r.Status, r.Body)
				}
			}
			var got struct {
				Status       string
				LiveRevision *int64 `json:"live_revision"`
			}
			mustStatus(t, w.writer.Do("GET", path, nil), 200, "read").JSON(t, &got)
			if got.Status != "draft" || got.LiveRevision != nil {
				t.Fatalf("after refused PATCHes: %+v", got)
			}
			wantError(t, w.web.Do("GET", "/api/public/v1/posts/sneaky", nil), 404, "NOT_FOUND")
		})
	}
}
