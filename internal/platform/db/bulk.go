package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BulkInsert writes many rows into table: COPY on PostgreSQL, multi-row
// INSERTs in one transaction on SQLite. For seeding and imports.
func (d *DB) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	return d.bulkInsert(ctx, table, cols, rows, false)
}

// BulkInsertConsistent is BulkInsert for rows generated together with the
// rows they reference (a seed): on PostgreSQL it skips the per-row
// foreign-key triggers when the role may (session_replication_role needs
// superuser), and checks them as usual otherwise.
func (d *DB) BulkInsertConsistent(ctx context.Context, table string, cols []string, rows [][]any) error {
	return d.bulkInsert(ctx, table, cols, rows, true)
}

func (d *DB) bulkInsert(ctx context.Context, table string, cols []string, rows [][]any, consistent bool) error {
	if len(rows) == 0 {
		return nil
	}
	if d.Engine == Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			for _, r := range rows {
				convertArgs(Postgres, r)
			}
			// a bulk load need not wait for each flush to disk; a crash
			// loses at most the last moments of the load, never consistency
			if _, err := pc.Exec(ctx, "SET synchronous_commit = off"); err != nil {
				return err
			}
			defer pc.Exec(context.WithoutCancel(ctx), "RESET synchronous_commit") //nolint:errcheck
			if consistent {
				if _, err := pc.Exec(ctx, "SET session_replication_role = replica"); err == nil {
					defer pc.Exec(context.WithoutCancel(ctx), "RESET session_replication_role") //nolint:errcheck
				}
			}
			_, err := pc.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
	}
	return d.InTx(ctx, func(tx *Tx) error {
		const perStmt = 100
		rowPH := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
		for start := 0; start < len(rows); start += perStmt {
			end := min(start+perStmt, len(rows))
			var args []any
			for _, r := range rows[start:end] {
				args = append(args, r...)
			}
			q := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, strings.Join(cols, ", "),
				strings.TrimSuffix(strings.Repeat(rowPH+",", end-start), ","))
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ResetSequence moves a PostgreSQL id sequence past the largest id (after
// inserting explicit ids). SQLite's AUTOINCREMENT follows by itself.
func (d *DB) ResetSequence(ctx context.Context, table string) error {
	if d.Engine != Postgres {
		return nil
	}
	_, err := d.SQL.ExecContext(ctx, fmt.Sprintf(
		`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)`, table, table))
	return err
}
