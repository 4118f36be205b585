package db

import (
	"context"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/filelock"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one versioned, embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of an engine, in order.
func Migrations(e Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationsFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// MigrationStatus says how the database compares with this binary.
type MigrationStatus struct {
	Applied []int
	Pending []Migration
	// Unknown are versions applied to the database that this binary does
	// not have: a newer binary migrated it, and this one must not serve it.
	Unknown []int
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Status compares the database's applied migrations with the embedded ones.
func (d *DB) Status(ctx context.Context) (MigrationStatus, error) {
	var st MigrationStatus
	// only create the table when it is missing: the application's role
	// (DATABASE_APP_ROLE) may read it but not create anything
	exists := `SELECT to_regclass('schema_migrations') IS NOT NULL`
	if d.Engine == SQLite {
		exists = `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	}
	var have bool
	if err := d.SQL.QueryRowContext(ctx, exists).Scan(&have); err != nil {
		return st, fmt.Errorf("find schema_migrations: %w", err)
	}
	if !have {
		if _, err := d.SQL.ExecContext(ctx, createMigrationsTable); err != nil {
			return st, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	known, err := Migrations(d.Engine)
	if err != nil {
		return st, err
	}
	rows, err := d.SQL.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return st, err
		}
		applied[v] = true
		st.Applied = append(st.Applied, v)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	knownSet := map[int]bool{}
	for _, m := range known {
		knownSet[m.Version] = true
		if !applied[m.Version] {
			st.Pending = append(st.Pending, m)
		}
	}
	for _, v := range st.Applied {
		if !knownSet[v] {
			st.Unknown = append(st.Unknown, v)
		}
	}
	return st, nil
}

// ErrUnknownMigrations means the database was migrated by a newer binary:
// Versions are the applied ones this binary does not have, Latest the
// newest it has.
type ErrUnknownMigrations struct {
	Versions []int
	Latest   int
}

func (e ErrUnknownMigrations) Error() string {
	return fmt.Sprintf("the database's schema is at version %04d, newer than this binary knows (it stops at %04d; unknown: %v): "+
		"a newer release has migrated it. Run that release or a later one; to go back to this one, restore a backup taken "+
		"before the upgrade (migrations are never undone in place)", slices.Max(e.Versions), e.Latest, e.Versions)
}

func unknownMigrations(st MigrationStatus, known []Migration) error {
	if len(st.Unknown) == 0 {
		return nil
	}
	latest := 0
	if len(known) > 0 {
		latest = known[len(known)-1].Version
	}
	return ErrUnknownMigrations{Versions: st.Unknown, Latest: latest}
}

// migrationLockKey is the PostgreSQL advisory lock every migrate holds.
const migrationLockKey = 7243911

// lockMigrations blocks until this process alone may migrate the database:
// a PostgreSQL advisory lock (held by one connection, freed if the process
// dies), or on SQLite an flock on a file beside the database.
func (d *DB) lockMigrations(ctx context.Context) (unlock func(), err error) {
	if d.Engine == SQLite {
		return filelock.Lock(d.path + ".migrate-lock")
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return func() {
		// a failed unlock ends with the connection: closing a pooled
		// connection returns it, so drop it on error
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}, nil
}

// Migrate applies pending migrations, each in its own transaction, then
// runs each of also (another schema's migrations, such as the job
// queue's), all under one lock: instances that start at once migrate
// once, the others wait and find nothing left to do. It refuses a
// database that has migrations it does not know.
func (d *DB) Migrate(ctx context.Context, also ...func(context.Context) error) ([]Migration, error) {
	unlock, err := d.lockMigrations(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := d.Status(ctx)
	if err != nil {
		return nil, err
	}
	known, err := Migrations(d.Engine)
	if err != nil {
		return nil, err
	}
	if err := unknownMigrations(st, known); err != nil {
		return nil, err
	}
	for _, m := range st.Pending {
		err := d.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().Unix())
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	for _, f := range also {
		if err := f(ctx); err != nil {
			return nil, err
		}
	}
	return st.Pending, nil
}

// CheckCurrent returns an error unless every embedded migration is applied
// and none unknown is: serve refuses to start otherwise.
func (d *DB) CheckCurrent(ctx context.Context) error {
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	known, err := Migrations(d.Engine)
	if err != nil {
		return err
	}
	if err := unknownMigrations(st, known); err != nil {
		return err
	}
	if len(st.Pending) > 0 {
		return fmt.Errorf("the database lacks %d migration(s): run `pishkhan migrate`", len(st.Pending))
	}
	return nil
}
