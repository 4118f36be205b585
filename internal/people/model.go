// Package people is managing users and roles: invitations and
// set-password links, users' roles and standing, custom and built-in
// roles, and the superuser the first start or the command line makes.
// Credentials and access (logins, sessions, tokens, second factors, the
// rank rules) are auth's, which this package calls; auth never calls it.
package people

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Permissions of the people API. users.manage is auth's too: it also
// reaches other users' sessions and tokens.
const (
	PermViewUsers   authz.Permission = "users.view"
	PermManageUsers                  = auth.PermManageUsers
	PermManageRoles authz.Permission = "roles.manage"
)

// InviteLifetime is how long a set-password link works.
const InviteLifetime = 72 * time.Hour

// UserView is a user as the API shows it.
type UserView struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	IsSuperuser bool   `json:"is_superuser"`
	IsActive    bool   `json:"is_active"`
	// Invited is true until the user has set a password.
	Invited bool `json:"invited"`
	// TOTPEnabled: the user has a second factor set up.
	TOTPEnabled bool           `json:"totp_enabled"`
	Roles       []auth.RoleRef `json:"roles"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// UserList is the page-mode envelope of GET /api/users.
type UserList = paging.Page[UserView]

// CreateUserInput is the body of POST /api/users.
type CreateUserInput struct {
	Email       string  `json:"email"`
	Name        string  `json:"name"`
	RoleIDs     []int64 `json:"role_ids"`
	IsSuperuser bool    `json:"is_superuser,omitempty"`
}

// UpdateUserInput is the body of PATCH /api/users/{id}; absent fields stay.
type UpdateUserInput struct {
	Email       *string  `json:"email,omitempty"`
	Name        *string  `json:"name,omitempty"`
	RoleIDs     *[]int64 `json:"role_ids,omitempty"`
	IsActive    *bool    `json:"is_active,omitempty"`
	IsSuperuser *bool    `json:"is_superuser,omitempty"`
}

// Invite is a one-time set-password link. URL is shown once, to the admin
// who made it, unless it was emailed.
type Invite struct {
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	Emailed   bool      `json:"emailed"`
}

// CreatedUser is the answer to POST /api/users.
type CreatedUser struct {
	User UserView `json:"user"`
	// Invite is null when an API token created the user: a token never
	// receives a set-password link, so it cannot take over the accounts it
	// makes; a logged-in administrator sends one (POST /api/users/{id}/invite).
	Invite *Invite `json:"invite"`
}

// InviteInfo is what an invite link shows before the password is set.
type InviteInfo struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AcceptInviteInput is the body of POST /api/auth/invite.
type AcceptInviteInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func validEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && len(email) <= 254
}

func validateName(fe apperr.FieldErrors, field, name string) {
	if utf8.RuneCountInString(name) > 100 {
		fe.Add(field, "must be at most 100 characters")
	}
}

// userFieldReasons are the stable reasons of the user form's shape checks.
var userFieldReasons = map[string]string{"email": "invalid_email", "name": "too_long", "is_superuser": auth.ReasonSuperuserOnly}

// withFieldReasons adds details.field_reasons to a user form's
// VALIDATION_FAILED (nil stays nil).
func withFieldReasons(err error) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	reasons := map[string]string{}
	for f := range e.Fields {
		if r, ok := userFieldReasons[f]; ok {
			reasons[f] = r
		}
	}
	return e.WithDetail("field_reasons", reasons)
}

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

// samePermissions reports whether two lists hold the same permissions.
func samePermissions(a, b []authz.Permission) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// BuiltinRole is a role every installation has. Its permissions are set by
// this code at every start (EnsureBuiltinRoles), so an upgrade that adds a
// permission also grants it where it belongs.
type BuiltinRole struct {
	Name        string
	Description string
	// Permissions; nil means every permission in the catalogue.
	Permissions []authz.Permission
}

// BuiltinRoles are the built-in roles, most powerful first.
var BuiltinRoles = []BuiltinRole{
	{Name: "Administrator", Description: "Every permission (superuser status stays separate)"},
	{Name: "Manager", Description: "Runs the shop and the content; sees users and the audit log",
		Permissions: []authz.Permission{"orders.view", "orders.create", "orders.update_status", "customers.view_pii",
			"users.view", "audit.view", "stats.view", "media.view", "media.upload", "media.delete",
			"content.view", "content.edit", "content.publish", "ai.generate",
			"chatbot.view", "chatbot.handle", "chatbot.manage"}},
	{Name: "Editor", Description: "Writes and publishes the blog and the portfolio, with media and AI",
		Permissions: []authz.Permission{"content.view", "content.edit", "content.publish",
			"media.view", "media.upload", "ai.generate"}},
	{Name: "Support", Description: "Answers customers: orders with their contact details, status changes, the chatbot",
		Permissions: []authz.Permission{"orders.view", "orders.update_status", "customers.view_pii", "chatbot.view", "chatbot.handle"}},
	{Name: "Viewer", Description: "Reads orders (without contact details), statistics and content",
		Permissions: []authz.Permission{"orders.view", "stats.view", "media.view", "content.view",
			"chatbot.view"}},
}

// permissionsOf returns r's permissions, the whole catalogue for nil.
func (r BuiltinRole) permissionsOf() []authz.Permission {
	if r.Permissions != nil {
		return r.Permissions
	}
	var all []authz.Permission
	for _, d := range authz.All() {
		all = append(all, d.Name)
	}
	return all
}
