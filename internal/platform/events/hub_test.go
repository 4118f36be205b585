package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// A client that falls behind by more than its buffer is dropped (it will
// reconnect and refetch) instead of blocking everyone else; a client that
// may not view a resource never hears of it.
func TestHubBoundsAndFilters(t *testing.T) {
	h := NewHub(map[string]authz.Permission{"orders": "orders.view"}, 0, 2)
	slow := &client{p: &authz.Principal{Superuser: true}, ch: make(chan Event, 2), dropped: make(chan struct{})}
	blind := &client{p: &authz.Principal{Permissions: []authz.Permission{"media.view"}}, ch: make(chan Event, 2), dropped: make(chan struct{})}
	h.clients[slow] = struct{}{}
	h.clients[blind] = struct{}{}
	for i := int64(1); i <= 3; i++ {
		h.Dispatch(Event{Event: "updated", Resource: "orders", ID: i})
	}
	h.Dispatch(Event{Event: "updated", Resource: "unknown", ID: 9})
	select {
	case <-slow.dropped:
	default:
		t.Fatal("a client past its buffer was not dropped")
	}
	if len(slow.ch) != 2 {
		t.Fatalf("buffer holds %d events, want 2", len(slow.ch))
	}
	if len(blind.ch) != 0 {
		t.Fatal("a client without orders.view received orders events")
	}
}

// The hello's list is complete back to its oldest kept event: past the
// cap, older events count as possibly missed.
func TestRecentLogCompleteness(t *testing.T) {
	h := NewHub(map[string]authz.Permission{"orders": ""}, 0, 2)
	start := time.Now()
	h.recent = recentLog{since: start.Add(-time.Hour)}
	for i := range recentMax + 10 {
		h.recent.add(Event{Resource: "orders", ID: int64(i)}, start.Add(time.Duration(i)*time.Millisecond))
	}
	now := start.Add(time.Duration(recentMax+10) * time.Millisecond)
	var hello Hello
	if err := json.Unmarshal(h.hello(&authz.Principal{}, now), &hello); err != nil {
		t.Fatal(err)
	}
	if len(hello.Recent) != recentMax || hello.CompleteMS != int64(recentMax+1) { // back to the newest dropped one
		t.Fatalf("%d events complete for %d ms; want %d and %d", len(hello.Recent), hello.CompleteMS, recentMax, recentMax+1)
	}
	// nothing older than the window is listed, nor claimed complete
	later := now.Add(RecentWindow + time.Second)
	if err := json.Unmarshal(h.hello(&authz.Principal{}, later), &hello); err != nil {
		t.Fatal(err)
	}
	if len(hello.Recent) != 0 || hello.CompleteMS != RecentWindow.Milliseconds() {
		t.Fatalf("after the window: %d events, complete for %d ms", len(hello.Recent), hello.CompleteMS)
	}
}
