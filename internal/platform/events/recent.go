package events

import (
	"encoding/json"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// The hello event closes the gap between a screen's first read and its
// stream's connection. A client's queries may have read the server before
// its stream subscribed (a first page load, a reconnect after an outage);
// an event published in between never reaches it. So the hub remembers
// the events it dispatched in the last RecentWindow, and the first event
// of every stream, "hello", lists those the client may view with their
// age. The client refetches only the queries such an event touches whose
// fetch started before the event was received (its age is at most the
// time since the fetch started), and every query older than what the list
// covers ("complete_ms"). Ages are durations measured on one clock each,
// so the clocks of server and browser need not agree.
const (
	RecentWindow = 2 * time.Minute
	recentMax    = 1024
)

// Hello is the data of the "hello" event.
type Hello struct {
	// Recent are the events of the last CompleteMS milliseconds the client
	// may view, newest last.
	Recent []RecentEvent `json:"recent"`
	// CompleteMS is how far back Recent is complete: RecentWindow, less
	// when this instance has run for a shorter time or dropped older events.
	CompleteMS int64 `json:"complete_ms"`
}

// RecentEvent is one remembered event: its resource and how long ago this
// instance dispatched it.
type RecentEvent struct {
	Resource string `json:"resource"`
	AgeMS    int64  `json:"age_ms"`
}

type recentEntry struct {
	e  Event
	at time.Time
}

// recentLog is the hub's memory of dispatched events; the hub's mutex
// guards it.
type recentLog struct {
	since   time.Time // events before this time may be missing
	entries []recentEntry
}

func (l *recentLog) add(e Event, now time.Time) {
	if l.since.IsZero() {
		l.since = now
	}
	l.prune(now)
	if len(l.entries) == recentMax {
		l.since = l.entries[0].at
		l.entries = l.entries[1:]
	}
	l.entries = append(l.entries, recentEntry{e: e, at: now})
}

func (l *recentLog) prune(now time.Time) {
	i := 0
	for i < len(l.entries) && now.Sub(l.entries[i].at) > RecentWindow {
		i++
	}
	if i > 0 {
		l.entries = append(l.entries[:0], l.entries[i:]...)
	}
	if cut := now.Add(-RecentWindow); l.since.Before(cut) {
		l.since = cut
	}
}

// hello lists what p may hear of; the hub's mutex is held.
func (h *Hub) hello(p *authz.Principal, now time.Time) []byte {
	l := &h.recent
	if l.since.IsZero() {
		l.since = now
	}
	l.prune(now)
	out := Hello{Recent: []RecentEvent{}, CompleteMS: now.Sub(l.since).Milliseconds()}
	for _, r := range l.entries {
		if h.allowed(p, r.e) {
			out.Recent = append(out.Recent, RecentEvent{Resource: r.e.Resource, AgeMS: now.Sub(r.at).Milliseconds()})
		}
	}
	b, _ := json.Marshal(out)
	return b
}
