package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

type userView struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	IsSuperuser bool   `json:"is_superuser"`
	IsActive    bool   `json:"is_active"`
	Invited     bool   `json:"invited"`
	Roles       []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"roles"`
}

type createdUser struct {
	User   userView `json:"user"`
	Invite struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
		Emailed   bool      `json:"emailed"`
	} `json:"invite"`
}

func roleID(t *testing.T, in *testkit.Instance, name string) int64 {
	t.Helper()
	id, err := in.Srv.People.RoleID(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func inviteToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path != "/invite" || u.Query().Get("token") == "" {
		t.Fatalf("invite link %q", link)
	}
	return u.Query().Get("token")
}

const goodPassword = "a long and unusual passphrase 42"

// acceptInvite sets password through the link and fails the test unless it worked.
func acceptInvite(t *testing.T, in *testkit.Instance, link, password string) {
	t.Helper()
	r := in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": inviteToken(t, link), "password": password})
	if r.Status != 204 {
		t.Fatalf("accept invite: %d %s", r.Status, r.Body)
	}
}

func login(t *testing.T, in *testkit.Instance, email, password string) *testkit.Response {
	return in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": email, "password": password})
}

// TestPeople checks users, roles, invites and passwords (issue 4) in both modes.
func TestPeople(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			in.CreateUser(t, "hr@example.com", "users.view", "users.manage", "orders.view")
			in.CreateUser(t, "rolesmith@example.com", "users.view", "roles.manage", "orders.view", "orders.create")
			root := in.LoggedIn(t, "root@example.com")
			hr := in.LoggedIn(t, "hr@example.com")

			t.Run("invite, set a password once, log in", func(t *testing.T) {
				r := root.Do("POST", "/api/users", map[string]any{"email": "New.Person@Example.com", "name": "نیلوفر",
					"role_ids": []int64{roleID(t, in, "Viewer")}})
				if r.Status != 201 || r.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("invite: %d %s", r.Status, r.Body)
				}
				var cu createdUser
				r.JSON(t, &cu)
				if !cu.User.Invited || len(cu.User.Roles) != 1 || cu.User.Roles[0].Name != "Viewer" || cu.Invite.Emailed ||
					!strings.HasPrefix(cu.Invite.URL, in.URL+"/invite?token=") || time.Until(cu.Invite.ExpiresAt) < 71*time.Hour {
					t.Fatalf("created: %+v", cu)
				}
				token := inviteToken(t, cu.Invite.URL)
				info := in.Client(t).Do("GET", "/api/auth/invite?token="+url.QueryEscape(token), nil)
				if info.Status != 200 || !strings.Contains(string(info.Body), "New.Person@Example.com") {
					t.Fatalf("check invite: %d %s", info.Status, info.Body)
				}
				// no password works before one is set
				wantError(t, login(t, in, "new.person@example.com", ""), 422, "VALIDATION_FAILED")
				wantError(t, login(t, in, "new.person@example.com", "anything at all"), 401, "INVALID_CREDENTIALS")
				for pw, why := range map[string]string{"short": "at least 8", "password123": "common", "new.person": "email"} {
					r := in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": token, "password": pw})
					if f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED")); !strings.Contains(fmt.Sprint(f["password"]), why) {
						t.Fatalf("password %q: %v", pw, f)
					}
				}
				acceptInvite(t, in, cu.Invite.URL, goodPassword)
				if r := login(t, in, "new.person@example.com", goodPassword); r.Status != 200 {
					t.Fatalf("login after invite: %d %s", r.Status, r.Body)
				}
				wantError(t, in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": token, "password": goodPassword + "!"}), 404, "NOT_FOUND")
				wantError(t, in.Client(t).Do("GET", "/api/auth/invite?token="+url.QueryEscape(token), nil), 404, "NOT_FOUND")
				wantError(t, in.Client(t).Do("GET", "/api/auth/invite?token=forged", nil), 404, "NOT_FOUND")
			})

			t.Run("an expired link and a replaced link do not work", func(t *testing.T) {
				var cu createdUser
				root.Do("POST", "/api/users", map[string]any{"email": "late@example.com", "role_ids": []int64{}}).JSON(t, &cu)
				if _, err := in.Srv.DB.Writer().Exec(context.Background(), `UPDATE invites SET expires_at = ? WHERE user_id = ?`,
					time.Now().Add(-time.Second), cu.User.ID); err != nil {
					t.Fatal(err)
				}
				wantError(t, in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": inviteToken(t, cu.Invite.URL), "password": goodPassword}), 404, "NOT_FOUND")
				first := root.Do("POST", fmt.Sprintf("/api/users/%d/invite", cu.User.ID), nil).Map(t)["url"].(string)
				second := root.Do("POST", fmt.Sprintf("/api/users/%d/invite", cu.User.ID), nil).Map(t)["url"].(string)
				wantError(t, in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": inviteToken(t, first), "password": goodPassword}), 404, "NOT_FOUND")
				acceptInvite(t, in, second, goodPassword)
			})

			t.Run("deactivation ends every session at once; reactivation restores login", func(t *testing.T) {
				id := in.CreateUser(t, "leaver@example.com", "orders.view")
				a, b := in.LoggedIn(t, "leaver@example.com"), in.LoggedIn(t, "leaver@example.com")
				if r := hr.Do("DELETE", fmt.Sprintf("/api/users/%d", id), nil); r.Status != 204 {
					t.Fatalf("deactivate: %d %s", r.Status, r.Body)
				}
				wantError(t, a.Do("GET", "/api/orders", nil), 401, "UNAUTHENTICATED")
				wantError(t, b.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
				wantError(t, login(t, in, "leaver@example.com", testkit.TestPassword), 401, "INVALID_CREDENTIALS")
				var u userView
				hr.Do("GET", fmt.Sprintf("/api/users/%d", id), nil).JSON(t, &u)
				if u.IsActive {
					t.Fatal("the user is still active")
				}
				r := hr.Do("PATCH", fmt.Sprintf("/api/users/%d", id), map[string]any{"is_active": true})
				if r.Status != 200 {
					t.Fatalf("reactivate: %d %s", r.Status, r.Body)
				}
				if r := login(t, in, "leaver@example.com", testkit.TestPassword); r.Status != 200 {
					t.Fatalf("login after reactivation: %d", r.Status)
				}
				var rows int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs WHERE action = 'users.deactivate'
					AND resource_id = ? AND actor_email = 'hr@example.com'`, fmt.Sprint(id)).Scan(&rows)
				if rows != 1 {
					t.Fatalf("deactivation audit rows: %d", rows)
				}
			})

			t.Run("nobody grants what they do not hold or changes their own access", func(t *testing.T) {
				admin := roleID(t, in, "Administrator")
				r := hr.Do("POST", "/api/users", map[string]any{"email": "x1@example.com", "role_ids": []int64{admin}})
				if f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED")); f["role_ids[0]"] == nil {
					t.Fatalf("fields %v", f)
				}
				wantError(t, hr.Do("POST", "/api/users", map[string]any{"email": "x2@example.com", "is_superuser": true}), 422, "VALIDATION_FAILED")
				var hrID int64
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'hr@example.com'`).Scan(&hrID)
				wantError(t, hr.Do("PATCH", fmt.Sprintf("/api/users/%d", hrID), map[string]any{"role_ids": []int64{admin}}), 403, "PERMISSION_DENIED")
				wantError(t, hr.Do("PATCH", fmt.Sprintf("/api/users/%d", hrID), map[string]any{"is_superuser": true}), 403, "PERMISSION_DENIED")
				var rootID int64
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'root@example.com'`).Scan(&rootID)
				wantError(t, hr.Do("PATCH", fmt.Sprintf("/api/users/%d", rootID), map[string]any{"name": "pwned"}), 403, "PERMISSION_DENIED")
				wantError(t, hr.Do("DELETE", fmt.Sprintf("/api/users/%d", rootID), nil), 403, "PERMISSION_DENIED")
				// nor touch an account more powerful than hr's: no role change,
				// no password reset link, no new email, no deactivation
				victim := in.CreateUser(t, "strong@example.com", "orders.view", "roles.manage")
				wantError(t, hr.Do("PATCH", fmt.Sprintf("/api/users/%d", victim), map[string]any{"role_ids": []int64{}}), 403, "PERMISSION_DENIED")
				wantError(t, hr.Do("POST", fmt.Sprintf("/api/users/%d/invite", victim), nil), 403, "PERMISSION_DENIED")
				wantError(t, hr.Do("PATCH", fmt.Sprintf("/api/users/%d", victim), map[string]any{"email": "hr-owned@example.com"}), 403, "PERMISSION_DENIED")
				wantError(t, hr.Do("DELETE", fmt.Sprintf("/api/users/%d", victim), nil), 403, "PERMISSION_DENIED")
				var invites int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM invites WHERE user_id = ?`, victim).Scan(&invites)
				if invites != 0 {
					t.Fatal("a refused reset made a link")
				}
				rs := in.LoggedIn(t, "rolesmith@example.com")
				r = rs.Do("POST", "/api/roles", map[string]any{"name": "Too strong", "permissions": []string{"orders.view", "users.manage"}})
				if f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED")); f["permissions[1]"] == nil {
					t.Fatalf("fields %v", f)
				}
				var after int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM users WHERE email IN ('x1@example.com', 'x2@example.com')`).Scan(&after)
				if after != 0 {
					t.Fatal("a refused invite created a user")
				}
			})

			t.Run("a role change applies to the very next request", func(t *testing.T) {
				rs := in.LoggedIn(t, "rolesmith@example.com")
				var role struct {
					ID int64 `json:"id"`
				}
				r := rs.Do("POST", "/api/roles", map[string]any{"name": "Clerks", "description": "front desk", "permissions": []string{"orders.view", "orders.create"}})
				if r.Status != 201 {
					t.Fatalf("create role: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &role)
				var cu createdUser
				root.Do("POST", "/api/users", map[string]any{"email": "clerk2@example.com", "role_ids": []int64{role.ID}}).JSON(t, &cu)
				acceptInvite(t, in, cu.Invite.URL, goodPassword)
				clerk := in.Client(t)
				clerk.Do("POST", "/api/auth/login", map[string]string{"email": "clerk2@example.com", "password": goodPassword})
				clerk.CSRF = clerk.Do("GET", "/api/auth/me", nil).Map(t)["csrf_token"].(string)
				events := sseEvents(t, clerk)
				if r := clerk.Do("POST", "/api/orders", testkit.SampleOrder("c@example.com")); r.Status != 201 {
					t.Fatalf("clerk create: %d %s", r.Status, r.Body)
				}
				if r := rs.Do("PATCH", fmt.Sprintf("/api/roles/%d", role.ID), map[string]any{"permissions": []string{"orders.view"}}); r.Status != 200 {
					t.Fatalf("update role: %d %s", r.Status, r.Body)
				}
				wantError(t, clerk.Do("POST", "/api/orders", testkit.SampleOrder("c@example.com")), 403, "PERMISSION_DENIED")
				if perms := fmt.Sprint(clerk.Do("GET", "/api/auth/me", nil).Map(t)["permissions"]); perms != "[orders.view]" {
					t.Fatalf("me after the change: %s", perms)
				}
				waitEvent(t, events, `authz {"event":"updated","resource":"authz","id":0}`)
				wantError(t, rs.Do("DELETE", fmt.Sprintf("/api/roles/%d", role.ID), nil), 409, "CONFLICT")
				wantError(t, rs.Do("PATCH", fmt.Sprintf("/api/roles/%d", roleID(t, in, "Viewer")), map[string]any{"name": "Mine"}), 409, "CONFLICT")
				wantError(t, rs.Do("DELETE", fmt.Sprintf("/api/roles/%d", roleID(t, in, "Viewer")), nil), 409, "CONFLICT")
				var empty struct {
					ID int64 `json:"id"`
				}
				rs.Do("POST", "/api/roles", map[string]any{"name": "Empty", "permissions": []string{}}).JSON(t, &empty)
				if r := rs.Do("DELETE", fmt.Sprintf("/api/roles/%d", empty.ID), nil); r.Status != 204 {
					t.Fatalf("delete unused role: %d %s", r.Status, r.Body)
				}
				wantError(t, rs.Do("GET", fmt.Sprintf("/api/roles/%d", empty.ID), nil), 404, "NOT_FOUND")
			})

			t.Run("changing a password needs the current one and ends other sessions", func(t *testing.T) {
				in.CreateUser(t, "pw@example.com", "orders.view")
				here, there := in.LoggedIn(t, "pw@example.com"), in.LoggedIn(t, "pw@example.com")
				r := here.Do("POST", "/api/auth/password", map[string]string{"current_password": "wrong one!", "new_password": goodPassword})
				if f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED")); f["current_password"] == nil {
					t.Fatalf("fields %v", f)
				}
				r = here.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": "qwerty123"})
				if f := fields(t, wantError(t, r, 422, "VALIDATION_FAILED")); f["new_password"] == nil {
					t.Fatalf("fields %v", f)
				}
				if r := there.Do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("refused changes must not end sessions: %d", r.Status)
				}
				r = here.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": goodPassword})
				if r.Status != 204 {
					t.Fatalf("change: %d %s", r.Status, r.Body)
				}
				wantError(t, there.Do("GET", "/api/orders", nil), 401, "UNAUTHENTICATED")
				if r := here.Do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("the changing session must stay: %d", r.Status)
				}
				wantError(t, login(t, in, "pw@example.com", testkit.TestPassword), 401, "INVALID_CREDENTIALS")
				if r := login(t, in, "pw@example.com", goodPassword); r.Status != 200 {
					t.Fatalf("new password: %d", r.Status)
				}
				// tokens made before the change are revoked with it
				tok := newToken(t, here, []string{"orders.view"}, time.Now().Add(time.Hour))
				if r := here.Do("POST", "/api/auth/password", map[string]string{"current_password": goodPassword, "new_password": goodPassword + " two"}); r.Status != 204 {
					t.Fatalf("second change: %d %s", r.Status, r.Body)
				}
				wantError(t, bearer(in, t, tok.Secret)("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
			})

			t.Run("lists filter and bad requests change nothing", func(t *testing.T) {
				var list struct {
					Items []userView `json:"items"`
					Total int        `json:"total"`
				}
				hr.Do("GET", "/api/users?q=ROOT@", nil).JSON(t, &list)
				if list.Total != 1 || list.Items[0].Email != "root@example.com" {
					t.Fatalf("q: %+v", list)
				}
				hr.Do("GET", "/api/users?q=%25", nil).JSON(t, &list) // a literal %, not a wildcard
				if list.Total != 0 {
					t.Fatalf("q=%% matched %d users", list.Total)
				}
				hr.Do("GET", fmt.Sprintf("/api/users?role_id=%d", roleID(t, in, "Viewer")), nil).JSON(t, &list)
				for _, u := range list.Items {
					if len(u.Roles) == 0 || u.Roles[0].Name != "Viewer" {
						t.Fatalf("role filter: %+v", u)
					}
				}
				hr.Do("GET", "/api/users?status=inactive", nil).JSON(t, &list)
				for _, u := range list.Items {
					if u.IsActive {
						t.Fatalf("status filter: %+v", u)
					}
				}
				wantError(t, hr.Do("GET", "/api/users?status=gone", nil), 422, "VALIDATION_FAILED")
				wantError(t, hr.Do("GET", "/api/users?role_id=x", nil), 400, "INVALID_JSON")
				wantError(t, hr.Do("GET", "/api/users/0", nil), 404, "NOT_FOUND")
				var before int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&before)
				for _, body := range []any{
					map[string]any{"email": "not an email"},
					map[string]any{"email": "ok@example.com", "name": strings.Repeat("n", 101)},
					map[string]any{"email": "ok@example.com", "role_ids": []int64{999999}},
					map[string]any{"email": "ok@example.com", "password": "sneaky"},
				} {
					wantError(t, hr.Do("POST", "/api/users", body), 422, "VALIDATION_FAILED")
				}
				if f := fields(t, wantError(t, hr.Do("POST", "/api/users", map[string]any{"email": "ROOT@example.com"}), 409, "CONFLICT")); f["email"] == nil {
					t.Fatalf("a taken email must name the field: %v", f)
				}
				var after int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&after)
				if after != before {
					t.Fatalf("bad requests created %d users", after-before)
				}
				wantError(t, in.LoggedIn(t, "rolesmith@example.com").Do("POST", "/api/users", map[string]any{"email": "y@example.com"}), 403, "PERMISSION_DENIED")
			})

			t.Run("the last active superuser stays", func(t *testing.T) {
				in.CreateSuperuser(t, "root2@example.com")
				root2 := in.LoggedIn(t, "root2@example.com")
				ids := map[string]int64{}
				for _, e := range []string{"root@example.com", "root2@example.com"} {
					var id int64
					_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM users WHERE email = ?`, e).Scan(&id)
					ids[e] = id
				}
				// each demotes the other at once: one must remain
				var wg sync.WaitGroup
				wg.Go(func() {
					root.Do("PATCH", fmt.Sprintf("/api/users/%d", ids["root2@example.com"]), map[string]any{"is_superuser": false})
				})
				wg.Go(func() {
					root2.Do("PATCH", fmt.Sprintf("/api/users/%d", ids["root@example.com"]), map[string]any{"is_superuser": false})
				})
				wg.Wait()
				var n int
				_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM users WHERE is_superuser = ? AND is_active = ?`, true, true).Scan(&n)
				if n < 1 {
					t.Fatal("no active superuser is left")
				}
			})
		})
	}
}

