package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/singleflight"

	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

// Status is how a request was served, for the Cache-Status header (RFC 9211).
type Status string

// Statuses.
const (
	Hit    Status = "hit"
	Miss   Status = "miss"   // filled from the database and stored
	Bypass Status = "bypass" // the cache was unavailable; served from the database
	// Uncached: another instance held the fill lease too long; served from
	// the database without storing.
	Uncached Status = "uncached"
	// Live: the resource is never cached, because it changes outside the
	// API's writes (the job queue, changed by its workers).
	Live Status = "live"
)

// Header renders the Cache-Status header value.
func (s Status) Header() string {
	switch s {
	case Hit:
		return "pishkhan; hit"
	case Miss:
		return "pishkhan; fwd=miss; stored"
	case Uncached:
		return "pishkhan; fwd=miss"
	case Live:
		return "pishkhan; fwd=bypass; detail=live"
	default:
		return "pishkhan; fwd=bypass; detail=cache-unavailable"
	}
}

// Options tune the cache-aside logic.
type Options struct {
	// Prefix namespaces every key (e.g. "pishkhan:").
	Prefix string
	// OpTimeout bounds each backend call; past it the read fails open.
	OpTimeout time.Duration
	// LeaseTTL bounds how long one filler holds the cross-instance lease.
	LeaseTTL time.Duration
	// LeaseWait is how long a request waits for another instance's fill
	// before querying the database itself.
	LeaseWait time.Duration
	// FillTimeout bounds a shared fill (the database read behind a miss).
	FillTimeout time.Duration
	// InvalidateTimeout is the budget of one invalidation attempt; writes
	// wait longer than reads, since a lost invalidation costs freshness.
	InvalidateTimeout time.Duration
	// BreakerFailures consecutive backend errors open the breaker for
	// BreakerCooldown, during which the cache is bypassed.
	BreakerFailures int
	BreakerCooldown time.Duration
	// LocalEntries, when positive, keeps up to that many values in process
	// as well (in front of Redis), for at most LocalTTL. Keys embed the tag
	// generations read from the backend on every lookup, so a local value
	// is exactly as fresh as the shared one: it saves the value's round
	// trip and transfer, never the generation check.
	LocalEntries int
	LocalTTL     time.Duration
	// Observe, when set, counts each lookup per resource and status.
	Observe func(resource string, status Status)
}

// Cache is cache-aside over a Backend.
type Cache struct {
	b     Backend
	local *Memory // nil unless Options.LocalEntries > 0
	opts  Options
	sf    singleflight.Group
	// stores tracks FetchMany's background stores; after Close (closed)
	// FetchMany stores before returning instead.
	stores   sync.WaitGroup
	storesMu sync.Mutex
	closed   bool

	failures  atomic.Int64
	openUntil atomic.Int64 // unix nanos

	// pending holds tag keys whose bump failed: until they are bumped the
	// cache is bypassed, so nothing older than a committed write is served.
	pendingMu sync.Mutex
	pending   map[string]struct{}
}

// KeyHash shortens a long key part (a canonical filter, say) to a fixed
// 24-character digest for use in a cache key.
func KeyHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// New returns a cache over b.
func New(b Backend, opts Options) *Cache {
	if opts.OpTimeout <= 0 {
		opts.OpTimeout = 50 * time.Millisecond
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 2 * time.Second
	}
	if opts.LeaseWait <= 0 {
		opts.LeaseWait = 300 * time.Millisecond
	}
	if opts.FillTimeout <= 0 {
		opts.FillTimeout = 30 * time.Second
	}
	if opts.InvalidateTimeout <= 0 {
		opts.InvalidateTimeout = time.Second
	}
	if opts.BreakerFailures <= 0 {
		opts.BreakerFailures = 3
	}
	if opts.BreakerCooldown <= 0 {
		opts.BreakerCooldown = time.Second
	}
	c := &Cache{b: b, opts: opts, pending: map[string]struct{}{}}
	if opts.LocalEntries > 0 {
		if c.opts.LocalTTL <= 0 {
			c.opts.LocalTTL = time.Minute
		}
		c.local = NewMemory(opts.LocalEntries)
	}
	return c
}

func (c *Cache) keepLocal(fullKey string, v []byte, ttl time.Duration) {
	if c.local != nil {
		_ = c.local.Set(context.Background(), fullKey, v, min(ttl, c.opts.LocalTTL))
	}
}

