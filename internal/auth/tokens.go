package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// TokensTag is the cache tag of every API token read; creating or revoking
// a token invalidates it, so a revoked token fails on the very next request.
const TokensTag = "tokens"

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

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

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

// CreateToken makes an API token for the caller. Only a logged-in user
// (not another token) can, and only with permissions the user holds.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (CreatedToken, error) {
	p := authz.From(ctx)
	if p == nil {
		return CreatedToken{}, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := interactive(p, "creating an API token"); err != nil {
		return CreatedToken{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := in.validate(p, now); err != nil {
		return CreatedToken{}, err
	}
	secret := tokenSecretPrefix + randomToken()
	perms := slices.Clone(in.Permissions)
	slices.Sort(perms)
	t := Token{UserID: p.UserID, Name: in.Name, Prefix: secret[:len(tokenSecretPrefix)+6], Permissions: perms,
		CreatedAt: now, ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Microsecond)}
	permsJSON, _ := json.Marshal(perms)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		err := db.Scan(tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, permissions, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.UserID, t.Name, hashToken(secret), t.Prefix, string(permsJSON),
			t.CreatedAt, t.ExpiresAt), &t.ID)
		if err != nil {
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
	// now that the token exists (revokeAfterCredentialChange covers a
	// session ended before this check)
	if se := SessionFrom(ctx); se != nil {
		if _, err := s.sessions.Get(ctx, se.IDHash); err != nil {
			if rerr := s.revokeTokens(ctx, `id = ?`, t.ID); rerr != nil {
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

// revokeTokens revokes the live tokens matching where (over api_tokens),
// audited, and announces the change to each owner. Every row is taken
// before the audit chain, as every change here does.
func (s *Service) revokeTokens(ctx context.Context, where string, args ...any) error {
	now := time.Now()
	var ids, owners []int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		ids, owners = ids[:0], owners[:0]
		rows, err := tx.Query(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND `+where+` RETURNING id, user_id`,
			append([]any{now}, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, owner int64
			if err := rows.Scan(&id, &owner); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			if !slices.Contains(owners, owner) {
				owners = append(owners, owner)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := audit.Record(ctx, tx, audit.Entry{Action: "tokens.revoke", ResourceType: "api_token", ResourceID: itoa(id),
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

// revokeAfterCredentialChange runs once a password change or reset has
// ended the sessions it ends: it revokes again every token of the user,
// since a session it ended may have made one after the change's own
// revocation (and CreateToken's check of its session ran before the end).
func (s *Service) revokeAfterCredentialChange(ctx context.Context, userID int64) error {
	return s.revokeTokens(ctx, `user_id = ?`, userID)
}

const tokenCols = `id, user_id, name, prefix, permissions, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var perms string
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &perms, db.Time{T: &t.CreatedAt}, db.Time{T: &t.ExpiresAt},
		db.NullTime{T: &t.LastUsedAt}, db.NullTime{T: &t.RevokedAt})
	if errors.Is(err, db.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, err
	}
	err = json.Unmarshal([]byte(perms), &t.Permissions)
	return t, err
}

// ListTokens lists the caller's own tokens, newest first, revoked and
// expired ones included (so their owner sees what happened to them).
func (s *Service) ListTokens(ctx context.Context, pr paging.Request) ([]byte, cache.Status, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, "", apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := interactive(p, "listing API tokens"); err != nil {
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
		q := s.db.Reader()
		query := func(where string, args ...any) ([]Token, error) {
			rows, err := q.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = ?`+where, args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			out := []Token{}
			for rows.Next() {
				t, err := scanToken(rows)
				if err != nil {
					return nil, err
				}
				out = append(out, t)
			}
			return out, rows.Err()
		}
		count := func() (total int64, err error) {
			err = db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ?`, p.UserID), &total)
			return total, err
		}
		return db.NewestFirst(pr, s.cursors, binding, after, "id",
			func(tail string, args ...any) ([]Token, error) {
				return query(tail, append([]any{p.UserID}, args...)...)
			},
			count, func(t Token) int64 { return t.ID })
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
	if err := interactive(p, "revoking an API token"); err != nil {
		return err
	}
	notFound := apperr.New(apperr.NotFound, "no such API token")
	changed, owner := false, int64(0)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, id))
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
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, id); err != nil {
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

// ViaToken and ViaSession say how a principal authenticated.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

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
	hash := hashToken(secret)
	body, _, err := s.cache.Fetch(ctx, "tokens", "token:"+hash, []string{TokensTag}, 10*time.Minute,
		func(ctx context.Context) ([]byte, error) {
			t, err := scanToken(s.db.Reader().QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ?`, hash))
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
		if _, err := s.db.Writer().Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id); err == nil {
			s.cache.Invalidate(ctx, TokensTag) // token lists show last_used_at
		}
	}()
}
