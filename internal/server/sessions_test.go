package server_test

import (
	"fmt"
	"testing"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

type sessionItem struct {
	ID   int64 `json:"id"`
	User struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"user"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Current   bool   `json:"current"`
}

func listSessions(t *testing.T, c *testkit.Client, query string) []sessionItem {
	t.Helper()
	r := c.Do("GET", "/api/sessions"+query, nil)
	if r.Status != 200 {
		t.Fatalf("list sessions: %d %s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("sessions Cache-Control %q", cc)
	}
	var out struct{ Items []sessionItem }
	r.JSON(t, &out)
	return out.Items
}

// currentSession returns the id of the client's own session.
func currentSession(t *testing.T, c *testkit.Client) int64 {
	t.Helper()
	for _, s := range listSessions(t, c, "") {
		if s.Current {
			return s.ID
		}
	}
	t.Fatal("no session is marked current")
	return 0
}

// TestSessions checks "my sessions" and revocation (issue 4) in both modes.
func TestSessions(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "sam@example.com", "orders.view")
			in.CreateUser(t, "eve@example.com", "orders.view")
			in.CreateUser(t, "boss@example.com", "orders.view", "users.manage")

			t.Run("each device sees its sessions and which one it is", func(t *testing.T) {
				laptop := in.Client(t)
				laptop.Do("GET", "/", nil) // no session yet
				laptop.Login("sam@example.com")
				phone := in.Client(t).Login("sam@example.com")
				fromLaptop := listSessions(t, laptop, "")
				if len(fromLaptop) < 2 {
					t.Fatalf("want both sessions, got %+v", fromLaptop)
				}
				current := 0
				for _, s := range fromLaptop {
					if s.User.Email != "sam@example.com" || s.IP != "127.0.0.1" || s.UserAgent == "" {
						t.Fatalf("session %+v", s)
					}
					if s.Current {
						current++
					}
				}
				if current != 1 || currentSession(t, laptop) == currentSession(t, phone) {
					t.Fatalf("exactly one session per device must be current: %+v", fromLaptop)
				}
			})

			t.Run("revoking a session ends it at once", func(t *testing.T) {
				laptop := in.LoggedIn(t, "sam@example.com")
				phone := in.LoggedIn(t, "sam@example.com")
				if r := laptop.Do("DELETE", fmt.Sprintf("/api/sessions/%d", currentSession(t, phone)), nil); r.Status != 204 {
					t.Fatalf("revoke: %d %s", r.Status, r.Body)
				}
				wantError(t, phone.Do("GET", "/api/orders", nil), 401, "UNAUTHENTICATED")
				if r := laptop.Do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("the revoking device lost its own session: %d", r.Status)
				}
				// revoking one's own current session is a logout
				if r := laptop.Do("DELETE", fmt.Sprintf("/api/sessions/%d", currentSession(t, laptop)), nil); r.Status != 204 {
					t.Fatalf("revoke own: %d", r.Status)
				}
				wantError(t, laptop.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
			})

			t.Run("other users' sessions are invisible without users.manage", func(t *testing.T) {
				sam := in.LoggedIn(t, "sam@example.com")
				eve := in.LoggedIn(t, "eve@example.com")
				samSession := currentSession(t, sam)
				for _, s := range listSessions(t, eve, "") {
					if s.User.Email != "eve@example.com" {
						t.Fatalf("eve sees %s's session", s.User.Email)
					}
				}
				wantError(t, eve.Do("DELETE", fmt.Sprintf("/api/sessions/%d", samSession), nil), 404, "NOT_FOUND")
				wantError(t, eve.Do("GET", "/api/sessions?all=true", nil), 403, "PERMISSION_DENIED")
				var samID int64
				_ = in.Srv.DB.Reader().QueryRow(t.Context(), `SELECT id FROM users WHERE email = 'sam@example.com'`).Scan(&samID)
				wantError(t, eve.Do("GET", fmt.Sprintf("/api/sessions?user_id=%d", samID), nil), 403, "PERMISSION_DENIED")
				if r := sam.Do("GET", "/api/orders", nil); r.Status != 200 {
					t.Fatalf("a refused revoke must leave the session alive: %d", r.Status)
				}

				boss := in.LoggedIn(t, "boss@example.com")
				all := listSessions(t, boss, "?all=true")
				seen := map[string]bool{}
				for _, s := range all {
					seen[s.User.Email] = true
				}
				if !seen["sam@example.com"] || !seen["eve@example.com"] || !seen["boss@example.com"] {
					t.Fatalf("all=true lists %v", seen)
				}
				for _, s := range listSessions(t, boss, fmt.Sprintf("?user_id=%d", samID)) {
					if s.User.Email != "sam@example.com" {
						t.Fatalf("user_id filter leaked %s", s.User.Email)
					}
				}
				if r := boss.Do("DELETE", fmt.Sprintf("/api/sessions/%d", samSession), nil); r.Status != 204 {
					t.Fatalf("users.manage revoke: %d %s", r.Status, r.Body)
				}
				wantError(t, sam.Do("GET", "/api/orders", nil), 401, "UNAUTHENTICATED")
			})

			t.Run("bad requests", func(t *testing.T) {
				c := in.LoggedIn(t, "eve@example.com")
				wantError(t, c.Do("GET", "/api/sessions?all=maybe", nil), 400, "INVALID_JSON")
				wantError(t, c.Do("GET", "/api/sessions?user_id=abc", nil), 400, "INVALID_JSON")
				wantError(t, c.Do("GET", "/api/sessions?page=0", nil), 422, "VALIDATION_FAILED")
				wantError(t, c.Do("DELETE", "/api/sessions/0", nil), 404, "NOT_FOUND")
				wantError(t, c.Do("DELETE", "/api/sessions/99999999", nil), 404, "NOT_FOUND")
				wantError(t, in.Client(t).Do("GET", "/api/sessions", nil), 401, "UNAUTHENTICATED")
			})

			t.Run("cursor pages walk every session once", func(t *testing.T) {
				for i := 0; i < 3; i++ {
					in.LoggedIn(t, "eve@example.com")
				}
				c := in.LoggedIn(t, "eve@example.com")
				want := len(listSessions(t, c, "?page_size=100"))
				seen := map[int64]bool{}
				path := "/api/sessions?limit=2"
				for {
					var page struct {
						Items      []sessionItem `json:"items"`
						NextCursor *string       `json:"next_cursor"`
					}
					c.Do("GET", path, nil).JSON(t, &page)
					for _, s := range page.Items {
						if seen[s.ID] {
							t.Fatalf("session %d twice", s.ID)
						}
						seen[s.ID] = true
					}
					if page.NextCursor == nil {
						break
					}
					path = "/api/sessions?limit=2&cursor=" + *page.NextCursor
				}
				if len(seen) != want {
					t.Fatalf("cursor pages gave %d sessions, page mode %d", len(seen), want)
				}
			})
		})
	}
}
