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

// TestLinksDieWhenTheirIssuerMayNoLongerManageUsers: a set-password link
// works only while its issuer could still make it, and making one needs
// users.manage. An administrator whose user management is taken away,
// however they keep every other permission, leaves no working link behind
// (links they kept for themselves would open the accounts).
func TestLinksDieWhenTheirIssuerMayNoLongerManageUsers(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			links := func(c *testkit.Client, email string) (invitedID int64, invite string, resetID int64, reset string) {
				t.Helper()
				r := c.Do("POST", "/api/users", map[string]any{"email": "invited-by-" + email, "role_ids": []int64{}})
				invite = linkOf(t, r)
				var cu createdUser
				r.JSON(t, &cu)
				resetID = in.CreateUser(t, "reset-by-"+email, "users.view")
				reset = linkOf(t, c.Do("POST", fmt.Sprintf("/api/users/%d/invite", resetID), nil))
				return cu.User.ID, invite, resetID, reset
			}

			t.Run("its role loses users.manage", func(t *testing.T) {
				in.CreateUser(t, "demoted@example.com", "users.manage", "users.view")
				c := in.LoggedIn(t, "demoted@example.com")
				invitedID, invite, resetID, reset := links(c, "demoted@example.com")
				if r := root.Do("PATCH", fmt.Sprintf("/api/roles/%d", roleID(t, in, "role for demoted@example.com")),
					map[string]any{"permissions": []string{"users.view"}}); r.Status != 200 {
					t.Fatalf("role change: %d %s", r.Status, r.Body)
				}
				wantDeadLink(t, in, invitedID, invite)
				wantDeadLink(t, in, resetID, reset)
			})

			t.Run("they are given roles without users.manage", func(t *testing.T) {
				issuerID := in.CreateUser(t, "moved@example.com", "users.manage", "users.view")
				c := in.LoggedIn(t, "moved@example.com")
				invitedID, invite, resetID, reset := links(c, "moved@example.com")
				var role struct {
					ID int64 `json:"id"`
				}
				r := root.Do("POST", "/api/roles", map[string]any{"name": "Watchers", "permissions": []string{"users.view", "audit.view"}})
				if r.Status != 201 {
					t.Fatalf("role: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &role)
				if r := root.Do("PATCH", fmt.Sprintf("/api/users/%d", issuerID), map[string]any{"role_ids": []int64{role.ID}}); r.Status != 200 {
					t.Fatalf("roles: %d %s", r.Status, r.Body)
				}
				wantDeadLink(t, in, invitedID, invite)
				wantDeadLink(t, in, resetID, reset)
			})
		})
	}
}

// TestConcurrentResetLinksLeaveOneWorking: "earlier links stop working"
// holds when administrators send reset links for one user at the same
// moment: afterwards exactly one link works.
func TestConcurrentResetLinksLeaveOneWorking(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			in.CreateUser(t, "helper@example.com", "users.manage", "users.view")
			admins := []*testkit.Client{in.LoggedIn(t, "root@example.com"), in.LoggedIn(t, "helper@example.com")}
			target := in.CreateUser(t, "forgetful@example.com", "users.view")
			for round := range 3 {
				const n = 16
				links := make([]string, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						r := admins[i%2].Do("POST", fmt.Sprintf("/api/users/%d/invite", target), nil)
						if r.Status == 201 {
							links[i] = linkOf(t, r)
						}
					})
				}
				wg.Wait()
				working := 0
				for i, link := range links {
					if link == "" {
						t.Fatalf("round %d: reset %d failed", round, i)
					}
					r := in.Client(t).Do("GET", "/api/auth/invite?token="+url.QueryEscape(inviteToken(t, link)), nil)
					switch r.Status {
					case 200:
						working++
					case 404:
					default:
						t.Fatalf("checking a link: %d %s", r.Status, r.Body)
					}
				}
				var live int
				if err := in.Srv.DB.Reader().QueryRow(context.Background(),
					`SELECT COUNT(*) FROM invites WHERE user_id = ? AND used_at IS NULL`, target).Scan(&live); err != nil {
					t.Fatal(err)
				}
				if working != 1 || live != 1 {
					t.Fatalf("round %d: after %d concurrent resets %d links work (%d unused in the database); want 1", round, n, working, live)
				}
			}
		})
	}
}

