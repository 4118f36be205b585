package auth

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Permissions of the people side.
const (
	PermViewUsers   authz.Permission = "users.view"
	PermManageRoles authz.Permission = "roles.manage"
)

// AuthzResource is the event resource of every change to users, roles or
// permissions: clients hear of it and refetch who they are, so an open
// screen loses what its user may no longer do. An event naming a user (ID)
// reaches that user and those who may view or manage users or roles; one
// with ID 0 (a role changed) reaches every logged-in user.
const AuthzResource = "authz"

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
	TOTPEnabled bool      `json:"totp_enabled"`
	Roles       []RoleRef `json:"roles"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// UserList is the page-mode envelope of GET /api/users.
type UserList = paging.Page[UserView]

// UserFilter narrows GET /api/users.
type UserFilter struct {
	Q      string // substring of email or name, case-insensitive
	RoleID int64
	Status string // "", "active", "inactive" or "invited"
}

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

func (s *Service) publishAuthz(ctx context.Context, id int64) {
	if s.bus != nil {
		_ = s.bus.Publish(ctx, events.Event{Event: "updated", Resource: AuthzResource, ID: id})
	}
}

// loadUserView reads one user with roles.
func loadUserView(ctx context.Context, q db.Querier, id int64) (UserView, error) {
	var u UserView
	var hash string
	err := q.QueryRow(ctx, `SELECT id, email, name, is_superuser, is_active, password_hash, totp_secret <> '', created_at, updated_at
		FROM users WHERE id = ?`, id).Scan(&u.ID, &u.Email, &u.Name, &u.IsSuperuser, &u.IsActive, &hash, &u.TOTPEnabled,
		db.Time{T: &u.CreatedAt}, db.Time{T: &u.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "no such user")
	}
	if err != nil {
		return u, err
	}
	u.Invited = hash == ""
	roles, err := rolesOf(ctx, q, []int64{id})
	u.Roles = roles[id]
	return u, err
}

// rolesOf returns the roles of each user, by user id (never nil slices).
func rolesOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]RoleRef, error) {
	out := map[int64][]RoleRef{}
	for _, id := range ids {
		out[id] = []RoleRef{}
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
		var r RoleRef
		if err := rows.Scan(&uid, &r.ID, &r.Name); err != nil {
			return nil, err
		}
		out[uid] = append(out[uid], r)
	}
	return out, rows.Err()
}

// ListUsers lists users, newest first.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermViewUsers); err != nil {
		return nil, "", err
	}
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
	binding := fmt.Sprintf("users|%s|%v", where, args)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("users:list:%s|p=%d|ps=%d|c=%s|l=%d|cm=%t", cache.KeyHash(binding), pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	return s.cache.Fetch(ctx, "users", key, []string{AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		q := s.db.Reader()
		query := func(extra string, extraArgs ...any) ([]UserView, error) {
			rows, err := q.Query(ctx, `SELECT id, email, name, is_superuser, is_active, password_hash = '', totp_secret <> '', created_at, updated_at
				FROM users WHERE `+where+extra, append(slices.Clone(args), extraArgs...)...)
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
			roles, err := rolesOf(ctx, q, ids)
			if err != nil {
				return nil, err
			}
			for i := range out {
				out[i].Roles = roles[out[i].ID]
			}
			return out, nil
		}
		count := func() (total int64, err error) {
			err = db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE `+where, args...), &total)
			return total, err
		}
		return db.NewestFirst(pr, s.cursors, binding, after, "id", query, count,
			func(u UserView) int64 { return u.ID })
	})
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermViewUsers); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, "users", "user:"+itoa(id), []string{AuthzTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		u, err := loadUserView(ctx, s.db.Reader(), id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(u)
	})
}

// checkGrant refuses roles that do not exist or that would give someone a
// permission the granting principal lacks.
func (s *Service) checkGrant(ctx context.Context, q db.Querier, p *authz.Principal, field string, roleIDs []int64) error {
	for i, id := range roleIDs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if slices.Contains(roleIDs[:i], id) {
			return apperr.FieldReason(f, "is listed twice", "duplicate")
		}
		perms, err := rolePermissions(ctx, q, id)
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

func rolePermissions(ctx context.Context, q db.Querier, roleID int64) ([]authz.Permission, error) {
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

func validateName(fe apperr.FieldErrors, field, name string) {
	if utf8.RuneCountInString(name) > 100 {
		fe.Add(field, "must be at most 100 characters")
	}
}

// userFieldReasons are the stable reasons of the user form's shape checks.
var userFieldReasons = map[string]string{"email": "invalid_email", "name": "too_long", "is_superuser": ReasonSuperuserOnly}

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
		if err := s.checkGrant(ctx, tx, p, "role_ids", in.RoleIDs); err != nil {
			return err
		}
		id, err := s.store.InsertUser(ctx, tx, User{Email: in.Email, Name: in.Name, Superuser: in.IsSuperuser, Active: true})
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
		if p.Via != ViaToken {
			inv, err := s.newInvite(ctx, tx, p, id, linkBase)
			if err != nil {
				return err
			}
			out.Invite = &inv
		}
		if out.User, err = loadUserView(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.create", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"email": {To: in.Email}, "name": {To: in.Name},
				"role_ids": {To: in.RoleIDs}, "is_superuser": {To: in.IsSuperuser}}})
	})
	if err != nil {
		return CreatedUser{}, err
	}
	s.afterAuthzChange(ctx, out.User.ID)
	if out.Invite != nil {
		s.sendInvite(ctx, out.Invite, out.User.Email)
	}
	return out, nil
}

