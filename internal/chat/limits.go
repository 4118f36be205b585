package chat

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// Limits are the visitors' guardrails, on top of the public API's per-IP
// request limit (PUBLIC_RATE_LIMIT), which every chat request counts
// against too. Each is a count in a fixed window, kept by the rate-limit
// counter (shared through Redis in production). A message over any of them
// is refused with 429 RATE_LIMITED, Retry-After and a details.reason
// (Reason…), and stored nowhere.
type Limits struct {
	// StartsPerIP new conversations per StartWindow per client IP.
	StartsPerIP int
	StartWindow time.Duration
	// MessagesPerConversation and MessagesPerIP per MessageWindow.
	MessagesPerConversation int
	MessagesPerIP           int
	MessageWindow           time.Duration
	// DailyPerConversation and DailyPerIP messages per 24 hours.
	DailyPerConversation int
	DailyPerIP           int
	// StreamsPerConversation open visitor streams on one instance.
	StreamsPerConversation int
	// StreamsPerIP open visitor streams of one client address (IPv6 by
	// /64) on one instance, whatever their conversations.
	StreamsPerIP int
}

// DefaultLimits: a person types a few messages a minute, a page rarely
// opens more than a couple of conversations, and a day's chat is tens of
// messages; ten times that is abuse.
var DefaultLimits = Limits{
	StartsPerIP: 20, StartWindow: time.Hour,
	MessagesPerConversation: 10, MessagesPerIP: 30, MessageWindow: time.Minute,
	DailyPerConversation: 200, DailyPerIP: 1000,
	StreamsPerConversation: 4,
	StreamsPerIP:           32,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pickD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.StartsPerIP, d.StartsPerIP)
	pickD(&l.StartWindow, d.StartWindow)
	pick(&l.MessagesPerConversation, d.MessagesPerConversation)
	pick(&l.MessagesPerIP, d.MessagesPerIP)
	pickD(&l.MessageWindow, d.MessageWindow)
	pick(&l.DailyPerConversation, d.DailyPerConversation)
	pick(&l.DailyPerIP, d.DailyPerIP)
	pick(&l.StreamsPerConversation, d.StreamsPerConversation)
	pick(&l.StreamsPerIP, d.StreamsPerIP)
	return l
}

// The details.reason of the chat's 429 answers.
const (
	ReasonStartLimited        = "chat_start_limited"
	ReasonConversationLimited = "chat_conversation_limited"
	ReasonIPLimited           = "chat_ip_limited"
	ReasonDailyCap            = "chat_daily_cap"
	ReasonTooManyStreams      = "too_many_streams"
)

// day is the daily caps' window.
const day = 24 * time.Hour

// limit is one count to take.
type limit struct {
	key    string
	max    int
	window time.Duration
	reason string
	what   string
}

// take counts one hit against every limit, in order, and refuses at the
// first one past its maximum (taking back the hits already counted, so a
// refused message uses up nothing).
func (s *Service) take(ctx context.Context, limits ...limit) error {
	for i, l := range limits {
		n, err := s.counter.Hit(ctx, l.key, l.window)
		if err != nil {
			return err
		}
		if n <= l.max {
			continue
		}
		for _, done := range limits[:i+1] {
			_ = s.counter.Undo(ctx, done.key)
		}
		_, ttl, _ := s.counter.Count(ctx, l.key)
		secs := int(ttl/time.Second) + 1
		if ttl <= 0 {
			secs = int(l.window / time.Second)
		}
		return (&apperr.Error{Code: apperr.RateLimited, RetryAfter: secs,
			Limit:   &apperr.LimitInfo{Limit: l.max, Remaining: 0, ResetSecs: secs},
			Message: fmt.Sprintf("%s; wait %d s", l.what, secs)}).WithReason(l.reason)
	}
	return nil
}

func ipKey(ctx context.Context) string { return ratelimit.ClientKey(reqinfo.From(ctx).IP) }

func (s *Service) startLimits(ctx context.Context) []limit {
	l := s.cfg.Limits
	return []limit{{key: "chat:start:ip:" + ipKey(ctx), max: l.StartsPerIP, window: l.StartWindow,
		reason: ReasonStartLimited, what: "too many new conversations from your address"}}
}

func (s *Service) messageLimits(ctx context.Context, conv int64) []limit {
	l := s.cfg.Limits
	c, ip := strconv.FormatInt(conv, 10), ipKey(ctx)
	return []limit{
		{key: "chat:msg:conv:" + c, max: l.MessagesPerConversation, window: l.MessageWindow,
			reason: ReasonConversationLimited, what: "too many messages in this conversation"},
		{key: "chat:msg:ip:" + ip, max: l.MessagesPerIP, window: l.MessageWindow,
			reason: ReasonIPLimited, what: "too many messages from your address"},
		{key: "chat:day:conv:" + c, max: l.DailyPerConversation, window: day,
			reason: ReasonDailyCap, what: "this conversation has reached today's number of messages"},
		{key: "chat:day:ip:" + ip, max: l.DailyPerIP, window: day,
			reason: ReasonDailyCap, what: "your address has reached today's number of messages"},
	}
}
