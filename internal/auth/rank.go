package auth

// Ranks: nobody grants, takes away or acts on more than they hold. These
// rules guard the people API's changes of users and roles as much as the
// sessions and tokens of others here; people calls them in its own
// transactions.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// CheckGrant refuses roles that do not exist or that would give someone a
// permission the granting principal lacks; field names the list in the
// errors (field[i]).
func (s *Service) CheckGrant(ctx context.Context, q db.Querier, p *authz.Principal, field string, roleIDs []int64) error {
	for i, id := range roleIDs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if slices.Contains(roleIDs[:i], id) {
			return apperr.FieldReason(f, "is listed twice", "duplicate")
		}
		perms, err := s.store.RolePermissions(ctx, q, id)
		if errors.Is(err, ErrNotFound) {
			return apperr.FieldReason(f, fmt.Sprintf("there is no role %d", id), "no_such_role")
		}
		if err != nil {
			return err
		}
		for _, perm := range perms {
			if !p.Can(perm) {
				return apperr.FieldReason(f, fmt.Sprintf("this role holds %q, which you do not hold, so you cannot grant it", perm), "not_held").
					WithDetail("permission", perm)
			}
		}
	}
	return nil
}

// RequireOutranks refuses when the target user (superuser or not, holding
// roles) holds a role whose permissions p lacks: nobody resets,
// re-addresses, deactivates or otherwise changes an account more powerful
// than their own.
func (s *Service) RequireOutranks(ctx context.Context, q db.Querier, p *authz.Principal, superuser bool, roles []RoleRef) error {
	if superuser && !p.Superuser {
		return apperr.New(apperr.PermissionDenied, "only a superuser can change a superuser").WithReason(ReasonSuperuserOnly)
	}
	ids := make([]int64, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	if err := s.CheckGrant(ctx, q, p, "role_ids", ids); err != nil {
		return apperr.New(apperr.PermissionDenied, "this user holds a role with permissions you lack; ask someone who holds them").
			WithReason(ReasonOutranked)
	}
	return nil
}

// outranksUser applies RequireOutranks to a user by id. An unknown user is
// NOT_FOUND.
func (s *Service) outranksUser(ctx context.Context, q db.Querier, p *authz.Principal, userID int64) error {
	u, err := s.store.UserByID(ctx, q, userID)
	if errors.Is(err, ErrNotFound) {
		return apperr.New(apperr.NotFound, "no such user")
	}
	if err != nil {
		return err
	}
	roles, err := s.store.rolesOfUser(ctx, q, userID)
	if err != nil {
		return err
	}
	return s.RequireOutranks(ctx, q, p, u.Superuser, roles)
}

// rolesAbove lists the roles that put their holders above p: those with a
// permission p lacks. It is RequireOutranks' rule as a set, for filtering
// lists; nil for a superuser, who outranks everyone.
func (s *Service) rolesAbove(ctx context.Context, q db.Querier, p *authz.Principal) ([]int64, error) {
	if p.Superuser {
		return nil, nil
	}
	return s.store.rolesAbove(ctx, q, p)
}

// Interactive refuses API-token callers: sessions, API tokens and
// set-password links are managed from a logged-in session only, whatever
// a token's scope (a token must not keep itself or its kin alive, end its
// owner's sessions or mint a way into an account).
func Interactive(p *authz.Principal, what string) error {
	if p.Via == ViaToken {
		return apperr.New(apperr.PermissionDenied, "%s needs a logged-in session; an API token cannot", what).
			WithReason(ReasonTokenCaller)
	}
	return nil
}

// requireSession refuses token callers: second-factor changes need a login.
func requireSession(ctx context.Context, se *Session) (*authz.Principal, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if se == nil {
		return nil, apperr.New(apperr.PermissionDenied, "log in to change two-factor authentication; an API token cannot").
			WithReason(ReasonTokenCaller)
	}
	return p, nil
}
