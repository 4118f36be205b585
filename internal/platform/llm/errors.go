package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// Kind is a stable name for why a provider call failed; callers decide on
// it (retry, tell the user, record the outcome), never on the message.
type Kind string

// The kinds of failure.
const (
	// KindAuth: the provider refused the key (401, 403).
	KindAuth Kind = "auth"
	// KindRateLimited: the provider's own rate limit or quota (429);
	// Error.RetryAfter says when to try again when it said so.
	KindRateLimited Kind = "rate_limited"
	// KindBadRequest: the provider refused the request itself (400, 404
	// for an unknown model, 413, 422): retrying the same call will not help.
	KindBadRequest Kind = "bad_request"
	// KindUnavailable: the provider failed (5xx), could not be reached, or
	// failed midway through a stream.
	KindUnavailable Kind = "unavailable"
	// KindTimeout: the call took longer than the provider's timeout, or a
	// stream was silent for longer than its idle timeout.
	KindTimeout Kind = "timeout"
	// KindCancelled: the caller's context ended first.
	KindCancelled Kind = "cancelled"
	// KindTruncated: a stream ended without finishing (the connection was
	// cut): the text so far is all there is.
	KindTruncated Kind = "truncated"
	// KindInvalidResponse: the provider answered something this client
	// cannot use (no choices, an image as a URL, vectors missing).
	KindInvalidResponse Kind = "invalid_response"
	// KindNotConfigured: the provider has no model for the operation.
	KindNotConfigured Kind = "not_configured"
)

// Kinds lists every kind (the metrics' outcome label takes these and "ok").
var Kinds = []Kind{KindAuth, KindRateLimited, KindBadRequest, KindUnavailable, KindTimeout, KindCancelled,
	KindTruncated, KindInvalidResponse, KindNotConfigured}

// Error is a failed provider call. Its message never holds the API key
// (a provider's message echoing it is scrubbed) nor the prompt.
type Error struct {
	Kind     Kind
	Provider string
	// Status is the provider's HTTP status, 0 when none came.
	Status int
	// Code is the provider's error code ("invalid_api_key"), when it gave one.
	Code string
	// Message is the provider's own message, shortened and scrubbed, or ours.
	Message string
	// RetryAfter is how long the provider asked to wait (429, 503), or 0.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("llm: provider %q: %s (HTTP %d): %s", e.Provider, e.Kind, e.Status, e.Message)
	}
	return fmt.Sprintf("llm: provider %q: %s: %s", e.Provider, e.Kind, e.Message)
}

// KindOf returns the kind of err when it is (or wraps) an *Error, else "".
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// maxMessage bounds the provider's message kept in an Error.
const maxMessage = 300

// keyLike matches what looks like an API key in a provider's message
// (OpenAI echoes a masked "sk-…abcd"; others may echo it whole).
var keyLike = regexp.MustCompile(`\b(sk|pk|rk)-[A-Za-z0-9_\-*.]{4,}`)

// scrub removes the key, anything key-like and control characters from a
// provider's message, and shortens it.
func scrub(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[redacted]")
	}
	msg = keyLike.ReplaceAllString(msg, "[redacted]")
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return strings.TrimSpace(msg)
}

// errDeadline is the cause a call's own timeout cancels it with; errIdle
// the cause of a stream silent for too long.
var (
	errDeadline = errors.New("the provider took longer than its timeout")
	errIdle     = errors.New("the provider's stream was silent for longer than its idle timeout")
)

// classify turns what the SDK returned into an *Error. caller is the
// context the caller gave (its end means cancelled, or timeout when its
// own deadline passed); call is the context of the call (its cause tells
// our timeouts apart).
func (c *Client) classify(caller, call context.Context, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	out := &Error{Provider: c.cfg.Name}
	switch cause := context.Cause(call); {
	case caller.Err() != nil && errors.Is(caller.Err(), context.DeadlineExceeded):
		out.Kind, out.Message = KindTimeout, "the caller's deadline passed"
		return out
	case caller.Err() != nil:
		out.Kind, out.Message = KindCancelled, "the call was cancelled"
		return out
	case errors.Is(cause, errDeadline), errors.Is(cause, errIdle):
		out.Kind, out.Message = KindTimeout, cause.Error()
		return out
	}
	var api *openai.Error
	if errors.As(err, &api) {
		out.Status = api.StatusCode
		out.Code = api.Code
		out.Message = scrub(api.Message, c.cfg.APIKey)
		if out.Message == "" {
			out.Message = http.StatusText(api.StatusCode)
		}
		if api.Response != nil {
			out.RetryAfter = retryAfter(api.Response.Header)
		}
		switch s := api.StatusCode; {
		case s == http.StatusUnauthorized || s == http.StatusForbidden:
			out.Kind = KindAuth
		case s == http.StatusTooManyRequests:
			out.Kind = KindRateLimited
		case s == http.StatusRequestTimeout || s == http.StatusGatewayTimeout:
			out.Kind = KindTimeout
		case s >= 500:
			out.Kind = KindUnavailable
		default:
			out.Kind = KindBadRequest
		}
		return out
	}
	var stream *ssestream.StreamError
	if errors.As(err, &stream) {
		out.Kind, out.Message = KindUnavailable, scrub(stream.Message, c.cfg.APIKey)
		return out
	}
	if errors.Is(err, context.DeadlineExceeded) {
		out.Kind, out.Message = KindTimeout, "the provider took too long"
		return out
	}
	// Anything else is the transport: refused, reset, DNS, TLS. Its text
	// names the URL (never the key), so it is kept, scrubbed.
	out.Kind, out.Message = KindUnavailable, scrub(err.Error(), c.cfg.APIKey)
	return out
}

// retryAfter reads Retry-After-Ms or Retry-After (seconds or an HTTP date).
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