// With SMTP configured the invite link goes by email, not into the answer.
func TestInviteByEmail(t *testing.T) {
	mail := testkit.StartSMTP(t)
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"SMTP_URL": mail.URL, "PUBLIC_URL": "https://admin.example.com/"})
	in.CreateSuperuser(t, "root@example.com")
	var cu createdUser
	r := in.LoggedIn(t, "root@example.com").Do("POST", "/api/users", map[string]any{"email": "mailed@example.com"})
	if r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &cu)
	if !cu.Invite.Emailed || cu.Invite.URL != "" {
		t.Fatalf("an emailed link must not be shown: %+v", cu.Invite)
	}
	var m testkit.Mail
	select {
	case m = <-mail.Mail:
	case <-time.After(5 * time.Second):
		t.Fatal("no mail arrived")
	}
	if m.To != "mailed@example.com" || m.From != "pishkhan@example.com" || !strings.Contains(m.Data, "Content-Type: text/plain; charset=utf-8") {
		t.Fatalf("mail: %+v", m)
	}
	i := strings.Index(m.Data, "https://admin.example.com/invite?token=")
	if i < 0 {
		t.Fatalf("no link to PUBLIC_URL in the mail: %s", m.Data)
	}
	acceptInvite(t, in, strings.Fields(m.Data[i:])[0], goodPassword)
	if r := login(t, in, "mailed@example.com", goodPassword); r.Status != 200 {
		t.Fatalf("login: %d", r.Status)
	}
}

