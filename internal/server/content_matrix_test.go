package server_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The authorization matrix's rows of the portfolio's panel routes and the
// public read API (kept here so the content lanes' rows merge apart).
func init() { authzMatrix = append(authzMatrix, contentMatrix...) }

// newProject has the superuser create a draft project and returns its id.
func (env *matrixEnv) newProject(c *matrixCaller) int64 {
	var p struct{ ID int64 }
	r := env.admin.Do("POST", "/api/projects", map[string]any{"title": "matrix " + env.newEmail(), "lang": "fa"})
	if r.Status != 201 {
		c.t.Fatalf("create project: %d %s", r.Status, r.Body)
	}
	r.JSON(c.t, &p)
	return p.ID
}

// noRedirects is the caller's client that stops at a redirect.
func (c *matrixCaller) noRedirects() *testkit.Client {
	h := *c.client.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc := *c.client
	cc.HTTP = &h
	return &cc
}

var contentMatrix = []matrixRow{
	// expect: anonymous, Administrator, Manager, Editor, Support, Viewer
	{route: "GET /api/projects", expect: [6]int{401, 200, 200, 200, 403, 200}, send: get("/api/projects")},
	{route: "GET /api/projects/{id}", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/projects/%d", env.newProject(c)), nil).Status
		}},
	{route: "POST /api/projects", expect: [6]int{401, 201, 201, 201, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/projects", map[string]any{"title": "by " + env.newEmail(), "lang": "en"}).Status
		}},
	{route: "PATCH /api/projects/{id}", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/projects/%d", env.newProject(c)), map[string]any{"client": "ACME"}).Status
		}},
	{route: "DELETE /api/projects/{id}", expect: [6]int{401, 204, 204, 204, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/projects/%d", env.newProject(c)), nil).Status
		}},
	{route: "POST /api/projects/{id}/transition", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/projects/%d/transition", env.newProject(c)), map[string]string{"to": "published"}).Status
		}},
	{route: "PUT /api/projects/order", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			env.newProject(c)
			var list struct{ Items []struct{ ID int64 } }
			env.admin.Do("GET", "/api/projects?page_size=100&sort=-position", nil).JSON(c.t, &list)
			ids := []int64{}
			for _, it := range list.Items {
				ids = append(ids, it.ID)
			}
			return c.client.Do("PUT", "/api/projects/order", map[string]any{"ids": ids}).Status
		}},
	// the public read API answers everyone alike
	{route: "GET /api/public/v1/posts", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/posts")},
	{route: "GET /api/public/v1/posts/{slug}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			slug := fmt.Sprintf("matrix-post-%d", time.Now().UnixNano())
			owner := c.in.CreateUser(c.t, env.newEmail())
			addPost(c.t, c.in, owner, seedPost{lang: "fa", slug: slug, title: "t", status: content.Published, live: true})
			return c.client.Do("GET", "/api/public/v1/posts/"+slug, nil).Status
		}},
	{route: "GET /api/public/v1/projects", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/projects")},
	{route: "GET /api/public/v1/projects/{slug}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			id := env.newProject(c)
			var p struct{ Slug string }
			env.admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", id), map[string]string{"to": "published"}).JSON(c.t, &p)
			return c.client.Do("GET", "/api/public/v1/projects/"+p.Slug, nil).Status
		}},
	{route: "GET /api/public/v1/tags", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/tags")},
	{route: "GET /api/public/v1/categories", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/categories")},
	{route: "GET /api/public/v1/search", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			c.in.Srv.Public.SetSearcher(fakeIndex{c.in.Srv.DB})
			return c.client.Do("GET", "/api/public/v1/search?q=matrix", nil).Status
		}},
	{route: "GET /api/public/v1/feed.atom", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/feed.atom")},
	{route: "GET /api/public/v1/feed.rss", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/public/v1/feed.rss?lang=en")},
	{route: "GET /api/public/v1/preview/{token}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			key, err := config.ParseSecretKey(testkit.SecretKey)
			if err != nil {
				c.t.Fatal(err)
			}
			tok := content.NewPreviewSigner(key).Sign('j', env.newProject(c), time.Now().Add(time.Minute))
			return c.client.Do("GET", "/api/public/v1/preview/"+tok, nil).Status
		}},
	// a preview link's media answer whoever holds the link alike
	{route: "GET /api/public/v1/preview/{token}/media/{id}", object: "in the link's draft", expect: [6]int{302, 302, 302, 302, 302, 302},
		send: func(c *matrixCaller, env *matrixEnv) int {
			key, err := config.ParseSecretKey(testkit.SecretKey)
			if err != nil {
				c.t.Fatal(err)
			}
			img := readyImage(c.t, c.in, c.in.CreateUser(c.t, env.newEmail()), fmt.Sprintf("v%d", time.Now().UnixNano()))
			r := env.admin.Do("POST", "/api/projects", map[string]any{"title": "v " + env.newEmail(), "lang": "fa", "cover_media_id": img})
			var p struct{ ID int64 }
			r.JSON(c.t, &p)
			tok := content.NewPreviewSigner(key).Sign('j', p.ID, time.Now().Add(time.Minute))
			return c.noRedirects().Do("GET", previewMediaURL(tok, img), nil).Status
		}},
	{route: "GET /api/public/v1/media/{id}", object: "in a published project", expect: [6]int{302, 302, 302, 302, 302, 302},
		send: func(c *matrixCaller, env *matrixEnv) int {
			img := readyImage(c.t, c.in, c.in.CreateUser(c.t, env.newEmail()), fmt.Sprintf("m%d", time.Now().UnixNano()))
			r := env.admin.Do("POST", "/api/projects", map[string]any{"title": "m " + env.newEmail(), "lang": "fa", "cover_media_id": img})
			var p struct{ ID int64 }
			r.JSON(c.t, &p)
			env.admin.Do("POST", fmt.Sprintf("/api/projects/%d/transition", p.ID), map[string]string{"to": "published"})
			return c.noRedirects().Do("GET", content.PublicMediaPath(img), nil).Status
		}},
	// only callers who may see drafts follow a draft's media
	{route: "GET /api/public/v1/media/{id}", object: "in a draft only", expect: [6]int{404, 302, 302, 302, 404, 302},
		send: func(c *matrixCaller, env *matrixEnv) int {
			img := readyImage(c.t, c.in, c.in.CreateUser(c.t, env.newEmail()), fmt.Sprintf("d%d", time.Now().UnixNano()))
			env.admin.Do("POST", "/api/projects", map[string]any{"title": "d " + env.newEmail(), "lang": "fa", "cover_media_id": img})
			return c.noRedirects().Do("GET", content.PublicMediaPath(img), nil).Status
		}},
}
