package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// A backup taken while orders are being written restores into a new
// DATA_DIR that starts, whose audit chain verifies, and that holds every
// order acknowledged before the backup began, its media and its key.
func TestBackupWhileServingAndRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), nil)
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	if err := in.Srv.Storage.Put(ctx, "backup-test/hello.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(testkit.SampleOrder("buyer@example.com"))
	type ack struct {
		id int64
		at time.Time
	}
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
	)
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", c.Base+"/api/orders", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", c.CSRF)
				resp, err := c.HTTP.Do(req)
				if err != nil {
					continue
				}
				var o struct{ ID int64 }
				_ = json.NewDecoder(resp.Body).Decode(&o)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acks = append(acks, ack{o.ID, time.Now()})
					mu.Unlock()
				}
			}
		})
	}
	for n := 0; n < 20; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n = len(acks)
		mu.Unlock()
	}
	began := time.Now()
	dest := filepath.Join(t.TempDir(), "backup")
	m, _, err := server.Backup(ctx, in.Srv.Cfg, dest)
	time.Sleep(100 * time.Millisecond) // writes go on after it too
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup while serving: %v", err)
	}
	if !m.SecretKey || !m.AuditCheckpoint || m.MediaFiles < 1 || m.SchemaVersion == 0 {
		t.Fatalf("the backup lacks a part: %+v", m)
	}
	if _, _, err := server.Backup(ctx, in.Srv.Cfg, dest); err == nil {
		t.Error("a backup into a non-empty directory was made")
	}

	// a DATA_DIR in use is refused without --force, and left alone
	busy := in.Srv.Cfg
	busy.DataDir, busy.MediaDir = t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(busy.DataDir, "pishkhan.db"), []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Restore(busy, dest, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore into a non-empty DATA_DIR: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(busy.DataDir, "pishkhan.db")); string(b) != "precious" {
		t.Fatal("a refused restore changed DATA_DIR")
	}
	if _, err := server.Restore(busy, t.TempDir(), true); err == nil {
		t.Fatal("a directory that is no backup was restored")
	}

	restored := in.Srv.Cfg
	restored.DataDir = filepath.Join(t.TempDir(), "data")
	restored.MediaDir = filepath.Join(t.TempDir(), "media")
	if _, err := server.Restore(restored, dest, false); err != nil {
		t.Fatalf("restore into an empty DATA_DIR: %v", err)
	}
	s, err := server.New(ctx, restored)
	if err != nil {
		t.Fatalf("the restored instance does not start: %v", err)
	}
	closeRestored := sync.OnceFunc(s.Close)
	defer closeRestored()
	rep, err := audit.Verify(ctx, s.DB.Reader(), s.AuditAnchor)
	if err != nil || len(rep.Problems) > 0 || rep.Checkpoint == nil || rep.Rows == 0 {
		t.Fatalf("audit verify on the restored instance: %v %+v", err, rep)
	}
	before := 0
	for _, a := range acks {
		if !a.at.Before(began) {
			continue
		}
		before++
		var n int
		if err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE id = ?`, a.id).Scan(&n); err != nil || n != 1 {
			t.Fatalf("order %d, acknowledged before the backup began, is not restored (%v)", a.id, err)
		}
	}
	if before < 20 {
		t.Fatalf("only %d orders acknowledged before the backup", before)
	}
	f, err := s.Storage.Open(ctx, "backup-test/hello.txt")
	if err != nil {
		t.Fatalf("media not restored: %v", err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "hello" {
		t.Fatalf("restored media = %q", b)
	}
	// the same key: sessions, cursors and TOTP secrets keep working
	hs := httptest.NewServer(s.Handler)
	defer hs.Close()
	rc := (&testkit.Instance{URL: hs.URL}).LoggedIn(t, "admin@example.com")
	if r := rc.Do("GET", "/api/orders?limit=5", nil); r.Status != 200 {
		t.Fatalf("the restored instance does not serve: %d %s", r.Status, r.Body)
	}

	// --force replaces a DATA_DIR in use
	closeRestored()
	if _, err := server.Restore(restored, dest, false); err == nil {
		t.Fatal("restore over a restored DATA_DIR without --force")
	}
	// a write-ahead log left by the replaced database must not be replayed
	if err := os.WriteFile(restored.SQLitePath()+"-wal", []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Restore(restored, dest, true); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if _, err := os.Stat(restored.SQLitePath() + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the replaced database's WAL survived a forced restore: %v", err)
	}
	s, err = server.New(ctx, restored)
	if err != nil {
		t.Fatalf("the instance restored with --force does not start: %v", err)
	}
	s.Close()
}

// A backup directory inside the media folder (DATA_DIR/media by default)
// is refused by both commands before they touch anything: a backup would
// copy itself into itself (and the secret key with the media's mode), and
// restore --force would delete the backup it reads together with the
// database it replaces.
func TestBackupDirectoryInsideMediaIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), nil)
	in.CreateSuperuser(t, "admin@example.com")
	if err := in.Srv.Storage.Put(ctx, "backup-test/hello.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	cfg := in.Srv.Cfg
	media := cfg.MediaDir
	if media == "" {
		media = filepath.Join(cfg.DataDir, "media")
	}
	for _, dest := range []string{filepath.Join(media, "bk"), filepath.Join(media, "backup-test", "bk"), media} {
		_, _, err := server.Backup(ctx, cfg, dest)
		if err == nil || !strings.Contains(err.Error(), "media") {
			t.Errorf("backup into %s: %v, want a refusal naming the media directory", dest, err)
		}
		if dest != media {
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused backup made %s (%v)", dest, err)
			}
		}
	}

	good := filepath.Join(t.TempDir(), "backup")
	if _, _, err := server.Backup(ctx, cfg, good); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(media, "old-backup")
	if err := os.CopyFS(src, os.DirFS(good)); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Restore(cfg, src, true); err == nil || !strings.Contains(err.Error(), "media") {
		t.Fatalf("restore --force from inside the media directory: %v, want a refusal naming it", err)
	}
	for _, p := range []string{cfg.SQLitePath(), filepath.Join(src, "backup.json"), filepath.Join(media, "backup-test", "hello.txt")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a refused restore removed %s: %v", p, err)
		}
	}
}

// restore --force from an incomplete backup (a file its manifest lists is
// missing) is refused before anything in DATA_DIR is removed.
func TestRestoreForceFromAnIncompleteBackupChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), nil)
	in.CreateSuperuser(t, "admin@example.com")
	in.LoggedIn(t, "admin@example.com").CreateOrder("buyer@example.com") // an audit row, so a checkpoint
	if err := in.Srv.Storage.Put(ctx, "backup-test/hello.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "backup")
	m, _, err := server.Backup(ctx, in.Srv.Cfg, dest)
	if err != nil {
		t.Fatal(err)
	}
	if !m.SecretKey || !m.AuditCheckpoint {
		t.Fatalf("the backup lacks a part: %+v", m)
	}
	restored := in.Srv.Cfg
	restored.DataDir = filepath.Join(t.TempDir(), "data")
	restored.MediaDir = filepath.Join(t.TempDir(), "media")
	if _, err := server.Restore(restored, dest, false); err != nil {
		t.Fatal(err)
	}
	for _, missing := range []string{"secret.key", "audit-checkpoint.json"} {
		broken := filepath.Join(t.TempDir(), "broken")
		if err := os.CopyFS(broken, os.DirFS(dest)); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(broken, missing)); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Restore(restored, broken, true); err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("restore --force from a backup without %s: %v, want a refusal naming it", missing, err)
		}
		for _, p := range []string{restored.SQLitePath(), server.SecretKeyFile(restored), filepath.Join(restored.DataDir, "audit-checkpoint.json"),
			filepath.Join(restored.MediaDir, "backup-test", "hello.txt")} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("a refused restore (no %s) removed %s: %v", missing, p, err)
			}
		}
	}
}

// The database copy is never readable by others, not even while it is
// being written into a destination directory others may list (the backup
// only makes directories of its own private).
func TestBackupDatabaseNeverWorldReadable(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), nil)
	in.CreateSuperuser(t, "admin@example.com")
	dest := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	var wide atomic.Uint32
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if fi, err := os.Stat(filepath.Join(dest, "pishkhan.db")); err == nil && fi.Mode().Perm()&0o077 != 0 {
				wide.Store(uint32(fi.Mode().Perm()))
			}
		}
	}()
	_, _, err := server.Backup(context.Background(), in.Srv.Cfg, dest)
	close(stop)
	<-watched
	if err != nil {
		t.Fatal(err)
	}
	if m := wide.Load(); m != 0 {
		t.Fatalf("the database copy was %o while being written", m)
	}
}

// restore --force refuses while a server (or any command) has DATA_DIR's
// database open, and changes nothing: replacing the files under a running
// server silently loses every write it acknowledges afterwards. Stopped,
// the same restore goes through.
func TestRestoreRefusesWhileServing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), nil)
	in.CreateSuperuser(t, "admin@example.com")
	dest := filepath.Join(t.TempDir(), "backup")
	if _, _, err := server.Backup(ctx, in.Srv.Cfg, dest); err != nil {
		t.Fatal(err)
	}
	cfg := in.Srv.Cfg
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.MediaDir = filepath.Join(t.TempDir(), "media")
	if _, err := server.Restore(cfg, dest, false); err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeServer := sync.OnceFunc(s.Close)
	defer closeServer()
	if _, err := s.DB.Writer().Exec(ctx, `UPDATE users SET name = 'written after the backup'`); err != nil {
		t.Fatal(err)
	}
	_, err = server.Restore(cfg, dest, true)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore --force under a running server: %v, want a refusal saying the database is in use", err)
	}
	var name string
	if err := s.DB.Reader().QueryRow(ctx, `SELECT name FROM users LIMIT 1`).Scan(&name); err != nil || name != "written after the backup" {
		t.Fatalf("the running server's database changed: %q %v", name, err)
	}
	closeServer()
	if _, err := server.Restore(cfg, dest, true); err != nil {
		t.Fatalf("restore --force once the server stopped: %v", err)
	}
}
