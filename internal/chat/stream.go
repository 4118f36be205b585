package chat

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/events"
)

// A visitor's stream. The bus carries only "conversation N changed"
// (resourceVisitor, from whichever instance wrote), never a message: each
// stream, woken, reads what it has not sent yet from the database and
// sends it. So a message reaches the visitor on any instance, in order,
// once; a stream that fell behind (a slow reader) catches up from the
// database instead of queueing events in memory, and never slows the
// others: its wake-up is one buffered signal, dropped when one is pending.

// watcher is one open visitor stream of this instance.
type watcher struct {
	wake chan struct{}
}

// StreamOptions tune a stream (the defaults suit production).
type StreamOptions struct {
	// Heartbeat is the comment sent when nothing else was (15 s).
	Heartbeat time.Duration
	// WriteTimeout ends a stream whose reader stops reading for this long
	// (10 s).
	WriteTimeout time.Duration
}

func (o StreamOptions) withDefaults() StreamOptions {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	return o
}

// dispatch wakes this instance's streams of the conversation an event names.
func (s *Service) dispatch(e events.Event) {
	if e.Resource != resourceVisitor {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watchers[e.ID] {
		select {
		case w.wake <- struct{}{}:
		default: // one is pending already: the stream reads everything new then
		}
	}
}

// watch registers a stream of conversation id from client address ip; it
// refuses one past Limits.StreamsPerConversation or Limits.StreamsPerIP.
func (s *Service) watch(id int64, ip string) (*watcher, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tooMany := func(limit int, msg string) error {
		return (&apperr.Error{Code: apperr.RateLimited, RetryAfter: 5,
			Limit:   &apperr.LimitInfo{Limit: limit, Remaining: 0, ResetSecs: 5},
			Message: msg}).WithReason(ReasonTooManyStreams)
	}
	if len(s.watchers[id]) >= s.cfg.Limits.StreamsPerConversation {
		return nil, nil, tooMany(s.cfg.Limits.StreamsPerConversation, "this conversation has too many open streams; close one first")
	}
	if s.ipStreams[ip] >= s.cfg.Limits.StreamsPerIP {
		return nil, nil, tooMany(s.cfg.Limits.StreamsPerIP, "too many open chat streams from this address; close one first")
	}
	s.ipStreams[ip]++
	w := &watcher{wake: make(chan struct{}, 1)}
	if s.watchers[id] == nil {
		s.watchers[id] = map[*watcher]struct{}{}
	}
	s.watchers[id][w] = struct{}{}
	return w, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers[id], w)
		if len(s.watchers[id]) == 0 {
			delete(s.watchers, id)
		}
		if s.ipStreams[ip]--; s.ipStreams[ip] <= 0 {
			delete(s.ipStreams, ip)
		}
	}, nil
}

// Close ends every visitor stream of this instance (at shutdown) with a
// retry hint of one to three seconds, so visitors reconnect elsewhere.
func (s *Service) Close() { s.closeOnce.Do(func() { close(s.closing) }) }

// Streams returns the number of open visitor streams on this instance.
func (s *Service) Streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ws := range s.watchers {
		n += len(ws)
	}
	return n
}

// Stream serves a visitor's Server-Sent Events: first `event: state`, then
// `event: message` (with `id:` the message id) for every message after
// after (Last-Event-ID on a reconnect; 0 sends the whole transcript), then
// each new state and message as it happens (a state and the messages read
// with it: the state first), until the client goes, the conversation is
// resolved (everything before is sent first), or the server shuts down.
// Errors are returned only before anything is written.
func (s *Service) Stream(w http.ResponseWriter, r *http.Request, id int64, token string, after int64, opt StreamOptions) error {
	opt = opt.withDefaults()
	ctx := r.Context()
	if _, err := s.open(ctx, s.db.Reader(), id, token); err != nil {
		return err
	}
	wt, done, err := s.watch(id, ipKey(ctx))
	if err != nil {
		return err
	}
	defer done()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(opt.WriteTimeout))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	state := State("")
	// send writes what is new since the last send; false ends the stream
	send := func() bool {
		cur, err := getConv(ctx, s.db.Reader(), id)
		if err != nil {
			return false // deleted, or the database is away: the client reconnects
		}
		msgs, err := messages(ctx, s.db.Reader(), id, after, 200)
		if err != nil {
			return false
		}
		if cur.State != state {
			state = cur.State
			data, _ := json.Marshal(map[string]State{"state": state})
			if !write("event: state\ndata: %s\n\n", data) {
				return false
			}
		}
		for _, m := range msgs {
			data, _ := json.Marshal(m.Message)
			if !write("id: %d\nevent: message\ndata: %s\n\n", m.ID, data) {
				return false
			}
			after = m.ID
		}
		if len(msgs) == 200 {
			// more to come: wake again at once
			select {
			case wt.wake <- struct{}{}:
			default:
			}
		}
		return state != StateResolved || len(msgs) == 200
	}
	if !write("retry: 2000\n: connected\n\n") {
		return nil
	}
	if !send() {
		return nil
	}
	tick := time.NewTicker(opt.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			// spread the reconnects over a few seconds
			write("retry: %d\n: this instance is shutting down; reconnect\n\n", 1000+rand.IntN(2000))
			return nil
		case <-wt.wake:
			if !send() {
				return nil
			}
		case <-tick.C:
			if !write(": heartbeat\n\n") {
				return nil
			}
		}
	}
}
