package posts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Scheduled publishing and unpublishing run on the job queue: with two
// instances working jobs, a worker stopped before the time and another
// started after it, each fires exactly once, within seconds; an
// unscheduled or rescheduled post's old job does nothing.
func TestScheduledPublishing(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			fast := map[string]string{"JOB_POLL_INTERVAL": "100ms"}
			a := testkit.Start(t, sh, fast)
			b := testkit.Start(t, sh, fast)
			a.CreateUser(t, "chief@example.com", content.PermView, content.PermEdit, content.PermPublish)
			chief := a.LoggedIn(t, "chief@example.com")
			ctx := context.Background()

			create := func(title string) int64 {
				r := chief.Do("POST", "/api/posts", map[string]any{"title": title, "lang": "en"})
				if r.Status != 201 {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				return decodePost(t, r).ID
			}
			schedule := func(id int64, body map[string]any) {
				t.Helper()
				if r := transition(t, chief, id, body); r.Status != 200 {
					t.Fatalf("transition %v: %d %s", body, r.Status, r.Body)
				}
			}
			audits := func(action string, id int64) int {
				return count(t, a, `SELECT COUNT(*) FROM audit_logs WHERE action = ? AND resource_id = ?`, action, fmt.Sprint(id))
			}
			// read from the database: in the embedded mode each instance
			// has its own in-process cache, which another instance's
			// worker does not invalidate (that mode runs one instance)
			status := func(id int64) post {
				var p post
				p.ID = id
				err := a.Srv.DB.Reader().QueryRow(ctx, `SELECT p.status, l.revision FROM posts p
					LEFT JOIN post_live l ON l.post_id = p.id WHERE p.id = ?`, id).Scan(&p.Status, &p.LiveRevision)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			waitFor := func(what string, within time.Duration, ok func() bool) {
				t.Helper()
				deadline := time.Now().Add(within)
				for !ok() {
					if time.Now().After(deadline) {
						t.Fatalf("%s: not within %s", what, within)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}

			// 1. two instances working: fires once, within seconds of its time
			soon := create("Soon")
			at := time.Now().Add(2 * time.Second)
			schedule(soon, map[string]any{"to": "scheduled", "at": at})
			// 2. rescheduled: the first time's job must do nothing
			moved := create("Moved")
			schedule(moved, map[string]any{"to": "scheduled", "at": at})
			schedule(moved, map[string]any{"to": "draft"})
			schedule(moved, map[string]any{"to": "scheduled", "at": time.Now().Add(time.Hour)})

			waitFor("the scheduled publish", 10*time.Second, func() bool { return status(soon).Status == content.Published })
			if late := time.Since(at); late > 5*time.Second {
				t.Fatalf("published %s after its time", late)
			}
			if p := status(soon); p.LiveRevision == nil || count(t, a, `SELECT COUNT(*) FROM posts
				WHERE id = ? AND publish_at IS NULL AND published_at IS NOT NULL`, soon) != 1 {
				t.Fatalf("after the scheduled publish: %+v", p)
			}
			time.Sleep(time.Second) // room for a second firing, were there one
			if n := audits("posts.publish", soon); n != 1 {
				t.Fatalf("published %d times", n)
			}
			if p := status(moved); p.Status != content.Scheduled || p.LiveRevision != nil {
				t.Fatalf("the rescheduled post's old job acted: %+v", p)
			}

			// 3. scheduled unpublish, fired once by b's worker
			until := time.Now().Add(2 * time.Second)
			schedule(soon, map[string]any{"to": "draft", "at": until})
			waitFor("the scheduled unpublish", 10*time.Second, func() bool { return status(soon).Status == content.Draft })
			if n := count(t, a, `SELECT COUNT(*) FROM post_live WHERE post_id = ?`, soon); n != 0 {
				t.Fatal("unpublished post still live")
			}

			// 4. every worker stopped before the time; one started after it
			// publishes the missed post at start
			if err := a.Srv.Queue.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.Srv.Queue.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			missed := create("Missed")
			missedAt := time.Now().Add(time.Second)
			schedule(missed, map[string]any{"to": "scheduled", "at": missedAt})
			time.Sleep(2 * time.Second)
			if p := status(missed); p.Status != content.Scheduled {
				t.Fatalf("published with no worker running: %+v", p)
			}
			testkit.Start(t, sh, fast)
			waitFor("the missed publish at start", 10*time.Second, func() bool { return status(missed).Status == content.Published })
			time.Sleep(time.Second)
			if n := audits("posts.publish", missed); n != 1 {
				t.Fatalf("the missed post published %d times", n)
			}
			if n := audits("posts.publish", soon); n != 1 {
				t.Fatalf("the first post published %d times in all", n)
			}
		})
	}
}
