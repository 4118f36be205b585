package cache

import (
	"context"
	"sync"
)

// genBatcher coalesces concurrent reads of one tag's generation. A read
// only ever joins a backend call that starts after the read itself began:
// while a call is in flight, newcomers wait for the next one, which starts
// when the current one ends. So every answer was read from the backend
// after its caller started, and a caller whose request began after a write
// returned still sees that write's generation: fencing holds, with one
// round trip per flight instead of per request.
type genBatcher struct {
	get  func(ctx context.Context, tagKey string) (int64, error)
	mu   sync.Mutex
	keys map[string]*genFlights
}

type genFlights struct{ running, next *genFlight }

type genFlight struct {
	done chan struct{}
	val  int64
	err  error
}

func newGenBatcher(get func(ctx context.Context, tagKey string) (int64, error)) *genBatcher {
	return &genBatcher{get: get, keys: map[string]*genFlights{}}
}

func (b *genBatcher) generation(ctx context.Context, tagKey string) (int64, error) {
	b.mu.Lock()
	k, ok := b.keys[tagKey]
	if !ok {
		k = &genFlights{}
		b.keys[tagKey] = k
	}
	var f *genFlight
	if k.running == nil {
		f = &genFlight{done: make(chan struct{})}
		k.running = f
		b.mu.Unlock()
		go b.run(tagKey, f)
	} else {
		if k.next == nil {
			k.next = &genFlight{done: make(chan struct{})}
		}
		f = k.next
		b.mu.Unlock()
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run reads the generation for f's members, then starts the flight that
// gathered behind it, if any.
func (b *genBatcher) run(tagKey string, f *genFlight) {
	for f != nil {
		f.val, f.err = b.get(context.Background(), tagKey)
		close(f.done)
		b.mu.Lock()
		k := b.keys[tagKey]
		f, k.next = k.next, nil
		k.running = f
		if f == nil {
			delete(b.keys, tagKey)
		}
		b.mu.Unlock()
	}
}
