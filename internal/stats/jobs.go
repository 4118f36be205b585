package stats

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// ReconcileArgs is the periodic job that recomputes recent days.
type ReconcileArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "stats_reconcile" }

// InsertOpts makes it unique: one waiting at a time.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// RebuildArgs recomputes every day (after a bulk load or a TIMEZONE change).
type RebuildArgs struct {
	// TimeZone is the zone the days are cut in, recorded once rebuilt.
	TimeZone string `json:"time_zone"`
}

// Kind implements river.JobArgs.
func (RebuildArgs) Kind() string { return "stats_rebuild" }

// InsertOpts makes it unique while waiting or running.
func (RebuildArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReconcileWorker runs ReconcileArgs. It is idempotent: a run cut short
// (its worker killed) and run again ends where one whole run would.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	S *Service
}

// Work implements river.Worker.
func (w *ReconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	repaired, err := w.S.Reconcile(ctx)
	for _, d := range repaired {
		slog.WarnContext(ctx, "stats: repaired a day whose aggregates had drifted", "day", d.String())
	}
	return err
}

// RebuildWorker runs RebuildArgs.
type RebuildWorker struct {
	river.WorkerDefaults[RebuildArgs]
	S *Service
}

// Work implements river.Worker.
func (w *RebuildWorker) Work(ctx context.Context, j *river.Job[RebuildArgs]) error {
	if _, err := w.S.RebuildAll(ctx); err != nil {
		return err
	}
	return w.S.recordTimeZone(ctx, j.Args.TimeZone)
}

// Register adds the statistics' jobs to a queue's workers and schedules.
func Register(s *Service, workers *river.Workers, every time.Duration) []*river.PeriodicJob {
	river.AddWorker(workers, &ReconcileWorker{S: s})
	river.AddWorker(workers, &RebuildWorker{S: s})
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return ReconcileArgs{}, nil },
		&river.PeriodicJobOpts{ID: "stats_reconcile", RunOnStart: true})}
}

// NeedsRebuild reports whether the aggregates were cut in another time
// zone than the configured one (or never recorded one while orders or
// customers exist).
func (s *Service) NeedsRebuild(ctx context.Context) (bool, error) {
	var tz string
	err := s.db.Reader().QueryRow(ctx, `SELECT value FROM stats_meta WHERE name = 'time_zone'`).Scan(&tz)
	if err == nil {
		return tz != s.cfg.Location.String(), nil
	}
	if !errors.Is(err, db.ErrNoRows) {
		return false, err
	}
	_, any, ferr := firstCountedDay(ctx, s.db.Reader(), s.cfg.Location)
	if ferr != nil {
		return false, ferr
	}
	if !any {
		return false, s.recordTimeZone(ctx, s.cfg.Location.String())
	}
	return true, nil
}

func (s *Service) recordTimeZone(ctx context.Context, tz string) error {
	_, err := s.db.Writer().Exec(ctx, `INSERT INTO stats_meta (name, value) VALUES ('time_zone', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, tz)
	return err
}
