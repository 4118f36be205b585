// Package auth is credentials and access: password login and policy,
// server-side sessions, TOTP second factors, API tokens, the request
// authentication and CSRF middleware, and the rank rules every change of
// an account obeys. Managing users and roles is the people feature's,
// which imports this one; this one never imports it, and reads the users
// and roles tables it needs with its own store.
package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Config holds the session and login-limit settings.
type Config struct {
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// Failed logins allowed per account and per client IP in LoginWindow.
	LoginAccountLimit int
	LoginIPLimit      int
	LoginWindow       time.Duration
}

// PermManageUsers lets a user manage users, and see and end everyone's
// sessions and tokens (of users they outrank).
const PermManageUsers authz.Permission = "users.manage"

// AuthzTag is the cache tag every user's access depends on; a change to
// users, roles or permissions invalidates it.
const AuthzTag = "authz"

// SessionsTag is the cache tag of session lists: logins, logouts,
// revocations and activity (at most once a minute per session) bump it.
const SessionsTag = "sessions"

// TokensTag is the cache tag of every API token read; creating or revoking
// a token invalidates it, so a revoked token fails on the very next request.
const TokensTag = "tokens"

// AuthzResource is the event resource of every change to users, roles or
// permissions: clients hear of it and refetch who they are, so an open
// screen loses what its user may no longer do. An event naming a user (ID)
// reaches that user and those who may view or manage users or roles; one
// with ID 0 (a role changed) reaches every logged-in user.
const AuthzResource = "authz"

// Event resources of a user's sessions and API tokens: an event's ID is
// the user whose sessions or tokens changed. The hub sends session events
// to that user and to holders of users.manage (who list everyone's
// sessions), token events to that user alone (see server.New). Activity
// (last seen, last used) announces nothing: lists show it when refetched.
const (
	SessionsResource = "sessions"
	TokensResource   = "tokens"
)

// ViaToken and ViaSession say how a principal authenticated.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

// ErrNotFound means no such row.
var ErrNotFound = errors.New("not found")

// User is an account's credentials and standing.
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

// Access is what a user may do, for building a principal.
type Access struct {
	User        User
	Roles       []RoleRef
	Permissions []authz.Permission
	// TOTPEnabled: the user has a second factor; TOTPRequired: a role of
	// theirs requires one.
	TOTPEnabled, TOTPRequired bool
}

// Me is the logged-in user as the API shows it.
type Me struct {
	ID          int64              `json:"id"`
	Email       string             `json:"email"`
	Name        string             `json:"name"`
	IsSuperuser bool               `json:"is_superuser"`
	Roles       []RoleRef          `json:"roles"`
	Permissions []authz.Permission `json:"permissions"`
	CSRFToken   string             `json:"csrf_token"`
	TOTPEnabled bool               `json:"totp_enabled"`
	// TOTPSetupRequired: a role requires a second factor; until it is set
	// up the user holds no permission.
	TOTPSetupRequired bool `json:"totp_setup_required"`
}

// cachedAccess is the cached form of a user's access (no password hash).
type cachedAccess struct {
	ID           int64              `json:"id"`
	Email        string             `json:"email"`
	Name         string             `json:"name"`
	Superuser    bool               `json:"superuser"`
	Active       bool               `json:"active"`
	Roles        []RoleRef          `json:"roles"`
	Permissions  []authz.Permission `json:"permissions"`
	TOTPEnabled  bool               `json:"totp_enabled"`
	TOTPRequired bool               `json:"totp_required"`
}

// mustEnrolTOTP: a role requires a second factor the user has not set up.
func (a cachedAccess) mustEnrolTOTP() bool { return a.TOTPRequired && !a.TOTPEnabled }

// LoginInput is the login request.
type LoginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

// Validate checks the shape of a login request.
func (in LoginInput) Validate() error {
	fe := apperr.FieldErrors{}
	if strings.TrimSpace(in.Email) == "" {
		fe.Add("email", "is required")
	} else if len(in.Email) > 254 {
		fe.Add("email", "must be at most 254 characters")
	}
	if in.Password == "" {
		fe.Add("password", "is required")
	} else if len(in.Password) > 1024 {
		fe.Add("password", "must be at most 1024 characters")
	}
	if len(in.TOTP) > 16 {
		fe.Add("totp", "must be at most 16 characters")
	}
	return fe.Err()
}

// LoginResult is what a successful login yields.
type LoginResult struct {
	SessionID string
	Me        Me
}

// LoginResponse is the body of a successful login.
type LoginResponse struct {
	User      Me     `json:"user"`
	CSRFToken string `json:"csrf_token"`
}

// PermissionList is the body of GET /api/permissions.
type PermissionList struct {
	Items []authz.Described `json:"items"`
}

