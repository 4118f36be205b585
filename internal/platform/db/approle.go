package db

import (
	"context"
	"fmt"
	"regexp"
)

var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// GrantAppRole gives a PostgreSQL role what the running application needs
// and no more: every table, except that audit rows can only be read and
// added (never changed or deleted, even with the purge gate, which only the
// owner running `pishkhan audit purge` can open) and the migrations are
// read-only. Run it as the schema's owner after migrating; run the server
// as the role. It is idempotent.
func (d *DB) GrantAppRole(ctx context.Context, role string) error {
	if d.Engine != Postgres {
		return fmt.Errorf("DATABASE_APP_ROLE applies to PostgreSQL only")
	}
	if !roleName.MatchString(role) {
		return fmt.Errorf("DATABASE_APP_ROLE %q: use lower-case letters, digits and _", role)
	}
	r := `"` + role + `"`
	for _, stmt := range []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ` + r,
		`REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM ` + r,
		`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_purge_gate, audit_anchor, schema_migrations FROM ` + r,
	} {
		if _, err := d.SQL.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("grant %s: %w", role, err)
		}
	}
	return nil
}
