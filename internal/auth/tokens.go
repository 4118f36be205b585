package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// CreateToken makes an API token for the caller. Only a logged-in user
// (not another token) can, and only with permissions the user holds.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (CreatedToken, error) {
	p := authz.From(ctx)
	if p == nil {
		return CreatedToken{}, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := Interactive(p, "creating an API token"); err != nil {
		return CreatedToken{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := in.validate(p, now); err != nil {
		return CreatedToken{}, err
	}
	secret := tokenSecretPrefix + RandomToken()
	perms := slices.Clone(in.Permissions)
	slices.Sort(perms)
	t := Token{UserID: p.UserID, Name: in.Name, Prefix: secret[:len(tokenSecretPrefix)+6], Permissions: perms,
		CreatedAt: now, ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Microsecond)}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if t.ID, err = s.store.InsertToken(ctx, tx, t, HashToken(secret)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "tokens.create", ResourceType: "api_token", ResourceID: itoa(t.ID),
			Changes: map[string]audit.Change{"name": {To: t.Name}, "permissions": {To: perms}, "expires_at": {To: t.ExpiresAt}}})
	})
	if err != nil {
		return CreatedToken{}, err
	}
	s.tokensChanged(ctx, t.UserID, "created")
	// a password change or reset revokes the user's tokens and then ends
	// their other sessions; a token one of those sessions was making
	// meanwhile must not outlive it, so the session must still be live
	// now that the token exists (RevokeAfterCredentialChange covers a
	// session ended before this check)
	if se := SessionFrom(ctx); se != nil {
		if _, err := s.sessions.Get(ctx, se.IDHash); err != nil {
			if rerr := s.revokeTokens(ctx, t.ID, 0); rerr != nil {
				return CreatedToken{}, rerr
			}
			if errors.Is(err, ErrNoSession) {
				return CreatedToken{}, apperr.New(apperr.Unauthenticated, "your session ended; log in again")
			}
			return CreatedToken{}, apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
		}
	}
	return CreatedToken{Token: t, Secret: secret}, nil
}

// revokeTokens revokes the live token id (when not 0) or every live token
// of userID, audited, and announces the change to each owner.
func (s *Service) revokeTokens(ctx context.Context, id, userID int64) error {
	now := time.Now()
	var owners []int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		owners = owners[:0]
		revoked, err := s.store.RevokeLive(ctx, tx, id, userID, now)
		if err != nil {
			return err
		}
		for _, r := range revoked {
			if !slices.Contains(owners, r.Owner) {
				owners = append(owners, r.Owner)
			}
		}
		for _, r := range revoked {
			if err := audit.Record(ctx, tx, audit.Entry{Action: "tokens.revoke", ResourceType: "api_token", ResourceID: itoa(r.ID),
				Changes: map[string]audit.Change{"revoked_at": {From: nil, To: now.UTC()}}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, owner := range owners {
			s.tokensChanged(ctx, owner, "updated")
		}
	}
	return err
}

// RevokeAfterCredentialChange runs once a password change or reset has
// ended the sessions it ends: it revokes again every token of the user,
// since a session it ended may have made one after the change's own
// revocation (and CreateToken's check of its session ran before the end).
func (s *Service) RevokeAfterCredentialChange(ctx context.Context, userID int64) error {
	return s.revokeTokens(ctx, 0, userID)
}

// ListTokens lists the caller's own tokens, newest first, revoked and
// expired ones included (so their owner sees what happened to them). It
// takes no filter.
func (s *Service) ListTokens(ctx context.Context, _ struct{}, pr paging.Request) ([]byte, cache.Status, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, "", apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := Interactive(p, "listing API tokens"); err != nil {
		return nil, "", err
	}
	binding := "tokens|u=" + p.UserKey()
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("tokens:list:u%d|p=%d|ps=%d|c=%s|l=%d|cm=%t", p.UserID, pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	return s.cache.Fetch(ctx, "tokens", key, []string{TokensTag}, 10*time.Minute, func(ctx context.Context) ([]byte, error) {
		return db.NewestFirst(pr, s.cursors, binding, after, "id",
			func(tail string, args ...any) ([]Token, error) {
				return s.store.ListTokens(ctx, p.UserID, tail, args...)
			},
			func() (int64, error) { return s.store.CountTokens(ctx, p.UserID) },
			func(t Token) int64 { return t.ID })
	})
}

// RevokeToken revokes one of the caller's tokens, or with users.manage a
// token of a user the caller outranks. Any other token is NOT_FOUND.
// Revoking a revoked token changes nothing. A logged-in session only.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	p := authz.From(ctx)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := Interactive(p, "revoking an API token"); err != nil {
		return err
	}
	notFound := apperr.New(apperr.NotFound, "no such API token")
	changed, owner := false, int64(0)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := s.store.TokenByID(ctx, tx, id)
		if errors.Is(err, ErrNotFound) || err == nil && t.UserID != p.UserID && !p.Can(PermManageUsers) {
			return notFound
		}
		if err != nil {
			return err
		}
		if t.UserID != p.UserID {
			if err := s.outranksUser(ctx, tx, p, t.UserID); err != nil {
				if c := apperr.CodeOf(err); c == apperr.PermissionDenied || c == apperr.NotFound {
					return notFound
				}
				return err
			}
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := time.Now()
		if err := s.store.RevokeToken(ctx, tx, id, now); err != nil {
			return err
		}
		changed, owner = true, t.UserID
		return audit.Record(ctx, tx, audit.Entry{Action: "tokens.revoke", ResourceType: "api_token", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"revoked_at": {From: nil, To: now.UTC()}}})
	})
	if err == nil && changed {
		s.tokensChanged(ctx, owner, "updated")
	}
	return err
}