// TestNoOneSendsThemselvesASetPasswordLink: changing your own password
// needs the current one, so whoever holds only your session cannot lock
// you out. A reset link for yourself would set a new password without it
// (and end every other session, the owner's included); it is refused, to
// superusers too, and makes no link.
func TestNoOneSendsThemselvesASetPasswordLink(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			rootID := in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			smallID := in.CreateUser(t, "small@example.com", "users.manage", "users.view")
			small := in.LoggedIn(t, "small@example.com")
			links := func(id int64) (n int) {
				t.Helper()
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM invites WHERE user_id = ?`, id).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, c := range []struct {
				who    *testkit.Client
				id     int64
				stolen string
			}{{small, smallID, "small@example.com"}, {root, rootID, "root@example.com"}} {
				e := wantError(t, c.who.Do("POST", fmt.Sprintf("/api/users/%d/invite", c.id), nil), 403, "PERMISSION_DENIED")
				if reasonOf(t, e) != "self" {
					t.Fatalf("a link for oneself: %v", e)
				}
				if n := links(c.id); n != 0 {
					t.Fatalf("a refused self-reset made %d links", n)
				}
				if n := auditCount(t, in, `action = 'users.invite' AND resource_id = ?`, fmt.Sprint(c.id)); n != 0 {
					t.Fatalf("a refused self-reset was audited: %d", n)
				}
				// the owner's session lives on
				if r := c.who.Do("GET", "/api/auth/me", nil); r.Status != 200 {
					t.Fatalf("%s's session: %d", c.stolen, r.Status)
				}
			}
			// another administrator who outranks them still may
			acceptInvite(t, in, linkOf(t, root.Do("POST", fmt.Sprintf("/api/users/%d/invite", smallID), nil)), goodPassword)
			if r := login(t, in, "small@example.com", goodPassword); r.Status != 200 {
				t.Fatalf("login after a reset: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestAPasswordChangeOutlivesNoLoginInFlight: a user who changes their
// password, or gets it reset, ends every other session. A login checked
// against the old password while the change commits must not leave a
// session behind: an intruder logging in again and again would otherwise
// keep one through the change.
func TestAPasswordChangeOutlivesNoLoginInFlight(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			for round, how := range []string{"own change", "admin reset"} {
				email := fmt.Sprintf("victim%d@example.com", round)
				id := in.CreateUser(t, email, "orders.view")
				owner := in.LoggedIn(t, email)
				stop := make(chan struct{})
				var mu sync.Mutex
				var intruders []*testkit.Client
				var wg sync.WaitGroup
				for range 3 {
					wg.Go(func() {
						for {
							select {
							case <-stop:
								return
							default:
							}
							c := in.Client(t)
							r := c.Do("POST", "/api/auth/login", map[string]string{"email": email, "password": testkit.TestPassword})
							if r.Status == 200 {
								mu.Lock()
								intruders = append(intruders, c)
								mu.Unlock()
							} else if r.Status != 401 && r.Status != 429 {
								t.Errorf("login: %d %s", r.Status, r.Body)
								return
							}
						}
					})
				}
				time.Sleep(300 * time.Millisecond)
				changePasswordBy(t, how, in, owner, root, id)
				time.Sleep(200 * time.Millisecond)
				close(stop)
				wg.Wait()
				if len(intruders) == 0 {
					t.Fatalf("%s: no login got through before the change", how)
				}
				alive := 0
				for _, c := range intruders {
					if r := c.Do("GET", "/api/auth/me", nil); r.Status == 200 {
						alive++
					}
				}
				if alive > 0 {
					t.Fatalf("%s: %d of %d sessions made with the old password outlive the change", how, alive, len(intruders))
				}
			}
		})
	}
}

// TestAPasswordChangeOutlivesNoTokenInFlight: a password change or reset
// revokes every API token of the user and ends their other sessions. A
// token an intruder's session was creating while the change committed
// must not survive it either: an intruder creating tokens again and again
// would otherwise keep one for up to a year.
func TestAPasswordChangeOutlivesNoTokenInFlight(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			for round, how := range []string{"own change", "admin reset"} {
				email := fmt.Sprintf("victim%d@example.com", round)
				id := in.CreateUser(t, email, "orders.view")
				owner := in.LoggedIn(t, email)
				stop := make(chan struct{})
				var mu sync.Mutex
				var secrets []string
				var wg sync.WaitGroup
				for range 3 {
					intruder := in.LoggedIn(t, email)
					wg.Go(func() {
						for {
							select {
							case <-stop:
								return
							default:
							}
							r := intruder.Do("POST", "/api/tokens", map[string]any{"name": "mine", "permissions": []string{"orders.view"},
								"expires_at": time.Now().Add(300 * 24 * time.Hour)})
							switch r.Status {
							case 201:
								var ct createdToken
								r.JSON(t, &ct)
								mu.Lock()
								secrets = append(secrets, ct.Secret)
								mu.Unlock()
							case 401:
							default:
								t.Errorf("create token: %d %s", r.Status, r.Body)
								return
							}
						}
					})
				}
				time.Sleep(300 * time.Millisecond)
				changePasswordBy(t, how, in, owner, root, id)
				time.Sleep(200 * time.Millisecond)
				close(stop)
				wg.Wait()
				if len(secrets) == 0 {
					t.Fatalf("%s: no token made before the change", how)
				}
				alive := 0
				for _, s := range secrets {
					if r := bearer(in, t, s)("GET", "/api/orders", nil); r.Status == 200 {
						alive++
					}
				}
				if alive > 0 {
					t.Fatalf("%s: %d of %d tokens made by other sessions outlive the change", how, alive, len(secrets))
				}
			}
		})
	}
}

// TestReactivationRevivesNoToken: deactivating a user (DELETE
// /api/users/{id}) ends their sessions for good, and their API tokens too.
// Reactivating the account later gives back neither: an administrator
// cannot even see another user's tokens, so none may come back unseen.
func TestReactivationRevivesNoToken(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			id := in.CreateUser(t, "leaver@example.com", "orders.view")
			leaver := in.LoggedIn(t, "leaver@example.com")
			week := time.Now().Add(7 * 24 * time.Hour)
			do := bearer(in, t, newToken(t, leaver, []string{"orders.view"}, week).Secret)
			if r := do("GET", "/api/orders", nil); r.Status != 200 {
				t.Fatalf("the token before: %d %s", r.Status, r.Body)
			}
			if r := root.Do("DELETE", fmt.Sprintf("/api/users/%d", id), nil); r.Status != 204 {
				t.Fatalf("deactivate: %d %s", r.Status, r.Body)
			}
			wantError(t, do("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
			if r := root.Do("PATCH", fmt.Sprintf("/api/users/%d", id), map[string]any{"is_active": true}); r.Status != 200 {
				t.Fatalf("reactivate: %d %s", r.Status, r.Body)
			}
			wantError(t, do("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
			wantError(t, leaver.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
			// the user, logging in again, sees the token revoked
			again := in.LoggedIn(t, "leaver@example.com")
			var list struct {
				Items []struct {
					RevokedAt *time.Time `json:"revoked_at"`
				} `json:"items"`
			}
			again.Do("GET", "/api/tokens", nil).JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0].RevokedAt == nil {
				t.Fatalf("the token list after reactivation: %+v", list.Items)
			}
			if n := auditCount(t, in, `action = 'users.deactivate' AND resource_id = ? AND changes LIKE '%api_tokens%'`, fmt.Sprint(id)); n != 1 {
				t.Fatalf("the deactivation's audit row names the revoked tokens %d times", n)
			}
		})
	}
}

// TestARoleFormAnswersInProportion: a role's permission list is bounded
// like a token's. A body of 250,000 unknown names (1 MB) answered a
// 24 MB error listing each one, and took a second and a half: a cheap
// amplifier for any roles.manage holder or token. It is one short field
// error now, and nothing is made.
func TestARoleFormAnswersInProportion(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "small@example.com", "users.view", "roles.manage")
			small := in.LoggedIn(t, "small@example.com")
			count := func() (n int) {
				t.Helper()
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM roles`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			roles := count()
			many := `[` + strings.TrimSuffix(strings.Repeat(`"x",`, 250000), ",") + `]`
			id := roleID(t, in, "role for small@example.com")
			for _, r := range []*testkit.Response{
				small.Do("POST", "/api/roles", `{"name":"big","permissions":`+many+`}`),
				small.Do("PATCH", fmt.Sprintf("/api/roles/%d", id), `{"permissions":`+many+`}`),
			} {
				e := wantError(t, r, 422, "VALIDATION_FAILED")
				if f := fields(t, e); len(f) != 1 || f["permissions"] == nil {
					t.Fatalf("the error names %d fields, want permissions alone", len(f))
				}
				if fieldReason(t, e, "permissions") != "too_many" {
					t.Fatalf("reason: %v", e)
				}
				if len(r.Body) > 4096 {
					t.Fatalf("a %d-byte error", len(r.Body))
				}
			}
			if n := count(); n != roles {
				t.Fatalf("roles %d -> %d", roles, n)
			}
		})
	}
}

