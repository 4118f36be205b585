package filelock_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/filelock"
)

// Shared holders coexist; TryLock is refused while any holds the lock and
// succeeds once all have released it; a Shared taken while TryLock holds
// it waits for its release.
func TestSharedAndTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, err := filelock.Shared(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := filelock.Shared(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := filelock.TryLock(path); !errors.Is(err, filelock.ErrHeld) {
		t.Fatalf("TryLock under two shared holders: %v, want ErrHeld", err)
	}
	a()
	if _, err := filelock.TryLock(path); !errors.Is(err, filelock.ErrHeld) {
		t.Fatalf("TryLock under one shared holder: %v, want ErrHeld", err)
	}
	b()
	ex, err := filelock.TryLock(path)
	if err != nil {
		t.Fatalf("TryLock with no holder: %v", err)
	}
	got := make(chan func(), 1)
	go func() {
		s, err := filelock.Shared(path)
		if err != nil {
			t.Error(err)
		}
		got <- s
	}()
	select {
	case <-got:
		t.Fatal("Shared went through while TryLock held the lock")
	case <-time.After(200 * time.Millisecond):
	}
	ex()
	(<-got)()
}
