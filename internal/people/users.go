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

// ListUsers lists users, newest first.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermViewUsers); err != nil {
		return nil, "", err
	}
	where, args := f.where()
	binding := fmt.Sprintf("users|%s|%v", where, args)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("users:list:%s|p=%d|ps=%d|c=%s|l=%d|cm=%t", cache.KeyHash(binding), pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	return s.cache.Fetch(ctx, "users", key, []string{auth.AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		return db.NewestFirst(pr, s.cursors, binding, after, "id",
			func(tail string, tailArgs ...any) ([]UserView, error) {
				return s.store.ListUsers(ctx, f, tail, tailArgs...)
			},
			func() (int64, error) { return s.store.CountUsers(ctx, f) },
			func(u UserView) int64 { return u.ID })
	})
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermViewUsers); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, "users", "user:"+itoa(id), []string{auth.AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		u, err := s.store.loadUserView(ctx, s.db.Reader(), id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(u)
	})
}

// requireOutranks is auth.RequireOutranks for a loaded user.
func (s *Service) requireOutranks(ctx context.Context, q db.Querier, p *authz.Principal, target UserView) error {
	return s.auth.RequireOutranks(ctx, q, p, target.IsSuperuser, target.Roles)
}

// InviteUser creates an invited user (no password yet) with roles and
// returns a one-time set-password link. Only users.manage may; roles can
// give only permissions the caller holds; only a superuser makes superusers.
// An API token gets no link and none is made (Invite is nil).
func (s *Service) InviteUser(ctx context.Context, in CreateUserInput, linkBase string) (CreatedUser, error) {
	p, err := authz.Require(ctx, PermManageUsers)
	if err != nil {
		return CreatedUser{}, err
	}
	in.Email, in.Name = strings.TrimSpace(in.Email), strings.TrimSpace(in.Name)
	fe := apperr.FieldErrors{}
	if !validEmail(in.Email) {
		fe.Add("email", "must be an email address")
	}
	validateName(fe, "name", in.Name)
	if in.IsSuperuser && !p.Superuser {
		fe.Add("is_superuser", "only a superuser can make another")
	}
	if err := withFieldReasons(fe.Err()); err != nil {
		return CreatedUser{}, err
	}
	if in.RoleIDs == nil {
		in.RoleIDs = []int64{}
	}
	var out CreatedUser
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := s.auth.CheckGrant(ctx, tx, p, "role_ids", in.RoleIDs); err != nil {
			return err
		}
		id, err := s.store.InsertUser(ctx, tx, newUser{Email: in.Email, Name: in.Name, Superuser: in.IsSuperuser, Active: true})
		if db.IsUnique(err) {
			return apperr.Taken("email", "this email")
		}
		if err != nil {
			return err
		}
		for _, r := range in.RoleIDs {
			if err := s.store.AddUserRole(ctx, tx, id, r); err != nil {
				return err
			}
		}
		if p.Via != auth.ViaToken {
			inv, err := s.newInvite(ctx, tx, p, id, linkBase)
			if err != nil {
				return err
			}
			out.Invite = &inv
		}
		if out.User, err = s.store.loadUserView(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.create", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"email": {To: in.Email}, "name": {To: in.Name},
				"role_ids": {To: in.RoleIDs}, "is_superuser": {To: in.IsSuperuser}}})
	})
	if err != nil {
		return CreatedUser{}, err
	}
	s.auth.AccessChanged(ctx, out.User.ID)
	if out.Invite != nil {
		s.sendInvite(ctx, out.Invite, out.User.Email)
	}
	return out, nil
}

