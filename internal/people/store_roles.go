package people

import (
	"context"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

func (s Store) loadRoles(ctx context.Context, q db.Querier, where string, args ...any) ([]RoleView, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.name, r.description, r.builtin, r.require_totp, r.created_at,
		(SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) FROM roles r WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	out := []RoleView{}
	for rows.Next() {
		var r RoleView
		if err := rows.Scan(&r.ID, &r.Name, &r.Description, &r.Builtin, &r.RequireTOTP, db.Time{T: &r.CreatedAt}, &r.UsersCount); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		perms, err := s.rolePermissions(ctx, q, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Permissions = append([]authz.Permission{}, perms...)
	}
	return out, nil
}

func (s Store) rolePermissions(ctx context.Context, q db.Querier, roleID int64) ([]authz.Permission, error) {
	rows, err := q.Query(ctx, `SELECT permission FROM role_permissions WHERE role_id = ? ORDER BY permission`, roleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []authz.Permission
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, authz.Permission(p))
	}
	return out, rows.Err()
}

// loadRole reads one role (NOT_FOUND).
func (s Store) loadRole(ctx context.Context, q db.Querier, id int64) (RoleView, error) {
	items, err := s.loadRoles(ctx, q, `r.id = ?`, id)
	if err != nil {
		return RoleView{}, err
	}
	if len(items) == 0 {
		return RoleView{}, apperr.New(apperr.NotFound, "no such role")
	}
	return items[0], nil
}

// rolesAfter lists up to limit roles by id, after the id after.
func (s Store) rolesAfter(ctx context.Context, after int64, limit int) ([]RoleView, error) {
	return s.loadRoles(ctx, s.DB.Reader(), `r.id > ? ORDER BY r.id LIMIT ?`, after, limit)
}

// rolesPage lists a page of roles: built-in ones first (most powerful
// first), then custom ones by name.
func (s Store) rolesPage(ctx context.Context, size, offset int) ([]RoleView, error) {
	return s.loadRoles(ctx, s.DB.Reader(), `1 = 1 ORDER BY r.builtin DESC, CASE WHEN r.builtin THEN r.id END, r.name, r.id LIMIT ? OFFSET ?`,
		size, offset)
}

// countRoles counts every role.
func (s Store) countRoles(ctx context.Context) (total int64, err error) {
	err = db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM roles`), &total)
	return total, err
}

// InsertRole creates a role with permissions.
func (s Store) InsertRole(ctx context.Context, tx *db.Tx, name, description string, perms []authz.Permission) (int64, error) {
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO roles (name, description, created_at) VALUES (?, ?, ?) RETURNING id`,
		name, description, time.Now()), &id)
	if err != nil {
		return 0, err
	}
	for _, p := range perms {
		if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)`, id, string(p)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// setRoleName renames a role; a name taken is a unique violation.
func (s Store) setRoleName(ctx context.Context, tx *db.Tx, id int64, name string) error {
	_, err := tx.Exec(ctx, `UPDATE roles SET name = ? WHERE id = ?`, name, id)
	return err
}

func (s Store) setRoleDescription(ctx context.Context, tx *db.Tx, id int64, d string) error {
	_, err := tx.Exec(ctx, `UPDATE roles SET description = ? WHERE id = ?`, d, id)
	return err
}

func (s Store) setRoleRequireTOTP(ctx context.Context, tx *db.Tx, id int64, v bool) error {
	_, err := tx.Exec(ctx, `UPDATE roles SET require_totp = ? WHERE id = ?`, v, id)
	return err
}

// setRolePermissions replaces a role's permissions and voids the unused
// set-password links of its holders (a change of a role is a change of
// its holders' rank).
func (s Store) setRolePermissions(ctx context.Context, tx *db.Tx, id int64, perms []authz.Permission, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE used_at IS NULL
		AND user_id IN (SELECT user_id FROM user_roles WHERE role_id = ?)`, now, id); err != nil {
		return err
	}
	for _, perm := range perms {
		if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)`, id, string(perm)); err != nil {
			return err
		}
	}
	return nil
}

func (s Store) deleteRole(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM roles WHERE id = ?`, id)
	return err
}

// ensureBuiltinRole creates or updates a built-in role to r's definition.
func (s Store) ensureBuiltinRole(ctx context.Context, tx *db.Tx, r BuiltinRole) error {
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO roles (name, description, builtin, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET description = excluded.description, builtin = excluded.builtin
		RETURNING id`, r.Name, r.Description, true, time.Now()), &id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
		return err
	}
	for _, p := range r.permissionsOf() {
		if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, id, string(p)); err != nil {
			return err
		}
	}
	return nil
}

// roleID returns the id of the role named name (auth.ErrNotFound).
func (s Store) roleID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT id FROM roles WHERE name = ?`, name), &id)
	if errors.Is(err, db.ErrNoRows) {
		return 0, auth.ErrNotFound
	}
	return id, err
}
