package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func backends(t *testing.T) map[string]func() cache.Backend {
	out := map[string]func() cache.Backend{
		"memory": func() cache.Backend { return cache.NewMemory(1000) },
	}
	for _, kind := range testkit.RedisKinds {
		client := testkit.RedisClient(t, kind)
		out[kind] = func() cache.Backend {
			return cache.NewRedis(client, readbatch.New(readbatch.RedisFetch(client), time.Second))
		}
	}
	return out
}

// (3) A reader paused between its database read and its cache fill while a
// write lands: the stale value it then stores is never served.
func TestFencedFill(t *testing.T) {
	for name, mk := range backends(t) {
		for _, local := range []int{0, 100} {
			t.Run(fmt.Sprintf("%s/local=%d", name, local), func(t *testing.T) {
				fencedFill(t, cache.New(mk(), cache.Options{Prefix: fmt.Sprintf("fence:%s:%d:", name, local), LocalEntries: local}))
			})
		}
	}
}

func fencedFill(t *testing.T, c *cache.Cache) {
	ctx := context.Background()
	var mu sync.Mutex
	database := "v1"
	read := func() string { mu.Lock(); defer mu.Unlock(); return database }

	readDone, release := make(chan struct{}), make(chan struct{})
	slow := make(chan []byte)
	go func() {
		v, _, err := c.Fetch(ctx, "test", "item:1", []string{"item:1"}, time.Minute, func(context.Context) ([]byte, error) {
			v := read() // the database read
			close(readDone)
			<-release // paused before the fill
			return []byte(v), nil
		})
		if err != nil {
			t.Error(err)
		}
		slow <- v
	}()
	<-readDone
	// the write: commit, then invalidate, then answer
	mu.Lock()
	database = "v2"
	mu.Unlock()
	c.Invalidate(ctx, "item:1")
	close(release)
	if v := <-slow; string(v) != "v1" {
		t.Fatalf("the slow reader itself read %s", v)
	}
	for i := 0; i < 3; i++ {
		v, st, err := c.Fetch(ctx, "test", "item:1", []string{"item:1"}, time.Minute, func(context.Context) ([]byte, error) {
			return []byte(read()), nil
		})
		if err != nil || string(v) != "v2" {
			t.Fatalf("read %d after the write got %s (%s, %v)", i, v, st, err)
		}
	}
}

// Concurrent misses on one key in one instance run the fill once.
func TestSingleflight(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			// a generous time budget: this is about coalescing, not failing open
			c := cache.New(mk(), cache.Options{Prefix: "sf:" + name + ":", OpTimeout: 2 * time.Second})
			var fills atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < 200; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					v, _, err := c.Fetch(context.Background(), "test", "k", []string{"t"}, time.Minute, func(context.Context) ([]byte, error) {
						fills.Add(1)
						time.Sleep(30 * time.Millisecond)
						return []byte("value"), nil
					})
					if err != nil || string(v) != "value" {
						t.Errorf("fetch: %s %v", v, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			if fills.Load() != 1 {
				t.Fatalf("200 concurrent misses ran %d fills", fills.Load())
			}
		})
	}
}

// Errors from the fill are returned and not cached.
func TestFillErrorsAreNotCached(t *testing.T) {
	c := cache.New(cache.NewMemory(10), cache.Options{})
	boom := errors.New("boom")
	if _, _, err := c.Fetch(context.Background(), "t", "k", nil, time.Minute, func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	v, st, err := c.Fetch(context.Background(), "t", "k", nil, time.Minute, func(context.Context) ([]byte, error) { return []byte("ok"), nil })
	if err != nil || string(v) != "ok" || st != cache.Miss {
		t.Fatalf("after an error: %s %s %v", v, st, err)
	}
}

// `cache clear` deletes only keys under the prefix, on every master of a
// cluster.
func TestClearKeepsOtherKeys(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) {
			client := testkit.RedisClient(t, kind)
			ctx := context.Background()
			client.Set(ctx, "someone-else:key", "keep", 0)
			c := cache.New(cache.NewRedis(client, readbatch.New(readbatch.RedisFetch(client), time.Second)), cache.Options{Prefix: "mine:"})
			keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"} // spread over the masters
			for _, k := range keys {
				_, _, _ = c.Fetch(ctx, "t", k, []string{"tag"}, time.Minute, func(context.Context) ([]byte, error) { return []byte(k), nil })
			}
			n, err := c.Clear(ctx)
			if err != nil || n != len(keys) {
				t.Fatalf("clear: %d %v, want %d", n, err, len(keys))
			}
			if v, _ := client.Get(ctx, "someone-else:key").Result(); v != "keep" {
				t.Fatal("clear deleted a key outside its prefix")
			}
			for _, k := range keys {
				_, st, _ := c.Fetch(ctx, "t", k, []string{"tag"}, time.Minute, func(context.Context) ([]byte, error) { return []byte(k), nil })
				if st != cache.Miss {
					t.Fatalf("after clear %s: %s", k, st)
				}
			}
		})
	}
}

