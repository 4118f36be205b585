package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// effectArgs is a job whose effect is one row per key: running it twice
// must leave one row (the idempotence every handler owes).
type effectArgs struct {
	Key string `json:"key"`
	// Hang makes the run stop after its effect and wait forever, for the
	// worker to be killed mid-run.
	Hang bool `json:"hang"`
	// Fail makes every run fail with this message.
	Fail string `json:"fail"`
}

func (effectArgs) Kind() string { return "test_effect" }

type effectWorker struct {
	river.WorkerDefaults[effectArgs]
	db *db.DB
	// hang honours Args.Hang; the process that rescues the job does not.
	hang bool
}

func (w *effectWorker) Work(ctx context.Context, j *river.Job[effectArgs]) error {
	if j.Args.Fail != "" {
		return errors.New(j.Args.Fail)
	}
	if err := w.db.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO test_effects (key, runs) VALUES (?, 1)
			ON CONFLICT (key) DO UPDATE SET runs = test_effects.runs + 1`, j.Args.Key)
		return err
	}); err != nil {
		return err
	}
	if w.hang && j.Args.Hang {
		<-make(chan struct{})
	}
	return nil
}

func newQueue(t *testing.T, d *db.DB, hang bool, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &effectWorker{db: d, hang: hang})
	q, err := jobs.New(d, workers, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func testConfig() jobs.Config {
	return jobs.Config{Workers: 2, RescueAfter: 2 * time.Second, PollInterval: 50 * time.Millisecond,
		MaxAttempts: 3, ShutdownGrace: 5 * time.Second}
}

func openDB(t *testing.T, e testkit.Engine) *db.DB {
	d := testkit.OpenDB(t, e)
	if _, err := d.Writer().Exec(context.Background(),
		`CREATE TABLE test_effects (key TEXT PRIMARY KEY, runs INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return d
}

func waitJob(t *testing.T, q *jobs.Queue, id int64, want rivertype.JobState, within time.Duration) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := q.Client.JobGet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s after %s, want %s (errors %v)", id, j.State, within, want, j.Errors)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runs(t *testing.T, d *db.DB, key string) int {
	t.Helper()
	var n int
	err := d.Reader().QueryRow(context.Background(), `SELECT runs FROM test_effects WHERE key = ?`, key).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQueue(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openDB(t, e)
			q := newQueue(t, d, false, testConfig())
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = q.Stop(context.Background()) })

			t.Run("a job enqueued in a rolled-back transaction never exists", func(t *testing.T) {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					if err := q.Enqueue(ctx, tx, effectArgs{Key: "rolled-back"}, nil); err != nil {
						return err
					}
					return errors.New("the business write failed")
				})
				if err == nil {
					t.Fatal("the transaction should have failed")
				}
				res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds("test_effect").First(100))
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range res.Jobs {
					if strings.Contains(string(j.EncodedArgs), "rolled-back") {
						t.Fatalf("job %d exists though its transaction rolled back", j.ID)
					}
				}
			})

			t.Run("a job enqueued in a committed transaction runs once", func(t *testing.T) {
				var id int64
				err := d.InTx(ctx, func(tx *db.Tx) error {
					r, err := q.Client.InsertTx(ctx, tx.SQL(), effectArgs{Key: "committed"}, nil)
					if err == nil {
						id = r.Job.ID
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				waitJob(t, q, id, rivertype.JobStateCompleted, 20*time.Second)
				if n := runs(t, d, "committed"); n != 1 {
					t.Fatalf("effect ran %d times, want 1", n)
				}
			})

			t.Run("a job that keeps failing is discarded with its errors", func(t *testing.T) {
				r, err := q.Client.Insert(ctx, effectArgs{Key: "doomed", Fail: "the remote end said no"},
					&river.InsertOpts{MaxAttempts: 2})
				if err != nil {
					t.Fatal(err)
				}
				j := waitJob(t, q, r.Job.ID, rivertype.JobStateDiscarded, 30*time.Second)
				if j.Attempt != 2 || len(j.Errors) != 2 {
					t.Fatalf("attempts %d, errors %d; want 2 and 2", j.Attempt, len(j.Errors))
				}
				if !strings.Contains(j.Errors[1].Error, "the remote end said no") {
					t.Fatalf("last error %q does not say why", j.Errors[1].Error)
				}
			})
		})
	}
}

