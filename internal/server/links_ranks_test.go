package server_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// userState is what a refused link must leave as it was.
type userState struct {
	hash     string
	accepted int
}

func stateOf(t *testing.T, in *testkit.Instance, id int64) userState {
	t.Helper()
	var s userState
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&s.hash); err != nil {
		t.Fatal(err)
	}
	s.accepted = auditCount(t, in, `action = 'auth.invite_accept' AND resource_id = ?`, fmt.Sprint(id))
	return s
}

// wantDeadLink checks that a set-password link is refused, to a look and
// to a use, like an expired one, and that using it changed nothing.
func wantDeadLink(t *testing.T, in *testkit.Instance, userID int64, link string) {
	t.Helper()
	before := stateOf(t, in, userID)
	token := inviteToken(t, link)
	for _, r := range []*testkit.Response{
		in.Client(t).Do("GET", "/api/auth/invite?token="+url.QueryEscape(token), nil),
		in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": token, "password": goodPassword}),
	} {
		if e := wantError(t, r, 404, "NOT_FOUND"); reasonOf(t, e) != "link_invalid" {
			t.Fatalf("a dead link: %v", e)
		}
	}
	if after := stateOf(t, in, userID); after != before {
		t.Fatalf("a refused link changed the user: %+v -> %+v", before, after)
	}
}

func linkOf(t *testing.T, r *testkit.Response) string {
	t.Helper()
	if r.Status != 201 {
		t.Fatalf("link: %d %s", r.Status, r.Body)
	}
	var body struct {
		URL    string `json:"url"`
		Invite struct {
			URL string `json:"url"`
		} `json:"invite"`
	}
	r.JSON(t, &body)
	if body.Invite.URL != "" {
		return body.Invite.URL
	}
	return body.URL
}

