package auth

import (
	"bytes"
	"encoding/json"
	"sync"
)

// decodeMemo remembers the decoding of the last raw JSON seen under each
// key, so a value read unchanged on every request (a session, a user's
// access) is decoded once. Decoded values are shared between requests and
// must be treated as read-only. It forgets everything when it holds max
// keys, which bounds its memory.
type decodeMemo[T any] struct {
	mu  sync.Mutex
	max int
	m   map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	raw []byte
	v   T
}

func newDecodeMemo[T any](max int) *decodeMemo[T] {
	return &decodeMemo[T]{max: max, m: map[string]memoEntry[T]{}}
}

// decode returns raw decoded, from memory when raw equals the bytes last
// decoded under key.
func (d *decodeMemo[T]) decode(key string, raw []byte) (T, error) {
	d.mu.Lock()
	e, ok := d.m[key]
	d.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.v, nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	d.mu.Lock()
	if len(d.m) >= d.max {
		clear(d.m)
	}
	d.m[key] = memoEntry[T]{raw: bytes.Clone(raw), v: v}
	d.mu.Unlock()
	return v, nil
}
