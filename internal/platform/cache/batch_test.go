package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A read that begins while a backend call is in flight never takes that
// call's (possibly older) answer: it waits for the next call.
func TestGenBatcherNeverServesAnAnswerReadBeforeTheCallerStarted(t *testing.T) {
	var mu sync.Mutex
	gen := int64(1)
	var calls atomic.Int64
	gate := make(chan struct{})
	b := newGenBatcher(func(ctx context.Context, _ string) (int64, error) {
		calls.Add(1)
		mu.Lock()
		v := gen // the backend read happens here...
		mu.Unlock()
		<-gate // ...and the answer travels back slowly
		return v, nil
	})
	first := make(chan int64)
	go func() { v, _ := b.generation(context.Background(), "t"); first <- v }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// a write lands and returns while the first call is in flight
	mu.Lock()
	gen = 2
	mu.Unlock()
	later := make(chan int64, 10)
	for i := 0; i < 10; i++ {
		go func() { v, _ := b.generation(context.Background(), "t"); later <- v }()
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	if v := <-first; v != 1 {
		t.Fatalf("the first read got %d", v)
	}
	for i := 0; i < 10; i++ {
		if v := <-later; v != 2 {
			t.Fatalf("a read that began after the write got generation %d", v)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("11 reads made %d backend calls, want 2 (one per flight)", n)
	}
}
