package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// ListSessions lists live sessions, newest first. "current" is set per
// request after the (shared) cached list is read.
func (s *Service) ListSessions(ctx context.Context, f SessionFilter, pr paging.Request) ([]byte, cache.Status, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, "", apperr.New(apperr.Unauthenticated, "log in first")
	}
	if err := Interactive(p, "listing sessions"); err != nil {
		return nil, "", err
	}
	if (f.All || f.UserID != 0 && f.UserID != p.UserID) && !p.Can(PermManageUsers) {
		return nil, "", apperr.New(apperr.PermissionDenied, "you need the permission %q to see other users' sessions", PermManageUsers)
	}
	scope := sessionScope{UserID: p.UserID}
	tags := []string{SessionsTag}
	switch {
	case f.UserID != 0:
		if f.UserID != p.UserID {
			// an unknown user has no sessions: an empty list, as before
			if err := s.outranksUser(ctx, s.db.Reader(), p, f.UserID); err != nil && apperr.CodeOf(err) != apperr.NotFound {
				return nil, "", err
			}
		}
		scope.UserID = f.UserID
	case f.All && p.Superuser:
		scope.UserID = 0
	case f.All:
		// only the caller's own and those of users the caller outranks;
		// the answer then depends on roles too
		above, err := s.rolesAbove(ctx, s.db.Reader(), p)
		if err != nil {
			return nil, "", err
		}
		scope.Others, scope.Above = true, above
		tags = append(tags, AuthzTag)
	}
	// the window moves with time; a minute's granularity keeps keys shared
	window := time.Now().Truncate(time.Minute)
	scope.CreatedAfter, scope.SeenAfter = window.Add(-s.cfg.AbsoluteTimeout), window.Add(-s.idleLimit())
	where, args := scope.where()
	binding := fmt.Sprintf("sessions|%s|%v", where, args)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("sessions:list:%s|p=%d|ps=%d|c=%s|l=%d|cm=%t", cache.KeyHash(binding), pr.Page, pr.PageSize, pr.Cursor, pr.Limit, pr.CursorMode)
	body, st, err := s.cache.Fetch(ctx, "sessions", key, tags, 5*time.Minute, func(ctx context.Context) ([]byte, error) {
		return db.NewestFirst(pr, s.cursors, binding, after, "s.id",
			func(tail string, tailArgs ...any) ([]SessionView, error) {
				return s.index.List(ctx, scope, tail, tailArgs...)
			},
			func() (int64, error) { return s.index.Count(ctx, scope) },
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
	if err := Interactive(p, "ending a session"); err != nil {
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
