package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
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

// ErrUnknownMigrations means the database was migrated by a newer binary.
type ErrUnknownMigrations struct{ Versions []int }

func (e ErrUnknownMigrations) Error() string {
	return fmt.Sprintf("the database has migrations this binary does not know (%v): run a newer pishkhan", e.Versions)
}

// Migrate applies pending migrations, each in its own transaction, and
// refuses to touch a database that has migrations it does not know. On
// PostgreSQL an advisory lock keeps concurrent instances from racing.
func (d *DB) Migrate(ctx context.Context) ([]Migration, error) {
	if d.Engine == Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7243911)`); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7243911)`) //nolint:errcheck
	}
	st, err := d.Status(ctx)
	if err != nil {
		return nil, err
	}
	if len(st.Unknown) > 0 {
		return nil, ErrUnknownMigrations{st.Unknown}
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
	return st.Pending, nil
}

// CheckCurrent returns an error unless every embedded migration is applied
// and none unknown is: serve refuses to start otherwise.
func (d *DB) CheckCurrent(ctx context.Context) error {
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	if len(st.Unknown) > 0 {
		return ErrUnknownMigrations{st.Unknown}
	}
	if len(st.Pending) > 0 {
		return fmt.Errorf("the database lacks %d migration(s): run `pishkhan migrate`", len(st.Pending))
	}
	return nil
}
