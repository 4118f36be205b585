//go:build !unix

package filelock

import "sync"

// processMu serializes exclusive holders within this process: this
// platform has no advisory file locks.
var processMu sync.Mutex

func lock(_ string, shared, try bool) (func(), error) {
	switch {
	case shared:
		return func() {}, nil
	case try:
		if !processMu.TryLock() {
			return nil, ErrHeld
		}
	default:
		processMu.Lock()
	}
	return processMu.Unlock, nil
}