// UpdateUser changes a user. Nobody changes their own roles, superuser or
// active status (no self-escalation, no self-lockout); the last active
// superuser cannot be demoted or deactivated; deactivation ends every
// session of the user at once and revokes their API tokens. ifMatch, when
// set, must be the ETag of the user as GET answers it now.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UpdateUserInput, ifMatch string) (UserView, error) {
	p, err := authz.Require(ctx, PermManageUsers)
	if err != nil {
		return UserView{}, err
	}
	fe := apperr.FieldErrors{}
	if in.Email != nil {
		*in.Email = strings.TrimSpace(*in.Email)
		if !validEmail(*in.Email) {
			fe.Add("email", "must be an email address")
		}
	}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		validateName(fe, "name", *in.Name)
	}
	if err := withFieldReasons(fe.Err()); err != nil {
		return UserView{}, err
	}
	if id == p.UserID && (in.RoleIDs != nil || in.IsSuperuser != nil || in.IsActive != nil) {
		return UserView{}, apperr.New(apperr.PermissionDenied, "you cannot change your own roles, superuser status or active status; ask another administrator").
			WithReason(auth.ReasonSelf)
	}
	var out UserView
	deactivated := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.store.loadUserView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(ifMatch, before, "the user changed since you loaded them; reload and try again"); err != nil {
			return err
		}
		if err := s.requireOutranks(ctx, tx, p, before); err != nil {
			return err
		}
		if in.IsSuperuser != nil && *in.IsSuperuser && !p.Superuser {
			return apperr.FieldReason("is_superuser", "only a superuser can make another", auth.ReasonSuperuserOnly)
		}
		losesSuper := before.IsSuperuser && before.IsActive &&
			(in.IsSuperuser != nil && !*in.IsSuperuser || in.IsActive != nil && !*in.IsActive)
		if losesSuper {
			if err := s.lastSuperuserGuard(ctx, tx, id); err != nil {
				return err
			}
		}
		changes := map[string]audit.Change{}
		now := time.Now()
		rankChanged := false
		set := func(col string, from, to any, arg any) error {
			changes[col] = audit.Change{From: from, To: to}
			return s.store.setUserColumn(ctx, tx, id, col, arg, now)
		}
		if in.Email != nil && *in.Email != before.Email {
			if err := set("email", before.Email, *in.Email, *in.Email); err != nil {
				return err
			}
			rankChanged = true // a link sent to the old address must not open the account
			if err := s.store.setEmailLower(ctx, tx, id, *in.Email); err != nil {
				if db.IsUnique(err) {
					return apperr.Taken("email", "this email")
				}
				return err
			}
		}
		if in.Name != nil && *in.Name != before.Name {
			if err := set("name", before.Name, *in.Name, *in.Name); err != nil {
				return err
			}
		}
		if in.IsSuperuser != nil && *in.IsSuperuser != before.IsSuperuser {
			if err := set("is_superuser", before.IsSuperuser, *in.IsSuperuser, *in.IsSuperuser); err != nil {
				return err
			}
			rankChanged = true
		}
		if in.IsActive != nil && *in.IsActive != before.IsActive {
			if err := set("is_active", before.IsActive, *in.IsActive, *in.IsActive); err != nil {
				return err
			}
			deactivated = !*in.IsActive
			rankChanged = true
			if deactivated {
				// tokens end with the sessions, for good: nobody else sees
				// them, so none may come back unseen with a reactivation
				n, err := s.auth.RevokeUserTokens(ctx, tx, id, now)
				if err != nil {
					return err
				}
				if n > 0 {
					changes["api_tokens"] = audit.Change{To: "revoked"}
				}
			}
		}
		if in.RoleIDs != nil {
			if err := s.auth.CheckGrant(ctx, tx, p, "role_ids", *in.RoleIDs); err != nil {
				return err
			}
			var from []int64
			for _, r := range before.Roles {
				from = append(from, r.ID)
			}
			to := slices.Clone(*in.RoleIDs)
			slices.Sort(from)
			slices.Sort(to)
			if !slices.Equal(from, to) {
				// taking a role away also needs its permissions held: no one
				// strips a more powerful role they could not grant back
				if err := s.auth.CheckGrant(ctx, tx, p, "role_ids", from); err != nil {
					return apperr.New(apperr.PermissionDenied, "the user holds a role with permissions you lack; you cannot change their roles").
						WithReason(auth.ReasonOutranked)
				}
				if err := s.store.setUserRoles(ctx, tx, id, to); err != nil {
					return err
				}
				changes["role_ids"] = audit.Change{From: from, To: to}
				rankChanged = true
			}
		}
		// the links of the account as it was die with the change: an
		// issuer who outranked the user then may not now
		if rankChanged {
			if err := s.auth.VoidLinks(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if out, err = s.store.loadUserView(ctx, tx, id); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		action := "users.update"
		if deactivated {
			action = "users.deactivate"
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "user", ResourceID: itoa(id), Changes: changes})
	})
	if err != nil {
		return UserView{}, err
	}
	// access first: an inactive user's sessions and tokens stop working at
	// once even if ending the sessions below fails
	s.auth.AccessChanged(ctx, id)
	if deactivated {
		if err := s.auth.EndUserAccess(ctx, id); err != nil {
			return UserView{}, apperr.Unavailablef(err, "the user is deactivated, but the session store is unavailable; their sessions end when it returns")
		}
	}
	return out, nil
}

// DeactivateUser is DELETE /api/users/{id}: users with history are never
// deleted, only deactivated.
func (s *Service) DeactivateUser(ctx context.Context, id int64) error {
	no := false
	_, err := s.UpdateUser(ctx, id, UpdateUserInput{IsActive: &no}, "")
	return err
}

// lastSuperuserGuard refuses to take the last active superuser away.
func (s *Service) lastSuperuserGuard(ctx context.Context, tx *db.Tx, id int64) error {
	others, err := s.store.otherActiveSuperusers(ctx, tx, id)
	if err != nil {
		return err
	}
	if others == 0 {
		return apperr.New(apperr.Conflict, "this is the last active superuser; make another superuser first").WithReason(ReasonLastSuperuser)
	}
	return nil
}
