package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// RoleView is a role as the API shows it.
type RoleView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Builtin roles are defined by Pishkhan and cannot be changed or deleted.
	Builtin     bool               `json:"builtin"`
	Permissions []authz.Permission `json:"permissions"`
	// RequireTOTP: holders must set up two-factor authentication, and hold
	// no permission until they have.
	RequireTOTP bool      `json:"require_totp"`
	UsersCount  int64     `json:"users_count"`
	CreatedAt   time.Time `json:"created_at"`
}

// RoleList is the page-mode envelope of GET /api/roles.
type RoleList = paging.Page[RoleView]

// RoleInput is the body of POST /api/roles; in PATCH absent fields stay.
type RoleInput struct {
	Name        *string             `json:"name,omitempty"`
	Description *string             `json:"description,omitempty"`
	Permissions *[]authz.Permission `json:"permissions,omitempty"`
	RequireTOTP *bool               `json:"require_totp,omitempty"`
}

// requireRolesRead lets users.view or roles.manage read roles.
func requireRolesRead(ctx context.Context) error {
	p := authz.From(ctx)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if !p.Can(PermViewUsers) && !p.Can(PermManageRoles) {
		return apperr.New(apperr.PermissionDenied, "you need the permission %q or %q", PermViewUsers, PermManageRoles)
	}
	return nil
}

func loadRoles(ctx context.Context, q db.Querier, where string, args ...any) ([]RoleView, error) {
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
		perms, err := rolePermissions(ctx, q, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Permissions = append([]authz.Permission{}, perms...)
	}
	return out, nil
}