// A caller that gives up (closed tab, timeout) does not fail the others
// waiting on the same fill.
func TestCancelledCallerDoesNotFailOthers(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c := cache.New(mk(), cache.Options{Prefix: fmt.Sprintf("cancel:%s:%d:", name, time.Now().UnixNano())})
			started, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			fill := func(ctx context.Context) ([]byte, error) {
				// a follower slower than the sleep below (a loaded machine)
				// may come after the flight and fill again
				once.Do(func() { close(started) })
				<-release
				return []byte("value"), ctx.Err()
			}
			leaderCtx, cancelLeader := context.WithCancel(context.Background())
			leaderErr := make(chan error, 1)
			go func() {
				_, _, err := c.Fetch(leaderCtx, "t", "k", []string{"t"}, time.Minute, fill)
				leaderErr <- err
			}()
			<-started
			follower := make(chan error, 1)
			go func() {
				v, _, err := c.Fetch(context.Background(), "t", "k", []string{"t"}, time.Minute, fill)
				if err == nil && string(v) != "value" {
					err = errors.New("wrong value " + string(v))
				}
				follower <- err
			}()
			time.Sleep(20 * time.Millisecond)
			cancelLeader()
			if err := <-leaderErr; !errors.Is(err, context.Canceled) {
				t.Fatalf("the cancelled caller got %v", err)
			}
			close(release)
			if err := <-follower; err != nil {
				t.Fatalf("a follower with a live context failed: %v", err)
			}
		})
	}
}

// A generation that Redis lost (eviction, failover) comes back ahead of
// every value it had, so entries stored under old generations stay
// unreachable.
func TestLostGenerationNeverGoesBack(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) { lostGenerationNeverGoesBack(t, testkit.RedisClient(t, kind)) })
	}
}

func lostGenerationNeverGoesBack(t *testing.T, client redis.UniversalClient) {
	ctx := context.Background()
	c := cache.New(cache.NewRedis(client, readbatch.New(readbatch.RedisFetch(client), time.Second)), cache.Options{Prefix: "lost:"})
	get := func(v string) string {
		got, _, err := c.Fetch(ctx, "t", "k", []string{"tag"}, time.Hour, func(context.Context) ([]byte, error) { return []byte(v), nil })
		if err != nil {
			t.Fatal(err)
		}
		return string(got)
	}
	get("old")
	for i := 0; i < 3; i++ {
		c.Invalidate(ctx, "tag")
	}
	get("middle")
	client.Del(ctx, "lost:gen:tag") // Redis forgets the generation
	c.Invalidate(ctx, "tag")
	if v := get("new"); v != "new" {
		t.Fatalf("after losing the generation the cache served %q", v)
	}
	client.Del(ctx, "lost:gen:tag")
	if v := get("newest"); v != "newest" {
		t.Fatalf("after losing the generation the cache served %q", v)
	}
}

// FetchMany fills only what is missing, in one call, and is fenced like
// Fetch: a fill that read before a write stores nothing a later read uses.
func TestFetchMany(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := cache.New(mk(), cache.Options{Prefix: "many:" + name + ":"})
			var mu sync.Mutex
			database := map[string]string{"a": "a1", "b": "b1", "c": "c1"}
			keys := []string{"a", "b", "c"}
			items := make([]cache.Item, len(keys))
			for i, k := range keys {
				items[i] = cache.Item{Key: "day:" + k, Tags: []string{"day:" + k}, TTL: time.Minute}
			}
			var fills [][]string
			fill := func(pause chan struct{}) func(context.Context, []int) ([][]byte, error) {
				return func(_ context.Context, missing []int) ([][]byte, error) {
					mu.Lock()
					var asked []string
					out := make([][]byte, len(missing))
					for j, i := range missing {
						asked = append(asked, keys[i])
						out[j] = []byte(database[keys[i]])
					}
					fills = append(fills, asked)
					mu.Unlock()
					if pause != nil {
						pause <- struct{}{}
						<-pause
					}
					return out, nil
				}
			}
			read := func() string {
				t.Helper()
				vs, err := c.FetchMany(ctx, "test", items, fill(nil))
				if err != nil {
					t.Fatal(err)
				}
				return string(vs[0]) + string(vs[1]) + string(vs[2])
			}
			if got := read(); got != "a1b1c1" {
				t.Fatalf("first read %q", got)
			}
			c.Close() // wait for the background store; later stores are synchronous
			if got := read(); got != "a1b1c1" || len(fills) != 1 {
				t.Fatalf("second read %q after %d fills; want a hit", got, len(fills))
			}

			// a slow reader reads b before a write to b, and stores after it
			pause := make(chan struct{})
			c.Invalidate(ctx, "day:b") // make b missing for the slow reader
			done := make(chan string)
			go func() {
				vs, err := c.FetchMany(ctx, "test", items, fill(pause))
				if err != nil {
					t.Error(err)
				}
				done <- string(vs[1])
			}()
			<-pause
			mu.Lock()
			database["b"] = "b2"
			mu.Unlock()
			c.Invalidate(ctx, "day:b")
			pause <- struct{}{}
			if slow := <-done; slow != "b1" {
				t.Fatalf("the slow reader read %q", slow)
			}
			if got := read(); got != "a1b2c1" {
				t.Fatalf("after the write: %q", got)
			}
			if last := fills[len(fills)-1]; len(last) != 1 || last[0] != "b" {
				t.Fatalf("only b should have been filled again, got %v", last)
			}
		})
	}
}
