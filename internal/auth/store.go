package auth

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// Store is auth's data access to accounts: who a user is and what they
// may do (read from the users and roles tables people manages), and the
// credentials auth ends (passwords, API tokens, set-password links).
// Sessions, tokens and second factors have store files of their own.
type Store struct{ DB *db.DB }

const userCols = `id, email, name, password_hash, is_superuser, is_active, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Superuser, &u.Active, db.Time{T: &u.CreatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UserByEmail finds a user by email, case-insensitively.
func (s Store) UserByEmail(ctx context.Context, q db.Querier, email string) (User, error) {
	return scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_lower = ?`, strings.ToLower(email)))
}

// UserByID finds a user.
func (s Store) UserByID(ctx context.Context, q db.Querier, id int64) (User, error) {
	return scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
}

// LoadAccess reads a user with roles and permissions.
func (s Store) LoadAccess(ctx context.Context, userID int64) (Access, error) {
	q := s.DB.Reader()
	u, err := s.UserByID(ctx, q, userID)
	if err != nil {
		return Access{}, err
	}
	a := Access{User: u, Roles: []RoleRef{}, Permissions: []authz.Permission{}}
	if err := db.Scan(q.QueryRow(ctx, `SELECT totp_secret <> '', EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id = u.id AND r.require_totp = ?) FROM users u WHERE u.id = ?`, true, userID), &a.TOTPEnabled, &a.TOTPRequired); err != nil {
		return a, err
	}
	if a.Roles, err = s.rolesOfUser(ctx, q, userID); err != nil {
		return a, err
	}
	prow, err := q.Query(ctx, `SELECT DISTINCT rp.permission FROM role_permissions rp
		JOIN user_roles ur ON ur.role_id = rp.role_id WHERE ur.user_id = ?`, userID)
	if err != nil {
		return a, err
	}
	defer prow.Close()
	for prow.Next() {
		var p string
		if err := prow.Scan(&p); err != nil {
			return a, err
		}
		a.Permissions = append(a.Permissions, authz.Permission(p))
	}
	if err := prow.Err(); err != nil {
		return a, err
	}
	if u.Superuser {
		a.Permissions = a.Permissions[:0]
		for _, d := range authz.All() {
			a.Permissions = append(a.Permissions, d.Name)
		}
	}
	sort.Slice(a.Permissions, func(i, j int) bool { return a.Permissions[i] < a.Permissions[j] })
	return a, nil
}

// rolesOfUser lists a user's roles by name (never nil).
func (s Store) rolesOfUser(ctx context.Context, q db.Querier, userID int64) ([]RoleRef, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.name FROM roles r JOIN user_roles ur ON ur.role_id = r.id
		WHERE ur.user_id = ? ORDER BY r.name`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RoleRef{}
	for rows.Next() {
		var r RoleRef
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RolePermissions lists a role's permissions in order; an unknown role is
// ErrNotFound.
func (s Store) RolePermissions(ctx context.Context, q db.Querier, roleID int64) ([]authz.Permission, error) {
	var n int
	if err := db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM roles WHERE id = ?`, roleID), &n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrNotFound
	}
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

// rolesAbove lists, by id, the roles holding a permission p lacks.
func (s Store) rolesAbove(ctx context.Context, q db.Querier, p *authz.Principal) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT role_id, permission FROM role_permissions ORDER BY role_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var perm string
		if err := rows.Scan(&id, &perm); err != nil {
			return nil, err
		}
		if !p.Can(authz.Permission(perm)) && (len(out) == 0 || out[len(out)-1] != id) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// SetPasswordHash replaces a user's password hash.
func (s Store) SetPasswordHash(ctx context.Context, tx *db.Tx, userID int64, hash string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, userID)
	return err
}

// VoidLinks ends every unused set-password link of a user.
func (s Store) VoidLinks(ctx context.Context, tx *db.Tx, userID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID)
	return err
}
