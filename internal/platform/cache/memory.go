package cache

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Memory is the in-process backend of the embedded default: one instance,
// so its generations are as authoritative as Redis's.
type Memory struct {
	mu      sync.Mutex
	entries map[string]memEntry
	gens    map[string]int64
	leases  map[string]time.Time
	max     int
}

type memEntry struct {
	value   []byte
	expires time.Time
}

// NewMemory returns an in-process backend holding at most maxEntries values.
func NewMemory(maxEntries int) *Memory {
	return &Memory{entries: map[string]memEntry{}, gens: map[string]int64{}, leases: map[string]time.Time{}, max: maxEntries}
}

// Name implements Backend.
func (m *Memory) Name() string { return "memory" }

// Get implements Backend.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || time.Now().After(e.expires) {
		return nil, ErrMiss
	}
	return e.value, nil
}

// Set implements Backend.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.max {
		m.evict()
	}
	m.entries[key] = memEntry{value: value, expires: time.Now().Add(ttl)}
	return nil
}

// SetMany implements Backend.
func (m *Memory) SetMany(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		_ = m.Set(ctx, e.Key, e.Value, e.TTL)
	}
	return nil
}

// evict drops expired entries, then arbitrary ones until a quarter is free.
func (m *Memory) evict() {
	now := time.Now()
	for k, e := range m.entries {
		if now.After(e.expires) {
			delete(m.entries, k)
		}
	}
	for k := range m.entries {
		if len(m.entries) < m.max*3/4 {
			break
		}
		delete(m.entries, k)
	}
}

// Generations implements Backend.
func (m *Memory) Generations(_ context.Context, tagKeys []string) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int64, len(tagKeys))
	for i, k := range tagKeys {
		out[i] = m.gens[k]
	}
	return out, nil
}

// GetWithGenerations implements Backend.
func (m *Memory) GetWithGenerations(ctx context.Context, tagKeys, keys []string) ([]int64, [][]byte, error) {
	gens, _ := m.Generations(ctx, tagKeys)
	values := make([][]byte, len(keys))
	for i, k := range keys {
		if v, err := m.Get(ctx, k); err == nil {
			values[i] = v
		}
	}
	return gens, values, nil
}

// Bump implements Backend.
func (m *Memory) Bump(_ context.Context, tagKeys []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range tagKeys {
		m.gens[k]++
	}
	return nil
}

// Acquire implements Backend.
func (m *Memory) Acquire(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.leases[key]; ok && time.Now().Before(exp) {
		return false, nil
	}
	m.leases[key] = time.Now().Add(ttl)
	return true, nil
}

// Release implements Backend.
func (m *Memory) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.leases, key)
	return nil
}

// DeletePrefix implements Backend.
func (m *Memory) DeletePrefix(_ context.Context, prefix string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.entries {
		if strings.HasPrefix(k, prefix) {
			delete(m.entries, k)
			n++
		}
	}
	// generations are kept: they only ever grow, so no old entry can
	// become reachable again
	return n, nil
}

// Ping implements Backend.
func (m *Memory) Ping(context.Context) error { return nil }
