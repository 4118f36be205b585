package server_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func readyz(t *testing.T, in *testkit.Instance) (int, server.Readiness) {
	t.Helper()
	r := in.Client(t).Do("GET", "/readyz", nil)
	var h server.Readiness
	r.JSON(t, &h)
	return r.Status, h
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// /readyz reports every dependency with its status and latency, and the
// queue's lag; an optional one down degrades the instance (200), a
// required one down makes it unready (503 naming it).
func TestReadyzReportsEachDependency(t *testing.T) {
	t.Parallel()
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		in := testkit.StartMode(t, testkit.Modes[0])
		st, h := readyz(t, in)
		if st != 200 || h.Status != "ok" {
			t.Fatalf("embedded /readyz: %d %+v", st, h)
		}
		for _, dep := range []string{"database", "storage", "queue"} {
			if c, ok := h.Checks[dep]; !ok || c.Status != "ok" {
				t.Errorf("%s: %+v", dep, c)
			}
		}
		if _, ok := h.Checks["redis"]; ok {
			t.Error("redis reported without REDIS_URL")
		}
	})
	t.Run("production", func(t *testing.T) {
		t.Parallel()
		sh := testkit.NewShared(t, testkit.Modes[1])
		in := testkit.Start(t, sh, map[string]string{"CLAMAV_ADDR": closedAddr(t), "JOB_WORKERS": "0"})
		// a job waiting a minute with no worker to take it
		if _, err := in.Srv.Queue.Client.Insert(context.Background(), server.WarmArgs{},
			&river.InsertOpts{ScheduledAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		st, h := readyz(t, in)
		if st != 200 || h.Status != "degraded" || len(h.Failing) != 0 {
			t.Fatalf("clamd down: %d %+v", st, h)
		}
		want := map[string]struct {
			status   string
			required bool
		}{"database": {"ok", true}, "redis": {"ok", true}, "storage": {"ok", false}, "clamd": {"down", false}, "queue": {"ok", false}}
		for dep, w := range want {
			c, ok := h.Checks[dep]
			if !ok || c.Status != w.status || c.Required != w.required || c.LatencyMS < 0 {
				t.Errorf("%s: %+v, want %+v", dep, c, w)
			}
		}
		if lag := h.Checks["queue"].OldestAvailableSeconds; lag == nil || *lag < 59 {
			t.Errorf("queue lag: %v, want at least a minute", *lag)
		}

		sh.Redis.Stop()
		st, h = readyz(t, in)
		if st != 503 || h.Status != "unavailable" || h.Failing["redis"] == "" || h.Checks["redis"].Status != "down" {
			t.Fatalf("redis down: %d %+v", st, h)
		}
		if h.Checks["database"].Status != "ok" {
			t.Errorf("database with redis down: %+v", h.Checks["database"])
		}
	})
}

// /readyz is public: concurrent callers share one round of checks, so
// anonymous requests cannot multiply the instance's connections to its
// dependencies. Here clamd accepts and never answers (each check waits
// its full second): 40 concurrent /readyz open one or two connections to
// it, not 40.
func TestReadyzConcurrentCallersShareOneRound(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	var accepted atomic.Int64
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			held = append(held, c)
		}
	}()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"CLAMAV_ADDR": l.Addr().String()})
	const callers = 40
	var wg sync.WaitGroup
	statuses := make(chan string, callers)
	for range callers {
		wg.Go(func() {
			st, h := readyz(t, in)
			statuses <- fmt.Sprintf("%d %s clamd=%s", st, h.Status, h.Checks["clamd"].Status)
		})
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != "200 degraded clamd=down" {
			t.Errorf("a caller got %q, want 200 degraded with clamd down", s)
		}
	}
	if n := accepted.Load(); n > 2 {
		t.Errorf("%d concurrent /readyz opened %d connections to clamd, want at most 2", callers, n)
	}
}
