// Package testkit starts the real parts tests run against: a fresh
// PostgreSQL database, a SQLite file, a private redis-server, and whole
// Pishkhan instances over them. A missing part fails the test; nothing is
// skipped.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
)

// PostgresAdminURL is the server tests create their databases on.
func PostgresAdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// NewPostgres creates an empty database for the test and drops it after.
func NewPostgres(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin := PostgresAdminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL is required for this test (TEST_DATABASE_URL=%s): %v", admin, err)
	}
	name := randomName("pk_test_")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	_ = conn.Close(ctx)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = c.Close(context.Background())
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewSQLite returns a path for a new SQLite database in the test's temp dir.
func NewSQLite(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "pishkhan.db")
}

// Engine names a database engine for table-driven tests.
type Engine struct {
	Name string
	// Target returns a fresh database for one test.
	Target func(t testing.TB) string
}

// Engines are both engines: every store test runs on each.
var Engines = []Engine{
	{Name: "sqlite", Target: NewSQLite},
	{Name: "postgres", Target: NewPostgres},
}

// OpenDB opens and migrates a fresh database of the engine.
func OpenDB(t testing.TB, e Engine) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), e.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Redis is a private redis-server process owned by one test.
type Redis struct {
	Addr string
	URL  string
	cmd  *exec.Cmd
	port int
	dir  string
	mu   sync.Mutex
}

func freePort(t testing.TB) int {
	port, err := anyFreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// anyFreePort answers a loopback port nobody listens on now.
func anyFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartRedis starts redis-server on a free loopback port; it is stopped
// when the test ends.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is required for this test: %v", err)
	}
	r := &Redis{port: freePort(t), dir: t.TempDir()}
	r.Addr = "127.0.0.1:" + strconv.Itoa(r.port)
	r.URL = "redis://" + r.Addr + "/0"
	r.start(t, bin)
	t.Cleanup(r.Stop)
	return r
}

func (r *Redis) start(t testing.TB, bin string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", r.dir, "--protected-mode", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.Ping(context.Background()).Err(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start", r.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server.
func (r *Redis) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// Restart starts the server again on the same port (empty).
func (r *Redis) Restart(t testing.TB) {
	bin, _ := exec.LookPath("redis-server")
	r.start(t, bin)
}

// Pause freezes the server (SIGSTOP): connections stay open, answers stop.
func (r *Redis) Pause() { r.signal(syscall.SIGSTOP) }

func (r *Redis) signal(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(sig)
	}
}

// Resume thaws a paused server.
func (r *Redis) Resume() { r.signal(syscall.SIGCONT) }

// Client returns a client to the server.
func (r *Redis) Client(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Env is a config lookup over a map.
func Env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// Quiet reports whether verbose server logs should be dropped.
func Quiet() bool { return !strings.Contains(os.Getenv("PISHKHAN_TEST_LOGS"), "1") }
