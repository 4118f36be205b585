// Package jobs is Pishkhan's durable job queue: River over the same
// database as the data (PostgreSQL through database/sql, or SQLite), so a
// job enqueued inside a business transaction commits with it or not at all.
//
// Jobs are retried with River's backoff up to MaxAttempts and then kept as
// "discarded" (the dead-letter state) with every attempt's error. A job
// whose worker died mid-run (its process killed) stays "running" until the
// rescuer, after RescueAfter, makes it retryable again; handlers must be
// idempotent, since such a job runs again from the start.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"database/sql"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

// Config tunes the queue.
type Config struct {
	// Workers is how many jobs this process runs at once; 0 makes it a
	// producer only (it enqueues, another process works).
	Workers int
	// RescueAfter is how long a job may stay running before it is taken
	// to be abandoned by a dead worker and retried.
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for new jobs.
	PollInterval time.Duration
	// MaxAttempts is how many times a job runs before it is discarded.
	MaxAttempts int
	// ShutdownGrace is how long Stop lets running jobs finish before it
	// cancels them (a cancelled job returns to the queue for a retry).
	ShutdownGrace time.Duration
}

// Queue enqueues jobs and, with workers, runs them.
type Queue struct {
	Client *river.Client[*sql.Tx]
	cfg    Config
}

func driver(d *db.DB) riverdriver.Driver[*sql.Tx] {
	if d.Engine == db.SQLite {
		return riversqlite.New(d.SQL)
	}
	return riverdatabasesql.New(d.SQL)
}

// New builds a queue over d. workers and periodic are the features' job
// handlers and schedules; every process must register the same kinds.
func New(d *db.DB, workers *river.Workers, periodic []*river.PeriodicJob, cfg Config) (*Queue, error) {
	rc := &river.Config{
		Logger:               slog.New(warnOnly{slog.Default().Handler()}),
		MaxAttempts:          cfg.MaxAttempts,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		// a run may last until it would be taken for abandoned
		JobTimeout:   min(10*time.Minute, cfg.RescueAfter),
		Workers:      workers,
		PeriodicJobs: periodic,
	}
	if telemetry.Tracing() {
		// a span per insert and per run, the run linked to the insert's trace
		rc.Middleware = []rivertype.Middleware{otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			EnableTracePropagation: true, EnableWorkSpanJobKindSuffix: true})}
	}
	if cfg.Workers > 0 {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	c, err := river.NewClient(driver(d), rc)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{Client: c, cfg: cfg}, nil
}

// Working reports whether this process runs jobs.
func (q *Queue) Working() bool { return q.cfg.Workers > 0 }

// Start begins working (when Workers > 0) until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if !q.Working() {
		return nil
	}
	return q.Client.Start(ctx)
}

// Stop lets running jobs finish for up to ShutdownGrace, then cancels
// them; a cancelled job goes back to the queue and runs again later.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.Working() {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, q.cfg.ShutdownGrace)
	defer cancel()
	err := q.Client.Stop(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		slog.Warn("jobs still running at shutdown: cancelling them; they will be retried")
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return q.Client.StopAndCancel(cctx)
	}
	return err
}

// Enqueue adds a job inside tx: it exists only if tx commits.
func (q *Queue) Enqueue(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.Client.InsertTx(ctx, tx.SQL(), args, opts)
	return err
}

// Migrate brings River's tables up to this binary's version.
func Migrate(ctx context.Context, d *db.DB) (int, error) {
	m, err := rivermigrate.New(driver(d), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return 0, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	return len(res.Versions), nil
}

// CheckCurrent refuses a database whose job tables are not at this
// binary's version.
func CheckCurrent(ctx context.Context, d *db.DB) error {
	m, err := rivermigrate.New(driver(d), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("the job queue's tables are not current (%v): run `pishkhan migrate`", res.Messages)
	}
	return nil
}

// warnOnly passes on River's warnings and errors, not its routine chatter.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(a)} }
func (h warnOnly) WithGroup(n string) slog.Handler      { return warnOnly{h.Handler.WithGroup(n)} }

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError}))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// WaitingStates are the states of jobs not yet finished, and discarded
// (dead) jobs: Counts reports these.
var WaitingStates = []string{"available", "scheduled", "retryable", "running", "discarded"}

// Counts returns how many jobs are in each of WaitingStates, zero ones
// included.
func Counts(ctx context.Context, d *db.DB) (map[string]int64, error) {
	out := make(map[string]int64, len(WaitingStates))
	for _, st := range WaitingStates {
		out[st] = 0
	}
	rows, err := d.Reader().Query(ctx, `SELECT state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'discarded') GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
