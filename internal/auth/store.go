package auth

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// User is an account.
type User struct {
	ID           int64
	Email        string
	Name         string
	PasswordHash string
	Superuser    bool
	Active       bool
	CreatedAt    time.Time
}

// RoleRef names a role.
type RoleRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ErrNotFound means no such row.
var ErrNotFound = errors.New("not found")

// Store is the users-and-roles data access.
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

// CountUsers returns how many users exist.
func (s Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// InsertUser creates a user and returns its id.
func (s Store) InsertUser(ctx context.Context, tx *db.Tx, u User) (int64, error) {
	now := time.Now()
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO users (email, email_lower, name, password_hash, is_superuser, is_active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, strings.ToLower(u.Email), u.Name, u.PasswordHash, u.Superuser, u.Active, now, now), &id)
	return id, err
}

// SetPassword replaces a user's password hash and superuser flag.
func (s Store) SetPassword(ctx context.Context, tx *db.Tx, id int64, hash string, superuser bool) error {
	_, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, is_superuser = ?, is_active = ?, updated_at = ? WHERE id = ?`,
		hash, superuser, true, time.Now(), id)
	return err
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

// AddUserRole gives a user a role.
func (s Store) AddUserRole(ctx context.Context, tx *db.Tx, userID, roleID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`, userID, roleID)
	return err
}

// Access is what a user may do, for building a principal.
type Access struct {
	User        User
	Roles       []RoleRef
	Permissions []authz.Permission
	// TOTPEnabled: the user has a second factor; TOTPRequired: a role of
	// theirs requires one.
	TOTPEnabled, TOTPRequired bool
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
	rows, err := q.Query(ctx, `SELECT r.id, r.name FROM roles r JOIN user_roles ur ON ur.role_id = r.id
		WHERE ur.user_id = ? ORDER BY r.name`, userID)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var r RoleRef
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return a, err
		}
		a.Roles = append(a.Roles, r)
	}
	if err := rows.Err(); err != nil {
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
