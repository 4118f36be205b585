package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// hookLog records what the projects service told the search index and the
// webhooks' Notifier, and fails when told of a title holding "FAIL".
type hookLog struct {
	mu  sync.Mutex
	ops []string
}

func (h *hookLog) add(op string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
}

func (h *hookLog) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.ops
	h.ops = nil
	return out
}

var errHook = errors.New("hook refused")

func (h *hookLog) Put(_ context.Context, _ *db.Tx, d search.Doc) error {
	if strings.Contains(d.Title, "FAIL-INDEX") {
		return errHook
	}
	h.add(fmt.Sprintf("put %s %s", d.Scope, d.Slug))
	return nil
}

func (h *hookLog) Remove(_ context.Context, _ *db.Tx, kind string, id int64, scope search.Scope) error {
	h.add(fmt.Sprintf("remove %s %s", scope, kind))
	return nil
}

// MatchIDs finds nothing: this index holds no documents.
func (h *hookLog) MatchIDs(context.Context, search.Query, int) ([]int64, error) { return nil, nil }

func (h *hookLog) Notify(_ context.Context, _ *db.Tx, event string, payload map[string]any) error {
	if strings.Contains(fmt.Sprint(payload["slug"]), "fail-notify") {
		return errHook
	}
	h.add(fmt.Sprintf("notify %s %v", event, payload["slug"]))
	return nil
}

