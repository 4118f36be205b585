// Package events carries change notifications between server instances
// (Redis pub/sub, or in-process in the embedded default) and streams them
// to browsers as Server-Sent Events.
package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event says that a resource changed; clients refetch it. It carries ids,
// never the object.
type Event struct {
	Event    string `json:"event"` // created, updated, deleted
	Resource string `json:"resource"`
	ID       int64  `json:"id"`
}

// Channel is the pub/sub channel of a resource.
func Channel(resource string) string { return "channel:" + resource }

// Bus publishes events to every instance and delivers them to local
// subscribers.
type Bus interface {
	Publish(ctx context.Context, e Event) error
	// Subscribe delivers every event from every instance to f until ctx ends.
	Subscribe(ctx context.Context, f func(Event)) error
}

// Memory is the in-process bus of the embedded default.
type Memory struct {
	mu   sync.RWMutex
	subs map[int]func(Event)
	next int
}

// NewMemory returns an in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[int]func(Event){}} }

// Publish implements Bus.
func (m *Memory) Publish(_ context.Context, e Event) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, f := range m.subs {
		f(e)
	}
	return nil
}

// Subscribe implements Bus.
func (m *Memory) Subscribe(ctx context.Context, f func(Event)) error {
	m.mu.Lock()
	id := m.next
	m.next++
	m.subs[id] = f
	m.mu.Unlock()
	go func() {
		<-ctx.Done()
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}()
	return nil
}

// Redis fans events out across instances on channel:<resource>.
type Redis struct {
	c redis.UniversalClient
}

// NewRedis returns a bus over Redis pub/sub.
func NewRedis(c redis.UniversalClient) *Redis { return &Redis{c: c} }

// Publish implements Bus.
func (r *Redis) Publish(ctx context.Context, e Event) error {
	b, _ := json.Marshal(e)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
	defer cancel()
	return r.c.Publish(ctx, Channel(e.Resource), b).Err()
}

// Subscribe implements Bus. It keeps the subscription alive across Redis
// outages: go-redis reconnects and resubscribes by itself.
func (r *Redis) Subscribe(ctx context.Context, f func(Event)) error {
	ps := r.c.PSubscribe(ctx, "channel:*")
	go func() {
		defer ps.Close()
		ch := ps.Channel(redis.WithChannelHealthCheckInterval(10 * time.Second))
		for {
			select {
			case <-ctx.Done():
				return
			case msg, ok := <-ch:
				if !ok {
					return
				}
				var e Event
				if err := json.Unmarshal([]byte(msg.Payload), &e); err != nil {
					slog.Warn("ignoring malformed event", "channel", msg.Channel)
					continue
				}
				if e.Resource == "" {
					e.Resource = strings.TrimPrefix(msg.Channel, "channel:")
				}
				f(e)
			}
		}
	}()
	return nil
}
