package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Behind a trusted proxy the client IP and HTTPS come from X-Forwarded-*;
// over HTTPS the cookie is Secure and __Host- prefixed, and HSTS is sent.
func TestTrustedProxy(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.Client(t)
	r := c.Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": testkit.TestPassword},
		"X-Forwarded-For", "198.51.100.7, 127.0.0.1", "X-Forwarded-Proto", "https")
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatal("no HSTS over HTTPS")
	}
	cookies := (&http.Response{Header: r.Header}).Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-pishkhan_session" || !cookies[0].Secure {
		t.Fatalf("HTTPS cookie: %+v", cookies)
	}
	var ip string
	_ = in.Srv.DB.Reader().QueryRow(t.Context(), `SELECT ip FROM audit_logs WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`).Scan(&ip)
	if ip != "198.51.100.7" {
		t.Fatalf("client IP behind a trusted proxy = %q", ip)
	}
}

// Sessions end after the idle timeout and after the absolute timeout.
func TestSessionTimeouts(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			idle := testkit.Start(t, sh, map[string]string{"SESSION_IDLE_TIMEOUT": "1s"})
			idle.CreateSuperuser(t, "admin@example.com")
			c := idle.LoggedIn(t, "admin@example.com")
			time.Sleep(1200 * time.Millisecond)
			if r := c.Do("GET", "/api/auth/me", nil); r.Status != 401 {
				t.Fatalf("after the idle timeout: %d", r.Status)
			}
			abs := testkit.Start(t, sh, map[string]string{"SESSION_ABSOLUTE_TIMEOUT": "1500ms"})
			c = abs.LoggedIn(t, "admin@example.com")
			for i := 0; i < 3; i++ { // active all along
				if r := c.Do("GET", "/api/auth/me", nil); r.Status != 200 {
					t.Fatalf("active session ended early: %d", r.Status)
				}
				time.Sleep(400 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond)
			if r := c.Do("GET", "/api/auth/me", nil); r.Status != 401 {
				t.Fatalf("after the absolute timeout: %d", r.Status)
			}
		})
	}
}

// The event stream needs a session and carries only what the user may view.
func TestEventsRespectPermissions(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			in.CreateUser(t, "media@example.com", "media.view")
			if r := in.Client(t).Do("GET", "/api/events", nil); r.Status != 401 || r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("anonymous events: %d %s", r.Status, r.Body)
			}
			admin := in.LoggedIn(t, "admin@example.com")
			outsider := sseEvents(t, in.LoggedIn(t, "media@example.com"))
			insider := sseEvents(t, admin)
			id := admin.CreateOrder("events@example.com")
			waitEvent(t, insider, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, id))
			select {
			case e := <-outsider:
				t.Fatalf("a user without orders.view received %s", e)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}

// With Redis down the login limit falls back to a local counter: never
// unlimited.
func TestLoginLimitWithoutRedis(t *testing.T) {
	t.Parallel()
	sh := testkit.NewShared(t, pgRedis)
	in := testkit.Start(t, sh, nil)
	in.CreateSuperuser(t, "admin@example.com")
	sh.Redis.Stop()
	c := in.Client(t)
	var statuses []int
	for i := 0; i < 12; i++ {
		r := c.Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "wrong"})
		statuses = append(statuses, r.Status)
	}
	if statuses[9] != 401 || statuses[10] != 429 || statuses[11] != 429 {
		t.Fatalf("failed-login statuses with Redis down: %v", statuses)
	}
}

// Parallel guesses cannot slip past the failed-login limit.
func TestLoginLimitUnderConcurrency(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			var wg sync.WaitGroup
			var unauthorized, limited atomic.Int64
			for i := 0; i < 40; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "guess"})
					switch r.Status {
					case 401:
						unauthorized.Add(1)
					case 429:
						limited.Add(1)
					}
				}()
			}
			wg.Wait()
			if unauthorized.Load() > 10 || unauthorized.Load()+limited.Load() != 40 {
				t.Fatalf("40 parallel guesses: %d checked, %d limited (limit 10)", unauthorized.Load(), limited.Load())
			}
		})
	}
}

// An event stream ends when its session does.
func TestEventsEndAtLogout(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			leaving := in.LoggedIn(t, "admin@example.com")
			stream := sseEvents(t, leaving)
			id := admin.CreateOrder("before@example.com")
			waitEvent(t, stream, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, id))
			if r := leaving.Do("POST", "/api/auth/logout", nil); r.Status != 204 {
				t.Fatalf("logout: %d", r.Status)
			}
			after := admin.CreateOrder("after@example.com")
			deadline := time.After(time.Second)
			for {
				select {
				case e, ok := <-stream:
					if !ok {
						return
					}
					if strings.Contains(e, fmt.Sprintf(`"id":%d`, after)) {
						t.Fatalf("a logged-out session's stream received %s", e)
					}
				case <-deadline:
					return
				}
			}
		})
	}
}
