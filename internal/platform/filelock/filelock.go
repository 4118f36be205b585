// Package filelock takes locks on files, so that processes sharing a
// directory (instances on one machine, a command beside a running server)
// do one thing at a time.
package filelock

import "errors"

// ErrHeld is TryLock's answer while another holder has the lock.
var ErrHeld = errors.New("locked by another holder")

// Lock blocks until it holds an exclusive lock on path (created if
// missing) and returns its release. On Unix the lock is flock(2): it holds
// across processes and between two holders in one process, and dies with
// its process. Elsewhere it holds within this process only.
func Lock(path string) (unlock func(), err error) { return lock(path, false, false) }

// Shared blocks until it holds a shared lock on path: any number of
// shared holders at once, none while an exclusive one holds it (Lock,
// TryLock). Elsewhere than on Unix it holds nothing.
func Shared(path string) (unlock func(), err error) { return lock(path, true, false) }

// TryLock takes an exclusive lock on path at once, or answers ErrHeld
// while another holder (shared or exclusive) has it.
func TryLock(path string) (unlock func(), err error) { return lock(path, false, true) }
