//go:build !unix

package filelock

import "sync"

// processMu serializes holders within this process: this platform has no
// advisory file locks.
var processMu sync.Mutex

func lock(string) (func(), error) {
	processMu.Lock()
	return processMu.Unlock, nil
}
