package server

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/platform/scan"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// Readiness is the body of /readyz.
type Readiness struct {
	// Status is "ok", "degraded" when a dependency the instance can serve
	// without is down, or "unavailable" (503) when a required one is.
	Status string `json:"status"`
	// Failing names the required dependencies that are down.
	Failing map[string]string `json:"failing,omitempty"`
	// Checks reports every dependency.
	Checks  map[string]Check `json:"checks"`
	Version string           `json:"version"`
}

// Check is one dependency's state on /readyz.
type Check struct {
	// Status is "ok" or "down".
	Status string `json:"status"`
	// Required dependencies make the instance unready (503) when down:
	// the database and, when configured, Redis (sessions fail closed
	// without it). Storage, clamd and the queue only degrade it.
	Required  bool    `json:"required"`
	LatencyMS float64 `json:"latency_ms"`
	// OldestAvailableSeconds (queue only) is how long the oldest job due
	// to run (available, or scheduled or retryable and due) has waited
	// for a worker: the queue's lag.
	OldestAvailableSeconds *float64 `json:"oldest_available_seconds,omitempty"`
}

// readyCheckTimeout bounds each dependency's check; they run at once.
const readyCheckTimeout = time.Second

// Ready checks every dependency at once, each within readyCheckTimeout.
// Callers arriving while a round runs share its result, so however many
// ask at once (/readyz is public), each dependency sees one check at a
// time from this instance.
//
// From SIGTERM on, the instance is draining (see Serve): unavailable
// whatever its dependencies, so balancers take it out before it stops
// accepting.
func (s *Server) Ready(ctx context.Context) Readiness {
	if s.draining.Load() {
		return Readiness{Status: "unavailable", Failing: map[string]string{"instance": "draining"},
			Checks: map[string]Check{}, Version: Version}
	}
	h, _, _ := s.readyRound.Do("ready", func() (any, error) {
		// the round outlives a caller that hangs up: others wait on it
		return s.checkReady(context.WithoutCancel(ctx)), nil
	})
	return h.(Readiness)
}

func (s *Server) checkReady(ctx context.Context) Readiness {
	type probe struct {
		name     string
		required bool
		run      func(ctx context.Context, c *Check) error
	}
	probes := []probe{{"database", true, func(ctx context.Context, _ *Check) error { return s.DB.Ping(ctx) }}}
	if s.Redis != nil {
		probes = append(probes, probe{"redis", true, func(ctx context.Context, _ *Check) error { return s.Redis.Ping(ctx).Err() }})
	}
	probes = append(probes, probe{"storage", false, s.storageReady})
	if s.Cfg.ClamAVAddr != "" {
		probes = append(probes, probe{"clamd", false, func(ctx context.Context, _ *Check) error {
			return scan.Scanner{Addr: s.Cfg.ClamAVAddr, Timeout: readyCheckTimeout}.Ping(ctx)
		}})
	}
	probes = append(probes, probe{"queue", false, s.queueLag})

	h := Readiness{Status: "ok", Checks: map[string]Check{}, Version: Version}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range probes {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, readyCheckTimeout)
			defer cancel()
			c := Check{Status: "ok", Required: p.required}
			start := time.Now()
			err := p.run(ctx, &c)
			c.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				// the reason goes to the log, not to whoever asked
				slog.WarnContext(ctx, "readiness check failed", "dependency", p.name, "err", err)
				c.Status = "down"
				switch {
				case p.required:
					if h.Failing == nil {
						h.Failing = map[string]string{}
					}
					h.Failing[p.name] = "unreachable"
					h.Status = "unavailable"
				case h.Status == "ok":
					h.Status = "degraded"
				}
			}
			h.Checks[p.name] = c
		})
	}
	wg.Wait()
	return h
}

// storageReady checks that media storage answers: the bucket (a missing
// object is an answer) or the local directory.
func (s *Server) storageReady(ctx context.Context, _ *Check) error {
	if local, ok := s.Storage.(*storage.Local); ok {
		return os.MkdirAll(local.Dir, 0o750)
	}
	_, err := s.Storage.Stat(ctx, "readyz-probe")
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// queueLag reports how long the oldest job due to run has waited.
func (s *Server) queueLag(ctx context.Context, c *Check) error {
	res, err := s.Queue.Client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable).
		OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1))
	if err != nil {
		return err
	}
	age := 0.0
	if len(res.Jobs) > 0 {
		age = max(0, time.Since(res.Jobs[0].ScheduledAt).Seconds())
	}
	c.OldestAvailableSeconds = &age
	return nil
}
