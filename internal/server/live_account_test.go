package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// nextEvent returns the next event a stream receives.
func nextEvent(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case got := <-ch:
		return got
	case <-time.After(5 * time.Second):
		t.Fatal("no event arrived")
		return ""
	}
}

// TestSessionAndTokenListsAreLive: a change to a user's sessions or API
// tokens is announced on the event stream to that user (whose sessions
// and tokens screens refetch), session changes also to users.manage
// holders (the all-sessions list), and to nobody else (issue 12).
func TestSessionAndTokenListsAreLive(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			samID := in.CreateUser(t, "sam@example.com", "orders.view")
			eveID := in.CreateUser(t, "eve@example.com", "orders.view")
			in.CreateUser(t, "boss@example.com", "orders.view", "users.manage", "users.view")
			sam := in.LoggedIn(t, "sam@example.com")
			eve := in.LoggedIn(t, "eve@example.com")
			samStream, eveStream := sseEvents(t, sam), sseEvents(t, eve)
			bossStream := sseEvents(t, in.LoggedIn(t, "boss@example.com"))
			sessions := func(kind string, id int64) string {
				return fmt.Sprintf(`sessions {"event":%q,"resource":"sessions","id":%d}`, kind, id)
			}
			tokens := func(kind string, id int64) string {
				return fmt.Sprintf(`tokens {"event":%q,"resource":"tokens","id":%d}`, kind, id)
			}

			phone := in.Client(t).Login("sam@example.com") // a login elsewhere
			if got := nextEvent(t, samStream); got != sessions("created", samID) {
				t.Fatalf("sam's stream after a login: %s", got)
			}
			if got := nextEvent(t, bossStream); got != sessions("created", samID) {
				t.Fatalf("a users.manage holder's stream after sam's login: %s", got)
			}

			tok := newToken(t, sam, []string{"orders.view"}, time.Now().Add(24*time.Hour))
			if got := nextEvent(t, samStream); got != tokens("created", samID) {
				t.Fatalf("sam's stream after a token was created: %s", got)
			}
			if r := sam.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil); r.Status != 204 {
				t.Fatalf("revoke token: %d %s", r.Status, r.Body)
			}
			if got := nextEvent(t, samStream); got != tokens("updated", samID) {
				t.Fatalf("sam's stream after a token was revoked: %s", got)
			}

			if r := sam.Do("DELETE", fmt.Sprintf("/api/sessions/%d", currentSession(t, phone)), nil); r.Status != 204 {
				t.Fatalf("revoke session: %d %s", r.Status, r.Body)
			}
			if got := nextEvent(t, samStream); got != sessions("deleted", samID) {
				t.Fatalf("sam's stream after a session was revoked: %s", got)
			}
			if got := nextEvent(t, bossStream); got != sessions("deleted", samID) {
				t.Fatalf("boss's stream after sam's session was revoked: %s (token events are sam's alone)", got)
			}

			// eve heard nothing of sam: the first event she gets is her own
			in.Client(t).Login("eve@example.com")
			if got := nextEvent(t, eveStream); got != sessions("created", eveID) {
				t.Fatalf("eve's stream carried another user's event: %s", got)
			}
			if got := nextEvent(t, bossStream); got != sessions("created", eveID) {
				t.Fatalf("boss's stream after eve's login: %s", got)
			}
		})
	}
}
