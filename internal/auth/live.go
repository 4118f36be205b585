package auth

import (
	"context"

	"github.com/pishkhan/pishkhan/internal/platform/events"
)

// Event resources of a user's sessions and API tokens: an event's ID is
// the user whose sessions or tokens changed. The hub sends session events
// to that user and to holders of users.manage (who list everyone's
// sessions), token events to that user alone (see server.New). Activity
// (last seen, last used) announces nothing: lists show it when refetched.
const (
	SessionsResource = "sessions"
	TokensResource   = "tokens"
)

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
