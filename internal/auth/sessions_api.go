package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// SessionsTag is the cache tag of session lists: logins, logouts,
// revocations and activity (at most once a minute per session) bump it.
const SessionsTag = "sessions"

// PermManageUsers lets a user see and revoke everyone's sessions.
const PermManageUsers authz.Permission = "users.manage"

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

// SessionFilter says whose sessions to list: the caller's, or with
// users.manage those of everyone the caller outranks (All) or of one user
// the caller outranks (UserID).
type SessionFilter struct {
	All    bool
	UserID int64
}

// ListSessions lists live sessions, newest first. "current" is set per
// request after the (shared) cached list is read.
func (s *Service) ListSessions(ctx context.Context, f SessionFilter, pr paging.Request) ([]byte, cache.Status, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, "", apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := interactive(p, "listing sessions"); err != nil {
		return nil, "", err
	}
	if (f.All || f.UserID != 0 && f.UserID != p.UserID) && !p.Can(PermManageUsers) {
		return nil, "", apperr.New(apperr.PermissionDenied, "you need the permission %q to see other users' sessions", PermManageUsers)
	}
	where, args := `s.user_id = ?`, []any{p.UserID}
	tags := []string{SessionsTag}
	switch {
	case f.UserID != 0:
		if f.UserID != p.UserID {
			// an unknown user has no sessions: an empty list, as before
			if err := s.outranksUser(ctx, s.db.Reader(), p, f.UserID); err != nil && apperr.CodeOf(err) != apperr.NotFound {
				return nil, "", err
			}
		}
		args = []any{f.UserID}
	case f.All:
		where, args = `1 = 1`, nil
		if !p.Superuser {
			// only the caller's own and those of users the caller outranks;
			// the answer then depends on roles too
			above, err := rolesAbove(ctx, s.db.Reader(), p)
			if err != nil {
				return nil, "", err
			}
			where = `(s.user_id = ? OR s.user_id NOT IN (SELECT id FROM users WHERE is_superuser = ?)`
			args = []any{p.UserID, true}
			if len(above) > 0 {
				where += ` AND s.user_id NOT IN (SELECT user_id FROM user_roles WHERE role_id IN (?` + strings.Repeat(", ?", len(above)-1) + `))`
				for _, id := range above {
					args = append(args, id)
				}
			}
			where += `)`
			tags = append(tags, AuthzTag)
		}
	}
	now := time.Now()
	// the window moves with time; a minute's granularity keeps keys shared
	window := now.Truncate(time.Minute)
	where += ` AND s.created_at > ? AND s.last_seen_at > ?`
	args = append(args, window.Add(-s.cfg.AbsoluteTimeout), window.Add(-s.idleLimit()))
	binding := fmt.Sprintf("sessions|%s|%v", where, args)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("sessions:list:%s|p=%d|ps=%d|c=%s|l=%d|cm=%t", cache.KeyHash(binding), pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	body, st, err := s.cache.Fetch(ctx, "sessions", key, tags, 5*time.Minute, func(ctx context.Context) ([]byte, error) {
		q := s.db.Reader()
		query := func(extra string, extraArgs ...any) ([]SessionView, error) {
			rows, err := q.Query(ctx, `SELECT s.id, s.user_id, u.email, s.ip, s.user_agent, s.created_at, s.last_seen_at
				FROM sessions s JOIN users u ON u.id = s.user_id WHERE `+where+extra, append(args[:len(args):len(args)], extraArgs...)...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			out := []SessionView{}
			for rows.Next() {
				var v SessionView
				if err := rows.Scan(&v.ID, &v.User.ID, &v.User.Email, &v.IP, &v.UserAgent, db.Time{T: &v.CreatedAt}, db.Time{T: &v.LastSeenAt}); err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, rows.Err()
		}
		count := func() (total int64, err error) {
			err = db.Scan(q.QueryRow(ctx, `SELECT COUNT(*) FROM sessions s WHERE `+where, args...), &total)
			return total, err
		}
		return db.NewestFirst(pr, s.cursors, binding, after, "s.id", query, count,
			func(v SessionView) int64 { return v.ID })
	})
	if err != nil {
		return nil, "", err
	}
	body, err = markCurrent(body, SessionFrom(ctx))
	return body, st, err
}

// markCurrent sets "current" on the request's own session in a list body.
func markCurrent(body []byte, se *Session) ([]byte, error) {
	var list struct {
		Items []SessionView `json:"items"`
	}
	var rest map[string]json.RawMessage
	if err := json.Unmarshal(body, &rest); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, err
	}
	for i := range list.Items {
		list.Items[i].Current = se != nil && list.Items[i].ID == se.ID
	}
	items, err := json.Marshal(list.Items)
	if err != nil {
		return nil, err
	}
	rest["items"] = items
	return json.Marshal(rest)
}

// RevokeSession ends a session at once: the caller's own, or with
// users.manage one of a user the caller outranks. Any other session is
// NOT_FOUND. A logged-in session only.
func (s *Service) RevokeSession(ctx context.Context, id int64) error {
	p := authz.From(ctx)
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := interactive(p, "ending a session"); err != nil {
		return err
	}
	notFound := apperr.New(apperr.NotFound, "no such session")
	se, err := s.index.ByID(ctx, id)
	if errors.Is(err, ErrNoSession) || err == nil && se.UserID != p.UserID && !p.Can(PermManageUsers) {
		return notFound
	}
	if err != nil {
		return err
	}
	if se.UserID != p.UserID {
		if err := s.outranksUser(ctx, s.db.Reader(), p, se.UserID); err != nil {
			if c := apperr.CodeOf(err); c == apperr.PermissionDenied || c == apperr.NotFound {
				return notFound
			}
			return err
		}
	}
	if err := s.sessions.Delete(ctx, se.IDHash); err != nil {
		return apperr.Unavailablef(err, "the session store is unavailable; try again shortly")
	}
	s.sessionsChanged(ctx, se.UserID, "deleted")
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "sessions.revoke", ResourceType: "session", ResourceID: itoa(id),
			Changes: map[string]audit.Change{"user_id": {From: se.UserID, To: nil}}})
	})
}
