package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// Hub streams the bus's events to this instance's SSE clients, each only
// the resources its principal may view.
type Hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	// viewPerm maps a resource to the permission needed to hear of it
	// ("" for every logged-in user).
	viewPerm map[string]authz.Permission
	// personal maps a resource whose events name a user (by ID; 0 names
	// none) to the permissions that also hear of other users' events.
	personal  map[string][]authz.Permission
	heartbeat time.Duration
	buffer    int
	closing   chan struct{}
	closeOnce sync.Once
	// recent remembers dispatched events for the hello event (recent.go).
	recent recentLog
}

// MaxStreamsPerUser bounds the streams one user (all its sessions and API
// tokens) holds open on an instance: each costs a re-check of its
// credential at every event it may receive.
const MaxStreamsPerUser = 32

type client struct {
	user int64 // the user it was opened for
	p    *authz.Principal
	ch   chan Event
	// dropped is closed when the client fell too far behind; it must
	// reconnect (and refetch).
	dropped chan struct{}
	once    sync.Once
}

// NewHub returns a hub; viewPerm lists each resource's view permission.
func NewHub(viewPerm map[string]authz.Permission, heartbeat time.Duration, buffer int) *Hub {
	return &Hub{clients: map[*client]struct{}{}, viewPerm: viewPerm, personal: map[string][]authz.Permission{},
		heartbeat: heartbeat, buffer: buffer, closing: make(chan struct{}), recent: recentLog{since: time.Now()}}
}

// Personal makes resource's events that name a user (a nonzero ID is a
// user id) reach only that user and holders of one of others, besides the
// resource's view permission; events with ID 0 reach everyone who may view
// the resource. Call it before Run.
func (h *Hub) Personal(resource string, others ...authz.Permission) {
	h.personal[resource] = others
}

// Close ends every stream (at shutdown) with a retry hint of one to three
// seconds, so clients reconnect, through the balancer, to another
// instance.
func (h *Hub) Close() { h.closeOnce.Do(func() { close(h.closing) }) }

// Run subscribes the hub to the bus until ctx ends.
func (h *Hub) Run(ctx context.Context, bus Bus) error {
	return bus.Subscribe(ctx, h.Dispatch)
}

// allowed reports whether p may hear of e.
func (h *Hub) allowed(p *authz.Principal, e Event) bool {
	perm, known := h.viewPerm[e.Resource]
	if !known || perm != "" && !p.Can(perm) {
		return false
	}
	others, personal := h.personal[e.Resource]
	if !personal || e.ID == 0 || e.ID == p.UserID {
		return true
	}
	for _, o := range others {
		if p.Can(o) {
			return true
		}
	}
	return false
}

// Dispatch delivers e to every client allowed to view its resource. A
// client whose buffer is full is disconnected rather than slowing others.
func (h *Hub) Dispatch(e Event) {
	if _, known := h.viewPerm[e.Resource]; !known {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recent.add(e, time.Now())
	for c := range h.clients {
		if !h.allowed(c.p, e) {
			continue
		}
		select {
		case c.ch <- e:
		default:
			c.once.Do(func() { close(c.dropped) })
		}
	}
}

// recheck refreshes a client's principal; nil means the stream must end.
func (h *Hub) recheck(ctx context.Context, c *client, check func(context.Context) *authz.Principal) *authz.Principal {
	p := check(ctx)
	if p == nil {
		return nil
	}
	h.mu.Lock()
	c.p = p
	h.mu.Unlock()
	return p
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// ErrTooManyStreams is Serve's refusal of a user's stream beyond
// MaxStreamsPerUser; nothing was written.
var ErrTooManyStreams = errors.New("too many open event streams")

// ReasonTooManyStreams is details.reason of the 429 answering a stream
// beyond MaxStreamsPerUser.
const ReasonTooManyStreams = "too_many_streams"

// Serve streams events to the principal, first a "hello" event (see
// recent.go), until the client goes away or,
// checked before every event and heartbeat, check reports that the
// session has ended (it returns the current principal, or nil). It
// returns ErrTooManyStreams, having written nothing, when the user
// already holds MaxStreamsPerUser streams here.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, p *authz.Principal, check func(context.Context) *authz.Principal) error {
	rc := http.NewResponseController(w)
	c := &client{p: p, ch: make(chan Event, h.buffer), dropped: make(chan struct{})}
	h.mu.Lock()
	if p.UserID != 0 {
		n := 0
		for o := range h.clients {
			if o.user == p.UserID {
				n++
			}
		}
		if n >= MaxStreamsPerUser {
			h.mu.Unlock()
			return ErrTooManyStreams
		}
	}
	c.user = p.UserID
	h.clients[c] = struct{}{}
	// under the same lock: each event is either in hello or sent on c.ch
	hello := h.hello(p, time.Now())
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
	}()

	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, "retry: 2000\n: connected\n\nevent: hello\ndata: %s\n\n", hello)
	if err := rc.Flush(); err != nil {
		return nil
	}
	_ = rc.SetWriteDeadline(time.Time{})
	tick := time.NewTicker(h.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-h.closing:
			// spread the reconnects of every stream over a few seconds
			_, _ = fmt.Fprintf(w, "retry: %d\n: this instance is shutting down; reconnect\n\n", 1000+rand.IntN(2000))
			_ = rc.Flush()
			return nil
		case <-c.dropped:
			slog.Info("sse client too slow; disconnected", "user_id", p.UserID)
			return nil
		case <-tick.C:
			if p = h.recheck(r.Context(), c, check); p == nil {
				return nil
			}
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		case e := <-c.ch:
			if p = h.recheck(r.Context(), c, check); p == nil {
				return nil
			}
			if !h.allowed(p, e) {
				continue
			}
			data, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Resource, data); err != nil {
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
