package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
)

// Redis is the shared backend of the production mode.
type Redis struct {
	c     redis.UniversalClient
	reads *readbatch.Batcher
}

// NewRedis wraps a client. Gets and generation reads go through reads,
// which shares round trips among concurrent requests (and with whatever
// else uses it, such as the session store) without weakening fencing.
func NewRedis(c redis.UniversalClient, reads *readbatch.Batcher) *Redis {
	return &Redis{c: c, reads: reads}
}

// Name implements Backend.
func (r *Redis) Name() string { return "redis" }

// Get implements Backend.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	res := r.reads.Get(ctx, key)[0]
	if errors.Is(res.Err, readbatch.ErrMissing) {
		return nil, ErrMiss
	}
	return res.Value, res.Err
}

// Set implements Backend.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.c.Set(ctx, key, value, ttl).Err()
}

// SetMany implements Backend with one pipeline (a cluster client splits it
// per node).
func (r *Redis) SetMany(ctx context.Context, entries []Entry) error {
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			p.Set(ctx, e.Key, e.Value, e.TTL)
		}
		return nil
	})
	return err
}

// Generations implements Backend, reading every tag in one shared flight.
// A generation that does not exist (first use, eviction, a failover that
// lost it) is created as the current time in microseconds, so it never
// returns to a value that older entries were stored under.
func (r *Redis) Generations(ctx context.Context, tagKeys []string) ([]int64, error) {
	gens, _, err := r.GetWithGenerations(ctx, tagKeys, nil)
	return gens, err
}

// GetWithGenerations implements Backend: generations and values share one
// flight; missing generations are created as Generations says.
func (r *Redis) GetWithGenerations(ctx context.Context, tagKeys, keys []string) ([]int64, [][]byte, error) {
	gens := make([]int64, len(tagKeys))
	values := make([][]byte, len(keys))
	var missing []int
	for i, res := range r.reads.Get(ctx, append(tagKeys[:len(tagKeys):len(tagKeys)], keys...)...) {
		switch {
		case errors.Is(res.Err, readbatch.ErrMissing):
			if i < len(tagKeys) {
				missing = append(missing, i)
			}
		case res.Err != nil:
			return nil, nil, res.Err
		case i >= len(tagKeys):
			values[i-len(tagKeys)] = res.Value
		default:
			n, err := strconv.ParseInt(string(res.Value), 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("generation %s: %w", tagKeys[i], err)
			}
			gens[i] = n
		}
	}
	if len(missing) == 0 {
		return gens, values, nil
	}
	// create the missing ones, then read what won, in one round trip
	now := time.Now().UnixMicro()
	gets := make([]*redis.StringCmd, len(missing))
	if _, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for j, i := range missing {
			p.SetNX(ctx, tagKeys[i], now, 0)
			gets[j] = p.Get(ctx, tagKeys[i])
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	for j, i := range missing {
		n, err := gets[j].Int64()
		if err != nil {
			return nil, nil, fmt.Errorf("generation %s: %w", tagKeys[i], err)
		}
		gens[i] = n
	}
	return gens, values, nil
}

// bumpScript increments a generation, first creating a lost one at the
// current time (ARGV[1]) so that it only ever moves forward.
var bumpScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])`)

// Bump implements Backend (one script per key, so keys may live in
// different cluster slots).
func (r *Redis) Bump(ctx context.Context, tagKeys []string) error {
	now := time.Now().UnixMicro()
	for _, k := range tagKeys {
		if err := bumpScript.Run(ctx, r.c, []string{k}, now).Err(); err != nil {
			return err
		}
	}
	return nil
}

// Acquire implements Backend.
func (r *Redis) Acquire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return r.c.SetNX(ctx, key, "1", ttl).Result()
}

// Release implements Backend.
func (r *Redis) Release(ctx context.Context, key string) error {
	return r.c.Del(ctx, key).Err()
}

// KeepPrefix marks keys (after the cache prefix) that Clear never deletes,
// such as the audit checkpoint.
const KeepPrefix = "keep:"

// DeletePrefix implements Backend with SCAN, never KEYS or FLUSHDB, on
// every master of a cluster. Tag generations (under "gen:") are kept: they
// only ever grow; so are keys under KeepPrefix, which are records, not
// cached values. Keys are unlinked one command each, in pipelines, since a
// cluster refuses one command over keys of different slots.
func (r *Redis) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	var n atomic.Int64
	del := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var batch []string
		flush := func() error {
			_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range batch {
					p.Unlink(ctx, k)
				}
				return nil
			})
			if err != nil {
				return err
			}
			n.Add(int64(len(batch)))
			batch = batch[:0]
			return nil
		}
		for iter.Next(ctx) {
			if strings.HasPrefix(iter.Val(), prefix+"gen:") || strings.HasPrefix(iter.Val(), prefix+KeepPrefix) {
				continue
			}
			batch = append(batch, iter.Val())
			if len(batch) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		if len(batch) > 0 {
			return flush()
		}
		return nil
	}
	var err error
	switch c := r.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, del)
	case *redis.Client:
		err = del(ctx, c)
	default:
		err = errors.New("unsupported redis client")
	}
	return int(n.Load()), err
}

// Ping implements Backend.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }
