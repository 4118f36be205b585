// Package ratelimit counts events (failed logins) in fixed windows, in
// Redis when configured so every instance shares the count, with a local
// fallback when Redis fails: never "unlimited".
package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClientKey is the part of a client IP that per-IP limits count by: an
// IPv4 address whole, an IPv6 address by its /64 (the block one subscriber
// is given, within which they can pick any address). An IPv4-mapped IPv6
// address counts as its IPv4 address; anything unparsable is used as is.
func ClientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// Counter counts hits per key within a window.
type Counter interface {
	// Count returns the hits recorded for key in the current window and
	// how long until the window ends.
	Count(ctx context.Context, key string) (int, time.Duration, error)
	// Hit records one hit for key and returns the new count.
	Hit(ctx context.Context, key string, window time.Duration) (int, error)
	// Undo takes back one hit (an attempt that turned out not to count).
	Undo(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// Local is an in-process counter.
type Local struct {
	mu      sync.Mutex
	windows map[string]localWindow
}

type localWindow struct {
	n   int
	end time.Time
}

// NewLocal returns an in-process counter.
func NewLocal() *Local { return &Local{windows: map[string]localWindow{}} }

// Count implements Counter.
func (l *Local) Count(_ context.Context, key string) (int, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.windows[key]
	if !ok || time.Now().After(w.end) {
		return 0, 0, nil
	}
	return w.n, time.Until(w.end), nil
}

// Hit implements Counter.
func (l *Local) Hit(_ context.Context, key string, window time.Duration) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.windows) > 100_000 {
		for k, w := range l.windows {
			if now.After(w.end) {
				delete(l.windows, k)
			}
		}
	}
	w, ok := l.windows[key]
	if !ok || now.After(w.end) {
		w = localWindow{end: now.Add(window)}
	}
	w.n++
	l.windows[key] = w
	return w.n, nil
}

// Undo implements Counter.
func (l *Local) Undo(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.windows[key]; ok && w.n > 0 {
		w.n--
		l.windows[key] = w
	}
	return nil
}

// observe records a count learned elsewhere (the shared one), so a local
// continuation starts from it rather than from zero.
func (l *Local) observe(key string, n int, ttl time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.windows[key]; !ok || w.n < n || time.Now().After(w.end) {
		l.windows[key] = localWindow{n: n, end: time.Now().Add(ttl)}
	}
}

// Reset implements Counter.
func (l *Local) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.windows, key)
	return nil
}

// Redis is a shared counter that falls back to a local one while Redis
// fails. The local counter continues from the last shared count this
// instance saw, so an outage (or one slow call) never lifts the limit.
type Redis struct {
	c        redis.UniversalClient
	prefix   string
	fallback *Local
	timeout  time.Duration
}

// NewRedis returns a shared counter with a local fallback.
func NewRedis(c redis.UniversalClient, prefix string) *Redis {
	return &Redis{c: c, prefix: prefix + "rl:", fallback: NewLocal(), timeout: 300 * time.Millisecond}
}

var hitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Count implements Counter.
func (r *Redis) Count(ctx context.Context, key string) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	pipe := r.c.Pipeline()
	get := pipe.Get(ctx, r.prefix+key)
	ttl := pipe.PTTL(ctx, r.prefix+key)
	_, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		slog.Warn("rate limit: redis failed, using the local counter", "err", err)
		return r.fallback.Count(ctx, key)
	}
	n, _ := get.Int()
	localN, localTTL, _ := r.fallback.Count(ctx, key)
	if localN > n {
		return localN, localTTL, nil
	}
	return n, ttl.Val(), nil
}

// Hit implements Counter.
func (r *Redis) Hit(ctx context.Context, key string, window time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	n, err := hitScript.Run(ctx, r.c, []string{r.prefix + key}, window.Milliseconds()).Int()
	if err != nil {
		slog.Warn("rate limit: redis failed, using the local counter", "err", err)
		return r.fallback.Hit(ctx, key, window)
	}
	r.fallback.observe(key, n, window)
	return n, nil
}

var undoScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`)

// Undo implements Counter.
func (r *Redis) Undo(ctx context.Context, key string) error {
	_ = r.fallback.Undo(ctx, key)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return undoScript.Run(ctx, r.c, []string{r.prefix + key}).Err()
}

// Reset implements Counter.
func (r *Redis) Reset(ctx context.Context, key string) error {
	_ = r.fallback.Reset(ctx, key)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.c.Del(ctx, r.prefix+key).Err()
}
