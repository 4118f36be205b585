// Package jobadmin is the administrators' view of the job queue: list jobs
// by state, see their errors, retry and cancel them.
//
// Job lists are never cached: the queue changes outside the API's writes
// (its workers move jobs along), so every read asks the database.
package jobadmin

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
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

var errNotFound = apperr.New(apperr.NotFound, "no such job")

// The details.reason of the refusals of Retry and Cancel.
const (
	ReasonRunning  = "job_running"         // retry: the job is running now
	ReasonWaiting  = "job_already_waiting" // retry: the job is already available to run
	ReasonFinished = "job_finished"        // cancel: the job is completed, discarded or cancelled
)