// ListRoles lists roles: built-in ones first (most powerful first), then
// custom ones by name. Page mode only orders by that; cursor mode by id.
func (s *Service) ListRoles(ctx context.Context, pr paging.Request) ([]byte, cache.Status, error) {
	if err := requireRolesRead(ctx); err != nil {
		return nil, "", err
	}
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode("roles", pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("roles:list|p=%d|ps=%d|c=%s|l=%d|cm=%t", pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	return s.cache.Fetch(ctx, "roles", key, []string{AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		q := s.db.Reader()
		if pr.CursorMode {
			items, err := loadRoles(ctx, q, `r.id > ? ORDER BY r.id LIMIT ?`, after, pr.Limit+1)
			if err != nil {
				return nil, err
			}
			var next *string
			if len(items) > pr.Limit {
				items = items[:pr.Limit]
				c := s.cursors.Encode("roles", items[len(items)-1].ID)
				next = &c
			}
			return json.Marshal(paging.CursorPage[RoleView]{Items: items, NextCursor: next, Limit: pr.Limit})
		}
		var total int64
		if err := db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM roles`), &total); err != nil {
			return nil, err
		}
		items, err := loadRoles(ctx, q, `1 = 1 ORDER BY r.builtin DESC, CASE WHEN r.builtin THEN r.id END, r.name, r.id LIMIT ? OFFSET ?`,
			pr.PageSize, (pr.Page-1)*pr.PageSize)
		if err != nil {
			return nil, err
		}
		return json.Marshal(paging.NewPage(items, pr, total))
	})
}

// GetRole returns one role.
func (s *Service) GetRole(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if err := requireRolesRead(ctx); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, "roles", "role:"+itoa(id), []string{AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		r, err := loadRole(ctx, s.db.Reader(), id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	})
}

func loadRole(ctx context.Context, q db.Querier, id int64) (RoleView, error) {
	items, err := loadRoles(ctx, q, `r.id = ?`, id)
	if err != nil {
		return RoleView{}, err
	}
	if len(items) == 0 {
		return RoleView{}, apperr.New(apperr.NotFound, "no such role")
	}
	return items[0], nil
}

// maxRolePermissions bounds a role's permission list as a token's is
// bounded: far more than the catalogue holds, so only a hostile body
// reaches it.
const maxRolePermissions = 100

// validate checks a role input; create requires name and permissions.
func (in *RoleInput) validate(p *authz.Principal, create bool) error {
	fe := apperr.FieldErrors{}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		if *in.Name == "" || utf8.RuneCountInString(*in.Name) > 60 {
			fe.Add("name", "must be 1 to 60 characters")
		}
	} else if create {
		fe.Add("name", "is required")
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 500 {
		fe.Add("description", "must be at most 500 characters")
	}
	reasons := map[string]string{}
	switch {
	case in.Permissions != nil && len(*in.Permissions) > maxRolePermissions:
		// one error, not one per name: the answer stays in proportion
		fe.Add("permissions", fmt.Sprintf("at most %d permissions", maxRolePermissions))
		reasons["permissions"] = "too_many"
	case in.Permissions != nil:
		for i, perm := range *in.Permissions {
			f := fmt.Sprintf("permissions[%d]", i)
			switch {
			case !authz.Known(perm):
				fe.Add(f, fmt.Sprintf("%q is not a known permission", perm))
				reasons[f] = "unknown_permission"
			case slices.Contains((*in.Permissions)[:i], perm):
				fe.Add(f, fmt.Sprintf("%q is listed twice", perm))
				reasons[f] = "duplicate"
			case !p.Can(perm):
				fe.Add(f, fmt.Sprintf("you do not hold %q, so you cannot grant it", perm))
				reasons[f] = "not_held"
			}
		}
	case create:
		fe.Add("permissions", "is required (it may be empty)")
	}
	err := fe.Err()
	if e, ok := apperr.As(err); ok && len(reasons) > 0 {
		return e.WithDetail("field_reasons", reasons)
	}
	return err
}

// CreateRole creates a custom role. Only roles.manage may, and only with
// permissions the caller holds (a superuser holds all).
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (RoleView, error) {
	p, err := authz.Require(ctx, PermManageRoles)
	if err != nil {
		return RoleView{}, err
	}
	if err := in.validate(p, true); err != nil {
		return RoleView{}, err
	}
	desc := ""
	if in.Description != nil {
		desc = strings.TrimSpace(*in.Description)
	}
	var out RoleView
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := s.store.InsertRole(ctx, tx, *in.Name, desc, *in.Permissions)
		if db.IsUnique(err) {
			return apperr.Taken("name", "this role name")
		}
		if err != nil {
			return err
		}
		if in.RequireTOTP != nil && *in.RequireTOTP {
			if _, err := tx.Exec(ctx, `UPDATE roles SET require_totp = ? WHERE id = ?`, true, id); err != nil {
				return err
			}
		}
		if out, err = loadRole(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.create", ResourceType: "role", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"name": {To: out.Name}, "description": {To: desc}, "permissions": {To: out.Permissions},
				"require_totp": {To: out.RequireTOTP}}})
	})
	if err != nil {
		return RoleView{}, err
	}
	s.afterAuthzChange(ctx, 0)
	return out, nil
}

func errBuiltinRole() error {
	return apperr.New(apperr.Conflict, "built-in roles are defined by Pishkhan: only whether they require two-factor authentication can change, and they cannot be deleted; copy one into a custom role instead").
		WithReason(ReasonBuiltinRole)
}

// UpdateRole changes a role; the change applies to its users' very next
// request on every instance. Of a built-in role only require_totp changes.
// ifMatch, when set, must be the ETag of the role as GET answers it now.
func (s *Service) UpdateRole(ctx context.Context, id int64, in RoleInput, ifMatch string) (RoleView, error) {
	p, err := authz.Require(ctx, PermManageRoles)
	if err != nil {
		return RoleView{}, err
	}
	if err := in.validate(p, false); err != nil {
		return RoleView{}, err
	}
	var out RoleView
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadRole(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(ifMatch, before, "the role changed since you loaded it; reload and try again"); err != nil {
			return err
		}
		if before.Builtin && (in.Name != nil && *in.Name != before.Name ||
			in.Description != nil && strings.TrimSpace(*in.Description) != before.Description ||
			in.Permissions != nil && !samePermissions(*in.Permissions, before.Permissions)) {
			return errBuiltinRole()
		}
		// changing a role's permissions or its need for a second factor,
		// either way, needs every permission of the role held: no one
		// weakens a role beyond what they could restore, nor binds one
		// they could not undo
		notHeld := func() error {
			for _, perm := range before.Permissions {
				if !p.Can(perm) {
					return apperr.New(apperr.PermissionDenied, "this role holds %q, which you do not hold; you cannot change it", perm).
						WithReason(ReasonPermissionNotHeld).WithDetail("permission", perm)
				}
			}
			return nil
		}
		changes := map[string]audit.Change{}
		if in.Name != nil && *in.Name != before.Name {
			if _, err := tx.Exec(ctx, `UPDATE roles SET name = ? WHERE id = ?`, *in.Name, id); err != nil {
				if db.IsUnique(err) {
					return apperr.Taken("name", "this role name")
				}
				return err
			}
			changes["name"] = audit.Change{From: before.Name, To: *in.Name}
		}
		if in.Description != nil && strings.TrimSpace(*in.Description) != before.Description {
			d := strings.TrimSpace(*in.Description)
			if _, err := tx.Exec(ctx, `UPDATE roles SET description = ? WHERE id = ?`, d, id); err != nil {
				return err
			}
			changes["description"] = audit.Change{From: before.Description, To: d}
		}
		if in.RequireTOTP != nil && *in.RequireTOTP != before.RequireTOTP {
			if err := notHeld(); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE roles SET require_totp = ? WHERE id = ?`, *in.RequireTOTP, id); err != nil {
				return err
			}
			changes["require_totp"] = audit.Change{From: before.RequireTOTP, To: *in.RequireTOTP}
		}
		if in.Permissions != nil && !samePermissions(*in.Permissions, before.Permissions) {
			to := slices.Clone(*in.Permissions)
			slices.Sort(to)
			if err := notHeld(); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
				return err
			}
			// a change of a role is a change of its holders' rank: their links die
			if _, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE used_at IS NULL
				AND user_id IN (SELECT user_id FROM user_roles WHERE role_id = ?)`, time.Now(), id); err != nil {
				return err
			}
			for _, perm := range to {
				if _, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)`, id, string(perm)); err != nil {
					return err
				}
			}
			changes["permissions"] = audit.Change{From: before.Permissions, To: to}
		}
		if out, err = loadRole(ctx, tx, id); err != nil || len(changes) == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.update", ResourceType: "role", ResourceID: itoa(id), Changes: changes})
	})
	if err != nil {
		return RoleView{}, err
	}
	s.afterAuthzChange(ctx, 0)
	return out, nil
}

