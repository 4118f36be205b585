package mediaproc_test

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

type runtimeMem struct{ totalAlloc uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.totalAlloc = s.TotalAlloc
}

// heapPeak samples the live heap (objects, garbage not yet collected
// included) every millisecond while f runs, and returns the highest value
// above the heap before f, and the heap before f.
func heapPeak(f func()) (peak, before uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	before = read()
	var (
		mu   sync.Mutex
		high = before
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				v := read()
				mu.Lock()
				high = max(high, v)
				mu.Unlock()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	high = max(high, read())
	return high - before, before
}
