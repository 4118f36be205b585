package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// matrixCallers are the columns of the authorization matrix: anonymous,
// then one user per built-in role, in people.BuiltinRoles order.
var matrixCallers = []string{"anonymous", "Administrator", "Manager", "Editor", "Support", "Viewer"}

// matrixRow is one route's expected status for each caller of matrixCallers.
type matrixRow struct {
	route string // "METHOD /pattern" as registered
	// object names an object-level case of a route with several rows
	object string
	expect [6]int
	// send makes the request as caller c; env holds ids the rows need.
	send func(c *matrixCaller, env *matrixEnv) int
}

type matrixCaller struct {
	name   string
	email  string // "" for anonymous
	client *testkit.Client
	in     *testkit.Instance
	t      *testing.T
}

type matrixEnv struct {
	admin *testkit.Client // a superuser, for preparing objects
	seq   int
}

func (env *matrixEnv) newEmail() string {
	env.seq++
	return fmt.Sprintf("matrix-object-%d@example.com", env.seq)
}

// newUser invites a user with no roles and returns its id.
func (env *matrixEnv) newUser(t *testing.T) int64 {
	var cu createdUser
	env.admin.Do("POST", "/api/users", map[string]any{"email": env.newEmail()}).JSON(t, &cu)
	return cu.User.ID
}

// newInviteToken invites a user and returns the link's token.
func (env *matrixEnv) newInviteToken(t *testing.T) string {
	var cu createdUser
	env.admin.Do("POST", "/api/users", map[string]any{"email": env.newEmail()}).JSON(t, &cu)
	return inviteToken(t, cu.Invite.URL)
}

// newRole creates an unused custom role and returns its id.
func (env *matrixEnv) newRole(t *testing.T) int64 {
	var r struct{ ID int64 }
	env.admin.Do("POST", "/api/roles", map[string]any{"name": env.newEmail(), "permissions": []string{"orders.view"}}).JSON(t, &r)
	return r.ID
}

// fresh returns a newly logged-in client for the caller (an anonymous one
// for anonymous), for requests that end the session.
func (c *matrixCaller) fresh() *testkit.Client {
	if c.email == "" {
		return c.in.Client(c.t)
	}
	return c.in.LoggedIn(c.t, c.email)
}

// matrixBytes is a small PNG's worth of bytes for media rows.
var matrixBytes = []byte("\x89PNG\r\n\x1a\nmatrix")

var matrixFile = map[string]any{"filename": "m.png", "content_type": "image/png", "size": len(matrixBytes)}

// newUpload has the superuser start an upload and send its bytes.
func (env *matrixEnv) newUpload(t *testing.T, in *testkit.Instance) uploadAnswer {
	var up uploadAnswer
	r := env.admin.Do("POST", "/api/media/upload", matrixFile)
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &up)
	sendSigned(t, in, up.Upload, matrixBytes)
	return up
}

