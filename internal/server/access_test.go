package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// reasonOf returns details.reason of an error body.
func reasonOf(t *testing.T, m map[string]any) string {
	t.Helper()
	d, _ := m["details"].(map[string]any)
	r, _ := d["reason"].(string)
	return r
}

// fieldReason returns details.field_reasons[field] of an error body.
func fieldReason(t *testing.T, m map[string]any, field string) string {
	t.Helper()
	d, _ := m["details"].(map[string]any)
	fr, _ := d["field_reasons"].(map[string]any)
	r, _ := fr[field].(string)
	return r
}

func auditCount(t *testing.T, in *testkit.Instance, where string, args ...any) int {
	t.Helper()
	var n int
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAccessRules checks the second round of identity rules (issue 4):
// password re-checks and their limit, an admin's second-factor reset,
// built-in roles requiring 2FA, If-Match on users and roles, failed logins
// by account in the audit log and machine-readable refusal reasons.
func TestAccessRules(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			rootID := in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")

			t.Run("starting enrolment needs the password", func(t *testing.T) {
				in.CreateUser(t, "enrol@example.com", "orders.view")
				c := in.LoggedIn(t, "enrol@example.com")
				wantError(t, c.Do("POST", "/api/auth/totp/setup", nil), 415, "UNSUPPORTED_MEDIA_TYPE")
				wantError(t, c.Do("POST", "/api/auth/totp/setup", map[string]string{}), 422, "VALIDATION_FAILED")
				e := wantError(t, c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": "not my password"}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "password") != "wrong_password" {
					t.Fatalf("wrong password: %v", e)
				}
				var pending string
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT totp_pending FROM users WHERE email = ?`, "enrol@example.com").Scan(&pending)
				if pending != "" {
					t.Fatal("a refused set-up must not store a secret")
				}
				enrol(t, c)
			})

			t.Run("password re-checks are limited per account, like logins", func(t *testing.T) {
				in.CreateUser(t, "guess@example.com", "orders.view")
				in.CreateUser(t, "bystander@example.com", "orders.view")
				c := in.LoggedIn(t, "guess@example.com")
				// a right password does not count: only failures do
				for i := 0; i < 3; i++ {
					if r := c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}); r.Status != 200 {
						t.Fatalf("setup: %d %s", r.Status, r.Body)
					}
				}
				wrong := []func() *testkit.Response{
					func() *testkit.Response {
						return c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": "guess"})
					},
					func() *testkit.Response {
						return c.Do("POST", "/api/auth/totp/disable", map[string]string{"password": "guess"})
					},
					func() *testkit.Response {
						return c.Do("POST", "/api/auth/totp/recovery-codes", map[string]string{"password": "guess"})
					},
					func() *testkit.Response {
						return c.Do("POST", "/api/auth/password", map[string]string{"current_password": "guess", "new_password": goodPassword})
					},
				}
				for i := 0; i < 10; i++ { // LOGIN_ACCOUNT_LIMIT
					wantError(t, wrong[i%len(wrong)](), 422, "VALIDATION_FAILED")
				}
				// over the limit even the right password is refused, on every re-check
				for _, r := range []*testkit.Response{
					c.Do("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}),
					c.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": goodPassword}),
				} {
					wantError(t, r, 429, "RATE_LIMITED")
					for _, h := range []string{"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
						if r.Header.Get(h) == "" {
							t.Errorf("429 without %s", h)
						}
					}
					if r.Header.Get("RateLimit-Limit") != "10" || r.Header.Get("RateLimit-Remaining") != "0" {
						t.Errorf("limit headers: %v", r.Header)
					}
				}
				if login(t, in, "guess@example.com", goodPassword).Status != 401 {
					t.Fatal("the refused password change must not have happened")
				}
				// another account is not limited by this one
				if r := in.LoggedIn(t, "bystander@example.com").Do("POST", "/api/auth/totp/setup", map[string]string{"password": testkit.TestPassword}); r.Status != 200 {
					t.Fatalf("another account: %d %s", r.Status, r.Body)
				}
			})

			t.Run("an admin resets another user's second factor", func(t *testing.T) {
				id := in.CreateUser(t, "phone-lost@example.com", "orders.view")
				c := in.LoggedIn(t, "phone-lost@example.com")
				enrol(t, c)
				var u struct {
					TOTPEnabled bool `json:"totp_enabled"`
				}
				root.Do("GET", fmt.Sprintf("/api/users/%d", id), nil).JSON(t, &u)
				if !u.TOTPEnabled {
					t.Fatal("the user view must show the second factor")
				}
				if r := root.Do("DELETE", fmt.Sprintf("/api/users/%d/totp", id), nil); r.Status != 204 {
					t.Fatalf("reset: %d %s", r.Status, r.Body)
				}
				wantError(t, c.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
				if r := login(t, in, "phone-lost@example.com", testkit.TestPassword); r.Status != 200 {
					t.Fatalf("login after the reset, without a code: %d %s", r.Status, r.Body)
				}
				root.Do("GET", fmt.Sprintf("/api/users/%d", id), nil).JSON(t, &u)
				if u.TOTPEnabled {
					t.Fatal("the user view still shows a second factor")
				}
				var codes int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, id).Scan(&codes)
				if codes != 0 {
					t.Fatalf("%d recovery codes left after the reset", codes)
				}
				if n := auditCount(t, in, `action = 'users.totp_reset' AND resource_id = ? AND actor_id = ?`, fmt.Sprint(id), rootID); n != 1 {
					t.Fatalf("reset audit rows: %d", n)
				}
				// again: nothing to reset, nothing recorded
				if r := root.Do("DELETE", fmt.Sprintf("/api/users/%d/totp", id), nil); r.Status != 204 {
					t.Fatalf("second reset: %d", r.Status)
				}
				if n := auditCount(t, in, `action = 'users.totp_reset' AND resource_id = ?`, fmt.Sprint(id)); n != 1 {
					t.Fatalf("a reset of nothing was audited: %d rows", n)
				}
				wantError(t, root.Do("DELETE", "/api/users/999999/totp", nil), 404, "NOT_FOUND")
			})

			t.Run("a second-factor reset is refused for yourself and, to a non-superuser, for a superuser", func(t *testing.T) {
				e := wantError(t, root.Do("DELETE", fmt.Sprintf("/api/users/%d/totp", rootID), nil), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "self" {
					t.Fatalf("self reset: %v", e)
				}
				superID := in.CreateSuperuser(t, "second-root@example.com")
				enrol(t, in.LoggedIn(t, "second-root@example.com"))
				in.CreateUser(t, "helpdesk@example.com", "users.view", "users.manage")
				hd := in.LoggedIn(t, "helpdesk@example.com")
				e = wantError(t, hd.Do("DELETE", fmt.Sprintf("/api/users/%d/totp", superID), nil), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "superuser_only" {
					t.Fatalf("superuser reset by a non-superuser: %v", e)
				}
				wantError(t, login(t, in, "second-root@example.com", testkit.TestPassword), 401, "TOTP_REQUIRED")
				tok := newToken(t, root, []string{"users.manage", "users.view"}, time.Now().Add(time.Hour))
				victim := in.CreateUser(t, "scripted@example.com", "orders.view")
				enrol(t, in.LoggedIn(t, "scripted@example.com"))
				wantError(t, bearer(in, t, tok.Secret)("DELETE", fmt.Sprintf("/api/users/%d/totp", victim), nil), 403, "PERMISSION_DENIED")
				wantError(t, login(t, in, "scripted@example.com", testkit.TestPassword), 401, "TOTP_REQUIRED")
			})

			t.Run("a built-in role can require a second factor; nothing else of it changes", func(t *testing.T) {
				viewer := roleID(t, in, "Viewer")
				path := fmt.Sprintf("/api/roles/%d", viewer)
				var before, after struct {
					Permissions []string `json:"permissions"`
					RequireTOTP bool     `json:"require_totp"`
					Name        string   `json:"name"`
				}
				root.Do("GET", path, nil).JSON(t, &before)
				for _, body := range []map[string]any{
					{"permissions": []string{"orders.view"}},
					{"name": "Watcher"},
					{"description": "changed"},
					{"require_totp": true, "permissions": []string{"orders.view"}},
				} {
					e := wantError(t, root.Do("PATCH", path, body), 409, "CONFLICT")
					if reasonOf(t, e) != "builtin_role" {
						t.Fatalf("%v: %v", body, e)
					}
				}
				r := root.Do("PATCH", path, map[string]any{"require_totp": true})
				if r.Status != 200 {
					t.Fatalf("require_totp on a built-in role: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &after)
				if !after.RequireTOTP || fmt.Sprint(after.Permissions) != fmt.Sprint(before.Permissions) || after.Name != "Viewer" {
					t.Fatalf("before %+v, after %+v", before, after)
				}
				// a restart sets built-in permissions again, and keeps the choice
				if err := in.Srv.People.EnsureBuiltinRoles(context.Background()); err != nil {
					t.Fatal(err)
				}
				root.Do("GET", path, nil).JSON(t, &after)
				if !after.RequireTOTP {
					t.Fatal("a restart dropped require_totp of a built-in role")
				}
				if n := auditCount(t, in, `action = 'roles.update' AND resource_id = ? AND changes LIKE '%require_totp%'`, fmt.Sprint(viewer)); n != 1 {
					t.Fatalf("audit rows: %d", n)
				}
				// its holders hold nothing until they enrol
				var cu createdUser
				root.Do("POST", "/api/users", map[string]any{"email": "watcher@example.com", "role_ids": []int64{viewer}}).JSON(t, &cu)
				acceptInvite(t, in, cu.Invite.URL, goodPassword)
				c := in.Client(t)
				c.Do("POST", "/api/auth/login", map[string]string{"email": "watcher@example.com", "password": goodPassword})
				var me struct {
					Required bool     `json:"totp_setup_required"`
					Perms    []string `json:"permissions"`
				}
				c.Do("GET", "/api/auth/me", nil).JSON(t, &me)
				if !me.Required || len(me.Perms) != 0 {
					t.Fatalf("a Viewer before enrolment: %+v", me)
				}
				// requiring it and lifting it both need every permission of the
				// role held (issue 12: a lower-ranked admin could bind the
				// Administrator role and not undo it); a superuser always can
				in.CreateUser(t, "role-admin@example.com", "roles.manage", "users.view")
				ra := in.LoggedIn(t, "role-admin@example.com")
				admins := fmt.Sprintf("/api/roles/%d", roleID(t, in, "Administrator"))
				e := wantError(t, ra.Do("PATCH", admins, map[string]any{"require_totp": true}), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "permission_not_held" {
					t.Fatalf("requiring it on a stronger role: %v", e)
				}
				if r := root.Do("PATCH", admins, map[string]any{"require_totp": true}); r.Status != 200 {
					t.Fatalf("requiring it as a superuser: %d", r.Status)
				}
				e = wantError(t, ra.Do("PATCH", admins, map[string]any{"require_totp": false}), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "permission_not_held" {
					t.Fatalf("lifting it without the role's permissions: %v", e)
				}
				if r := root.Do("PATCH", admins, map[string]any{"require_totp": false}); r.Status != 200 {
					t.Fatalf("lifting it as a superuser: %d", r.Status)
				}
				if r := root.Do("PATCH", path, map[string]any{"require_totp": false}); r.Status != 200 {
					t.Fatalf("turning it off again: %d", r.Status)
				}
			})

			t.Run("If-Match protects users and roles from lost updates", func(t *testing.T) {
				id := in.CreateUser(t, "etag@example.com", "orders.view")
				for _, tc := range []struct{ path, field string }{
					{fmt.Sprintf("/api/users/%d", id), "name"},
					{fmt.Sprintf("/api/roles/%d", roleID(t, in, "role for etag@example.com")), "description"},
				} {
					g := root.Do("GET", tc.path, nil)
					etag := g.Header.Get("ETag")
					if g.Status != 200 || etag == "" {
						t.Fatalf("GET %s: %d etag %q", tc.path, g.Status, etag)
					}
					r := root.Do("PATCH", tc.path, map[string]any{tc.field: "first"}, "If-Match", etag)
					if r.Status != 200 {
						t.Fatalf("PATCH with the current ETag: %d %s", r.Status, r.Body)
					}
					if now := root.Do("GET", tc.path, nil).Header.Get("ETag"); r.Header.Get("ETag") != now || now == etag {
						t.Fatalf("PATCH answered ETag %q, a GET now %q (was %q)", r.Header.Get("ETag"), now, etag)
					}
					// a second editor still holding the first ETag
					for _, stale := range []string{etag, "W/" + etag, `"nonsense"`} {
						e := wantError(t, root.Do("PATCH", tc.path, map[string]any{tc.field: "second"}, "If-Match", stale), 412, "PRECONDITION_FAILED")
						_ = e
					}
					if got := root.Do("GET", tc.path, nil).Map(t)[tc.field]; got != "first" {
						t.Fatalf("a refused PATCH changed %s to %v", tc.field, got)
					}
					if r := root.Do("PATCH", tc.path, map[string]any{tc.field: "third"}, "If-Match", "*"); r.Status != 200 {
						t.Fatalf("If-Match *: %d", r.Status)
					}
					if r := root.Do("PATCH", tc.path, map[string]any{tc.field: "fourth"}); r.Status != 200 {
						t.Fatalf("PATCH without If-Match: %d", r.Status)
					}
				}
			})

			t.Run("failed logins are found by the account they were for", func(t *testing.T) {
				id := in.CreateUser(t, "target@example.com", "orders.view")
				known := login(t, in, "target@example.com", "wrong password")
				unknown := login(t, in, "nobody-here@example.com", "wrong password")
				ek, eu := wantError(t, known, 401, "INVALID_CREDENTIALS"), wantError(t, unknown, 401, "INVALID_CREDENTIALS")
				if ek["message"] != eu["message"] || len(known.Body)-len(known.Header.Get("X-Request-Id")) != len(unknown.Body)-len(unknown.Header.Get("X-Request-Id")) {
					t.Fatalf("the answers differ: %s vs %s", known.Body, unknown.Body)
				}
				var page struct {
					Items []struct {
						Actor *struct {
							ID    int64  `json:"id"`
							Email string `json:"email"`
						} `json:"actor"`
						ResourceID string `json:"resource_id"`
					} `json:"items"`
				}
				root.Do("GET", fmt.Sprintf("/api/audit-logs?action=auth.login_failed&actor_id=%d", id), nil).JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].Actor == nil || page.Items[0].Actor.Email != "target@example.com" || page.Items[0].ResourceID != fmt.Sprint(id) {
					t.Fatalf("failed logins of the account: %+v", page.Items)
				}
				if n := auditCount(t, in, `action = 'auth.login_failed' AND actor_id IS NULL AND changes LIKE '%nobody-here@example.com%'`); n != 1 {
					t.Fatalf("an unknown email's failure: %d rows without an actor", n)
				}
			})

			t.Run("refusals name their rule in details.reason", func(t *testing.T) {
				e := wantError(t, root.Do("PATCH", fmt.Sprintf("/api/users/%d", rootID), map[string]any{"role_ids": []int64{}}), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "self" {
					t.Fatalf("own roles: %v", e)
				}
				in.CreateUser(t, "helper@example.com", "users.view", "users.manage")
				e = wantError(t, in.LoggedIn(t, "helper@example.com").Do("PATCH", fmt.Sprintf("/api/users/%d", rootID), map[string]any{"name": "x"}), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "superuser_only" {
					t.Fatalf("a non-superuser changing a superuser: %v", e)
				}
				// grant-what-you-lack, as a field reason
				in.CreateUser(t, "small-admin@example.com", "users.view", "users.manage", "roles.manage")
				sa := in.LoggedIn(t, "small-admin@example.com")
				e = wantError(t, sa.Do("POST", "/api/users", map[string]any{"email": "new-one@example.com", "role_ids": []int64{roleID(t, in, "Administrator")}}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "role_ids[0]") != "not_held" {
					t.Fatalf("granting a role with permissions you lack: %v", e)
				}
				e = wantError(t, sa.Do("POST", "/api/users", map[string]any{"email": "not an email", "is_superuser": true}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "email") != "invalid_email" || fieldReason(t, e, "is_superuser") != "superuser_only" {
					t.Fatalf("a bad invite: %v", e)
				}
				e = wantError(t, sa.Do("POST", "/api/roles", map[string]any{"name": "Mine", "permissions": []string{"audit.view"}}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "permissions[0]") != "not_held" {
					t.Fatalf("a role with a permission you lack: %v", e)
				}
				e = wantError(t, root.Do("POST", "/api/roles", map[string]any{"name": "Viewer", "permissions": []string{}}), 409, "CONFLICT")
				if reasonOf(t, e) != "taken" || fieldReason(t, e, "name") != "taken" {
					t.Fatalf("a taken name: %v", e)
				}
				// the password policy, by rule
				var cu createdUser
				root.Do("POST", "/api/users", map[string]any{"email": "policy@example.com"}).JSON(t, &cu)
				for pw, want := range map[string]string{"short": "too_short", "password123": "common", "policy@example.com": "like_email"} {
					e = wantError(t, in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": inviteToken(t, cu.Invite.URL), "password": pw}), 422, "VALIDATION_FAILED")
					if fieldReason(t, e, "password") != want {
						t.Errorf("invite password %q: %v", pw, e)
					}
				}
				c := in.LoggedIn(t, "helper@example.com")
				e = wantError(t, c.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": testkit.TestPassword}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "new_password") != "same_as_current" {
					t.Fatalf("the same password again: %v", e)
				}
				e = wantError(t, c.Do("POST", "/api/auth/password", map[string]string{"current_password": "not it", "new_password": goodPassword}), 422, "VALIDATION_FAILED")
				if fieldReason(t, e, "current_password") != "wrong_password" {
					t.Fatalf("a wrong current password: %v", e)
				}
				e = wantError(t, root.Do("DELETE", fmt.Sprintf("/api/roles/%d", roleID(t, in, "Viewer")), nil), 409, "CONFLICT")
				if reasonOf(t, e) != "builtin_role" {
					t.Fatalf("deleting a built-in role: %v", e)
				}
				held := roleID(t, in, "role for small-admin@example.com")
				e = wantError(t, root.Do("DELETE", fmt.Sprintf("/api/roles/%d", held), nil), 409, "CONFLICT")
				if d, _ := e["details"].(map[string]any); reasonOf(t, e) != "role_in_use" || d["users_count"] != float64(1) {
					t.Fatalf("deleting a held role: %v", e)
				}
			})
		})
	}
}

// TestLastSuperuserReason checks the last-superuser refusal's reason. Over
// HTTP it is reached only by a race (a superuser's other rules come first),
// so the service is asked as the system.
func TestLastSuperuserReason(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[0])
	id := in.CreateSuperuser(t, "only@example.com")
	no := false
	_, err := in.Srv.People.UpdateUser(authz.With(context.Background(), authz.System), id, people.UpdateUserInput{IsSuperuser: &no}, "")
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Conflict || e.Details["reason"] != people.ReasonLastSuperuser {
		t.Fatalf("demoting the last superuser: %v", err)
	}
}
