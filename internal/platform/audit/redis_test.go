package audit_test

import (
	"context"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// The checkpoint's compare-and-swap on every kind of Redis: only a writer
// that saw the current value replaces it.
func TestRedisCheckpointSwap(t *testing.T) {
	for _, kind := range testkit.RedisKinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			store := audit.RedisCheckpoints{Client: testkit.RedisClient(t, kind), Key: "anchor-test:keep:audit:checkpoint"}
			if b, err := store.Load(ctx); err != nil || b != nil {
				t.Fatalf("empty: %q %v", b, err)
			}
			steps := []struct {
				prev, next string
				ok         bool
			}{
				{"", "a", true},
				{"", "b", false}, // someone wrote first
				{"x", "b", false},
				{"a", "b", true},
			}
			for _, s := range steps {
				if ok, err := store.Swap(ctx, []byte(s.prev), []byte(s.next)); err != nil || ok != s.ok {
					t.Fatalf("swap %q→%q: %v %v, want %v", s.prev, s.next, ok, err, s.ok)
				}
			}
			if b, err := store.Load(ctx); err != nil || string(b) != "b" {
				t.Fatalf("load: %q %v", b, err)
			}
		})
	}
}
