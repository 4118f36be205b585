//go:build !unix

package audit

import "sync"

var fileMu sync.Mutex

// lockFile serializes swaps within this process only (no advisory file
// locks on this platform).
func lockFile(string) (func(), error) {
	fileMu.Lock()
	return fileMu.Unlock, nil
}