// Backend returns the backend, for health checks and `cache clear`.
func (c *Cache) Backend() Backend { return c.b }

// Prefix returns the key prefix.
func (c *Cache) Prefix() string { return c.opts.Prefix }

func (c *Cache) tagKey(tag string) string { return c.opts.Prefix + "gen:" + tag }

// BreakerOpen reports whether the breaker is open now: the backend is
// being bypassed.
func (c *Cache) BreakerOpen() bool {
	until := c.openUntil.Load()
	return until != 0 && time.Now().UnixNano() < until
}

// available reports whether the breaker lets calls through and no bump is
// owed; when the cooldown is over it first settles owed bumps.
func (c *Cache) available(ctx context.Context) bool {
	if until := c.openUntil.Load(); until != 0 {
		if time.Now().UnixNano() < until {
			return false
		}
	}
	c.pendingMu.Lock()
	n := len(c.pending)
	c.pendingMu.Unlock()
	if n == 0 {
		return true
	}
	return c.settlePending(ctx)
}

func (c *Cache) settlePending(ctx context.Context) bool {
	c.pendingMu.Lock()
	defer c.pendingMu.Unlock()
	keys := make([]string, 0, len(c.pending))
	for k := range c.pending {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.InvalidateTimeout)
	defer cancel()
	if err := c.b.Bump(ctx, keys); err != nil {
		c.fail(err)
		return false
	}
	c.pending = map[string]struct{}{}
	c.ok()
	return true
}

func (c *Cache) fail(err error) {
	if errors.Is(err, ErrMiss) || errors.Is(err, context.Canceled) {
		return
	}
	n := c.failures.Add(1)
	if n >= int64(c.opts.BreakerFailures) {
		c.openUntil.Store(time.Now().Add(c.opts.BreakerCooldown).UnixNano())
		if n == int64(c.opts.BreakerFailures) {
			slog.Warn("cache unavailable: bypassing it", "backend", c.b.Name(), "err", err)
		}
	}
}

// ok records a successful backend call: failures must be consecutive to
// open the breaker.
func (c *Cache) ok() {
	if c.failures.Load() == 0 {
		return
	}
	if c.failures.Swap(0) >= int64(c.opts.BreakerFailures) {
		slog.Info("cache available again", "backend", c.b.Name())
	}
	c.openUntil.Store(0)
}

func (c *Cache) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.opts.OpTimeout)
}

// Fetch returns the value under key (which must already encode everything
// the value depends on, the caller's permission scope included), filling
// it with fill on a miss. tags name what the value depends on; Invalidate
// with any of them makes later Fetches miss. Concurrent misses on one key
// run fill once per instance (singleflight) and, across instances, once
// per lease. When the backend fails, Fetch calls fill directly (fail open).
func (c *Cache) Fetch(ctx context.Context, resource, key string, tags []string, ttl time.Duration,
	fill func(ctx context.Context) ([]byte, error)) ([]byte, Status, error) {
	var span trace.Span
	if telemetry.Tracing() {
		ctx, span = telemetry.Start(ctx, "cache "+resource, trace.SpanKindInternal, attribute.String("pishkhan.cache.resource", resource))
	}
	status, v, err := c.fetch(ctx, key, tags, ttl, fill)
	if span != nil {
		span.SetAttributes(attribute.String("pishkhan.cache.result", string(status)))
		telemetry.End(span, err)
	}
	if c.opts.Observe != nil && err == nil {
		c.opts.Observe(resource, status)
	}
	return v, status, err
}

