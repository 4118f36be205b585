package people

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// Store is the people data access over users, their roles and invites.
// Roles and invites have store files of their own.
type Store struct{ DB *db.DB }

// errNoUser is the answer for a user id that names nobody.
func errNoUser() error { return apperr.New(apperr.NotFound, "no such user") }

// loadUserView reads one user with roles.
func (s Store) loadUserView(ctx context.Context, q db.Querier, id int64) (UserView, error) {
	var u UserView
	var hash string
	err := q.QueryRow(ctx, `SELECT id, email, name, is_superuser, is_active, password_hash, totp_secret <> '', created_at, updated_at
		FROM users WHERE id = ?`, id).Scan(&u.ID, &u.Email, &u.Name, &u.IsSuperuser, &u.IsActive, &hash, &u.TOTPEnabled,
		db.Time{T: &u.CreatedAt}, db.Time{T: &u.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return u, errNoUser()
	}
	if err != nil {
		return u, err
	}
	u.Invited = hash == ""
	roles, err := s.rolesOf(ctx, q, []int64{id})
	u.Roles = roles[id]
	return u, err
}

// rolesOf returns the roles of each user, by user id (never nil slices).
func (s Store) rolesOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]auth.RoleRef, error) {
	out := map[int64][]auth.RoleRef{}
	for _, id := range ids {
		out[id] = []auth.RoleRef{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT ur.user_id, r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY r.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var r auth.RoleRef
		if err := rows.Scan(&uid, &r.ID, &r.Name); err != nil {
			return nil, err
		}
		out[uid] = append(out[uid], r)
	}
	return out, rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// where is the filter's WHERE clause over users; the list's cursors are
// bound to it.
func (f UserFilter) where() (string, []any) {
	where, args := `1 = 1`, []any{}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		where += ` AND (email_lower LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`
		like := "%" + likeEscaper.Replace(q) + "%"
		args = append(args, like, like)
	}
	if f.RoleID != 0 {
		where += ` AND id IN (SELECT user_id FROM user_roles WHERE role_id = ?)`
		args = append(args, f.RoleID)
	}
	switch f.Status {
	case "active":
		where += ` AND is_active = ? AND password_hash <> ''`
		args = append(args, true)
	case "inactive":
		where += ` AND is_active = ?`
		args = append(args, false)
	case "invited":
		where += ` AND is_active = ? AND password_hash = ''`
		args = append(args, true)
	}
	return where, args
}

// ListUsers lists the filter's users, with their roles, with tail (ORDER
// BY, LIMIT) appended to the WHERE clause.
func (s Store) ListUsers(ctx context.Context, f UserFilter, tail string, tailArgs ...any) ([]UserView, error) {
	q := s.DB.Reader()
	where, args := f.where()
	rows, err := q.Query(ctx, `SELECT id, email, name, is_superuser, is_active, password_hash = '', totp_secret <> '', created_at, updated_at
		FROM users WHERE `+where+tail, append(slices.Clone(args), tailArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UserView{}
	var ids []int64
	for rows.Next() {
		var u UserView
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.IsSuperuser, &u.IsActive, &u.Invited, &u.TOTPEnabled,
			db.Time{T: &u.CreatedAt}, db.Time{T: &u.UpdatedAt}); err != nil {
			return nil, err
		}
		out = append(out, u)
		ids = append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	roles, err := s.rolesOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return out, nil
}

// CountUsers counts the filter's users.
func (s Store) CountUsers(ctx context.Context, f UserFilter) (total int64, err error) {
	where, args := f.where()
	err = db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE `+where, args...), &total)
	return total, err
}

// userByEmail finds a user's id and superuser status by email,
// case-insensitively (auth.ErrNotFound).
func (s Store) userByEmail(ctx context.Context, q db.Querier, email string) (id int64, superuser bool, err error) {
	err = q.QueryRow(ctx, `SELECT id, is_superuser FROM users WHERE email_lower = ?`, strings.ToLower(email)).Scan(&id, &superuser)
	if errors.Is(err, db.ErrNoRows) {
		return 0, false, auth.ErrNotFound
	}
	return id, superuser, err
}

// newUser is a user to insert.
type newUser struct {
	Email, Name, PasswordHash string
	Superuser, Active         bool
}

// InsertUser creates a user and returns its id.
func (s Store) InsertUser(ctx context.Context, tx *db.Tx, u newUser) (int64, error) {
	now := time.Now()
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO users (email, email_lower, name, password_hash, is_superuser, is_active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, strings.ToLower(u.Email), u.Name, u.PasswordHash, u.Superuser, u.Active, now, now), &id)
	return id, err
}

// MakeSuperuser makes a user an active superuser with a new password hash.
func (s Store) MakeSuperuser(ctx context.Context, tx *db.Tx, id int64, hash string) error {
	_, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, is_superuser = ?, is_active = ?, updated_at = ? WHERE id = ?`,
		hash, true, true, time.Now(), id)
	return err
}

// SetPasswordHash replaces a user's password hash.
func (s Store) SetPasswordHash(ctx context.Context, tx *db.Tx, id int64, hash string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, id)
	return err
}

// setUserColumn sets one column of a user (col is one of the fields
// UpdateUser changes, never input) and its updated_at.
func (s Store) setUserColumn(ctx context.Context, tx *db.Tx, id int64, col string, v any, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE users SET `+col+` = ?, updated_at = ? WHERE id = ?`, v, now, id)
	return err
}

// setEmailLower records the lower-cased email; another user's is TAKEN.
func (s Store) setEmailLower(ctx context.Context, tx *db.Tx, id int64, email string) error {
	_, err := tx.Exec(ctx, `UPDATE users SET email_lower = ? WHERE id = ?`, strings.ToLower(email), id)
	return err
}

// AddUserRole gives a user a role.
func (s Store) AddUserRole(ctx context.Context, tx *db.Tx, userID, roleID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`, userID, roleID)
	return err
}