// TestProjectsHooks: the search documents and the webhook events of each
// change are written in its transaction: a hook that fails undoes the
// change (nothing stored, no audit row).
func TestProjectsHooks(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			h := &hookLog{}
			in.Srv.Projects.SetIndex(h)
			in.Srv.Projects.SetNotifier(h)

			r := admin.Do("POST", "/api/projects", map[string]any{"title": "Hooked", "lang": "en"})
			var p struct{ ID int64 }
			r.JSON(t, &p)
			want := func(step string, ops ...string) {
				t.Helper()
				if got := h.take(); !slices.Equal(got, ops) {
					t.Fatalf("%s: %q, want %q", step, got, ops)
				}
			}
			want("create", "put panel hooked", "remove public project")
			admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", p.ID), map[string]any{"summary": "s"})
			want("edit a draft", "put panel hooked", "remove public project")
			admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"})
			want("publish", "put panel hooked", "put public hooked", "notify project.published hooked")
			admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", p.ID), map[string]any{"summary": "t"})
			want("edit live", "put panel hooked", "put public hooked", "notify project.updated hooked")
			if r := admin.Do("PATCH", fmt.Sprintf("/api/projects/%d", p.ID), map[string]any{"summary": "t", "title": "Hooked"}); r.Status != 200 {
				t.Fatalf("no-op patch: %d %s", r.Status, r.Body)
			}
			want("a patch that changes nothing")
			admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "archived"})
			want("archive", "put panel hooked", "remove public project", "notify project.unpublished hooked")
			admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "draft"})
			admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"})
			h.take()
			if r := admin.Do("DELETE", fmt.Sprintf("/api/projects/%d", p.ID), nil); r.Status != 204 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			want("delete", "remove panel project", "remove public project", "notify project.deleted hooked")

			audits := func() int {
				var n int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs WHERE resource_type = 'project'`).Scan(&n)
				return n
			}
			before := audits()
			r = admin.Do("POST", "/api/projects", map[string]any{"title": "FAIL-INDEX me", "lang": "en"})
			wantError(t, r, 500, "INTERNAL")
			var n int
			_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM projects WHERE slug = 'fail-index-me'`).Scan(&n)
			if n != 0 || audits() != before {
				t.Fatalf("a failed index write left the project (%d) or its audit row", n)
			}
			admin.Do("POST", "/api/projects", map[string]any{"title": "fail notify", "lang": "en"}).JSON(t, &p)
			wantError(t, admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"}), 500, "INTERNAL")
			var st string
			_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT status FROM projects WHERE id = ?`, p.ID).Scan(&st)
			if st != string(content.Draft) {
				t.Fatalf("a failed notification left the project %s", st)
			}
			wantError(t, in.Client(t).Do("GET", "/api/public/v1/projects/fail-notify", nil), 404, "NOT_FOUND")
		})
	}
}

// TestPublicSeesPublishOnEveryInstance: the next public read after a
// publish sees it, on another instance sharing Redis too.
func TestPublicSeesPublishOnEveryInstance(t *testing.T) {
	sh := testkit.NewShared(t, testkit.Modes[1])
	env := map[string]string{"SECRET_KEY": testkit.SecretKey, "PUBLIC_RATE_LIMIT": "100000/min"}
	a := testkit.Start(t, sh, env)
	b := testkit.Start(t, sh, env)
	a.CreateSuperuser(t, "admin@example.com")
	admin := a.LoggedIn(t, "admin@example.com")
	var p struct{ ID int64 }
	admin.Do("POST", "/api/projects", map[string]any{"title": "Everywhere", "lang": "fa"}).JSON(t, &p)
	web := b.Client(t)
	for i := 0; i < 2; i++ { // the second read is a cache hit
		if r := web.Do("GET", "/api/public/v1/projects", nil); strings.Contains(string(r.Body), "everywhere") {
			t.Fatalf("a draft on the other instance: %s", r.Body)
		}
	}
	if r := admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"}); r.Status != 200 {
		t.Fatalf("publish: %d", r.Status)
	}
	if r := web.Do("GET", "/api/public/v1/projects", nil); !strings.Contains(string(r.Body), "everywhere") {
		t.Fatalf("the other instance missed the publish: %s %s", r.Header.Get("Cache-Status"), r.Body)
	}
	pget(t, web, "/api/public/v1/projects/everywhere", 200)
	admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "draft"})
	wantError(t, web.Do("GET", "/api/public/v1/projects/everywhere", nil), 404, "NOT_FOUND")
}

// TestProjectEvents: project changes reach the event streams of users who
// may see content, and nobody else's.
func TestProjectEvents(t *testing.T) {
	in := startPublic(t, testkit.Modes[1], nil)
	in.CreateSuperuser(t, "admin@example.com")
	in.CreateUser(t, "viewer@example.com", content.PermView)
	in.CreateUser(t, "clerk@example.com", "orders.view")
	admin := in.LoggedIn(t, "admin@example.com")
	insider := sseEvents(t, in.LoggedIn(t, "viewer@example.com"))
	outsider := sseEvents(t, in.LoggedIn(t, "clerk@example.com"))
	var p struct{ ID int64 }
	admin.Do("POST", "/api/projects", map[string]any{"title": "Evented", "lang": "en"}).JSON(t, &p)
	waitEvent(t, insider, fmt.Sprintf(`projects {"event":"created","resource":"projects","id":%d}`, p.ID))
	admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"})
	waitEvent(t, insider, fmt.Sprintf(`projects {"event":"updated","resource":"projects","id":%d}`, p.ID))
	admin.Do("DELETE", fmt.Sprintf("/api/projects/%d", p.ID), nil)
	waitEvent(t, insider, fmt.Sprintf(`projects {"event":"deleted","resource":"projects","id":%d}`, p.ID))
	select {
	case e := <-outsider:
		t.Fatalf("a user without content.view received %s", e)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestOpenAPIKeepsSameNamedTypesApart: posts.Input and projects.Input (and
// the like) are two schemas, each request naming its own.
func TestOpenAPIKeepsSameNamedTypesApart(t *testing.T) {
	b, err := server.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas map[string]struct{ Properties map[string]any }
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	schemaOf := func(path, method string) map[string]any {
		var op struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					}
				}
			}
		}
		if err := json.Unmarshal(doc.Paths[path][method], &op); err != nil {
			t.Fatal(err)
		}
		ref := op.RequestBody.Content["application/json"].Schema.Ref
		return doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].Properties
	}
	if p := schemaOf("/api/projects", "post"); p["featured"] == nil || p["excerpt"] != nil {
		t.Fatalf("createProject's body schema is not projects.Input: %v", p)
	}
	if p := schemaOf("/api/posts", "post"); p["excerpt"] == nil || p["featured"] != nil {
		t.Fatalf("createPost's body schema is not posts.Input: %v", p)
	}
}

// TestWebhooksHearProjects: the projects room is wired to the webhooks:
// publishing, editing live, unpublishing and deleting a project queue one
// signed delivery each to a webhook subscribed to projects, none to one
// subscribed to posts.
func TestWebhooksHearProjects(t *testing.T) {
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{
		"JOB_POLL_INTERVAL": "50ms", "WEBHOOKS_ALLOW_PRIVATE": "true"})
	in.CreateSuperuser(t, "root@example.com")
	admin := in.LoggedIn(t, "root@example.com")
	rcv := newHookReceiver(t)
	site := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/site",
		"events": []string{"project.published", "project.updated", "project.unpublished", "project.deleted"}})
	other := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/other", "events": []string{"post.published"}})
	var p struct {
		ID   int64
		Slug string
	}
	admin.Do("POST", "/api/projects", map[string]any{"title": "Hooked project", "lang": "en"}).JSON(t, &p)
	for _, step := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/transition", map[string]string{"to": "published"}},
		{"PATCH", "", map[string]any{"summary": "now live"}},
		{"POST", "/transition", map[string]string{"to": "draft"}},
		{"POST", "/transition", map[string]string{"to": "published"}},
		{"DELETE", "", nil},
	} {
		if r := admin.Do(step.method, fmt.Sprintf("/api/projects/%d%s", p.ID, step.path), step.body); r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", step.method, step.path, r.Status, r.Body)
		}
	}
	var events []string
	for _, d := range deliveriesOf(t, admin, site.ID) {
		events = append(events, d.Event)
	}
	slices.Sort(events)
	if want := []string{"project.deleted", "project.published", "project.published", "project.unpublished", "project.updated"}; !slices.Equal(events, want) {
		t.Fatalf("deliveries %v, want %v", events, want)
	}
	if n := len(deliveriesOf(t, admin, other.ID)); n != 0 {
		t.Fatalf("a webhook for posts got %d deliveries of a project", n)
	}
	ds := deliveriesOf(t, admin, site.ID)
	if done := waitDelivery(t, admin, site.ID, ds[0].DeliveryID, 20*time.Second); done.Status != "succeeded" {
		t.Fatalf("delivery: %+v", done)
	}
}
