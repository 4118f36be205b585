// Package db opens PostgreSQL (pgx) or SQLite (modernc, pure Go) behind one
// small API: queries are written once with "?" placeholders and run on
// either engine. It also owns transactions and the embedded migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	// sqlite-vec's vec_* functions on every connection (search's vectors)
	_ "modernc.org/sqlite/vec"

	"github.com/pishkhan/pishkhan/internal/platform/filelock"
)

// Engine names a database engine.
type Engine string

// The engines Pishkhan runs on.
const (
	Postgres Engine = "postgres"
	SQLite   Engine = "sqlite"
)

// ErrNoRows is returned when a single-row query finds nothing.
var ErrNoRows = sql.ErrNoRows

// ErrUniqueViolation wraps a unique-constraint failure on either engine.
var ErrUniqueViolation = errors.New("unique constraint violated")

// DB is an open database.
type DB struct {
	Engine Engine
	SQL    *sql.DB
	// writeMu serializes SQLite writers so that concurrent writes queue in
	// Go instead of failing with "database is locked".
	writeMu sync.Mutex
	// OnCommit, when set, is told after each commit (before InTx returns)
	// the tags its transaction touched, to invalidate caches of them.
	OnCommit func(ctx context.Context, tags []string)
	// path is the SQLite file ("" on PostgreSQL).
	path string
	// unlock releases the SQLite file's shared in-use lock (see Exclusive).
	unlock func()
}

// Open connects to url: a postgres:// URL, or a SQLite file path (created
// with its directory). Empty url is a programming error; config picks the
// default file.
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		sdb, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sdb.SetMaxOpenConns(32)
		sdb.SetMaxIdleConns(32)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		d := &DB{Engine: Postgres, SQL: sdb}
		if err := d.ping(ctx); err != nil {
			_ = sdb.Close()
			return nil, err
		}
		return d, nil
	}
	path := strings.TrimPrefix(url, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	if err := private(path); err != nil {
		return nil, err
	}
	unlock, err := filelock.Shared(inUse(path))
	if err != nil {
		return nil, fmt.Errorf("lock the database: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	d := &DB{Engine: SQLite, SQL: sdb, path: path, unlock: unlock}
	if err := d.ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.SQL.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s: %w", d.Engine, err)
	}
	return nil
}

// Close closes the pool.
func (d *DB) Close() error {
	err := d.SQL.Close()
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
	return err
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Querier runs "?"-placeholder queries on the pool or in a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Engine() Engine
}

// Tx is a transaction.
type Tx struct {
	tx     *sql.Tx
	engine Engine
	// afterCommit runs once the transaction has committed.
	afterCommit []func()
	touched     []string
}

// Touch records that the transaction changed what tag covers; once it
// commits, DB.OnCommit hears of every tag touched (see OnCommit).
func (t *Tx) Touch(tag string) {
	for _, have := range t.touched {
		if have == tag {
			return
		}
	}
	t.touched = append(t.touched, tag)
}

// Engine returns the engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.engine }

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, end := traced(ctx, t.engine, q)
	r, err := t.tx.ExecContext(ctx, rebind(t.engine, q), convertArgs(t.engine, args)...)
	end(err)
	return r, wrapErr(err)
}

// Query runs a query.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, end := traced(ctx, t.engine, q)
	r, err := t.tx.QueryContext(ctx, rebind(t.engine, q), convertArgs(t.engine, args)...)
	end(err)
	return r, wrapErr(err)
}

// QueryRow runs a single-row query.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx, end := traced(ctx, t.engine, q)
	row := t.tx.QueryRowContext(ctx, rebind(t.engine, q), convertArgs(t.engine, args)...)
	end(row.Err())
	return row
}

// AfterCommit registers f to run after a successful commit.
func (t *Tx) AfterCommit(f func()) { t.afterCommit = append(t.afterCommit, f) }

type poolQuerier struct{ d *DB }

// Reader returns a Querier on the pool, for reads outside a transaction.
// Writes go through Writer (or InTx): Reader may move to a read replica.
func (d *DB) Reader() Querier { return poolQuerier{d} }

// Writer returns a Querier on the pool, for single-statement writes outside
// a transaction. Today it is the same pool as Reader; it is the handle that
// stays on the primary when reads move to replicas.
func (d *DB) Writer() Querier { return poolQuerier{d} }

func (p poolQuerier) Engine() Engine { return p.d.Engine }

func (p poolQuerier) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if p.d.Engine == SQLite {
		p.d.writeMu.Lock()
		defer p.d.writeMu.Unlock()
	}
	ctx, end := traced(ctx, p.d.Engine, q)
	r, err := p.d.SQL.ExecContext(ctx, rebind(p.d.Engine, q), convertArgs(p.d.Engine, args)...)
	end(err)
	return r, wrapErr(err)
}

func (p poolQuerier) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, end := traced(ctx, p.d.Engine, q)
	r, err := p.d.SQL.QueryContext(ctx, rebind(p.d.Engine, q), convertArgs(p.d.Engine, args)...)
	end(err)
	return r, wrapErr(err)
}

