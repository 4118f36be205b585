package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/jobadmin"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/stats"
	"github.com/pishkhan/pishkhan/internal/webhooks"
)

// WarmArgs fills the hot cache keys: the first order list pages and every
// range of the statistics overview. `pishkhan migrate` enqueues it.
type WarmArgs struct{}

// Kind implements river.JobArgs.
func (WarmArgs) Kind() string { return "cache_warm" }

// InsertOpts keeps one waiting at a time.
func (WarmArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type warmWorker struct {
	river.WorkerDefaults[WarmArgs]
	s *Server
}

func (w *warmWorker) Work(ctx context.Context, _ *river.Job[WarmArgs]) error { return w.s.Warm(ctx) }

// Warm fills the hot cache keys now.
func (s *Server) Warm(ctx context.Context) error {
	if err := s.Orders.Warm(ctx); err != nil {
		return fmt.Errorf("warm orders: %w", err)
	}
	if err := s.Stats.Warm(ctx); err != nil {
		return fmt.Errorf("warm stats: %w", err)
	}
	return nil
}

// newQueue registers every feature's jobs; every process (serve, worker,
// migrate) registers the same kinds.
func (s *Server) newQueue() (*jobs.Queue, error) {
	workers := river.NewWorkers()
	periodic := stats.Register(s.Stats, workers, s.Cfg.StatsReconcileEvery)
	river.AddWorker(workers, &warmWorker{s: s})
	media.Register(s.Media, workers)
	posts.Register(s.Posts, workers)
	webhooks.Register(s.Webhooks, workers)
	return jobs.New(s.DB, workers, periodic, jobs.Config{Workers: s.Cfg.JobWorkers, RescueAfter: s.Cfg.JobRescueAfter,
		PollInterval: s.Cfg.JobPollInterval, MaxAttempts: 10,
		// half the drain to finish, the rest for cancelled jobs to return
		ShutdownGrace: max(s.Cfg.ShutdownTimeout/2, time.Second)})
}

// startJobs starts working (when this process works jobs), announces job
// changes to the jobs screen, and asks for a statistics rebuild when the
// configured TIMEZONE is not the one the aggregates were cut in.
func (s *Server) startJobs(ctx context.Context) error {
	rebuild, err := s.Stats.NeedsRebuild(ctx)
	if err != nil {
		return err
	}
	if rebuild {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			return s.Queue.Enqueue(ctx, tx, stats.RebuildArgs{TimeZone: s.Stats.Location().String()}, nil)
		})
		if err != nil {
			return err
		}
		slog.Info("statistics will be rebuilt for the time zone", "time_zone", s.Stats.Location().String())
	}
	if !s.Queue.Working() {
		return nil
	}
	events, stop := s.Queue.Client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				jobadmin.Announce(ctx, s.Bus, e.Job.ID)
			}
		}
	}()
	return s.Queue.Start(ctx)
}

// Migrate applies this binary's migrations: Pishkhan's own, then the job
// queue's. Open (not New) the server to call it.
func (s *Server) Migrate(ctx context.Context) ([]db.Migration, error) {
	return s.DB.Migrate(ctx, func(ctx context.Context) error {
		_, err := jobs.Migrate(ctx, s.DB)
		return err
	})
}

// InsertOnlyQueue returns a queue that enqueues but never works, for
// commands run on an Open (not New) server.
func (s *Server) InsertOnlyQueue() (*jobs.Queue, error) {
	return jobs.New(s.DB, nil, nil, jobs.Config{MaxAttempts: 10})
}