func (c *Cache) fetch(ctx context.Context, key string, tags []string, ttl time.Duration,
	fill func(ctx context.Context) ([]byte, error)) (Status, []byte, error) {
	if !c.available(ctx) {
		v, err := fill(ctx)
		return Bypass, v, err
	}
	tagKeys := make([]string, len(tags))
	for i, t := range tags {
		tagKeys[i] = c.tagKey(t)
	}
	gens, err := c.generations(ctx, tagKeys)
	if err != nil {
		c.fail(err)
		v, err := fill(ctx)
		return Bypass, v, err
	}
	c.ok()
	var b strings.Builder
	b.WriteString(c.opts.Prefix)
	b.WriteString(key)
	for _, g := range gens {
		b.WriteString(":g")
		b.WriteString(strconv.FormatInt(g, 10))
	}
	fullKey := b.String()

	if c.local != nil {
		if v, err := c.local.Get(ctx, fullKey); err == nil {
			return Hit, v, nil
		}
	}
	octx, cancel := c.opCtx(ctx)
	v, err := c.b.Get(octx, fullKey)
	cancel()
	switch {
	case err == nil:
		c.ok()
		c.keepLocal(fullKey, v, ttl)
		return Hit, v, nil
	case !errors.Is(err, ErrMiss):
		c.fail(err)
		v, err := fill(ctx)
		return Bypass, v, err
	}

	type result struct {
		status Status
		value  []byte
	}
	// The shared fill must not die with whichever caller started it: it
	// runs detached (bounded by FillTimeout) and each caller waits on its
	// own context.
	ch := c.sf.DoChan(fullKey, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FillTimeout)
		defer cancel()
		s, v, err := c.fillLeased(fctx, fullKey, ttl, fill)
		return result{s, v}, err
	})
	select {
	case <-ctx.Done():
		return Miss, nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return Miss, nil, r.Err
		}
		res := r.Val.(result)
		if res.status == Hit || res.status == Miss {
			c.keepLocal(fullKey, res.value, ttl)
		}
		return res.status, res.value, nil
	}
}

// Item is one value of FetchMany: its key, the tags it depends on and how
// long it may be kept.
type Item struct {
	Key  string
	Tags []string
	TTL  time.Duration
}

// FetchMany returns the values of many items in one round trip (their
// tags' generations and their stamped values together), filling the
// missing ones with one call of fill, given the indexes of the missing
// items, which returns their values in that order; it stores them in the
// background (see storeLater). Fencing is by stamp
// (see the package comment): the stamp is the generations read before fill
// reads the database. It has no singleflight or lease of its own: call it
// from inside a Fetch fill when stampedes matter.
func (c *Cache) FetchMany(ctx context.Context, resource string, items []Item,
	fill func(ctx context.Context, missing []int) ([][]byte, error)) ([][]byte, error) {
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	if !c.available(ctx) {
		return fill(ctx, all)
	}
	var tagKeys []string
	tagIndex := map[string]int{}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = c.opts.Prefix + it.Key
		for _, t := range it.Tags {
			if _, ok := tagIndex[t]; !ok {
				tagIndex[t] = len(tagKeys)
				tagKeys = append(tagKeys, c.tagKey(t))
			}
		}
	}
	octx, cancel := c.opCtx(ctx)
	gens, stored, err := c.b.GetWithGenerations(octx, tagKeys, keys)
	cancel()
	if err != nil {
		c.fail(err)
		return fill(ctx, all)
	}
	c.ok()
	values := make([][]byte, len(items))
	stamps := make([][]byte, len(items))
	var missing []int
	for i, it := range items {
		stamps[i] = make([]byte, 0, 8*len(it.Tags))
		for _, t := range it.Tags {
			stamps[i] = binary.BigEndian.AppendUint64(stamps[i], uint64(gens[tagIndex[t]]))
		}
		st := Hit
		if v := stored[i]; v != nil && bytes.HasPrefix(v, stamps[i]) {
			values[i] = v[len(stamps[i]):]
		} else {
			st = Miss
			missing = append(missing, i)
		}
		if c.opts.Observe != nil {
			c.opts.Observe(resource, st)
		}
	}
	if len(missing) == 0 {
		return values, nil
	}
	filled, err := fill(ctx, missing)
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, len(missing))
	for j, i := range missing {
		values[i] = filled[j]
		entries[j] = Entry{Key: keys[i], Value: append(stamps[i], filled[j]...), TTL: items[i].TTL}
	}
	c.storeLater(entries)
	return values, nil
}

// storeLater stores FetchMany's filled values behind the caller's answer
// (730 SETs for a cold 365-day overview), within InvalidateTimeout. What a
// late store writes is never served stale, since its stamp is old; at worst
// it overwrites a newer value, which the next read refills. It does not
// feed the breaker: the reads that follow judge the backend's health.
func (c *Cache) storeLater(entries []Entry) {
	store := func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.InvalidateTimeout)
		defer cancel()
		if err := c.b.SetMany(ctx, entries); err != nil {
			slog.Debug("storing filled values failed", "backend", c.b.Name(), "err", err)
		}
	}
	c.storesMu.Lock()
	if !c.closed {
		c.stores.Go(store)
		c.storesMu.Unlock()
		return
	}
	c.storesMu.Unlock()
	store()
}