func (p poolQuerier) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx, end := traced(ctx, p.d.Engine, q)
	row := p.d.SQL.QueryRowContext(ctx, rebind(p.d.Engine, q), convertArgs(p.d.Engine, args)...)
	end(row.Err())
	return row
}

// InTx runs f in a transaction and commits when f returns nil. On SQLite
// writers are serialized. Functions registered with AfterCommit run after
// the commit, before InTx returns.
func (d *DB) InTx(ctx context.Context, f func(tx *Tx) error) error {
	if d.Engine == SQLite {
		d.writeMu.Lock()
		defer d.writeMu.Unlock()
	}
	stx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: stx, engine: d.Engine}
	if err := f(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", wrapErr(err))
	}
	for _, fn := range tx.afterCommit {
		fn()
	}
	if d.OnCommit != nil && len(tx.touched) > 0 {
		d.OnCommit(ctx, tx.touched)
	}
	return nil
}

// rebind turns "?" placeholders into "$n" for PostgreSQL. Queries in this
// code base never contain a literal "?" inside strings.
func rebind(e Engine, q string) string {
	if e != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// convertArgs stores times as UTC microseconds: TIMESTAMPTZ on PostgreSQL,
// INTEGER on SQLite, so both compare and sort the same way.
func convertArgs(e Engine, args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			v = v.UTC().Truncate(time.Microsecond)
			if e == SQLite {
				args[i] = v.UnixMicro()
			} else {
				args[i] = v
			}
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else if e == SQLite {
				args[i] = v.UTC().UnixMicro()
			} else {
				args[i] = v.UTC().Truncate(time.Microsecond)
			}
		}
	}
	return args
}

// Time scans a timestamp stored by either engine.
type Time struct{ T *time.Time }

// Scan implements sql.Scanner.
func (t Time) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*t.T = v.UTC()
	case int64:
		*t.T = time.UnixMicro(v).UTC()
	case nil:
		*t.T = time.Time{}
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

// NullTime scans a nullable timestamp.
type NullTime struct{ T **time.Time }

// Scan implements sql.Scanner.
func (t NullTime) Scan(src any) error {
	if src == nil {
		*t.T = nil
		return nil
	}
	var v time.Time
	if err := (Time{&v}).Scan(src); err != nil {
		return err
	}
	*t.T = &v
	return nil
}

func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrUniqueViolation, pgErr.ConstraintName)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrUniqueViolation, err)
		}
	}
	return err
}

// Scan scans a single row, mapping engine errors like the other methods.
func Scan(row *sql.Row, dest ...any) error { return wrapErr(row.Scan(dest...)) }

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool { return errors.Is(err, ErrUniqueViolation) }

// IsBusy reports whether err is the engine refusing for contention: SQLite's
// SQLITE_BUSY or SQLITE_LOCKED, PostgreSQL's serialization failure, deadlock
// or lock not available. Such an error is worth retrying as it is.
func IsBusy(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01", "55P03":
			return true
		}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// Stats returns the pool figures, for metrics.
func (d *DB) Stats() sql.DBStats { return d.SQL.Stats() }

// SQL returns the transaction's database/sql handle, for libraries (the
// job queue) that must write in the same transaction.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// IsUnavailable reports whether err is the database being out of reach
// rather than refusing the query: PostgreSQL not accepting connections
// (shutting down, starting up, in recovery), a connection it ended
// (administrator or crash shutdown) or any connection exception (SQLSTATE
// class 08). A request failing for it deserves 503 and a retry, not 500.
func IsUnavailable(err error) bool {
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
}

// private makes the SQLite database at path readable by its owner only
// (it holds password hashes, sessions and customers' details): a new one
// is created 0600 before SQLite opens it (its -wal and -shm files take
// the database's mode), and existing files readable by others are made
// 0600.
func private(path string) error {
	if strings.HasPrefix(path, ":memory:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create the database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return fmt.Errorf("%s is readable by others and cannot be made private: %w", p, err)
		}
		slog.Warn("a database file was readable by others; made it private (0600)", "path", p)
	}
	return nil
}

// ErrInUse is Exclusive's answer while the database is open.
var ErrInUse = errors.New("the database is in use: stop every server, worker and command using it first")

// inUse is the file every DB open on the SQLite database at path holds a
// shared lock on, from Open to Close.
func inUse(path string) string { return path + ".in-use" }

// Exclusive locks the SQLite database at path against every DB: ErrInUse
// while one has it open; held, Open waits for its release. Replacing the
// database's files (restore) holds it.
func Exclusive(path string) (unlock func(), err error) {
	unlock, err = filelock.TryLock(inUse(path))
	if errors.Is(err, filelock.ErrHeld) {
		return nil, ErrInUse
	}
	return unlock, err
}

// Int64s runs a query whose rows are one integer column (ids, mostly) and
// returns them in order.
func Int64s(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