// ChangePasswordInput is the body of POST /api/auth/password.
type ChangePasswordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// Session is a server-side login session. Its id is known only to the
// browser; the server keeps the id's SHA-256.
type Session struct {
	// ID is the session's public id (lists and revocation use it).
	ID         int64     `json:"id"`
	IDHash     string    `json:"-"`
	UserID     int64     `json:"user_id"`
	CSRFToken  string    `json:"csrf_token"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// ErrNoSession means the id names no live session.
var ErrNoSession = errors.New("no such session")

// UserRef names a user.
type UserRef struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// SessionView is a session as the API shows it (never its id's hash or CSRF token).
type SessionView struct {
	ID         int64     `json:"id"`
	User       UserRef   `json:"user"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// Current marks the session the request came with.
	Current bool `json:"current"`
}

// SessionList is the page-mode envelope of GET /api/sessions.
type SessionList = paging.Page[SessionView]

// tokenSecretPrefix starts every API token, so leaked ones are recognisable.
const tokenSecretPrefix = "pk_"

// MaxTokenLifetime bounds an API token's expiry.
const MaxTokenLifetime = 366 * 24 * time.Hour

// Token is an API token as the API shows it (never its secret).
type Token struct {
	ID          int64              `json:"id"`
	UserID      int64              `json:"user_id"`
	Name        string             `json:"name"`
	Prefix      string             `json:"prefix"`
	Permissions []authz.Permission `json:"permissions"`
	CreatedAt   time.Time          `json:"created_at"`
	ExpiresAt   time.Time          `json:"expires_at"`
	LastUsedAt  *time.Time         `json:"last_used_at"`
	RevokedAt   *time.Time         `json:"revoked_at"`
}

// CreateTokenInput is the body of POST /api/tokens.
type CreateTokenInput struct {
	Name        string             `json:"name"`
	Permissions []authz.Permission `json:"permissions"`
	// ExpiresAt is when the token stops working: in the future, at most a
	// year (366 days) ahead.
	ExpiresAt time.Time `json:"expires_at"`
}

// CreatedToken is the answer to POST /api/tokens: the secret is shown this
// once and cannot be read again.
type CreatedToken struct {
	Token  Token  `json:"token"`
	Secret string `json:"secret"`
}

// TokenList is the page-mode envelope of GET /api/tokens.
type TokenList = paging.Page[Token]

// validate checks in for the caller p.
func (in *CreateTokenInput) validate(p *authz.Principal, now time.Time) error {
	fe := apperr.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		fe.Add("name", "must be 1 to 100 characters")
	}
	switch {
	case len(in.Permissions) == 0:
		fe.Add("permissions", "give at least one permission")
	case len(in.Permissions) > 100:
		fe.Add("permissions", "too many permissions")
	default:
		for i, perm := range in.Permissions {
			field := fmt.Sprintf("permissions[%d]", i)
			switch {
			case !authz.Known(perm):
				fe.Add(field, fmt.Sprintf("%q is not a known permission", perm))
			case !p.Can(perm):
				fe.Add(field, fmt.Sprintf("you do not hold %q, so a token of yours cannot either", perm))
			case slices.Contains(in.Permissions[:i], perm):
				fe.Add(field, fmt.Sprintf("%q is listed twice", perm))
			}
		}
	}
	switch {
	case in.ExpiresAt.IsZero():
		fe.Add("expires_at", "is required: when the token stops working (RFC 3339)")
	case !in.ExpiresAt.After(now):
		fe.Add("expires_at", "must be in the future")
	case in.ExpiresAt.Sub(now) > MaxTokenLifetime:
		fe.Add("expires_at", "must be at most 366 days ahead")
	}
	return fe.Err()
}

// RecoveryCodeCount is how many one-time recovery codes enrolment gives.
const RecoveryCodeCount = 10

// TOTPStatus is GET /api/auth/totp.
type TOTPStatus struct {
	Enabled bool `json:"enabled"`
	// Required is true when one of the user's roles requires a second factor.
	Required          bool `json:"required"`
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
}

// TOTPSetup is the pending secret to show as a QR code (otpauth_url) or type in.
type TOTPSetup struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// TOTPCodeInput confirms enrolment with a code from the app.
type TOTPCodeInput struct {
	Code string `json:"code"`
}

// PasswordInput re-confirms the password for a sensitive change.
type PasswordInput struct {
	Password string `json:"password"`
}

// RecoveryCodes are shown once; each works once in place of a code.
type RecoveryCodes struct {
	Codes []string `json:"recovery_codes"`
}

// totpState is a user's second-factor columns.
type totpState struct {
	secret, pending string
	lastStep        int64
}
