package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// When Redis stops answering, counting continues locally from the last
// shared count this instance saw: never from zero, never unlimited.
func TestFallbackContinuesFromTheSharedCount(t *testing.T) {
	ctx := context.Background()
	// a client to a port nobody listens on: every call fails
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 50 * time.Millisecond})
	defer dead.Close()
	r := NewRedis(dead, "test:")
	r.fallback.observe("k", 9, time.Minute) // as if Redis had said 9
	n, err := r.Hit(ctx, "k", time.Minute)
	if err != nil || n != 10 {
		t.Fatalf("first hit without Redis: %d %v, want 10", n, err)
	}
	if n, _ := r.Hit(ctx, "k", time.Minute); n != 11 {
		t.Fatalf("second hit without Redis: %d, want 11", n)
	}
	if n, _, _ := r.Count(ctx, "k"); n != 11 {
		t.Fatalf("count without Redis: %d, want 11", n)
	}
}