// TestCommandLinePasswordResetLocksEveryoneElseOut: `pishkhan
// createsuperuser` with an existing user's email sets their password (the
// way back in for a locked-out or compromised administrator). Like every
// other password reset it ends the user's sessions and revokes their API
// tokens; before, an intruder's session survived it, and became a
// superuser's.
func TestCommandLinePasswordResetLocksEveryoneElseOut(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "owner@example.com", "orders.view")
			intruder := in.LoggedIn(t, "owner@example.com")
			do := bearer(in, t, newToken(t, intruder, []string{"orders.view"}, time.Now().Add(24*time.Hour)).Secret)
			// what the command line runs
			if _, err := in.Srv.People.EnsureSuperuser(context.Background(), "owner@example.com", "Owner", goodPassword); err != nil {
				t.Fatal(err)
			}
			wantError(t, intruder.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
			wantError(t, do("GET", "/api/orders", nil), 401, "INVALID_TOKEN")
			r := login(t, in, "owner@example.com", goodPassword)
			if r.Status != 200 || !r.Map(t)["user"].(map[string]any)["is_superuser"].(bool) {
				t.Fatalf("login with the new password: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestALinkUsedWhileAnotherIsMadeFailsNeither: a user setting their
// password through a link while an administrator sends them a new one (and
// edits them) is answered 204 or link_invalid, and the reset 201, never an
// error: both take the user's row before the link's.
func TestALinkUsedWhileAnotherIsMadeFailsNeither(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "root@example.com")
			root := in.LoggedIn(t, "root@example.com")
			id := in.CreateUser(t, "busy@example.com")
			// the reset starts from 0 to 1.5 times a link's use into it
			start := time.Now()
			acceptInvite(t, in, linkOf(t, root.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil)), goodPassword)
			const rounds = 60
			step := time.Since(start) * 3 / 2 / rounds
			used := 0
			for i := range rounds {
				link := linkOf(t, root.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil))
				var accept, reset *testkit.Response
				var wg sync.WaitGroup
				wg.Go(func() {
					accept = in.Client(t).Do("POST", "/api/auth/invite", map[string]string{"token": inviteToken(t, link), "password": goodPassword})
				})
				wg.Go(func() {
					time.Sleep(time.Duration(i) * step) // sweeps the other's transaction
					reset = root.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil)
				})
				wg.Go(func() {
					root.Do("PATCH", fmt.Sprintf("/api/users/%d", id), map[string]any{"name": fmt.Sprint("Busy ", i)})
				})
				wg.Wait()
				switch accept.Status {
				case 204:
					used++
				case 404:
					if e := accept.Map(t); reasonOf(t, e) != "link_invalid" {
						t.Fatalf("round %d: %s", i, accept.Body)
					}
				default:
					t.Fatalf("round %d: using the link: %d %s", i, accept.Status, accept.Body)
				}
				if reset.Status != 201 {
					t.Fatalf("round %d: the reset: %d %s", i, reset.Status, reset.Body)
				}
			}
			if used == 0 {
				t.Fatal("no link was used: the rounds never overlapped")
			}
		})
	}
}

// changePasswordBy changes user id's password to goodPassword, by the
// owner's own change ("own change") or by root's reset link ("admin reset").
func changePasswordBy(t *testing.T, how string, in *testkit.Instance, owner, root *testkit.Client, id int64) {
	t.Helper()
	switch how {
	case "own change":
		if r := owner.Do("POST", "/api/auth/password", map[string]string{"current_password": testkit.TestPassword, "new_password": goodPassword}); r.Status != 204 {
			t.Fatalf("password change: %d %s", r.Status, r.Body)
		}
	case "admin reset":
		acceptInvite(t, in, linkOf(t, root.Do("POST", fmt.Sprintf("/api/users/%d/invite", id), nil)), goodPassword)
	default:
		t.Fatalf("unknown way to change a password: %q", how)
	}
}
