package server_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestStreamHelloListsRecentEvents: a stream opens with "hello", listing
// the events of the last minutes its user may view with their age, so a
// client whose screens read the server before the stream connected can
// refetch what an event in between touched, and nothing else (issue 12).
func TestStreamHelloListsRecentEvents(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create")
			in.CreateUser(t, "media@example.com", "media.view")
			clerk := in.LoggedIn(t, "clerk@example.com")
			outsider := in.LoggedIn(t, "media@example.com")
			hello := func(c *testkit.Client) (events.Hello, <-chan string) {
				raw, ch := sseConnect(t, c)
				var h events.Hello
				if err := json.Unmarshal([]byte(raw), &h); err != nil {
					t.Fatalf("hello %q: %v", raw, err)
				}
				return h, ch
			}
			count := func(h events.Hello, resource string) int {
				n := 0
				for _, r := range h.Recent {
					if r.Resource == resource {
						n++
						if r.AgeMS < 0 || r.AgeMS > h.CompleteMS {
							t.Fatalf("age %d outside [0, %d]", r.AgeMS, h.CompleteMS)
						}
					}
				}
				return n
			}

			first, _ := hello(clerk)
			if count(first, "orders") != 0 || first.CompleteMS < 0 {
				t.Fatalf("hello before any write: %+v", first)
			}
			// a write between a screen's read and the stream's connection
			id := clerk.CreateOrder("gap@example.com")
			h, live := hello(clerk)
			if count(h, "orders") != 1 {
				t.Fatalf("hello after a write lists %d orders events: %+v", count(h, "orders"), h)
			}
			if oh, _ := hello(outsider); count(oh, "orders") != 0 {
				t.Fatalf("a user without orders.view hears of orders in hello: %+v", oh)
			}
			// what comes after the connection arrives live, not in a later hello only
			id2 := clerk.CreateOrder("after@example.com")
			waitEvent(t, live, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, id2))
			if id2 == id {
				t.Fatal("same order")
			}
		})
	}
}
