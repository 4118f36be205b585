// Package readbatch coalesces concurrent reads of single keys into one
// round trip per flight: every key asked for while a flight is in the air
// is read together by the next one (for Redis, one pipeline of GETs).
//
// Freshness contract: a read only ever joins a flight that starts after
// the read itself began. So a caller whose request began after a write
// returned sees that write (a revoked session, a bumped cache generation),
// exactly as with a round trip of its own; only the round trips are shared.
package readbatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrMissing is a key's error when the store holds no value for it.
var ErrMissing = errors.New("no value for the key")

// Result is one key's answer: its value, or ErrMissing, or the store's error.
type Result struct {
	Value []byte
	Err   error
}

// Fetch reads keys in one round trip and answers one Result per key, in
// order. An error of the whole call (the store is down) goes in every Result.
type Fetch func(ctx context.Context, keys []string) []Result

// Batcher shares read round trips among concurrent callers. At most one
// flight is in the air; the keys asked for meanwhile wait for the next.
type Batcher struct {
	fetch   Fetch
	timeout time.Duration

	mu      sync.Mutex
	running bool
	next    *flight // gathering keys; starts when the running flight lands
}

type flight struct {
	keys    []string
	index   map[string]int
	results []Result
	done    chan struct{}
}

// New returns a Batcher; each flight may take up to timeout.
func New(fetch Fetch, timeout time.Duration) *Batcher {
	return &Batcher{fetch: fetch, timeout: timeout}
}

// Get reads keys, read from the store after this call began, and answers
// one Result per key in order. It returns early with ctx's error for every
// key when ctx ends first.
func (b *Batcher) Get(ctx context.Context, keys ...string) []Result {
	b.mu.Lock()
	f := b.next
	if f == nil {
		f = &flight{index: map[string]int{}, done: make(chan struct{})}
		b.next = f
	}
	pos := make([]int, len(keys))
	for i, k := range keys {
		j, ok := f.index[k]
		if !ok {
			j = len(f.keys)
			f.keys = append(f.keys, k)
			f.index[k] = j
		}
		pos[i] = j
	}
	if !b.running {
		b.running = true
		b.next = nil
		go b.run(f)
	}
	b.mu.Unlock()

	out := make([]Result, len(keys))
	select {
	case <-f.done:
		for i, j := range pos {
			out[i] = f.results[j]
		}
	case <-ctx.Done():
		for i := range out {
			out[i].Err = ctx.Err()
		}
	}
	return out
}

// run flies f, then each flight that gathered behind it, until none did.
func (b *Batcher) run(f *flight) {
	for f != nil {
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		f.results = b.fetch(ctx, f.keys)
		cancel()
		close(f.done)
		b.mu.Lock()
		f, b.next = b.next, nil
		b.running = f != nil
		b.mu.Unlock()
	}
}

// RedisFetch reads keys with one MGET from a single Redis (or Sentinel
// failover) client, and with one pipeline of GETs from a Cluster or Ring
// client, whose keys may live in different slots.
func RedisFetch(c redis.UniversalClient) Fetch {
	if single, ok := c.(*redis.Client); ok {
		return func(ctx context.Context, keys []string) []Result {
			out := make([]Result, len(keys))
			if len(keys) == 0 {
				return out
			}
			values, err := single.MGet(ctx, keys...).Result()
			if err == nil && len(values) != len(keys) {
				err = fmt.Errorf("MGET of %d keys answered %d values", len(keys), len(values))
			}
			for i := range out {
				if err != nil {
					out[i].Err = err
				} else if s, ok := values[i].(string); ok {
					out[i].Value = []byte(s)
				} else {
					out[i].Err = ErrMissing
				}
			}
			return out
		}
	}
	return func(ctx context.Context, keys []string) []Result {
		out := make([]Result, len(keys))
		cmds := make([]*redis.StringCmd, len(keys))
		pipe := c.Pipeline()
		for i, k := range keys {
			cmds[i] = pipe.Get(ctx, k)
		}
		_, _ = pipe.Exec(ctx) // each command carries its own error
		for i, cmd := range cmds {
			v, err := cmd.Bytes()
			if errors.Is(err, redis.Nil) {
				err = ErrMissing
			}
			out[i] = Result{Value: v, Err: err}
		}
		return out
	}
}