// A permission taken on one instance is gone on another at its very next request.
func TestRoleChangeReachesEveryInstance(t *testing.T) {
	sh := testkit.NewShared(t, pgRedis)
	a, b := testkit.Start(t, sh, nil), testkit.Start(t, sh, nil)
	a.CreateSuperuser(t, "root@example.com")
	a.CreateUser(t, "clerk@example.com", "orders.view", "orders.create")
	clerkOnB := b.LoggedIn(t, "clerk@example.com")
	for i := 0; i < 3; i++ { // warm B's caches of the clerk's access
		if r := clerkOnB.Do("GET", "/api/orders", nil); r.Status != 200 {
			t.Fatalf("before: %d", r.Status)
		}
	}
	var roleID int64
	_ = a.Srv.DB.Reader().QueryRow(context.Background(), `SELECT id FROM roles WHERE name = 'role for clerk@example.com'`).Scan(&roleID)
	root := a.LoggedIn(t, "root@example.com")
	if r := root.Do("PATCH", fmt.Sprintf("/api/roles/%d", roleID), map[string]any{"permissions": []string{"orders.create"}}); r.Status != 200 {
		t.Fatalf("update role on A: %d %s", r.Status, r.Body)
	}
	wantError(t, clerkOnB.Do("GET", "/api/orders", nil), 403, "PERMISSION_DENIED")
}
