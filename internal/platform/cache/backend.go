// Package cache is Pishkhan's server cache: cache-aside with generation
// fencing, singleflight, cross-instance leases and a circuit breaker, over
// Redis or an in-process backend.
//
// Fencing: every entry's key embeds the current generation of each tag it
// depends on, read before the database is queried. A write commits, then
// bumps (INCR) the generations of the tags it touched, then answers. A read
// that starts after that answer sees the new generations and so a key no
// older fill could have written: a slow filler that read the database
// before the write stores its value under the old generation, where no new
// reader looks. Old entries simply expire.
//
// FetchMany's entries carry the generations in the value instead: each is
// stored under its plain key, stamped with the generations its filler read
// before querying the database, and is a hit only while the stamp equals
// generations read after the reader began (fetched in the same round trip
// as the value, to save one). Generations only grow, so a slow filler's
// stale value carries an old stamp and is never used; a newer fill
// overwrites it rather than piling up beside it.
package cache

import (
	"context"
	"errors"
	"time"
)

// ErrMiss means the key holds no value.
var ErrMiss = errors.New("cache miss")

// Backend is the storage under the cache-aside logic.
type Backend interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetMany stores several values in one round trip.
	SetMany(ctx context.Context, entries []Entry) error
	// Generations returns the current generation of each tag key (0 when unset).
	Generations(ctx context.Context, tagKeys []string) ([]int64, error)
	// GetWithGenerations returns what Generations returns for tagKeys and
	// the value of each key (nil for a miss), read in one round trip (two when a
	// generation has to be created).
	GetWithGenerations(ctx context.Context, tagKeys, keys []string) ([]int64, [][]byte, error)
	// Bump increments the generation of each tag key.
	Bump(ctx context.Context, tagKeys []string) error
	// Acquire takes a short lease on key; false when another holder has it.
	Acquire(ctx context.Context, key string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, key string) error
	// DeletePrefix deletes every key starting with prefix; returns the count.
	DeletePrefix(ctx context.Context, prefix string) (int, error)
	Ping(ctx context.Context) error
	Name() string
}

// Entry is one value for SetMany.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}