// samePermissions reports whether two lists hold the same permissions.
func samePermissions(a, b []authz.Permission) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkIfMatch refuses a change when ifMatch is set and is not the strong
// ETag of cur as a GET of it answers (the same JSON encoding).
func checkIfMatch(ifMatch string, cur any, msg string) error {
	if ifMatch == "" {
		return nil
	}
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if !etag.MatchesStrong(ifMatch, etag.Of(body)) {
		return apperr.New(apperr.PreconditionFailed, "%s", msg)
	}
	return nil
}

// DeleteRole deletes a custom role that nobody holds.
func (s *Service) DeleteRole(ctx context.Context, id int64) error {
	p, err := authz.Require(ctx, PermManageRoles)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadRole(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Builtin {
			return errBuiltinRole()
		}
		if before.UsersCount > 0 {
			return apperr.New(apperr.Conflict, "%d users hold this role; take it from them first", before.UsersCount).
				WithReason(ReasonRoleInUse).WithDetail("users_count", before.UsersCount)
		}
		for _, perm := range before.Permissions {
			if !p.Can(perm) {
				return apperr.New(apperr.PermissionDenied, "this role holds %q, which you do not hold; you cannot delete it", perm).
					WithReason(ReasonPermissionNotHeld).WithDetail("permission", perm)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM roles WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.delete", ResourceType: "role", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"name": {From: before.Name}, "permissions": {From: before.Permissions}}})
	})
	if err != nil {
		return err
	}
	s.afterAuthzChange(ctx, 0)
	return nil
}

// ChangePasswordInput is the body of POST /api/auth/password.
type ChangePasswordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ChangePassword sets a new password for the logged-in user after checking
// the current one; every other session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, se *Session, in ChangePasswordInput) error {
	p := authz.From(ctx)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if se == nil {
		return apperr.New(apperr.PermissionDenied, "log in to change your password; an API token cannot").WithReason(ReasonTokenCaller)
	}
	if err := s.checkPassword(ctx, p.UserID, in.CurrentPassword, "current_password"); err != nil {
		if apperr.CodeOf(err) == apperr.ValidationFailed {
			_ = s.db.InTx(ctx, func(tx *db.Tx) error {
				return audit.Record(ctx, tx, audit.Entry{Action: "auth.password_change_failed", ResourceType: "user", ResourceID: itoa(p.UserID)})
			})
		}
		return err
	}
	u, err := s.store.UserByID(ctx, s.db.Reader(), p.UserID)
	if err != nil {
		return err
	}
	if msg, reason := PasswordRule(in.NewPassword, u.Email); msg != "" {
		return apperr.FieldReason("new_password", msg, reason)
	}
	if in.NewPassword == in.CurrentPassword {
		return apperr.FieldReason("new_password", "must differ from the current password", "same_as_current")
	}
	hash, err := s.hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, time.Now(), u.ID); err != nil {
			return err
		}
		// API tokens made before the change may be an intruder's
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, time.Now(), u.ID); err != nil {
			return err
		}
		// so may an administrator's reset link the user no longer needs
		if err := voidLinks(ctx, tx, u.ID, time.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.password_change", ResourceType: "user", ResourceID: itoa(u.ID),
			Changes: map[string]audit.Change{"password": {From: "***", To: "***"}, "api_tokens": {To: "revoked"}}})
	})
	if err != nil {
		return err
	}
	s.tokensChanged(ctx, u.ID, "updated")
	if err := s.endOtherSessions(ctx, u.ID, se.IDHash); err != nil {
		return apperr.Unavailablef(err, "the password is changed, but the session store is unavailable; other sessions end when it returns")
	}
	return s.revokeAfterCredentialChange(ctx, u.ID)
}

// endOtherSessions ends every session of a user except keep.
func (s *Service) endOtherSessions(ctx context.Context, userID int64, keep string) error {
	rows, err := s.db.Reader().Query(ctx, `SELECT id_hash FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, keep)
	if err != nil {
		return err
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	for _, h := range hashes {
		if err := s.sessions.Delete(ctx, h); err != nil {
			return err
		}
	}
	s.sessionsChanged(ctx, userID, "deleted")
	return nil
}
