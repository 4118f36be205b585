package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Two instances share one count on every kind of Redis: hits, undo and
// reset seen by both.
func TestRedisCounterIsShared(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			client := testkit.RedisClient(t, kind)
			a, b := ratelimit.NewRedis(client, "rl-test:"), ratelimit.NewRedis(client, "rl-test:")
			for _, key := range []string{"login:a@example.com", "login:b@example.com", "ip:198.51.100.7"} {
				for i := 1; i <= 3; i++ {
					c := a
					if i%2 == 0 {
						c = b
					}
					if n, err := c.Hit(ctx, key, time.Minute); err != nil || n != i {
						t.Fatalf("%s hit %d: %d %v", key, i, n, err)
					}
				}
				if n, ttl, err := b.Count(ctx, key); err != nil || n != 3 || ttl <= 0 || ttl > time.Minute {
					t.Fatalf("%s count: %d %s %v", key, n, ttl, err)
				}
				if err := a.Undo(ctx, key); err != nil {
					t.Fatal(err)
				}
				if n, _, _ := b.Count(ctx, key); n != 2 {
					t.Fatalf("%s after undo: %d, want 2", key, n)
				}
			}
			if err := a.Reset(ctx, "login:a@example.com"); err != nil {
				t.Fatal(err)
			}
			// b's local fallback still remembers 2 from its own hits: a
			// reset is judged by a fresh instance
			if n, _, _ := ratelimit.NewRedis(client, "rl-test:").Count(ctx, "login:a@example.com"); n != 0 {
				t.Fatalf("after reset: %d", n)
			}
		})
	}
}