// afterAuthzChange makes a users/roles change visible: every instance's
// cached access and lists are invalidated before the answer, and open
// screens hear of it.
func (s *Service) afterAuthzChange(ctx context.Context, id int64) {
	s.cache.Invalidate(ctx, AuthzTag)
	s.publishAuthz(ctx, id)
}

// newInvite replaces the user's unused links with a new one.
func (s *Service) newInvite(ctx context.Context, tx *db.Tx, p *authz.Principal, userID int64, linkBase string) (Invite, error) {
	now := time.Now()
	if err := voidLinks(ctx, tx, userID, now); err != nil {
		return Invite{}, err
	}
	secret := randomToken()
	inv := Invite{URL: strings.TrimSuffix(linkBase, "/") + "/invite?token=" + secret,
		ExpiresAt: now.Add(InviteLifetime).UTC().Truncate(time.Microsecond)}
	_, err := tx.Exec(ctx, `INSERT INTO invites (user_id, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		userID, hashToken(secret), p.UserID, now, inv.ExpiresAt)
	return inv, err
}

// ReinviteUser makes a new set-password link for a user (an admin reset);
// earlier unused links stop working. Nobody makes one for themselves.
func (s *Service) ReinviteUser(ctx context.Context, id int64, linkBase string) (Invite, error) {
	p, err := authz.Require(ctx, PermManageUsers)
	if err != nil {
		return Invite{}, err
	}
	if err := interactive(p, "making a set-password link"); err != nil {
		return Invite{}, err
	}
	// a link for yourself would change your password without the current
	// one: whoever holds only your session could lock you out
	if id == p.UserID {
		return Invite{}, apperr.New(apperr.PermissionDenied, "you cannot send yourself a set-password link; change your password on your account page").
			WithReason(ReasonSelf)
	}
	var inv Invite
	var email string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// concurrent resets, and changes of the user, take turns: each
		// reset voids the links made before it, and a link goes to the
		// address the user has when it is made
		if err := lockUser(ctx, tx, id); err != nil {
			return err
		}
		u, err := loadUserView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.requireOutranks(ctx, tx, p, u); err != nil {
			return err
		}
		email = u.Email
		if inv, err = s.newInvite(ctx, tx, p, id, linkBase); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.invite", ResourceType: "user", ResourceID: itoa(id)})
	})
	if err != nil {
		return Invite{}, err
	}
	s.sendInvite(ctx, &inv, email)
	return inv, nil
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

// badInvite is the one answer for every link that does not work, whatever
// the cause, so a caller learns nothing about why.
func badInvite() error {
	return apperr.New(apperr.NotFound, "this link is invalid, used or expired; ask an administrator for a new one").
		WithReason(ReasonLinkInvalid)
}

// inviteByToken finds a usable link: unused, unexpired, of an active user
// whom its issuer (still active) still outranks as both are now.
func (s *Service) inviteByToken(ctx context.Context, q db.Querier, token string) (id, userID int64, info InviteInfo, err error) {
	if token == "" || len(token) > 128 {
		return 0, 0, info, badInvite()
	}
	var usedAt *time.Time
	var issuer *int64
	err = q.QueryRow(ctx, `SELECT i.id, i.user_id, i.created_by, u.email, u.name, i.expires_at, i.used_at FROM invites i
		JOIN users u ON u.id = i.user_id WHERE i.token_hash = ? AND u.is_active = ?`, hashToken(token), true).
		Scan(&id, &userID, &issuer, &info.Email, &info.Name, db.Time{T: &info.ExpiresAt}, db.NullTime{T: &usedAt})
	if errors.Is(err, db.ErrNoRows) || err == nil && (usedAt != nil || !time.Now().Before(info.ExpiresAt)) {
		return 0, 0, info, badInvite()
	}
	if err != nil {
		return 0, 0, info, err
	}
	if issuer != nil && *issuer == userID {
		return 0, 0, info, badInvite() // made for oneself, before that was refused
	}
	if issuer != nil && *issuer != 0 { // 0 or NULL: the system (command line)
		if err := s.issuerOutranks(ctx, q, *issuer, userID); err != nil {
			return 0, 0, info, err
		}
	}
	return id, userID, info, nil
}

// issuerOutranks applies ReinviteUser's rules to a link's issuer as they
// are now (active, holding users.manage, outranking the user): a link
// works only while its issuer could still make it.
func (s *Service) issuerOutranks(ctx context.Context, q db.Querier, issuerID, userID int64) error {
	issuer, err := loadUserView(ctx, q, issuerID)
	if apperr.CodeOf(err) == apperr.NotFound || err == nil && !issuer.IsActive {
		return badInvite()
	}
	if err != nil {
		return err
	}
	target, err := loadUserView(ctx, q, userID)
	if err != nil {
		return err
	}
	p := &authz.Principal{UserID: issuer.ID, Superuser: issuer.IsSuperuser, Permissions: []authz.Permission{}}
	rows, err := q.Query(ctx, `SELECT DISTINCT rp.permission FROM role_permissions rp
		JOIN user_roles ur ON ur.role_id = rp.role_id WHERE ur.user_id = ? ORDER BY rp.permission`, issuerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var perm string
		if err := rows.Scan(&perm); err != nil {
			return err
		}
		p.Permissions = append(p.Permissions, authz.Permission(perm))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !p.Can(PermManageUsers) {
		return badInvite()
	}
	if err := s.requireOutranks(ctx, q, p, target); err != nil {
		if apperr.CodeOf(err) == apperr.PermissionDenied {
			return badInvite()
		}
		return err
	}
	return nil
}

// voidLinks ends every unused set-password link of a user. A change of the
// user's rank, roles, email, activity or password calls it in the change's
// own transaction: a link is for the account as it was when it was made.
func voidLinks(ctx context.Context, tx *db.Tx, userID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID)
	return err
}

// CheckInvite tells whose link a token is, without using it.
func (s *Service) CheckInvite(ctx context.Context, token string) (InviteInfo, error) {
	_, _, info, err := s.inviteByToken(ctx, s.db.Reader(), token)
	return info, err
}

// AcceptInvite sets the password of an invite's user and uses the link up;
// every session the user had ends (a reset locks out whoever else got in).
func (s *Service) AcceptInvite(ctx context.Context, in AcceptInviteInput) error {
	if _, _, info, err := s.inviteByToken(ctx, s.db.Reader(), in.Token); err != nil {
		return err
	} else if msg, reason := PasswordRule(in.Password, info.Email); msg != "" {
		return apperr.FieldReason("password", msg, reason)
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}
	var userID int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var inviteID int64
		var err error
		if inviteID, userID, _, err = s.inviteByToken(ctx, tx, in.Token); err != nil {
			return err
		}
		// the user's row before the link's, as resets and changes of the
		// user take them (else they deadlock); a link voided meanwhile is
		// caught below
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		now := time.Now()
		res, err := tx.Exec(ctx, `UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, inviteID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return badInvite() // used concurrently
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, userID); err != nil {
			return err
		}
		// a reset locks out whoever else got in, scripts included
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID); err != nil {
			return err
		}
		ctx := authz.With(ctx, &authz.Principal{UserID: userID})
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.invite_accept", ResourceType: "user", ResourceID: itoa(userID),
			Changes: map[string]audit.Change{"password": {From: "***", To: "***"}}})
	})
	if err != nil {
		return err
	}
	s.afterAuthzChange(ctx, userID)
	s.sessionsChanged(ctx, userID, "deleted")
	s.tokensChanged(ctx, userID, "updated")
	if err := s.sessions.DeleteUser(ctx, userID); err != nil {
		return apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	return s.revokeAfterCredentialChange(ctx, userID)
}

