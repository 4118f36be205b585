package jobadmin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

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
			return s.byIDs(ctx, where+tail, append(args, tailArgs...)...)
		},
		func() (int64, error) { return countJobs(ctx, s.db.Reader(), where, args...) },
		func(j Job) int64 { return j.ID })
}

// byIDs loads the jobs matching where through River, in where's order.
func (s *Service) byIDs(ctx context.Context, where string, args ...any) ([]Job, error) {
	ids, err := jobIDs(ctx, s.db.Reader(), where, args...)
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
