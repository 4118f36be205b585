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

func TestClientKey(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.7":                     "198.51.100.7",
		"::ffff:198.51.100.7":              "198.51.100.7",
		"2001:db8:1:2::1":                  "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ffff": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":                  "2001:db8:1:3::/64",
		"fe80::1%eth0":                     "fe80::/64",
		"not an ip":                        "not an ip",
	} {
		if got := ClientKey(ip); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", ip, got, want)
		}
	}
}