// UpdateUser changes a user. Nobody changes their own roles, superuser or
// active status (no self-escalation, no self-lockout); the last active
// superuser cannot be demoted or deactivated; deactivation ends every
// session of the user at once and revokes their API tokens. ifMatch, when set, must be the ETag of the
// user as GET answers it now.
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
			WithReason(ReasonSelf)
	}
	var out UserView
	deactivated := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadUserView(ctx, tx, id)
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
			return apperr.FieldReason("is_superuser", "only a superuser can make another", ReasonSuperuserOnly)
		}
		losesSuper := before.IsSuperuser && before.IsActive &&
			(in.IsSuperuser != nil && !*in.IsSuperuser || in.IsActive != nil && !*in.IsActive)
		if losesSuper {
			if err := lastSuperuserGuard(ctx, tx, id); err != nil {
				return err
			}
		}
		changes := map[string]audit.Change{}
		now := time.Now()
		rankChanged := false
		set := func(col string, from, to any, arg any) error {
			changes[col] = audit.Change{From: from, To: to}
			_, err := tx.Exec(ctx, `UPDATE users SET `+col+` = ?, updated_at = ? WHERE id = ?`, arg, now, id)
			return err
		}
		if in.Email != nil && *in.Email != before.Email {
			if err := set("email", before.Email, *in.Email, *in.Email); err != nil {
				return err
			}
			rankChanged = true // a link sent to the old address must not open the account
			if _, err := tx.Exec(ctx, `UPDATE users SET email_lower = ? WHERE id = ?`, strings.ToLower(*in.Email), id); err != nil {
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
				res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, id)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					changes["api_tokens"] = audit.Change{To: "revoked"}
				}
			}
		}
		if in.RoleIDs != nil {
			if err := s.checkGrant(ctx, tx, p, "role_ids", *in.RoleIDs); err != nil {
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
				if err := s.checkGrant(ctx, tx, p, "role_ids", from); err != nil {
					return apperr.New(apperr.PermissionDenied, "the user holds a role with permissions you lack; you cannot change their roles").
						WithReason(ReasonOutranked)
				}
				if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, id); err != nil {
					return err
				}
				for _, r := range to {
					if err := s.store.AddUserRole(ctx, tx, id, r); err != nil {
						return err
					}
				}
				changes["role_ids"] = audit.Change{From: from, To: to}
				rankChanged = true
			}
		}
		// the links of the account as it was die with the change: an
		// issuer who outranked the user then may not now
		if rankChanged {
			if err := voidLinks(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if out, err = loadUserView(ctx, tx, id); err != nil {
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
	s.afterAuthzChange(ctx, id)
	if deactivated {
		s.sessionsChanged(ctx, id, "deleted")
		s.tokensChanged(ctx, id, "updated")
		if err := s.sessions.DeleteUser(ctx, id); err != nil {
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

// requireOutranks refuses when the target user holds a role whose
// permissions p lacks: nobody resets, re-addresses, deactivates or
// otherwise changes an account more powerful than their own.
func (s *Service) requireOutranks(ctx context.Context, q db.Querier, p *authz.Principal, target UserView) error {
	if target.IsSuperuser && !p.Superuser {
		return apperr.New(apperr.PermissionDenied, "only a superuser can change a superuser").WithReason(ReasonSuperuserOnly)
	}
	ids := make([]int64, len(target.Roles))
	for i, r := range target.Roles {
		ids[i] = r.ID
	}
	if err := s.checkGrant(ctx, q, p, "role_ids", ids); err != nil {
		return apperr.New(apperr.PermissionDenied, "this user holds a role with permissions you lack; ask someone who holds them").
			WithReason(ReasonOutranked)
	}
	return nil
}

// rolesAbove lists the roles that put their holders above p: those with a
// permission p lacks. It is requireOutranks' rule as a set, for filtering
// lists; nil for a superuser, who outranks everyone.
func rolesAbove(ctx context.Context, q db.Querier, p *authz.Principal) ([]int64, error) {
	if p.Superuser {
		return nil, nil
	}
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

// outranksUser applies requireOutranks to a user by id. An unknown user is
// NOT_FOUND.
func (s *Service) outranksUser(ctx context.Context, q db.Querier, p *authz.Principal, userID int64) error {
	target, err := loadUserView(ctx, q, userID)
	if err != nil {
		return err
	}
	return s.requireOutranks(ctx, q, p, target)
}

// interactive refuses API-token callers: sessions, API tokens and
// set-password links are managed from a logged-in session only, whatever
// a token's scope (a token must not keep itself or its kin alive, end its
// owner's sessions or mint a way into an account).
func interactive(p *authz.Principal, what string) error {
	if p.Via == ViaToken {
		return apperr.New(apperr.PermissionDenied, "%s needs a logged-in session; an API token cannot", what).
			WithReason(ReasonTokenCaller)
	}
	return nil
}

// lockUser takes the user's row until the transaction ends, so changes of
// one user and the links made for them run one after another (PostgreSQL;
// SQLite's write transactions already do). An unknown user is no error.
func lockUser(ctx context.Context, tx *db.Tx, id int64) error {
	if tx.Engine() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, id)
	return err
}

// lastSuperuserGuard refuses to take the last active superuser away.
func lastSuperuserGuard(ctx context.Context, tx *db.Tx, id int64) error {
	lock := ""
	if tx.Engine() == db.Postgres {
		lock = " FOR UPDATE"
	}
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE is_superuser = ? AND is_active = ?`+lock, true, true)
	if err != nil {
		return err
	}
	defer rows.Close()
	others := 0
	for rows.Next() {
		var other int64
		if err := rows.Scan(&other); err != nil {
			return err
		}
		if other != id {
			others++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if others == 0 {
		return apperr.New(apperr.Conflict, "this is the last active superuser; make another superuser first").WithReason(ReasonLastSuperuser)
	}
	return nil
}
