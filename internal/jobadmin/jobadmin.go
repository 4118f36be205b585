// Package jobadmin is the administrators' view of the job queue: list jobs
// by state, see their errors, retry and cancel them.
//
// Job lists are never cached: the queue changes outside the API's writes
// (its workers move jobs along), so every read asks the database.
package jobadmin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// PermManage sees the queue and retries and cancels jobs.
const PermManage authz.Permission = "jobs.manage"

// Resource is the events name of jobs.
const Resource = "jobs"

func init() {
	authz.Register(map[authz.Permission]string{PermManage: "See background jobs; retry failed ones and cancel waiting ones"})
}

// States are River's job states, as the API names them.
var States = []string{"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled", "pending"}

// JobError is one failed attempt.
type JobError struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error"`
	// Kind is what went wrong, as a stable name (see ErrorKinds), for
	// clients to explain instead of reading Error.
	Kind ErrorKind `json:"kind"`
}

// Job is a job as the API shows it.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Queue       string          `json:"queue"`
	State       string          `json:"state"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Args        json.RawMessage `json:"args"`
	Errors      []JobError      `json:"errors"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	AttemptedAt *time.Time      `json:"attempted_at"`
	FinalizedAt *time.Time      `json:"finalized_at"`
}

func fromRow(r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: string(r.State), Attempt: r.Attempt,
		MaxAttempts: r.MaxAttempts, Args: json.RawMessage(r.EncodedArgs), Errors: []JobError{},
		CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(), AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt}
	if len(j.Args) == 0 {
		j.Args = json.RawMessage("{}")
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, JobError{At: e.At.UTC(), Attempt: e.Attempt, Error: e.Error, Kind: ClassifyText(e.Error)})
	}
	return j
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.States) > 0 {
		conds = append(conds, `state IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ")+`)`)
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.Kind != "" {
		conds = append(conds, `kind = ?`)
		args = append(args, f.Kind)
	}
	if len(conds) == 0 {
		return `1 = 1`, nil
	}
	return strings.Join(conds, ` AND `), args
}

// Service lists and acts on jobs.
type Service struct {
	db      *db.DB
	client  *river.Client[*sql.Tx]
	bus     events.Bus
	cursors paging.CursorCodec
}

// NewService wires the service.
func NewService(d *db.DB, client *river.Client[*sql.Tx], bus events.Bus, cursorKey []byte) *Service {
	return &Service{db: d, client: client, bus: bus, cursors: paging.CursorCodec{Key: cursorKey}}
}

// List returns a page of jobs, newest first.
func (s *Service) List(ctx context.Context, f Filter, pr paging.Request) ([]byte, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(f.canonical(), pr.Cursor, &after); err != nil {
			return nil, err
		}
	}
	where, args := f.where()
	return db.NewestFirst(pr, s.cursors, f.canonical(), after, "id",
		func(tail string, tailArgs ...any) ([]Job, error) {
			return s.byIDs(ctx, `SELECT id FROM river_job WHERE `+where+tail, append(args, tailArgs...)...)
		},
		func() (int64, error) {
			var n int64
			err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE `+where, args...).Scan(&n)
			return n, err
		},
		func(j Job) int64 { return j.ID })
}

// byIDs runs an id query and loads those jobs through River, in the
// query's order.
func (s *Service) byIDs(ctx context.Context, q string, args ...any) ([]Job, error) {
	ids, err := s.ids(ctx, q, args...)
	if err != nil || len(ids) == 0 {
		return []Job{}, err
	}
	res, err := s.client.JobList(ctx, river.NewJobListParams().IDs(ids...).First(len(ids)))
	if err != nil {
		return nil, err
	}
	byID := map[int64]*rivertype.JobRow{}
	for _, r := range res.Jobs {
		byID[r.ID] = r
	}
	out := make([]Job, 0, len(ids))
	for _, id := range ids {
		if r := byID[id]; r != nil {
			out = append(out, fromRow(r))
		}
	}
	return out, nil
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

var errNotFound = apperr.New(apperr.NotFound, "no such job")

// Get returns one job.
func (s *Service) Get(ctx context.Context, id int64) ([]byte, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	r, err := s.client.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(fromRow(r))
}

// The details.reason of the refusals of Retry and Cancel.
const (
	ReasonRunning  = "job_running"         // retry: the job is running now
	ReasonWaiting  = "job_already_waiting" // retry: the job is already available to run
	ReasonFinished = "job_finished"        // cancel: the job is completed, discarded or cancelled
)

// Retry makes a failed, discarded or cancelled job run again now.
func (s *Service) Retry(ctx context.Context, id int64) ([]byte, error) {
	return s.act(ctx, id, "jobs.retry", func(tx *sql.Tx, before *rivertype.JobRow) (*rivertype.JobRow, error) {
		switch before.State {
		case rivertype.JobStateRunning:
			return nil, apperr.New(apperr.Conflict, "the job is running; wait for it to finish or fail").WithReason(ReasonRunning)
		case rivertype.JobStateAvailable:
			return nil, apperr.New(apperr.Conflict, "the job is already waiting to run").WithReason(ReasonWaiting)
		}
		return s.client.JobRetryTx(ctx, tx, id)
	})
}

// Cancel stops a job from running again (a running one is told to stop).
func (s *Service) Cancel(ctx context.Context, id int64) ([]byte, error) {
	return s.act(ctx, id, "jobs.cancel", func(tx *sql.Tx, before *rivertype.JobRow) (*rivertype.JobRow, error) {
		switch before.State {
		case rivertype.JobStateCompleted, rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
			return nil, apperr.New(apperr.Conflict, "the job is %s; there is nothing to cancel", before.State).WithReason(ReasonFinished)
		}
		return s.client.JobCancelTx(ctx, tx, id)
	})
}

func (s *Service) act(ctx context.Context, id int64, action string,
	change func(tx *sql.Tx, before *rivertype.JobRow) (*rivertype.JobRow, error)) ([]byte, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	var after *rivertype.JobRow
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.client.JobGetTx(ctx, tx.SQL(), id)
		if errors.Is(err, river.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if after, err = change(tx.SQL(), before); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "job", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"state": {From: string(before.State), To: string(after.State)},
				"kind": {To: before.Kind}}})
	})
	if err != nil {
		return nil, err
	}
	Announce(ctx, s.bus, id)
	return json.Marshal(fromRow(after))
}

// Announce tells viewers of the queue that a job changed.
func Announce(ctx context.Context, bus events.Bus, id int64) {
	if err := bus.Publish(ctx, events.Event{Event: "updated", Resource: Resource, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing a job event failed", "job_id", id, "err", err)
	}
}
