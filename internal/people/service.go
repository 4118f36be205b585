package people

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Config holds the people settings.
type Config struct {
	// PublicURL, when set, is the base of links sent to users (invites).
	PublicURL string
}

// Service is the people feature's service. Every change invalidates
// auth.AuthzTag after its commit (lists and accesses depend on it) and,
// through auth.AccessChanged, tells open screens.
type Service struct {
	cfg     Config
	db      *db.DB
	store   Store
	cache   *cache.Cache
	auth    *auth.Service
	mailer  *Mailer // nil: invite links are shown to the admin
	cursors paging.CursorCodec
}

// NewService wires the service.
func NewService(cfg Config, d *db.DB, c *cache.Cache, a *auth.Service, mailer *Mailer) *Service {
	return &Service{cfg: cfg, db: d, store: Store{DB: d}, cache: c, auth: a, mailer: mailer}
}

// UseSecrets sets the key that signs list cursors, shared by every instance.
func (s *Service) UseSecrets(cursorKey []byte) { s.cursors = paging.CursorCodec{Key: cursorKey} }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

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

// newCredentials checks the email and password of an account the CLI
// creates or resets (VALIDATION_FAILED naming each bad field) and hashes
// the password.
func (s *Service) newCredentials(ctx context.Context, email, password string) (string, error) {
	fe := apperr.FieldErrors{}
	if !validEmail(email) {
		fe.Add("email", "must be an email address")
	}
	if msg := auth.PasswordProblem(password, email); msg != "" {
		fe.Add("password", msg)
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	return s.auth.HashPassword(ctx, password)
}

// EnsureSuperuser creates a superuser, or makes an existing user with that
// email an active superuser with the given password, which, like every
// reset, ends their sessions and revokes their API tokens. For the CLI and
// the first start; it is audited with no actor.
func (s *Service) EnsureSuperuser(ctx context.Context, email, name, password string) (int64, error) {
	email = strings.TrimSpace(email)
	hash, err := s.newCredentials(ctx, email, password)
	if err != nil {
		return 0, err
	}
	var id int64
	existed := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		uid, wasSuperuser, err := s.store.userByEmail(ctx, tx, email)
		switch {
		case errors.Is(err, auth.ErrNotFound):
			id, err = s.store.InsertUser(ctx, tx, newUser{Email: email, Name: name, PasswordHash: hash, Superuser: true, Active: true})
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "users.create", ResourceType: "user", ResourceID: itoa(id),
				Changes: map[string]audit.Change{"email": {To: email}, "is_superuser": {To: true}}})
		case err != nil:
			return err
		}
		id, existed = uid, true
		if err := s.store.MakeSuperuser(ctx, tx, uid, hash); err != nil {
			return err
		}
		if err := s.auth.VoidLinks(ctx, tx, uid, time.Now()); err != nil {
			return err
		}
		// a password reset like any other: whoever else got in is out
		if _, err := s.auth.RevokeUserTokens(ctx, tx, uid, time.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.update", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"password": {From: "***", To: "***"}, "is_superuser": {From: wasSuperuser, To: true},
				"api_tokens": {To: "revoked"}}})
	})
	if err != nil {
		return 0, err
	}
	s.cache.Invalidate(ctx, auth.AuthzTag)
	if existed {
		if err := s.auth.EndUserAccess(ctx, id); err != nil {
			return 0, apperr.Unavailablef(err, "the password is set, but the session store is unavailable; the user's sessions end when it returns")
		}
		if err := s.auth.RevokeAfterCredentialChange(ctx, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// HasUsers reports whether any user exists (first start creates one).
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	n, err := s.store.countAll(ctx)
	return n > 0, err
}

// CreateUser creates an active user with a password and roles, for the
// CLI and tests; it checks users.manage when a principal is set.
func (s *Service) CreateUser(ctx context.Context, email, name, password string, roleIDs ...int64) (int64, error) {
	if p := authz.From(ctx); p != nil && !p.Can(PermManageUsers) {
		return 0, apperr.New(apperr.PermissionDenied, "you need the permission %q", PermManageUsers)
	}
	hash, err := s.newCredentials(ctx, email, password)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.store.InsertUser(ctx, tx, newUser{Email: email, Name: name, PasswordHash: hash, Active: true})
		if db.IsUnique(err) {
			return apperr.Taken("email", "this email")
		}
		if err != nil {
			return err
		}
		for _, r := range roleIDs {
			if err := s.store.AddUserRole(ctx, tx, id, r); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "users.create", ResourceType: "user", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"email": {To: email}}})
	})
	if err != nil {
		return 0, err
	}
	s.cache.Invalidate(ctx, auth.AuthzTag)
	return id, nil
}
