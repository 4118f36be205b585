package readbatch_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// A read that begins while a flight is in the air never takes that
// flight's (possibly older) answer: it waits for the next flight, which
// also carries every other key asked for meanwhile.
func TestAReadNeverTakesAnAnswerReadBeforeItBegan(t *testing.T) {
	var mu sync.Mutex
	gen := 1
	var calls atomic.Int64
	gate := make(chan struct{})
	b := readbatch.New(func(_ context.Context, keys []string) []readbatch.Result {
		calls.Add(1)
		mu.Lock()
		v := gen // the store is read here...
		mu.Unlock()
		<-gate // ...and the answer travels back slowly
		out := make([]readbatch.Result, len(keys))
		for i, k := range keys {
			out[i].Value = []byte(k + "=" + strconv.Itoa(v))
		}
		return out
	}, time.Second)
	first := make(chan string)
	go func() { first <- string(b.Get(context.Background(), "a")[0].Value) }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// a write lands and returns while the first flight is in the air
	mu.Lock()
	gen = 2
	mu.Unlock()
	later := make(chan string, 20)
	for i := 0; i < 10; i++ {
		go func() { later <- string(b.Get(context.Background(), "a")[0].Value) }()
		go func() {
			r := b.Get(context.Background(), "b", "a")
			later <- string(r[0].Value) + "," + string(r[1].Value)
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	if v := <-first; v != "a=1" {
		t.Fatalf("the first read got %q", v)
	}
	for i := 0; i < 20; i++ {
		if v := <-later; v != "a=2" && v != "b=2,a=2" {
			t.Fatalf("a read that began after the write got %q", v)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("21 reads made %d store calls, want 2 (one per flight)", n)
	}
}

// A caller whose context ends stops waiting; the flight still answers the others.
func TestACallerThatGivesUpDoesNotFailOthers(t *testing.T) {
	gate := make(chan struct{})
	b := readbatch.New(func(_ context.Context, keys []string) []readbatch.Result {
		<-gate
		return make([]readbatch.Result, len(keys))
	}, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	other := make(chan error)
	go func() { other <- b.Get(context.Background(), "k")[0].Err }()
	if err := b.Get(ctx, "k")[0].Err; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the impatient caller got %v", err)
	}
	close(gate)
	if err := <-other; err != nil {
		t.Fatalf("the patient caller got %v", err)
	}
}

// Against real Redis: values, missing keys and a stopped server, per key,
// through a single client (one MGET) and a Ring (a pipeline of GETs, the
// Cluster path).
func TestRedisFetch(t *testing.T) {
	clients := map[string]func(addr string) redis.UniversalClient{
		"client": func(addr string) redis.UniversalClient { return redis.NewClient(&redis.Options{Addr: addr}) },
		"ring": func(addr string) redis.UniversalClient {
			return redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"one": addr}})
		},
	}
	for name, open := range clients {
		t.Run(name, func(t *testing.T) {
			r := testkit.StartRedis(t)
			c := open(r.Addr)
			t.Cleanup(func() { _ = c.Close() })
			ctx := context.Background()
			if err := c.Set(ctx, "x", "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := c.RPush(ctx, "list", "v").Err(); err != nil {
				t.Fatal(err)
			}
			b := readbatch.New(readbatch.RedisFetch(c), time.Second)
			got := b.Get(ctx, "x", "absent", "list", "x")
			if string(got[0].Value) != "1" || got[0].Err != nil || string(got[3].Value) != "1" {
				t.Fatalf("x: %+v, %+v", got[0], got[3])
			}
			if !errors.Is(got[1].Err, readbatch.ErrMissing) {
				t.Fatalf("absent: %+v", got[1])
			}
			// MGET answers nil for a key of another type, GET an error
			if got[2].Err == nil {
				t.Fatalf("a key of another type must not read as a value, got %+v", got[2])
			}
			r.Stop()
			if err := b.Get(ctx, "x")[0].Err; err == nil || errors.Is(err, readbatch.ErrMissing) {
				t.Fatalf("with Redis stopped the read must fail, got %v", err)
			}
		})
	}
}

// Against a Redis Cluster: one flight over keys of many slots on every
// master answers each key, with no CROSSSLOT error.
func TestRedisFetchCluster(t *testing.T) {
	c := testkit.SharedRedisCluster(t).Client(t)
	ctx := context.Background()
	var keys []string
	for i := range 50 {
		k := "readbatch:" + strconv.Itoa(i)
		keys = append(keys, k)
		if i%2 == 0 {
			if err := c.Set(ctx, k, strconv.Itoa(i), time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := c.RPush(ctx, "readbatch:list", "v").Err(); err != nil {
		t.Fatal(err)
	}
	b := readbatch.New(readbatch.RedisFetch(c), time.Second)
	got := b.Get(ctx, append(keys, "readbatch:list")...)
	for i, k := range keys {
		switch {
		case i%2 == 0 && (got[i].Err != nil || string(got[i].Value) != strconv.Itoa(i)):
			t.Fatalf("%s: %+v", k, got[i])
		case i%2 == 1 && !errors.Is(got[i].Err, readbatch.ErrMissing):
			t.Fatalf("%s (absent): %+v", k, got[i])
		}
	}
	if got[len(keys)].Err == nil {
		t.Fatalf("a key of another type must not read as a value, got %+v", got[len(keys)])
	}
}
