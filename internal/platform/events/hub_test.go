package events

import (
	"testing"

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