// invalidToken is the one answer for every unusable token, so a caller
// learns nothing about which of its properties failed.
var invalidToken = apperr.New(apperr.InvalidToken, "the API token is malformed, revoked or expired")

// AuthenticateToken resolves an API token. The token acts with the
// permissions it was given that its owner still holds: a role taken from
// the owner is taken from the token too. Tokens never act as superuser.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*authz.Principal, error) {
	if !strings.HasPrefix(secret, tokenSecretPrefix) || len(secret) > 128 {
		return nil, invalidToken
	}
	hash := HashToken(secret)
	body, _, err := s.cache.Fetch(ctx, "tokens", "token:"+hash, []string{TokensTag}, 10*time.Minute,
		func(ctx context.Context) ([]byte, error) {
			t, err := s.store.TokenByHash(ctx, hash)
			if err != nil {
				return nil, err // unknown tokens are not cached
			}
			return json.Marshal(t)
		})
	if errors.Is(err, ErrNotFound) {
		return nil, invalidToken
	}
	if err != nil {
		return nil, err
	}
	var t Token
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, err
	}
	now := time.Now()
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, invalidToken
	}
	a, err := s.access(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !a.Active {
		return nil, invalidToken
	}
	if a.mustEnrolTOTP() {
		// a role requires a second factor the owner has not set up: the
		// owner's logins hold nothing until then, and so do their tokens
		return nil, apperr.New(apperr.PermissionDenied, "a role of this token's owner requires two-factor authentication; the owner must set it up first")
	}
	var perms []authz.Permission
	for _, perm := range t.Permissions {
		if _, held := slices.BinarySearch(a.Permissions, perm); held {
			perms = append(perms, perm)
		}
	}
	s.noteTokenUse(t.ID, now)
	return &authz.Principal{UserID: a.ID, Email: a.Email, Name: a.Name, Permissions: perms, Via: ViaToken}, nil
}

// tokenUseInterval is how often a token's last_used_at is written at most.
const tokenUseInterval = time.Minute

// tokenUses remembers when this instance last wrote each token's use.
type tokenUses struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

// noteTokenUse records a token's use, at most once a minute per token and
// instance, in the background: a failure to record it never fails the request.
func (s *Service) noteTokenUse(id int64, now time.Time) {
	s.uses.mu.Lock()
	if now.Sub(s.uses.last[id]) < tokenUseInterval {
		s.uses.mu.Unlock()
		return
	}
	if len(s.uses.last) > 100_000 {
		clear(s.uses.last)
	}
	s.uses.last[id] = now
	s.uses.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.store.NoteTokenUse(ctx, id, now); err == nil {
			s.cache.Invalidate(ctx, TokensTag) // token lists show last_used_at
		}
	}()
}