// Close waits for FetchMany's background stores and makes later ones run
// before FetchMany returns; call it before closing the backend. The cache
// keeps working.
func (c *Cache) Close() {
	c.storesMu.Lock()
	c.closed = true
	c.storesMu.Unlock()
	c.stores.Wait()
}

// generations reads the current generation of each tag, read from the
// backend after this call began.
func (c *Cache) generations(ctx context.Context, tagKeys []string) ([]int64, error) {
	octx, cancel := c.opCtx(ctx)
	defer cancel()
	return c.b.Generations(octx, tagKeys)
}

// fillLeased fills fullKey holding the cross-instance lease, or waits for
// the holder's value.
func (c *Cache) fillLeased(ctx context.Context, fullKey string, ttl time.Duration,
	fill func(ctx context.Context) ([]byte, error)) (Status, []byte, error) {
	leaseKey := fullKey + ":lease"
	octx, cancel := c.opCtx(ctx)
	got, err := c.b.Acquire(octx, leaseKey, c.opts.LeaseTTL)
	cancel()
	if err != nil {
		c.fail(err)
		v, err := fill(ctx)
		return Bypass, v, err
	}
	if !got {
		deadline := time.Now().Add(c.opts.LeaseWait)
		for time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return Miss, nil, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
			octx, cancel := c.opCtx(ctx)
			v, err := c.b.Get(octx, fullKey)
			cancel()
			if err == nil {
				return Hit, v, nil
			}
			if !errors.Is(err, ErrMiss) {
				c.fail(err)
				break
			}
		}
		// the holder is slow or gone: serve from the database, store nothing
		v, err := fill(ctx)
		return Uncached, v, err
	}
	// a flight that finished just before this one began may have stored it
	octx, cancel = c.opCtx(ctx)
	v, err := c.b.Get(octx, fullKey)
	cancel()
	if err == nil {
		octx, cancel := c.opCtx(ctx)
		_ = c.b.Release(octx, leaseKey)
		cancel()
		return Hit, v, nil
	}
	v, err = fill(ctx)
	if err != nil {
		octx, cancel := c.opCtx(ctx)
		_ = c.b.Release(octx, leaseKey)
		cancel()
		return Miss, nil, err
	}
	octx, cancel = c.opCtx(ctx)
	if err := c.b.Set(octx, fullKey, v, ttl); err != nil {
		c.fail(err)
	}
	_ = c.b.Release(octx, leaseKey)
	cancel()
	return Miss, v, nil
}

// Invalidate bumps the generations of tags, so no entry that depends on
// them is served again. Call it after the commit, before answering. When
// the backend fails the bumps are owed and this instance bypasses the
// cache until they are paid.
func (c *Cache) Invalidate(ctx context.Context, tags ...string) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = c.tagKey(t)
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.InvalidateTimeout)
		err = c.b.Bump(octx, keys)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	c.fail(err)
	c.pendingMu.Lock()
	for _, k := range keys {
		c.pending[k] = struct{}{}
	}
	c.pendingMu.Unlock()
	// make sure this instance bypasses at once, even below the threshold
	c.openUntil.Store(time.Now().Add(c.opts.BreakerCooldown).UnixNano())
	slog.Warn("cache invalidation failed; bypassing the cache until it succeeds", "tags", tags, "err", err)
}

// PayOwedBumps retries failed invalidations every interval until ctx
// ends, so an owed bump is paid even when this instance serves no reads.
func (c *Cache) PayOwedBumps(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.pendingMu.Lock()
			n := len(c.pending)
			c.pendingMu.Unlock()
			if n > 0 {
				c.settlePending(ctx)
			}
		}
	}
}

// Clear deletes every cached value under the prefix (and this instance's
// local copies).
func (c *Cache) Clear(ctx context.Context) (int, error) {
	if c.local != nil {
		_, _ = c.local.DeletePrefix(ctx, "")
	}
	return c.b.DeletePrefix(ctx, c.opts.Prefix)
}
