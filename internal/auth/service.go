package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Service is the auth feature's service.
type Service struct {
	cfg      Config
	db       *db.DB
	store    Store
	sessions SessionStore
	hasher   *Hasher
	limiter  ratelimit.Counter
	cache    *cache.Cache
	index    DBSessions // every session, for listing and revoking by id
	bus      events.Bus
	accesses *decodeMemo[cachedAccess] // by user id
	cursors  paging.CursorCodec
	totpKeys TOTPKeys
	uses     tokenUses
}

// NewService wires the service.
func NewService(cfg Config, d *db.DB, sessions SessionStore, hasher *Hasher, limiter ratelimit.Counter, c *cache.Cache,
	bus events.Bus) *Service {
	return &Service{cfg: cfg, db: d, store: Store{DB: d}, sessions: sessions, index: DBSessions{DB: d}, bus: bus, hasher: hasher, limiter: limiter, cache: c,
		accesses: newDecodeMemo[cachedAccess](10_000), uses: tokenUses{last: map[int64]time.Time{}}}
}

// UseSecrets sets the secrets shared by every instance: the key that signs
// list cursors and the keys that encrypt TOTP secrets at rest.
func (s *Service) UseSecrets(cursorKey []byte, totp TOTPKeys) {
	s.cursors = paging.CursorCodec{Key: cursorKey}
	s.totpKeys = totp
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// RandomToken returns a new 256-bit secret, URL-safe.
func RandomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the stored form of a secret (session ids, API tokens,
// set-password links, recovery codes): its SHA-256, hex.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HashSessionID returns the stored form of a session id.
func HashSessionID(id string) string { return HashToken(id) }

func (s *Service) access(ctx context.Context, userID int64) (cachedAccess, error) {
	body, _, err := s.cache.Fetch(ctx, "principal", "principal:"+itoa(userID), []string{AuthzTag}, 10*time.Minute,
		func(ctx context.Context) ([]byte, error) {
			acc, err := s.store.LoadAccess(ctx, userID)
			if errors.Is(err, ErrNotFound) {
				return json.Marshal(cachedAccess{ID: userID})
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(cachedAccess{ID: acc.User.ID, Email: acc.User.Email, Name: acc.User.Name,
				Superuser: acc.User.Superuser, Active: acc.User.Active, Roles: acc.Roles, Permissions: acc.Permissions,
				TOTPEnabled: acc.TOTPEnabled, TOTPRequired: acc.TOTPRequired})
		})
	if err != nil {
		return cachedAccess{}, err
	}
	return s.accesses.decode(itoa(userID), body)
}

// Authenticate resolves a session id from the cookie. An unknown, idle or
// expired session yields no principal (anonymous); a session store outage
// yields UNAVAILABLE: sessions fail closed.
func (s *Service) Authenticate(ctx context.Context, sessionID string) (*authz.Principal, *Session, error) {
	return s.authenticate(ctx, sessionID, true)
}

// authenticate is Authenticate; touch records the request as the
// session's activity (a check of a session already open, such as an
// event stream's, is none).
func (s *Service) authenticate(ctx context.Context, sessionID string, touch bool) (*authz.Principal, *Session, error) {
	if sessionID == "" || len(sessionID) > 128 {
		return nil, nil, nil
	}
	se, err := s.sessions.Get(ctx, HashSessionID(sessionID))
	if errors.Is(err, ErrNoSession) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	now := time.Now()
	if now.Sub(se.CreatedAt) > s.cfg.AbsoluteTimeout || now.Sub(se.LastSeenAt) > s.idleLimit() {
		_ = s.sessions.Delete(ctx, se.IDHash)
		return nil, nil, nil
	}
	if touch && now.Sub(se.LastSeenAt) > s.touchEvery() {
		se.LastSeenAt = now
		err := s.sessions.Touch(ctx, se, s.sessionTTL(se))
		if errors.Is(err, ErrNoSession) {
			return nil, nil, nil
		}
		if err != nil {
			return nil, nil, apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
		}
		s.cache.Invalidate(ctx, SessionsTag) // the sessions list shows last_seen_at
	}
	a, err := s.access(ctx, se.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !a.Active {
		_ = s.sessions.Delete(ctx, se.IDHash)
		return nil, nil, nil
	}
	p := &authz.Principal{UserID: a.ID, Email: a.Email, Name: a.Name, Superuser: a.Superuser,
		Permissions: a.Permissions, Via: ViaSession}
	if a.mustEnrolTOTP() {
		// until they enrol, they may only enrol (and see who they are)
		p.Superuser, p.Permissions = false, nil
	}
	return p, &se, nil
}

// touchEvery is how old a session's recorded last-seen time may grow
// before a request rewrites it (a write at every request would cost one
// per request). idleLimit allows for it when judging idle expiry: a
// session ends between IdleTimeout and IdleTimeout+touchEvery after its
// last request (its true last-seen is at most touchEvery after the
// recorded one), never earlier.
func (s *Service) touchEvery() time.Duration { return min(time.Minute, s.cfg.IdleTimeout/20) }

// idleLimit is how long after its recorded last-seen time a session ends.
func (s *Service) idleLimit() time.Duration { return s.cfg.IdleTimeout + s.touchEvery() }

// sessionTTL is how long the store keeps a session written now.
func (s *Service) sessionTTL(se Session) time.Duration {
	ttl := s.idleLimit()
	if left := time.Until(se.CreatedAt.Add(s.cfg.AbsoluteTimeout)); left < ttl {
		ttl = left
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	return ttl
}

// attempt counts a login attempt against key before the password is
// checked, so parallel guesses cannot slip past the limit; a successful
// login takes its hit back (only failures count).
func (s *Service) attempt(ctx context.Context, key string, limit int) error {
	return s.attemptMsg(ctx, key, limit, "too many failed logins; try again later")
}

func (s *Service) attemptMsg(ctx context.Context, key string, limit int, msg string) error {
	n, err := s.limiter.Hit(ctx, key, s.cfg.LoginWindow)
	if err != nil {
		return err
	}
	if n > limit {
		_, ttl, _ := s.limiter.Count(ctx, key)
		secs := int(ttl.Seconds()) + 1
		return &apperr.Error{Code: apperr.RateLimited, Message: msg,
			RetryAfter: secs, Limit: &apperr.LimitInfo{Limit: limit, Remaining: 0, ResetSecs: secs}}
	}
	return nil
}

// Login checks the password and opens a new session (always a new id, so a
// planted id is never promoted). oldSessionID, when set, is ended.
func (s *Service) Login(ctx context.Context, in LoginInput, oldSessionID string) (LoginResult, error) {
	if err := in.Validate(); err != nil {
		return LoginResult{}, err
	}
	info := reqinfo.From(ctx)
	email := strings.ToLower(strings.TrimSpace(in.Email))
	acctKey, ipKey := "login:acct:"+email, "login:ip:"+ratelimit.ClientKey(info.IP)
	if err := s.attempt(ctx, ipKey, s.cfg.LoginIPLimit); err != nil {
		return LoginResult{}, err
	}
	if err := s.attempt(ctx, acctKey, s.cfg.LoginAccountLimit); err != nil {
		_ = s.limiter.Undo(ctx, ipKey)
		return LoginResult{}, err
	}
	u, err := s.store.UserByEmail(ctx, s.db.Reader(), email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return LoginResult{}, err
	}
	ok, verr := s.hasher.Verify(ctx, in.Password, u.PasswordHash)
	if verr != nil && !errors.Is(verr, errBadHash) {
		return LoginResult{}, verr
	}
	// a failed login of an existing account is recorded with that account
	// as its actor, so the audit log filters by user finds it; the answer
	// stays the same as for an unknown email
	failedCtx := ctx
	if u.ID != 0 {
		failedCtx = authz.With(ctx, &authz.Principal{UserID: u.ID, Email: u.Email})
	}
	if !ok || !u.Active {
		_ = s.db.InTx(failedCtx, func(tx *db.Tx) error {
			return audit.Record(failedCtx, tx, audit.Entry{Action: "auth.login_failed", ResourceType: "user",
				ResourceID: idOrEmpty(u.ID), Changes: map[string]audit.Change{"email": {To: email}}})
		})
		return LoginResult{}, apperr.New(apperr.InvalidCredentials, "the email or password is wrong")
	}
	// the password is right; a second factor, when set up, is asked for
	// only now, and a wrong one counts as a failed attempt
	enabled, ok2, err := s.verifySecondFactor(ctx, u.ID, in.TOTP)
	if err != nil {
		return LoginResult{}, err
	}
	if enabled && !ok2 {
		if strings.TrimSpace(in.TOTP) == "" {
			_ = s.limiter.Undo(ctx, acctKey)
			_ = s.limiter.Undo(ctx, ipKey)
			return LoginResult{}, apperr.New(apperr.TOTPRequired, "enter the code from your authenticator app (or a recovery code)")
		}
		_ = s.db.InTx(failedCtx, func(tx *db.Tx) error {
			return audit.Record(failedCtx, tx, audit.Entry{Action: "auth.login_failed", ResourceType: "user",
				ResourceID: itoa(u.ID), Changes: map[string]audit.Change{"email": {To: email}, "reason": {To: "totp"}}})
		})
		return LoginResult{}, apperr.New(apperr.InvalidTOTP, "the code is wrong or was already used; wait for the next one")
	}
	_ = s.limiter.Undo(ctx, acctKey)
	_ = s.limiter.Undo(ctx, ipKey)
	if oldSessionID != "" {
		_ = s.sessions.Delete(ctx, HashSessionID(oldSessionID))
	}
	id := RandomToken()
	now := time.Now().UTC()
	se := Session{IDHash: HashSessionID(id), UserID: u.ID, CSRFToken: RandomToken(), IP: info.IP,
		UserAgent: info.UserAgent, CreatedAt: now, LastSeenAt: now}
	se, err = s.sessions.Create(ctx, se, s.sessionTTL(se))
	if err != nil {
		return LoginResult{}, apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	_ = s.index.ForgetExpired(ctx, u.ID, now.Add(-s.cfg.AbsoluteTimeout), now.Add(-s.idleLimit()))
	s.sessionsChanged(ctx, u.ID, "created")
	// a password change or reset ends the sessions that exist when it
	// commits; one made from a check of the old password that was still
	// running then must not outlive it: the password checked must still
	// be the account's now that the session exists
	if cur, err := s.store.UserByID(ctx, s.db.Reader(), u.ID); err != nil || cur.PasswordHash != u.PasswordHash || !cur.Active {
		_ = s.sessions.Delete(ctx, se.IDHash)
		s.sessionsChanged(ctx, u.ID, "deleted")
		if err != nil && !errors.Is(err, ErrNotFound) {
			return LoginResult{}, err
		}
		return LoginResult{}, apperr.New(apperr.InvalidCredentials, "the email or password is wrong")
	}
	ctx = authz.With(ctx, &authz.Principal{UserID: u.ID, Email: u.Email})
	if err := s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.login", ResourceType: "user", ResourceID: itoa(u.ID)})
	}); err != nil {
		_ = s.sessions.Delete(ctx, se.IDHash)
		return LoginResult{}, err
	}
	me, err := s.me(ctx, u.ID, se.CSRFToken)
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{SessionID: id, Me: me}, nil
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return itoa(id)
}

// Logout ends the session at once.
func (s *Service) Logout(ctx context.Context, se *Session) error {
	if se == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := s.sessions.Delete(ctx, se.IDHash); err != nil {
		return apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	s.sessionsChanged(ctx, se.UserID, "deleted")
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.logout", ResourceType: "user",
			ResourceID: itoa(se.UserID)})
	})
}

// Me returns the caller.
func (s *Service) Me(ctx context.Context, se *Session) (Me, error) {
	p := authz.From(ctx)
	if p == nil {
		return Me{}, apperr.New(apperr.Unauthenticated, "log in first")
	}
	csrf := ""
	if se != nil {
		csrf = se.CSRFToken
	}
	me, err := s.me(ctx, p.UserID, csrf)
	if err == nil && p.Via == ViaToken {
		// a token acts with its own permissions, never as superuser
		me.IsSuperuser = false
		me.Permissions = append([]authz.Permission{}, p.Permissions...)
	}
	return me, err
}

func (s *Service) me(ctx context.Context, userID int64, csrf string) (Me, error) {
	a, err := s.access(ctx, userID)
	if err != nil {
		return Me{}, err
	}
	if a.Roles == nil {
		a.Roles = []RoleRef{}
	}
	me := Me{ID: a.ID, Email: a.Email, Name: a.Name, IsSuperuser: a.Superuser, Roles: a.Roles,
		Permissions: a.Permissions, CSRFToken: csrf, TOTPEnabled: a.TOTPEnabled, TOTPSetupRequired: a.mustEnrolTOTP()}
	if me.TOTPSetupRequired {
		me.IsSuperuser, me.Permissions = false, []authz.Permission{}
	}
	return me, nil
}

// sessionsChanged invalidates the session lists and announces a change to
// userID's sessions; kind is created, deleted or updated.
func (s *Service) sessionsChanged(ctx context.Context, userID int64, kind string) {
	s.cache.Invalidate(ctx, SessionsTag)
	s.publish(ctx, SessionsResource, kind, userID)
}

// tokensChanged invalidates the token reads and announces a change to
// userID's tokens.
func (s *Service) tokensChanged(ctx context.Context, userID int64, kind string) {
	s.cache.Invalidate(ctx, TokensTag)
	s.publish(ctx, TokensResource, kind, userID)
}

func (s *Service) publish(ctx context.Context, resource, kind string, userID int64) {
	if s.bus != nil {
		_ = s.bus.Publish(ctx, events.Event{Event: kind, Resource: resource, ID: userID})
	}
}

// AccessChanged makes a change to users, roles or second factors visible,
// after its commit and before the answer: every instance's cached access
// and people lists are invalidated, and open screens hear of it (an
// authz event naming userID, or 0 for a role).
func (s *Service) AccessChanged(ctx context.Context, userID int64) {
	s.cache.Invalidate(ctx, AuthzTag)
	if s.bus != nil {
		_ = s.bus.Publish(ctx, events.Event{Event: "updated", Resource: AuthzResource, ID: userID})
	}
}

// HashPassword hashes a new password (the policy is PasswordRule's).
func (s *Service) HashPassword(ctx context.Context, password string) (string, error) {
	return s.hasher.Hash(ctx, password)
}

// RevokeUserTokens revokes every live API token of a user in the caller's
// transaction and says how many; after the commit the caller calls
// EndUserAccess, which announces it.
func (s *Service) RevokeUserTokens(ctx context.Context, tx *db.Tx, userID int64, now time.Time) (int64, error) {
	return s.store.RevokeUserTokens(ctx, tx, userID, now)
}

// VoidLinks ends every unused set-password link of a user in the caller's
// transaction. A change of the user's rank, roles, email, activity or
// password calls it: a link is for the account as it was when it was made.
func (s *Service) VoidLinks(ctx context.Context, tx *db.Tx, userID int64, now time.Time) error {
	return s.store.VoidLinks(ctx, tx, userID, now)
}

// EndUserAccess runs after a commit that deactivated a user or replaced
// their password (and revoked their tokens): it announces the end of
// their sessions and tokens, then ends every session of the user. An
// error is the session store's; the caller words it.
func (s *Service) EndUserAccess(ctx context.Context, userID int64) error {
	s.sessionsChanged(ctx, userID, "deleted")
	s.tokensChanged(ctx, userID, "updated")
	return s.sessions.DeleteUser(ctx, userID)
}
