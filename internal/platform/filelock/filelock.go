// Package filelock takes exclusive locks on files, so that processes
// sharing a directory (instances on one machine, a command beside a running
// server) do one thing at a time.
package filelock

// Lock blocks until it holds an exclusive lock on path (created if
// missing) and returns its release. On Unix the lock is flock(2): it holds
// across processes and between two holders in one process, and dies with
// its process. Elsewhere it holds within this process only.
func Lock(path string) (unlock func(), err error) { return lock(path) }
