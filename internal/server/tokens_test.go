package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

type createdToken struct {
	Token struct {
		ID          int64      `json:"id"`
		Name        string     `json:"name"`
		Prefix      string     `json:"prefix"`
		Permissions []string   `json:"permissions"`
		ExpiresAt   time.Time  `json:"expires_at"`
		LastUsedAt  *time.Time `json:"last_used_at"`
		RevokedAt   *time.Time `json:"revoked_at"`
	} `json:"token"`
	Secret string `json:"secret"`
}

func newToken(t *testing.T, c *testkit.Client, perms []string, expires time.Time) createdToken {
	t.Helper()
	r := c.Do("POST", "/api/tokens", map[string]any{"name": "script", "permissions": perms, "expires_at": expires})
	if r.Status != 201 {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	var out createdToken
	r.JSON(t, &out)
	return out
}

// bearer returns an anonymous client that sends secret as its API token.
func bearer(in *testkit.Instance, t *testing.T, secret string) func(method, path string, body any) *testkit.Response {
	c := in.Client(t)
	return func(method, path string, body any) *testkit.Response {
		return c.Do(method, path, body, "Authorization", "Bearer "+secret)
	}
}

// TestAPITokens checks API tokens (issue 4) in both ways Pishkhan runs.
func TestAPITokens(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create", "users.view")
			in.CreateUser(t, "other@example.com", "orders.view")
			clerk := in.LoggedIn(t, "clerk@example.com")
			week := time.Now().Add(7 * 24 * time.Hour)

			t.Run("the secret is shown once and works as a bearer token", func(t *testing.T) {
				tok := newToken(t, clerk, []string{"orders.view"}, week)
				if !strings.HasPrefix(tok.Secret, "pk_") || len(tok.Secret) < 40 || !strings.HasPrefix(tok.Secret, tok.Token.Prefix) {
					t.Fatalf("secret %q, prefix %q", tok.Secret, tok.Token.Prefix)
				}
				var stored string
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT token_hash FROM api_tokens WHERE id = ?`,
					tok.Token.ID).Scan(&stored); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(stored, tok.Secret) || len(stored) != 64 {
					t.Fatalf("the database must hold the secret's hash only, got %q", stored)
				}
				list := clerk.Do("GET", "/api/tokens", nil)
				if list.Status != 200 || strings.Contains(string(list.Body), tok.Secret) || !strings.Contains(string(list.Body), tok.Token.Prefix) {
					t.Fatalf("list: %d %s", list.Status, list.Body)
				}
				if cc := list.Header.Get("Cache-Control"); cc != "no-store" {
					t.Fatalf("token list Cache-Control %q", cc)
				}
				do := bearer(in, t, tok.Secret)
				if r := do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("bearer list: %d %s", r.Status, r.Body)
				}
				me := do("GET", "/api/auth/me", nil).Map(t)
				if fmt.Sprint(me["permissions"]) != "[orders.view]" || me["email"] != "clerk@example.com" {
					t.Fatalf("me through a token: %v", me)
				}
			})

			t.Run("a token acts only with the permissions it was given", func(t *testing.T) {
				do := bearer(in, t, newToken(t, clerk, []string{"orders.view"}, week).Secret)
				wantError(t, do("POST", "/api/orders", testkit.SampleOrder("x@example.com")), 403, "PERMISSION_DENIED")
				// no CSRF token is needed with a bearer token
				do2 := bearer(in, t, newToken(t, clerk, []string{"orders.create"}, week).Secret)
				if r := do2("POST", "/api/orders", testkit.SampleOrder("x@example.com")); r.Status != 201 {
					t.Fatalf("create with a token: %d %s", r.Status, r.Body)
				}
			})

			t.Run("nobody grants a token a permission they lack", func(t *testing.T) {
				r := clerk.Do("POST", "/api/tokens", map[string]any{"name": "up", "permissions": []string{"orders.view", "users.manage"}, "expires_at": week})
				f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED"))
				if f["permissions[1]"] == nil {
					t.Fatalf("fields %v", f)
				}
				r = clerk.Do("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []string{"nope.nope"}, "expires_at": week})
				wantError(t, r, 422, "VALIDATION_FAILED")
				// a token cannot mint a broader token, nor any token
				do := bearer(in, t, newToken(t, clerk, []string{"orders.view"}, week).Secret)
				wantError(t, do("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []string{"orders.view"}, "expires_at": week}),
					403, "PERMISSION_DENIED")
			})

			t.Run("bad requests change nothing", func(t *testing.T) {
				var before int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM api_tokens`).Scan(&before)
				for _, body := range []any{
					map[string]any{"name": "", "permissions": []string{"orders.view"}, "expires_at": week},
					map[string]any{"name": strings.Repeat("x", 101), "permissions": []string{"orders.view"}, "expires_at": week},
					map[string]any{"name": "x", "permissions": []string{}, "expires_at": week},
					map[string]any{"name": "x", "permissions": []string{"orders.view", "orders.view"}, "expires_at": week},
					map[string]any{"name": "x", "permissions": []string{"orders.view"}},
					map[string]any{"name": "x", "permissions": []string{"orders.view"}, "expires_at": time.Now().Add(-time.Hour)},
					map[string]any{"name": "x", "permissions": []string{"orders.view"}, "expires_at": time.Now().Add(400 * 24 * time.Hour)},
					map[string]any{"name": "x", "permissions": []string{"orders.view"}, "expires_at": week, "user_id": 1},
				} {
					wantError(t, clerk.Do("POST", "/api/tokens", body), 422, "VALIDATION_FAILED")
				}
				wantError(t, clerk.Do("POST", "/api/tokens", `{"name":`), 400, "INVALID_JSON")
				var after int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM api_tokens`).Scan(&after)
				if after != before {
					t.Fatalf("bad requests created %d tokens", after-before)
				}
			})

			t.Run("malformed, unknown, revoked and expired tokens are refused", func(t *testing.T) {
				anon := in.Client(t)
				for _, h := range []string{"Bearer", "bearer ", "Bearer nope", "Bearer pk_unknown", "Bearer " + strings.Repeat("pk_", 60)} {
					wantError(t, anon.Do("GET", "/api/orders", nil, "Authorization", h), 401, "INVALID_TOKEN")
				}
				tok := newToken(t, clerk, []string{"orders.view"}, week)
				do := bearer(in, t, tok.Secret)
				if r := do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("before revoking: %d", r.Status)
				}
				if r := clerk.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil); r.Status != 204 {
					t.Fatalf("revoke: %d %s", r.Status, r.Body)
				}
				wantError(t, do("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
				if r := clerk.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil); r.Status != 204 {
					t.Fatalf("revoking again: %d", r.Status)
				}

				short := newToken(t, clerk, []string{"orders.view"}, time.Now().Add(1500*time.Millisecond))
				doShort := bearer(in, t, short.Secret)
				if r := doShort("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("before expiry: %d", r.Status)
				}
				time.Sleep(time.Until(short.Token.ExpiresAt) + 50*time.Millisecond)
				wantError(t, doShort("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
			})

			t.Run("only the owner (or users.manage) sees and revokes a token", func(t *testing.T) {
				tok := newToken(t, clerk, []string{"orders.view"}, week)
				other := in.LoggedIn(t, "other@example.com")
				wantError(t, other.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil), 404, "NOT_FOUND")
				if strings.Contains(string(other.Do("GET", "/api/tokens", nil).Body), tok.Token.Prefix) {
					t.Fatal("another user's token is listed")
				}
				if r := bearer(in, t, tok.Secret)("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("a refused revoke must leave the token working: %d", r.Status)
				}
				wantError(t, other.Do("DELETE", "/api/tokens/999999", nil), 404, "NOT_FOUND")
				wantError(t, other.Do("DELETE", "/api/tokens/abc", nil), 404, "NOT_FOUND")
			})

			t.Run("use, creation and revocation are recorded", func(t *testing.T) {
				tok := newToken(t, clerk, []string{"orders.view"}, week)
				bearer(in, t, tok.Secret)("GET", "/api/orders", nil)
				deadline := time.Now().Add(5 * time.Second)
				for {
					var list struct {
						Items []struct {
							ID         int64      `json:"id"`
							LastUsedAt *time.Time `json:"last_used_at"`
						} `json:"items"`
					}
					clerk.Do("GET", "/api/tokens", nil).JSON(t, &list)
					used := false
					for _, it := range list.Items {
						used = used || it.ID == tok.Token.ID && it.LastUsedAt != nil
					}
					if used {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("last_used_at was not recorded")
					}
					time.Sleep(20 * time.Millisecond)
				}
				clerk.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil)
				var n int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs
					WHERE resource_type = 'api_token' AND resource_id = ? AND action IN ('tokens.create', 'tokens.revoke')
					AND actor_email = 'clerk@example.com'`, fmt.Sprint(tok.Token.ID)).Scan(&n)
				if n != 2 {
					t.Fatalf("want a tokens.create and a tokens.revoke audit row, got %d", n)
				}
			})

			t.Run("a token loses what its owner loses", func(t *testing.T) {
				ctx := context.Background()
				id := in.CreateUser(t, "shrinking@example.com", "orders.view", "orders.create")
				tok := newToken(t, in.LoggedIn(t, "shrinking@example.com"), []string{"orders.view", "orders.create"}, week)
				if _, err := in.Srv.DB.Writer().Exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, id); err != nil {
					t.Fatal(err)
				}
				in.Srv.Cache.Invalidate(ctx, auth.AuthzTag) // what the roles API will do on a change
				wantError(t, bearer(in, t, tok.Secret)("GET", "/api/orders", nil), 403, "PERMISSION_DENIED")
			})

			t.Run("token lists paginate both ways", func(t *testing.T) {
				c := in.LoggedIn(t, "other@example.com")
				for i := 0; i < 3; i++ {
					newToken(t, c, []string{"orders.view"}, week)
				}
				var page struct {
					Items []struct{ ID int64 } `json:"items"`
					Total int                  `json:"total"`
				}
				c.Do("GET", "/api/tokens?page=2&page_size=2", nil).JSON(t, &page)
				if page.Total != 3 || len(page.Items) != 1 {
					t.Fatalf("page 2: %+v", page)
				}
				var cur struct {
					Items      []struct{ ID int64 } `json:"items"`
					NextCursor *string              `json:"next_cursor"`
				}
				c.Do("GET", "/api/tokens?limit=2", nil).JSON(t, &cur)
				if len(cur.Items) != 2 || cur.NextCursor == nil || cur.Items[0].ID < cur.Items[1].ID {
					t.Fatalf("first cursor page: %+v", cur)
				}
				last := cur.Items[1].ID
				c.Do("GET", "/api/tokens?limit=2&cursor="+*cur.NextCursor, nil).JSON(t, &cur)
				if len(cur.Items) != 1 || cur.NextCursor != nil || cur.Items[0].ID >= last {
					t.Fatalf("second cursor page: %+v", cur)
				}
				wantError(t, c.Do("GET", "/api/tokens?limit=2&cursor=forged", nil), 400, "INVALID_JSON")
				wantError(t, c.Do("GET", "/api/tokens?page_size=0", nil), 422, "VALIDATION_FAILED")
			})
		})
	}
}
