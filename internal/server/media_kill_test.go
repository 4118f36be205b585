package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// childWorkerEnv names the variable holding the JSON environment of a
// worker process the test starts (and kills): the test binary re-run.
const childWorkerEnv = "PISHKHAN_TEST_CHILD_WORKER"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childWorkerEnv); raw != "" {
		os.Exit(runChildWorker(raw))
	}
	os.Exit(m.Run())
}

// runChildWorker is `pishkhan worker` in a process of its own.
func runChildWorker(raw string) int {
	var env map[string]string
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg, err := config.Load(testkit.Env(env))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	<-ctx.Done()
	return 0
}

// TestMediaWorkerKilledMidPipeline: a worker process is killed while its
// pipeline waits on the virus scanner; after the rescue delay another
// worker runs the job again from the start and the item ends ready, once.
func TestMediaWorkerKilledMidPipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// a clamd that accepts and never answers: the pipeline hangs in the scan
	hang := testkit.SilentServer(t)
	sh := testkit.NewShared(t, pgRedis)
	// the API instance works no jobs
	api := testkit.Start(t, sh, map[string]string{"JOB_WORKERS": "0"})
	api.CreateSuperuser(t, "admin@example.com")
	admin := api.LoggedIn(t, "admin@example.com")

	childEnv := map[string]string{"DATABASE_URL": sh.DatabaseURL, "REDIS_URL": sh.Redis.URL, "CACHE_PREFIX": "pktest:",
		"MEDIA_DIR": sh.MediaDir, "JOB_WORKERS": "1", "JOB_POLL_INTERVAL": "50ms", "CLAMAV_ADDR": hang,
		"LOG_LEVEL": "error", "SECRET_KEY": testkit.SecretKey}
	raw, _ := json.Marshal(childEnv)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childWorkerEnv+"="+string(raw))
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })

	png := tinyPNG(t)
	r := admin.Do("POST", "/api/media/upload", map[string]any{"filename": "k.png", "content_type": "image/png", "size": len(png)})
	var up uploadAnswer
	r.JSON(t, &up)
	if s := sendSigned(t, api, up.Upload, png); s != 200 {
		t.Fatalf("upload: %d", s)
	}
	if r := admin.Do("POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil); r.Status != 202 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	q, err := api.Srv.InsertOnlyQueue()
	if err != nil {
		t.Fatal(err)
	}
	var job *rivertype.JobRow
	waitFor(t, func() bool {
		res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds(media.ProcessArgs{}.Kind()).States(rivertype.JobStateRunning))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Jobs) == 1 {
			job = res.Jobs[0]
		}
		return job != nil
	})
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	// a new worker, without a scanner, takes jobs left running for 2 s
	testkit.Start(t, sh, map[string]string{"JOB_WORKERS": "1", "JOB_POLL_INTERVAL": "50ms", "JOB_RESCUE_AFTER": "2s"})
	var m mediaItem
	deadline := time.Now().Add(60 * time.Second)
	for m.Status != "ready" {
		if time.Now().After(deadline) {
			t.Fatalf("the item is %q a minute after its worker died", m.Status)
		}
		time.Sleep(100 * time.Millisecond)
		admin.Do("GET", fmt.Sprintf("/api/media/%d", up.Media.ID), nil).JSON(t, &m)
	}
	var done *rivertype.JobRow
	waitFor(t, func() bool { // the job is marked completed just after its work returns
		if done, err = q.Client.JobGet(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		return done.State != rivertype.JobStateRunning
	})
	if done.State != rivertype.JobStateCompleted || done.Attempt != 2 {
		t.Fatalf("the job is %s after %d attempts; want completed on the second", done.State, done.Attempt)
	}
	if len(m.Thumbnails) != 2 || m.Scan != "not_scanned" {
		t.Fatalf("after the rescue: %+v", m)
	}
}