// TestLinksFollowRank checks issue 12 findings 1 and 12: a set-password
// link dies with any change of its user's rank, email, roles or password,
// and works only on a user its issuer still outranks.
func TestLinksFollowRank(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			// the finding's lower-ranked admin
			in.CreateUser(t, "small@example.com", "users.manage", "users.view", "roles.manage")
			small := in.LoggedIn(t, "small@example.com")
			admin := roleID(t, in, "Administrator")
			patch := func(id int64, body map[string]any) {
				t.Helper()
				if r := root.Do("PATCH", fmt.Sprintf("/api/users/%d", id), body); r.Status != 200 {
					t.Fatalf("PATCH %v: %d %s", body, r.Status, r.Body)
				}
			}
			invite := func(email string) (int64, string) {
				t.Helper()
				r := small.Do("POST", "/api/users", map[string]any{"email": email, "role_ids": []int64{}})
				var cu createdUser
				link := linkOf(t, r)
				r.JSON(t, &cu)
				return cu.User.ID, link
			}
			reset := func(id int64) string {
				t.Helper()
				return linkOf(t, small.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil))
			}

			t.Run("an invite dies when a superuser makes its user a superuser", func(t *testing.T) {
				id, link := invite("promoted-invite@example.com")
				patch(id, map[string]any{"is_superuser": true})
				wantDeadLink(t, in, id, link)
				wantError(t, login(t, in, "promoted-invite@example.com", goodPassword), 401, "INVALID_CREDENTIALS")
			})

			t.Run("an invite dies when its user is given the Administrator role", func(t *testing.T) {
				id, link := invite("admin-invite@example.com")
				patch(id, map[string]any{"role_ids": []int64{admin}})
				wantDeadLink(t, in, id, link)
			})

			t.Run("a reset link dies when its user is made a superuser", func(t *testing.T) {
				id := in.CreateUser(t, "promoted-reset@example.com", "users.view")
				link := reset(id)
				patch(id, map[string]any{"is_superuser": true})
				wantDeadLink(t, in, id, link)
				if r := login(t, in, "promoted-reset@example.com", testkit.TestPassword); r.Status != 200 {
					t.Fatalf("the password must be unchanged: %d", r.Status)
				}
			})

			t.Run("a reset link dies with a role change", func(t *testing.T) {
				id := in.CreateUser(t, "regraded@example.com", "users.view")
				link := reset(id)
				patch(id, map[string]any{"role_ids": []int64{admin}})
				wantDeadLink(t, in, id, link)
				// even a change down, to roles the issuer could grant
				id2, link2 := invite("regraded-down@example.com")
				patch(id2, map[string]any{"role_ids": []int64{roleID(t, in, "role for regraded@example.com")}})
				wantDeadLink(t, in, id2, link2)
			})

			t.Run("links die with an email change", func(t *testing.T) {
				id := in.CreateUser(t, "moved@example.com", "users.view")
				link := reset(id)
				patch(id, map[string]any{"email": "moved-away@example.com"})
				wantDeadLink(t, in, id, link)
				id2, link2 := invite("moved-invite@example.com")
				patch(id2, map[string]any{"email": "moved-invite-2@example.com"})
				wantDeadLink(t, in, id2, link2)
			})

			t.Run("links die with deactivation and stay dead after reactivation", func(t *testing.T) {
				id := in.CreateUser(t, "paused@example.com", "users.view")
				link := reset(id)
				patch(id, map[string]any{"is_active": false})
				patch(id, map[string]any{"is_active": true})
				wantDeadLink(t, in, id, link)
			})

			t.Run("a link dies when its user's role gains what the issuer lacks", func(t *testing.T) {
				var role struct {
					ID int64 `json:"id"`
				}
				r := small.Do("POST", "/api/roles", map[string]any{"name": "Readers", "permissions": []string{"users.view"}})
				if r.Status != 201 {
					t.Fatalf("role: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &role)
				var cu createdUser
				r = small.Do("POST", "/api/users", map[string]any{"email": "reader@example.com", "role_ids": []int64{role.ID}})
				link := linkOf(t, r)
				r.JSON(t, &cu)
				if r := root.Do("PATCH", fmt.Sprintf("/api/roles/%d", role.ID), map[string]any{"permissions": []string{"users.view", "audit.view"}}); r.Status != 200 {
					t.Fatalf("role change: %d %s", r.Status, r.Body)
				}
				wantDeadLink(t, in, cu.User.ID, link)
			})

			t.Run("a link dies when its issuer no longer outranks its user", func(t *testing.T) {
				in.CreateUser(t, "fading@example.com", "users.manage", "users.view")
				fading := in.LoggedIn(t, "fading@example.com")
				id := in.CreateUser(t, "watched@example.com", "users.view")
				link := linkOf(t, fading.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil))
				// the issuer loses users.view, which the user holds
				if r := root.Do("PATCH", fmt.Sprintf("/api/roles/%d", roleID(t, in, "role for fading@example.com")),
					map[string]any{"permissions": []string{"users.manage"}}); r.Status != 200 {
					t.Fatalf("role change: %d %s", r.Status, r.Body)
				}
				wantDeadLink(t, in, id, link)
				// and a deactivated issuer's links die too
				in.CreateUser(t, "leaving@example.com", "users.manage", "users.view")
				leaving := in.LoggedIn(t, "leaving@example.com")
				id2 := in.CreateUser(t, "left-behind@example.com", "users.view")
				link2 := linkOf(t, leaving.Do("POST", fmt.Sprintf("/api/users/%d/invite", id2), nil))
				var leavingID int64
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'leaving@example.com'`).Scan(&leavingID)
				patch(leavingID, map[string]any{"is_active": false})
				wantDeadLink(t, in, id2, link2)
			})

			t.Run("a user's own password change kills an admin's reset link", func(t *testing.T) {
				id := in.CreateUser(t, "careful@example.com", "users.view")
				link := reset(id)
				c := in.LoggedIn(t, "careful@example.com")
				if r := c.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": goodPassword}); r.Status != 204 {
					t.Fatalf("password change: %d %s", r.Status, r.Body)
				}
				wantDeadLink(t, in, id, link)
				if r := login(t, in, "careful@example.com", goodPassword); r.Status != 200 {
					t.Fatalf("the user's own password must hold: %d", r.Status)
				}
			})

			t.Run("an expired link answers the same", func(t *testing.T) {
				id, link := invite("late-one@example.com")
				if _, err := in.Srv.DB.Writer().Exec(context.Background(), `UPDATE invites SET expires_at = ? WHERE user_id = ?`,
					time.Now().Add(-time.Second), id); err != nil {
					t.Fatal(err)
				}
				wantDeadLink(t, in, id, link)
			})

			t.Run("an untouched link still works", func(t *testing.T) {
				id, link := invite("plain@example.com")
				patch(id, map[string]any{"name": "Only a name"}) // not a change of rank
				acceptInvite(t, in, link, goodPassword)
				id2 := in.CreateUser(t, "plain-reset@example.com", "users.view")
				acceptInvite(t, in, reset(id2), goodPassword)
				if r := login(t, in, "plain-reset@example.com", goodPassword); r.Status != 200 {
					t.Fatalf("login after reset: %d", r.Status)
				}
			})
		})
	}
}

// TestSessionsAndTokensFollowRank checks issue 12 finding 7: the rule that
// nobody acts on a user who outranks them holds for sessions, tokens and a
// role's second-factor requirement too.
func TestSessionsAndTokensFollowRank(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			rootID := in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			rootSession := currentSession(t, root)
			rootToken := newToken(t, root, []string{"orders.view"}, time.Now().Add(time.Hour))
			strongID := in.CreateUser(t, "strong@example.com", "users.view", "audit.view")
			strong := in.LoggedIn(t, "strong@example.com")
			strongSession := currentSession(t, strong)
			strongToken := newToken(t, strong, []string{"audit.view"}, time.Now().Add(time.Hour))
			clerkID := in.CreateUser(t, "clerk@example.com", "users.view")
			clerk := in.LoggedIn(t, "clerk@example.com")
			clerkToken := newToken(t, clerk, []string{"users.view"}, time.Now().Add(time.Hour))
			in.CreateUser(t, "small@example.com", "users.manage", "users.view", "roles.manage")
			small := in.LoggedIn(t, "small@example.com")

			t.Run("a lower-ranked admin lists only the sessions of users they outrank", func(t *testing.T) {
				seen := map[string]bool{}
				for _, s := range listSessions(t, small, "?all=true&page_size=100") {
					seen[s.User.Email] = true
				}
				if seen["root@example.com"] || seen["strong@example.com"] || !seen["clerk@example.com"] || !seen["small@example.com"] {
					t.Fatalf("all=true for a lower-ranked admin lists %v", seen)
				}
				for id, reason := range map[int64]string{rootID: "superuser_only", strongID: "outranked"} {
					e := wantError(t, small.Do("GET", fmt.Sprintf("/api/sessions?user_id=%d", id), nil), 403, "PERMISSION_DENIED")
					if reasonOf(t, e) != reason {
						t.Fatalf("user %d's sessions: %v", id, e)
					}
				}
				if len(listSessions(t, small, fmt.Sprintf("?user_id=%d", clerkID))) == 0 {
					t.Fatal("an outranked user's sessions are not listed")
				}
				// the superuser still sees everyone's
				seen = map[string]bool{}
				for _, s := range listSessions(t, root, "?all=true&page_size=100") {
					seen[s.User.Email] = true
				}
				if !seen["strong@example.com"] || !seen["small@example.com"] {
					t.Fatalf("all=true for a superuser lists %v", seen)
				}
			})

			t.Run("a lower-ranked admin ends no stronger user's session and revokes no stronger user's token", func(t *testing.T) {
				before := auditCount(t, in, `action IN ('sessions.revoke', 'tokens.revoke')`)
				for _, id := range []int64{rootSession, strongSession} {
					wantError(t, small.Do("DELETE", fmt.Sprintf("/api/sessions/%d", id), nil), 404, "NOT_FOUND")
				}
				for _, id := range []int64{rootToken.Token.ID, strongToken.Token.ID} {
					wantError(t, small.Do("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil), 404, "NOT_FOUND")
				}
				// nothing changed
				if r := root.Do("GET", "/api/auth/me", nil); r.Status != 200 {
					t.Fatalf("the superuser's session ended: %d", r.Status)
				}
				if r := strong.Do("GET", "/api/auth/me", nil); r.Status != 200 {
					t.Fatalf("the stronger user's session ended: %d", r.Status)
				}
				for _, tok := range []createdToken{rootToken, strongToken} {
					if r := bearer(in, t, tok.Secret)("GET", "/api/auth/me", nil); r.Status != 200 {
						t.Fatalf("a refused revoke revoked a token: %d", r.Status)
					}
				}
				if after := auditCount(t, in, `action IN ('sessions.revoke', 'tokens.revoke')`); after != before {
					t.Fatalf("refused revokes were audited: %d rows", after-before)
				}
				// a user they outrank, they may
				if r := small.Do("DELETE", fmt.Sprintf("/api/tokens/%d", clerkToken.Token.ID), nil); r.Status != 204 {
					t.Fatalf("revoking an outranked user's token: %d %s", r.Status, r.Body)
				}
				if r := small.Do("DELETE", fmt.Sprintf("/api/sessions/%d", currentSession(t, clerk)), nil); r.Status != 204 {
					t.Fatalf("ending an outranked user's session: %d %s", r.Status, r.Body)
				}
				wantError(t, clerk.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
				// and the superuser may end anyone's
				if r := root.Do("DELETE", fmt.Sprintf("/api/sessions/%d", strongSession), nil); r.Status != 204 {
					t.Fatalf("a superuser ending a session: %d %s", r.Status, r.Body)
				}
			})

			t.Run("only who holds every permission of a role changes its second-factor requirement", func(t *testing.T) {
				for _, name := range []string{"Administrator", "role for strong@example.com"} {
					path := fmt.Sprintf("/api/roles/%d", roleID(t, in, name))
					// on, then (once a superuser turned it on) off again
					for _, want := range []bool{true, false} {
						e := wantError(t, small.Do("PATCH", path, map[string]any{"require_totp": want}), 403, "PERMISSION_DENIED")
						if reasonOf(t, e) != "permission_not_held" {
							t.Fatalf("%s require_totp=%v: %v", name, want, e)
						}
						if got := root.Do("GET", path, nil).Map(t)["require_totp"]; got != !want {
							t.Fatalf("a refused change set require_totp on %s to %v", name, got)
						}
						if r := root.Do("PATCH", path, map[string]any{"require_totp": want}); r.Status != 200 {
							t.Fatalf("a superuser setting require_totp=%v: %d %s", want, r.Status, r.Body)
						}
					}
				}
				if n := auditCount(t, in, `action = 'roles.update' AND actor_email = 'small@example.com'`); n != 0 {
					t.Fatalf("refused role changes were audited: %d", n)
				}
				// a role whose permissions they all hold, they may
				path := fmt.Sprintf("/api/roles/%d", roleID(t, in, "role for clerk@example.com"))
				for _, want := range []bool{true, false} {
					if r := small.Do("PATCH", path, map[string]any{"require_totp": want}); r.Status != 200 {
						t.Fatalf("require_totp=%v on a role they could make: %d %s", want, r.Status, r.Body)
					}
				}
			})
		})
	}
}

// TestCredentialsNeedASession checks issue 12 finding 8: sessions, tokens
// and set-password links are managed from a logged-in session only; an API
// token, whatever its scope, manages none of them.
func TestCredentialsNeedASession(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			in.CreateUser(t, "clerk@example.com", "orders.view")
			clerk := in.LoggedIn(t, "clerk@example.com")
			session := currentSession(t, clerk)
			week := time.Now().Add(7 * 24 * time.Hour)
			kept := newToken(t, clerk, []string{"orders.view"}, week)
			do := bearer(in, t, newToken(t, clerk, []string{"orders.view"}, week).Secret)

			t.Run("a token lists and ends no session and manages no token", func(t *testing.T) {
				var tokensBefore int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&tokensBefore)
				for _, r := range []*testkit.Response{
					do("GET", "/api/sessions", nil),
					do("DELETE", fmt.Sprintf("/api/sessions/%d", session), nil),
					do("GET", "/api/tokens", nil),
					do("DELETE", fmt.Sprintf("/api/tokens/%d", kept.Token.ID), nil),
					do("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []string{"orders.view"}, "expires_at": week}),
				} {
					if e := wantError(t, r, 403, "PERMISSION_DENIED"); reasonOf(t, e) != "session_required" {
						t.Fatalf("a token managing credentials: %v", e)
					}
				}
				if r := clerk.Do("GET", "/api/auth/me", nil); r.Status != 200 {
					t.Fatalf("the session ended: %d", r.Status)
				}
				if r := bearer(in, t, kept.Secret)("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("the other token was revoked: %d", r.Status)
				}
				var tokensAfter int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&tokensAfter)
				if tokensAfter != tokensBefore {
					t.Fatalf("live tokens %d -> %d", tokensBefore, tokensAfter)
				}
			})

			t.Run("a users.manage token creates users but never gets a set-password link", func(t *testing.T) {
				admin := bearer(in, t, newToken(t, root, []string{"users.manage", "users.view"}, week).Secret)
				for _, r := range []*testkit.Response{
					admin("GET", "/api/sessions?all=true", nil),
					admin("DELETE", fmt.Sprintf("/api/sessions/%d", session), nil),
				} {
					if e := wantError(t, r, 403, "PERMISSION_DENIED"); reasonOf(t, e) != "session_required" {
						t.Fatalf("a users.manage token on sessions: %v", e)
					}
				}
				r := admin("POST", "/api/users", map[string]any{"email": "scripted@example.com", "role_ids": []int64{}})
				if r.Status != 201 {
					t.Fatalf("create by token: %d %s", r.Status, r.Body)
				}
				body := r.Map(t)
				if inv, ok := body["invite"]; !ok || inv != nil {
					t.Fatalf("a token's answer carries an invite: %s", r.Body)
				}
				id := int64(body["user"].(map[string]any)["id"].(float64))
				var links int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM invites WHERE user_id = ?`, id).Scan(&links)
				if links != 0 {
					t.Fatalf("a token's user got %d links", links)
				}
				e := wantError(t, admin("POST", fmt.Sprintf("/api/users/%d/invite", id), nil), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "session_required" {
					t.Fatalf("a reset link by token: %v", e)
				}
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM invites WHERE user_id = ?`, id).Scan(&links)
				if links != 0 {
					t.Fatal("a refused reset made a link")
				}
				// a logged-in administrator sends the link
				acceptInvite(t, in, linkOf(t, root.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil)), goodPassword)
				if r := login(t, in, "scripted@example.com", goodPassword); r.Status != 200 {
					t.Fatalf("login: %d", r.Status)
				}
			})
		})
	}
}