// newJob enqueues a job due in an hour (cancelled when cancelled is set,
// so that it can be retried) and returns its id.
func (c *matrixCaller) newJob(cancelled bool) int64 {
	q, err := c.in.Srv.InsertOnlyQueue()
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := q.Client.Insert(context.Background(), failingArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	if err != nil {
		c.t.Fatal(err)
	}
	if cancelled {
		if _, err := q.Client.JobCancel(context.Background(), res.Job.ID); err != nil {
			c.t.Fatal(err)
		}
	}
	return res.Job.ID
}

// onPost has the superuser create a post (and publish it when published
// is set), then sends the caller's request to the post's path + suffix.
func (c *matrixCaller) onPost(env *matrixEnv, published bool, method, suffix string, body any) int {
	var p struct{ ID int64 }
	r := env.admin.Do("POST", "/api/posts", map[string]any{"title": env.newEmail(), "lang": "en"})
	if r.Status != 201 {
		c.t.Fatalf("create post: %d %s", r.Status, r.Body)
	}
	r.JSON(c.t, &p)
	path := fmt.Sprintf("/api/posts/%d", p.ID)
	if published {
		if r := env.admin.Do("POST", path+"/transition", map[string]any{"to": "published"}); r.Status != 200 {
			c.t.Fatalf("publish post: %d %s", r.Status, r.Body)
		}
	}
	return c.client.Do(method, path+suffix, body).Status
}

func get(path string) func(*matrixCaller, *matrixEnv) int {
	return func(c *matrixCaller, _ *matrixEnv) int { return c.client.Do("GET", path, nil).Status }
}

// The authorization matrix: every route the server registers has a row
// saying what each built-in role and an anonymous caller get. A route
// without a row fails the test, so no endpoint ships unchecked.
var authzMatrix = []matrixRow{
	// expect: anonymous, Administrator, Manager, Editor, Support, Viewer
	{route: "POST /api/auth/login", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			email := c.email
			if email == "" {
				email = "matrix-anonymous@example.com" // an anonymous caller logging in
			}
			return c.in.Client(c.t).Do("POST", "/api/auth/login",
				map[string]string{"email": email, "password": testkit.TestPassword}).Status
		}},
	{route: "POST /api/auth/logout", expect: [6]int{401, 204, 204, 204, 204, 204},
		send: func(c *matrixCaller, _ *matrixEnv) int { return c.fresh().Do("POST", "/api/auth/logout", nil).Status }},
	{route: "GET /api/auth/me", expect: [6]int{401, 200, 200, 200, 200, 200}, send: get("/api/auth/me")},
	{route: "GET /api/permissions", expect: [6]int{401, 200, 200, 200, 200, 200}, send: get("/api/permissions")},
	{route: "GET /api/orders", expect: [6]int{401, 200, 200, 403, 200, 200}, send: get("/api/orders")},
	{route: "POST /api/orders", expect: [6]int{401, 201, 201, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/orders", testkit.SampleOrder("matrix@example.com")).Status
		}},
	{route: "GET /api/orders/{id}", expect: [6]int{401, 200, 200, 403, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/orders/%d", env.admin.CreateOrder("m@example.com")), nil).Status
		}},
	{route: "PUT /api/orders/{id}/status", expect: [6]int{401, 200, 200, 403, 200, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			id := env.admin.CreateOrder("m@example.com")
			return c.client.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}).Status
		}},
	{route: "GET /api/orders/{id}/history", expect: [6]int{401, 200, 200, 403, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/orders/%d/history", env.admin.CreateOrder("m@example.com")), nil).Status
		}},
	{route: "GET /api/stats/overview", expect: [6]int{401, 200, 200, 403, 403, 200}, send: get("/api/stats/overview?range=7d")},
	{route: "GET /api/jobs", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/jobs")},
	{route: "GET /api/jobs/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/jobs/%d", c.newJob(false)), nil).Status
		}},
	{route: "POST /api/jobs/{id}/retry", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/jobs/%d/retry", c.newJob(true)), nil).Status
		}},
	{route: "POST /api/jobs/{id}/cancel", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/jobs/%d/cancel", c.newJob(false)), nil).Status
		}},
	{route: "GET /api/media", expect: [6]int{401, 200, 200, 200, 403, 200}, send: get("/api/media")},
	{route: "POST /api/media/upload", expect: [6]int{401, 201, 201, 201, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/media/upload", matrixFile).Status
		}},
	{route: "POST /api/media/{id}/complete", object: "own upload", expect: [6]int{401, 202, 202, 202, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			r := c.client.Do("POST", "/api/media/upload", matrixFile)
			if r.Status != 201 {
				return r.Status
			}
			var up uploadAnswer
			r.JSON(c.t, &up)
			sendSigned(c.t, c.in, up.Upload, matrixBytes)
			return c.client.Do("POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil).Status
		}},
	{route: "POST /api/media/{id}/complete", object: "another's upload", expect: [6]int{401, 403, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			up := env.newUpload(c.t, c.in)
			return c.client.Do("POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil).Status
		}},
	{route: "GET /api/media/{id}", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/media/%d", env.newUpload(c.t, c.in).Media.ID), nil).Status
		}},
	{route: "PATCH /api/media/{id}", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/media/%d", env.newUpload(c.t, c.in).Media.ID),
				map[string]any{"title": map[string]string{"fa": "ع", "en": "t"}}).Status
		}},
	{route: "DELETE /api/media/{id}", expect: [6]int{401, 204, 204, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/media/%d", env.newUpload(c.t, c.in).Media.ID), nil).Status
		}},
	{route: "POST /api/media/bulk-delete", expect: [6]int{401, 200, 200, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/media/bulk-delete", map[string]any{"ids": []int64{env.newUpload(c.t, c.in).Media.ID}}).Status
		}},
	// posts (content.view to read, content.edit to write, content.publish to publish)
	{route: "GET /api/posts", expect: [6]int{401, 200, 200, 200, 403, 200}, send: get("/api/posts")},
	{route: "POST /api/posts", expect: [6]int{401, 201, 201, 201, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/posts", map[string]any{"title": env.newEmail(), "lang": "en"}).Status
		}},
	{route: "GET /api/posts/{id}", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "GET", "", nil) }},
	{route: "PATCH /api/posts/{id}", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "PATCH", "", map[string]any{"excerpt": "matrix"})
		}},
	{route: "DELETE /api/posts/{id}", expect: [6]int{401, 204, 204, 204, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "DELETE", "", nil) }},
	{route: "POST /api/posts/{id}/transition", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "POST", "/transition", map[string]any{"to": "in_review"})
		}},
	{route: "POST /api/posts/{id}/publish-changes", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, true, "POST", "/publish-changes", nil) }},
	{route: "GET /api/posts/{id}/revisions", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "GET", "/revisions", nil) }},
	{route: "GET /api/posts/{id}/revisions/{rev}", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "GET", "/revisions/1", nil) }},
	{route: "GET /api/posts/{id}/revisions/diff", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "GET", "/revisions/diff?from=1&to=1", nil)
		}},
	{route: "POST /api/posts/{id}/revisions/{rev}/restore", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "POST", "/revisions/1/restore", nil)
		}},
	{route: "PUT /api/posts/{id}/autosave", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "PUT", "/autosave", map[string]any{"snapshot": map[string]any{"title": "t"}})
		}},
	{route: "GET /api/posts/{id}/autosave", object: "none yet", expect: [6]int{401, 404, 404, 404, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "GET", "/autosave", nil) }},
	{route: "POST /api/posts/{id}/preview-link", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.onPost(env, false, "POST", "/preview-link", map[string]any{})
		}},
	{route: "PUT /api/posts/{id}/presence", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "PUT", "/presence", nil) }},
	{route: "DELETE /api/posts/{id}/presence", expect: [6]int{401, 204, 204, 204, 403, 204},
		send: func(c *matrixCaller, env *matrixEnv) int { return c.onPost(env, false, "DELETE", "/presence", nil) }},
	{route: "POST /api/content/render", expect: [6]int{401, 200, 200, 200, 403, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/content/render", map[string]any{"markdown": "# hi"}).Status
		}},
	// the signature is the credential: anyone holding it may use it once
	{route: "PUT /api/storage/{token}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			r := env.admin.Do("POST", "/api/media/upload", matrixFile)
			var up uploadAnswer
			r.JSON(c.t, &up)
			return c.client.Do("PUT", up.Upload.URL, matrixBytes, "Content-Type", "image/png").Status
		}},
	{route: "GET /api/storage/{token}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			// the signed PUT wrote the staging object: the one that exists
			// until the pipeline runs
			up := env.newUpload(c.t, c.in)
			var key string
			if err := c.in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT upload_key FROM media WHERE id = ?`, up.Media.ID).Scan(&key); err != nil {
				c.t.Fatal(err)
			}
			u, err := c.in.Srv.Storage.PresignGet(context.Background(), key, time.Minute, false, "")
			if err != nil {
				c.t.Fatal(err)
			}
			return c.client.Do("GET", u, nil).Status
		}},
	{route: "GET /api/events", expect: [6]int{401, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int { return streamStatus(c.t, c.client, "/api/events") }},
	{route: "POST /api/tokens", expect: [6]int{401, 201, 201, 201, 201, 201},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/tokens", c.tokenBody()).Status
		}},
	{route: "GET /api/tokens", expect: [6]int{401, 200, 200, 200, 200, 200}, send: get("/api/tokens")},
	{route: "DELETE /api/tokens/{id}", object: "own token", expect: [6]int{401, 204, 204, 204, 204, 204},
		send: func(c *matrixCaller, env *matrixEnv) int {
			id := int64(1) // anonymous callers have no token of their own
			if c.email != "" {
				var tok createdToken
				c.client.Do("POST", "/api/tokens", c.tokenBody()).JSON(c.t, &tok)
				id = tok.Token.ID
			}
			return c.client.Do("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil).Status
		}},
	// nobody but a superuser acts on a superuser's credentials (issue 12)
	{route: "DELETE /api/tokens/{id}", object: "a superuser's token", expect: [6]int{401, 404, 404, 404, 404, 404},
		send: func(c *matrixCaller, env *matrixEnv) int {
			var tok createdToken
			env.admin.Do("POST", "/api/tokens", map[string]any{"name": "admin's", "permissions": []string{"orders.view"},
				"expires_at": time.Now().Add(time.Hour)}).JSON(c.t, &tok)
			return c.client.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil).Status
		}},
	{route: "GET /api/sessions", expect: [6]int{401, 200, 200, 200, 200, 200}, send: get("/api/sessions")},
	{route: "GET /api/sessions", object: "everyone's", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: get("/api/sessions?all=true")},
	{route: "DELETE /api/sessions/{id}", object: "own session", expect: [6]int{401, 204, 204, 204, 204, 204},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			id := int64(1) // anonymous callers have no session of their own
			fresh := c.fresh()
			if c.email != "" {
				id = currentSession(c.t, fresh)
			}
			return fresh.Do("DELETE", fmt.Sprintf("/api/sessions/%d", id), nil).Status
		}},
	{route: "DELETE /api/sessions/{id}", object: "a superuser's session", expect: [6]int{401, 404, 404, 404, 404, 404},
		send: func(c *matrixCaller, env *matrixEnv) int {
			id := currentSession(c.t, c.in.LoggedIn(c.t, "matrix-admin@example.com"))
			return c.client.Do("DELETE", fmt.Sprintf("/api/sessions/%d", id), nil).Status
		}},
	{route: "GET /api/users", expect: [6]int{401, 200, 200, 403, 403, 403}, send: get("/api/users")},
	{route: "GET /api/users/{id}", expect: [6]int{401, 200, 200, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/users/%d", env.newUser(c.t)), nil).Status
		}},
	{route: "POST /api/users", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/users", map[string]any{"email": env.newEmail()}).Status
		}},
	{route: "PATCH /api/users/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/users/%d", env.newUser(c.t)), map[string]any{"name": "renamed"}).Status
		}},
	{route: "DELETE /api/users/{id}", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/users/%d", env.newUser(c.t)), nil).Status
		}},
	{route: "DELETE /api/users/{id}/totp", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/users/%d/totp", env.newUser(c.t)), nil).Status
		}},
	{route: "POST /api/users/{id}/invite", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/users/%d/invite", env.newUser(c.t)), nil).Status
		}},
	{route: "GET /api/roles", expect: [6]int{401, 200, 200, 403, 403, 403}, send: get("/api/roles")},
	{route: "GET /api/roles/{id}", expect: [6]int{401, 200, 200, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/roles/%d", env.newRole(c.t)), nil).Status
		}},
	{route: "POST /api/roles", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/roles", map[string]any{"name": env.newEmail(), "permissions": []string{"orders.view"}}).Status
		}},
	{route: "PATCH /api/roles/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/roles/%d", env.newRole(c.t)), map[string]any{"description": "changed"}).Status
		}},
	{route: "DELETE /api/roles/{id}", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/roles/%d", env.newRole(c.t)), nil).Status
		}},
	{route: "GET /api/auth/invite", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", "/api/auth/invite?token="+env.newInviteToken(c.t), nil).Status
		}},
	{route: "POST /api/auth/invite", expect: [6]int{204, 204, 204, 204, 204, 204},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/invite", map[string]string{"token": env.newInviteToken(c.t), "password": goodPassword}).Status
		}},
	// success would end the caller's other sessions; the people tests cover it
	{route: "POST /api/auth/password", object: "wrong current password", expect: [6]int{401, 422, 422, 422, 422, 422},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/password", map[string]string{"current_password": "not it at all", "new_password": goodPassword}).Status
		}},
	{route: "GET /api/auth/totp", expect: [6]int{401, 200, 200, 200, 200, 200}, send: get("/api/auth/totp")},
	{route: "POST /api/auth/totp/setup", expect: [6]int{401, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}).Status
		}},
	// enrolling would make the matrix users' later logins ask for codes
	{route: "POST /api/auth/totp/confirm", object: "wrong code", expect: [6]int{401, 422, 422, 422, 422, 422},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/totp/confirm", map[string]string{"code": "000000"}).Status
		}},
	{route: "POST /api/auth/totp/disable", object: "wrong password", expect: [6]int{401, 422, 422, 422, 422, 422},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/totp/disable", map[string]string{"password": "not it at all"}).Status
		}},
	{route: "POST /api/auth/totp/recovery-codes", object: "wrong password", expect: [6]int{401, 422, 422, 422, 422, 422},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/auth/totp/recovery-codes", map[string]string{"password": "not it at all"}).Status
		}},
	{route: "GET /api/audit-logs", expect: [6]int{401, 200, 200, 403, 403, 403}, send: get("/api/audit-logs")},
	{route: "GET /api/audit-logs/export", expect: [6]int{401, 200, 200, 403, 403, 403}, send: get("/api/audit-logs/export")},
	{route: "GET /api/openapi.json", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/openapi.json")},
	{route: "GET /api/ping", expect: [6]int{200, 200, 200, 200, 200, 200}, send: get("/api/ping")},
	// webhooks: webhooks.manage, which only the Administrator role holds
	{route: "GET /api/webhooks", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/webhooks")},
	{route: "POST /api/webhooks", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", "/api/webhooks", map[string]any{"url": "https://example.com/matrix"}).Status
		}},
	{route: "GET /api/webhooks/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/webhooks/%d", env.newWebhook(c.t)), nil).Status
		}},
	{route: "PATCH /api/webhooks/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", env.newWebhook(c.t)), map[string]any{"active": false}).Status
		}},
	{route: "DELETE /api/webhooks/{id}", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/webhooks/%d", env.newWebhook(c.t)), nil).Status
		}},
	{route: "POST /api/webhooks/{id}/rotate-secret", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/webhooks/%d/rotate-secret", env.newWebhook(c.t)), nil).Status
		}},
	{route: "POST /api/webhooks/{id}/test", expect: [6]int{401, 202, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", env.newWebhook(c.t)), nil).Status
		}},
	{route: "GET /api/webhooks/{id}/deliveries", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/webhooks/%d/deliveries", env.newWebhook(c.t)), nil).Status
		}},

	// AI providers: ai.manage, which only the Administrator role holds
	{route: "GET /api/ai/providers", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/ai/providers")},
	{route: "POST /api/ai/providers", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/ai/providers", map[string]any{"name": env.newEmail(),
				"base_url": "http://127.0.0.1:1/v1", "chat_model": "m"}).Status
		}},
	{route: "GET /api/ai/providers/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/ai/providers/%d", env.newAIProvider(c.t)), nil).Status
		}},
	{route: "PATCH /api/ai/providers/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", env.newAIProvider(c.t)), map[string]any{"enabled": false}).Status
		}},
	{route: "DELETE /api/ai/providers/{id}", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/ai/providers/%d", env.newAIProvider(c.t)), nil).Status
		}},
	// templates: read with ai.generate (Manager, Editor) or ai.manage; changed with ai.manage
	{route: "GET /api/ai/templates", expect: [6]int{401, 200, 200, 200, 403, 403}, send: get("/api/ai/templates")},
	{route: "POST /api/ai/templates", expect: [6]int{401, 201, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/ai/templates", matrixTemplate(env)).Status
		}},
	{route: "GET /api/ai/templates/{id}", expect: [6]int{401, 200, 200, 200, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/ai/templates/%d", env.newAITemplate(c.t)), nil).Status
		}},
	{route: "PATCH /api/ai/templates/{id}", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/ai/templates/%d", env.newAITemplate(c.t)), map[string]any{"name": "renamed"}).Status
		}},
	{route: "DELETE /api/ai/templates/{id}", expect: [6]int{401, 204, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/ai/templates/%d", env.newAITemplate(c.t)), nil).Status
		}},
	{route: "POST /api/ai/templates/{id}/reset", expect: [6]int{401, 409, 403, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/ai/templates/%d/reset", env.newAITemplate(c.t)), nil).Status
		}},
	{route: "GET /api/ai/budgets", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/ai/budgets")},
	{route: "PUT /api/ai/budgets", expect: [6]int{401, 200, 403, 403, 403, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("PUT", "/api/ai/budgets", map[string]any{"items": []any{}}).Status
		}},
	{route: "GET /api/ai/usage", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/ai/usage")},
	{route: "GET /api/ai/usage/export", expect: [6]int{401, 200, 403, 403, 403, 403}, send: get("/api/ai/usage/export")},
}

// matrixTemplate is a valid new template with a fresh slug.
func matrixTemplate(env *matrixEnv) map[string]any {
	env.seq++
	return map[string]any{"slug": fmt.Sprintf("matrix_%d", env.seq), "name": "matrix", "user_prompt": "Say {{x}}",
		"variables": []any{map[string]any{"name": "x", "max_length": 10}}}
}

// newAITemplate has the superuser add a template and returns its id.
func (env *matrixEnv) newAITemplate(t *testing.T) int64 {
	var tp struct{ ID int64 }
	env.admin.Do("POST", "/api/ai/templates", matrixTemplate(env)).JSON(t, &tp)
	return tp.ID
}

// newAIProvider has the superuser add a disabled AI provider on an address
// nothing listens on, and returns its id.
func (env *matrixEnv) newAIProvider(t *testing.T) int64 {
	var p struct{ ID int64 }
	env.admin.Do("POST", "/api/ai/providers", map[string]any{"name": env.newEmail(), "base_url": "http://127.0.0.1:1/v1",
		"chat_model": "m", "enabled": false}).JSON(t, &p)
	return p.ID
}

// newWebhook has the superuser register an inactive webhook and returns its
// id; its URL is on loopback, which deliveries refuse, so a test send
// leaves the machine never.
func (env *matrixEnv) newWebhook(t *testing.T) int64 {
	var w struct{ ID int64 }
	env.admin.Do("POST", "/api/webhooks", map[string]any{"url": "http://127.0.0.1:1/matrix", "active": false}).JSON(t, &w)
	return w.ID
}

// tokenBody is a valid token request for the caller: with the first
// permission the caller holds.
func (c *matrixCaller) tokenBody() map[string]any {
	perm := "orders.view"
	if c.email != "" {
		var me struct{ Permissions []string }
		c.client.Do("GET", "/api/auth/me", nil).JSON(c.t, &me)
		perm = me.Permissions[0]
	}
	return map[string]any{"name": "matrix", "permissions": []string{perm}, "expires_at": time.Now().Add(time.Hour)}
}

// streamStatus opens a stream and returns its status without reading it.
func streamStatus(t *testing.T, c *testkit.Client, path string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", c.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestAuthorizationMatrix(t *testing.T) {
	if len(matrixCallers)-1 != len(people.BuiltinRoles) {
		t.Fatalf("the matrix has %d role columns, the server %d built-in roles", len(matrixCallers)-1, len(people.BuiltinRoles))
	}
	for i, r := range people.BuiltinRoles {
		if matrixCallers[i+1] != r.Name {
			t.Fatalf("matrix column %d is %q, built-in role %d is %q", i+1, matrixCallers[i+1], i, r.Name)
		}
	}
	in := testkit.StartMode(t, testkit.Modes[1])
	in.CreateSuperuser(t, "matrix-admin@example.com")
	in.CreateUser(t, "matrix-anonymous@example.com")
	env := &matrixEnv{admin: in.LoggedIn(t, "matrix-admin@example.com")}

	rows := map[string]bool{}
	for _, row := range authzMatrix {
		rows[row.route] = true
	}
	registered := map[string]bool{}
	for _, r := range in.Srv.Router.Routes() {
		route := r.Method + " " + r.Path
		registered[route] = true
		if !rows[route] {
			t.Errorf("route %s has no row in the authorization matrix: declare what each role gets", route)
		}
	}
	for route := range rows {
		if !registered[route] {
			t.Errorf("the authorization matrix has a row for %s, which the server does not register", route)
		}
	}

	callers := make([]*matrixCaller, len(matrixCallers))
	for i, name := range matrixCallers {
		c := &matrixCaller{name: name, in: in, t: t}
		if i == 0 {
			c.client = in.Client(t)
		} else {
			c.email = "matrix-" + strings.ToLower(name) + "@example.com"
			id, err := in.Srv.People.RoleID(context.Background(), name)
			if err != nil {
				t.Fatalf("built-in role %s: %v", name, err)
			}
			if _, err := in.Srv.People.CreateUser(context.Background(), c.email, name, testkit.TestPassword, id); err != nil {
				t.Fatal(err)
			}
			c.client = in.LoggedIn(t, c.email)
		}
		callers[i] = c
	}
	for _, row := range authzMatrix {
		for i, c := range callers {
			if got := row.send(c, env); got != row.expect[i] {
				name := row.route
				if row.object != "" {
					name += " (" + row.object + ")"
				}
				t.Errorf("%s as %s: status %d, the matrix says %d", name, c.name, got, row.expect[i])
			}
		}
	}
}