// TestKilledWorker kills a worker process in the middle of a job; another
// worker rescues the job and finishes it, and its effect happens once.
func TestKilledWorker(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openDB(t, e)
			url := dbURL(t, d)
			producer := newQueue(t, d, false, jobs.Config{})
			r, err := producer.Client.Insert(ctx, effectArgs{Key: "killed", Hang: true}, nil)
			if err != nil {
				t.Fatal(err)
			}

			child := exec.Command(os.Args[0], "-test.run=^$")
			child.Env = append(os.Environ(), "PISHKHAN_JOBS_TEST_WORKER="+url)
			child.Stdout, child.Stderr = os.Stderr, os.Stderr
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitJob(t, producer, r.Job.ID, rivertype.JobStateRunning, 30*time.Second)
			for runs(t, d, "killed") == 0 {
				time.Sleep(20 * time.Millisecond)
			}
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()

			rescuer := newQueue(t, d, false, testConfig())
			if err := rescuer.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = rescuer.Stop(context.Background()) })
			j := waitJob(t, rescuer, r.Job.ID, rivertype.JobStateCompleted, 60*time.Second)
			if j.Attempt != 2 {
				t.Fatalf("the job completed on attempt %d, want 2 (the killed run, then the rescue)", j.Attempt)
			}
			if n := runs(t, d, "killed"); n != 2 {
				t.Fatalf("the effect counter says %d runs, want 2 (one cut short, one whole)", n)
			}
		})
	}
}

// dbURL finds the target the test database was opened from.
func dbURL(t *testing.T, d *db.DB) string {
	t.Helper()
	if d.Engine == db.SQLite {
		var file string
		if err := d.SQL.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
			t.Fatal(err)
		}
		return file
	}
	var name string
	if err := d.SQL.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(testkit.PostgresAdminURL()[:strings.LastIndex(testkit.PostgresAdminURL(), "/")], "/") + "/" + name + "?sslmode=disable"
}

func TestMain(m *testing.M) {
	if url := os.Getenv("PISHKHAN_JOBS_TEST_WORKER"); url != "" {
		if err := runChildWorker(url); err != nil {
			fmt.Fprintln(os.Stderr, "child worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChildWorker is the process TestKilledWorker kills: it works jobs,
// hanging in the middle of the one that asks it to.
func runChildWorker(url string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &effectWorker{db: d, hang: true})
	q, err := jobs.New(d, workers, nil, jobs.Config{Workers: 1, RescueAfter: time.Hour,
		PollInterval: 50 * time.Millisecond, MaxAttempts: 3, ShutdownGrace: time.Second})
	if err != nil {
		return err
	}
	if err := q.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// slowArgs is a job that takes Millis to run, or until cancelled.
type slowArgs struct {
	Key    string `json:"key"`
	Millis int    `json:"millis"`
}

func (slowArgs) Kind() string { return "test_slow" }

type slowWorker struct {
	river.WorkerDefaults[slowArgs]
	db      *db.DB
	started chan struct{}
}

func (w *slowWorker) Work(ctx context.Context, j *river.Job[slowArgs]) error {
	w.started <- struct{}{}
	select {
	case <-time.After(time.Duration(j.Args.Millis) * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	return w.db.InTx(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO test_effects (key, runs) VALUES (?, 1)`, j.Args.Key)
		return err
	})
}

// TestGracefulStop: at shutdown a running job that finishes within the
// grace period completes; one that does not is cancelled and goes back to
// the queue to run again, not lost and not marked done.
func TestGracefulStop(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := openDB(t, e)
			start := func() (*jobs.Queue, *slowWorker) {
				w := &slowWorker{db: d, started: make(chan struct{}, 1)}
				workers := river.NewWorkers()
				river.AddWorker(workers, w)
				cfg := testConfig()
				cfg.ShutdownGrace = 500 * time.Millisecond
				cfg.RescueAfter = time.Hour
				q, err := jobs.New(d, workers, nil, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := q.Start(ctx); err != nil {
					t.Fatal(err)
				}
				return q, w
			}
			for _, c := range []struct {
				key    string
				millis int
				// want lists the acceptable states: River puts a job cut
				// short by a stop back as available (or retryable)
				want []rivertype.JobState
				runs int
			}{
				{"quick", 100, []rivertype.JobState{rivertype.JobStateCompleted}, 1},
				{"too-slow", 60_000, []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateRetryable}, 0},
			} {
				q, w := start()
				res, err := q.Client.Insert(ctx, slowArgs{Key: c.key, Millis: c.millis}, nil)
				if err != nil {
					t.Fatal(err)
				}
				<-w.started
				if err := q.Stop(ctx); err != nil {
					t.Fatalf("%s: stop: %v", c.key, err)
				}
				j, err := q.Client.JobGet(ctx, res.Job.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(c.want, j.State) || runs(t, d, c.key) != c.runs {
					t.Fatalf("%s: after stop the job is %s with %d effects; want %s with %d", c.key, j.State, runs(t, d, c.key), c.want, c.runs)
				}
			}
		})
	}
}