// setUserRoles replaces a user's roles.
func (s Store) setUserRoles(ctx context.Context, tx *db.Tx, userID int64, roleIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, r := range roleIDs {
		if err := s.AddUserRole(ctx, tx, userID, r); err != nil {
			return err
		}
	}
	return nil
}

// countAll returns how many users exist.
func (s Store) countAll(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// userPermissions lists the permissions a user's roles give, in order
// (superuser status aside).
func (s Store) userPermissions(ctx context.Context, q db.Querier, userID int64) ([]authz.Permission, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT rp.permission FROM role_permissions rp
		JOIN user_roles ur ON ur.role_id = rp.role_id WHERE ur.user_id = ? ORDER BY rp.permission`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []authz.Permission{}
	for rows.Next() {
		var perm string
		if err := rows.Scan(&perm); err != nil {
			return nil, err
		}
		out = append(out, authz.Permission(perm))
	}
	return out, rows.Err()
}

// lockUser takes the user's row until the transaction ends, so changes of
// one user and the links made for them run one after another (PostgreSQL;
// SQLite's write transactions already do). An unknown user is no error.
func (s Store) lockUser(ctx context.Context, tx *db.Tx, id int64) error {
	if tx.Engine() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, id)
	return err
}

// otherActiveSuperusers counts the active superusers besides id, holding
// their rows (PostgreSQL) until the transaction ends.
func (s Store) otherActiveSuperusers(ctx context.Context, tx *db.Tx, id int64) (int, error) {
	lock := ""
	if tx.Engine() == db.Postgres {
		lock = " FOR UPDATE"
	}
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE is_superuser = ? AND is_active = ?`+lock, true, true)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	others := 0
	for rows.Next() {
		var other int64
		if err := rows.Scan(&other); err != nil {
			return 0, err
		}
		if other != id {
			others++
		}
	}
	return others, rows.Err()
}
