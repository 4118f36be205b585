package people

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

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

// ListRoles lists roles: built-in ones first (most powerful first), then
// custom ones by name. Page mode only orders by that; cursor mode by id.
// It takes no filter.
func (s *Service) ListRoles(ctx context.Context, _ struct{}, pr paging.Request) ([]byte, cache.Status, error) {
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
	return s.cache.Fetch(ctx, "roles", key, []string{auth.AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		if pr.CursorMode {
			items, err := s.store.rolesAfter(ctx, after, pr.Limit+1)
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
		total, err := s.store.countRoles(ctx)
		if err != nil {
			return nil, err
		}
		items, err := s.store.rolesPage(ctx, pr.PageSize, pr.Offset())
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
	return s.cache.Fetch(ctx, "roles", "role:"+itoa(id), []string{auth.AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		r, err := s.store.loadRole(ctx, s.db.Reader(), id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	})
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
			if err := s.store.setRoleRequireTOTP(ctx, tx, id, true); err != nil {
				return err
			}
		}
		if out, err = s.store.loadRole(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.create", ResourceType: "role", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"name": {To: out.Name}, "description": {To: desc}, "permissions": {To: out.Permissions},
				"require_totp": {To: out.RequireTOTP}}})
	})
	if err != nil {
		return RoleView{}, err
	}
	s.auth.AccessChanged(ctx, 0)
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
		before, err := s.store.loadRole(ctx, tx, id)
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
			if err := s.store.setRoleName(ctx, tx, id, *in.Name); err != nil {
				if db.IsUnique(err) {
					return apperr.Taken("name", "this role name")
				}
				return err
			}
			changes["name"] = audit.Change{From: before.Name, To: *in.Name}
		}
		if in.Description != nil && strings.TrimSpace(*in.Description) != before.Description {
			d := strings.TrimSpace(*in.Description)
			if err := s.store.setRoleDescription(ctx, tx, id, d); err != nil {
				return err
			}
			changes["description"] = audit.Change{From: before.Description, To: d}
		}
		if in.RequireTOTP != nil && *in.RequireTOTP != before.RequireTOTP {
			if err := notHeld(); err != nil {
				return err
			}
			if err := s.store.setRoleRequireTOTP(ctx, tx, id, *in.RequireTOTP); err != nil {
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
			// a change of a role is a change of its holders' rank: their links die
			if err := s.store.setRolePermissions(ctx, tx, id, to, time.Now()); err != nil {
				return err
			}
			changes["permissions"] = audit.Change{From: before.Permissions, To: to}
		}
		if out, err = s.store.loadRole(ctx, tx, id); err != nil || len(changes) == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.update", ResourceType: "role", ResourceID: itoa(id), Changes: changes})
	})
	if err != nil {
		return RoleView{}, err
	}
	s.auth.AccessChanged(ctx, 0)
	return out, nil
}

// DeleteRole deletes a custom role that nobody holds.
func (s *Service) DeleteRole(ctx context.Context, id int64) error {
	p, err := authz.Require(ctx, PermManageRoles)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.store.loadRole(ctx, tx, id)
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
		if err := s.store.deleteRole(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roles.delete", ResourceType: "role", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"name": {From: before.Name}, "permissions": {From: before.Permissions}}})
	})
	if err != nil {
		return err
	}
	s.auth.AccessChanged(ctx, 0)
	return nil
}

// EnsureBuiltinRoles creates the built-in roles and sets their permissions
// to this code's definition. A custom role already named like a built-in
// one becomes that built-in role. Safe to run from several instances at once.
func (s *Service) EnsureBuiltinRoles(ctx context.Context) error {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range BuiltinRoles {
			if err := s.store.ensureBuiltinRole(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.cache.Invalidate(ctx, auth.AuthzTag)
	return nil
}

// RoleID returns the id of the role named name (auth.ErrNotFound).
func (s *Service) RoleID(ctx context.Context, name string) (int64, error) {
	return s.store.roleID(ctx, name)
}
