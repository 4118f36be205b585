// Package webhooks is the webhooks room: admins register URLs that are told
// of content events (a static site rebuilding on publish), each delivery a
// durable job signed with the webhook's secret, retried with backoff and
// logged with its response. Content reaches it only through Notify, whose
// method set is content.Notifier's; internal/server wires the two together.
package webhooks

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// PermManage is the one permission of the room (API.md section 3): register,
// change and delete webhooks, send tests, read the delivery log.
const PermManage authz.Permission = "webhooks.manage"

func init() {
	authz.Register(map[authz.Permission]string{
		PermManage: "Register and manage webhooks and see their delivery log",
	})
}

// Resource is the events and cache name of webhooks; a delivery's change is
// announced as an "updated" event of its webhook.
const Resource = "webhooks"

// Events a webhook may subscribe to (content.Notifier's names). An empty
// subscription list means every one of them.
var Events = []string{
	"post.published", "post.updated", "post.unpublished", "post.deleted",
	"project.published", "project.updated", "project.unpublished", "project.deleted",
}

// EventPing is the event of a test delivery; it is never subscribed to and
// reaches only the webhook it was sent to.
const EventPing = "ping"

// KnownEvent reports whether e is one of Events.
func KnownEvent(e string) bool { return slices.Contains(Events, e) }

// Actor is who registered a webhook.
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// Webhook is the API's webhook. Its secret is never part of it: the create
// and rotate answers add it once (WithSecret), everything else shows only
// SecretHint.
type Webhook struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Description string `json:"description"`
	// Events is [] when the webhook receives every event.
	Events     []string  `json:"events" doc:"subscribed events; [] means every event"`
	Active     bool      `json:"active"`
	SecretHint string    `json:"secret_hint" doc:"the secret's prefix and last four characters, e.g. whsec_…a1b2"`
	CreatedBy  *Actor    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// WithSecret is the answer of create and rotate-secret: the webhook and its
// new secret, shown this once (the server keeps it only encrypted).
type WithSecret struct {
	Webhook
	Secret string `json:"secret" doc:"the signing secret, shown once: X-Pishkhan-Signature is sha256=hex(HMAC-SHA256(secret, raw body)), keyed with this string as given"`
}

// DeliveryStatus is where a delivery is.
type DeliveryStatus string

// Delivery statuses: pending until an attempt gets a 2xx (succeeded) or the
// attempts run out or the address is refused (failed).
const (
	Pending   DeliveryStatus = "pending"
	Succeeded DeliveryStatus = "succeeded"
	Failed    DeliveryStatus = "failed"
)

// EnumValues lists the statuses for the OpenAPI document.
func (DeliveryStatus) EnumValues() []string {
	return []string{string(Pending), string(Succeeded), string(Failed)}
}

// Delivery is one event sent (or being sent) to one webhook, with the
// outcome of its latest attempt.
type Delivery struct {
	ID        int64 `json:"id"`
	WebhookID int64 `json:"webhook_id"`
	// DeliveryID is the X-Pishkhan-Delivery header and the body's
	// delivery_id: the same on every attempt, so a receiver can drop repeats.
	DeliveryID      string         `json:"delivery_id"`
	Event           string         `json:"event"`
	Status          DeliveryStatus `json:"status"`
	Attempts        int            `json:"attempts"`
	ResponseCode    *int           `json:"response_code" doc:"the HTTP status of the latest attempt; null before the first or when no response came"`
	ResponseExcerpt string         `json:"response_excerpt" doc:"the start of the latest response body (at most 1 KiB)"`
	Error           string         `json:"error" doc:"why the latest attempt failed; empty after a 2xx"`
	DurationMS      int64          `json:"duration_ms" doc:"how long the latest attempt took"`
	// Payload is the exact body sent: {event, delivery_id, occurred_at, data}.
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	CompletedAt *time.Time      `json:"completed_at" doc:"when it succeeded or finally failed"`
}

// Limits of a webhook's fields.
const (
	MaxURLLength      = 2048
	MaxDescription    = 500
	MaxAttempts       = 8
	RequestTimeout    = 10 * time.Second
	MaxResponseRead   = 4 << 10
	MaxResponseKeep   = 1 << 10
	maxErrorTextBytes = 500
)

// CreateInput is the body of POST /api/webhooks.
type CreateInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	Events      []string `json:"events,omitempty" doc:"events to receive; omitted or [] means every event"`
	Active      *bool    `json:"active,omitempty" doc:"default true"`
}

// Validate names every bad field.
func (in CreateInput) Validate() error {
	fe := apperr.FieldErrors{}
	checkURL(fe, in.URL)
	checkDescription(fe, in.Description)
	checkEvents(fe, in.Events)
	return fe.Err()
}

// PatchInput is the body of PATCH /api/webhooks/{id}: only what it names
// changes.
type PatchInput struct {
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	Events      *[]string `json:"events,omitempty" doc:"replaces the subscription; [] means every event"`
	Active      *bool     `json:"active,omitempty"`
}

// Validate names every bad field.
func (in PatchInput) Validate() error {
	fe := apperr.FieldErrors{}
	if in.URL != nil {
		checkURL(fe, *in.URL)
	}
	if in.Description != nil {
		checkDescription(fe, *in.Description)
	}
	if in.Events != nil {
		checkEvents(fe, *in.Events)
	}
	return fe.Err()
}

// checkURL: an absolute http(s) URL with a host, no userinfo, at most
// MaxURLLength bytes. Where it may point (no private addresses) is judged
// when each delivery dials, on the address it resolves to.
func checkURL(fe apperr.FieldErrors, raw string) {
	if strings.TrimSpace(raw) == "" {
		fe.Add("url", "is required")
		return
	}
	if len(raw) > MaxURLLength {
		fe.Add("url", fmt.Sprintf("must be at most %d characters", MaxURLLength))
		return
	}
	if !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		fe.Add("url", "must not contain spaces or control characters")
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "":
		fe.Add("url", "must be an absolute URL such as https://example.com/hooks/pishkhan")
	case u.Scheme != "http" && u.Scheme != "https":
		fe.Add("url", "must start with http:// or https://")
	case u.User != nil:
		fe.Add("url", "must not contain a user name or password")
	case u.Hostname() == "":
		fe.Add("url", "must name a host")
	case u.Port() != "" && !validPort(u.Port()):
		fe.Add("url", "must have a port from 1 to 65535")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		fe.Add("url", "must not have a #fragment")
	}
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

func checkDescription(fe apperr.FieldErrors, v string) {
	switch {
	case !utf8.ValidString(v):
		fe.Add("description", "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > MaxDescription:
		fe.Add("description", fmt.Sprintf("must be at most %d characters", MaxDescription))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
		fe.Add("description", "must not contain control characters")
	}
}

func checkEvents(fe apperr.FieldErrors, events []string) {
	seen := map[string]bool{}
	for i, e := range events {
		field := fmt.Sprintf("events[%d]", i)
		switch {
		case !KnownEvent(e):
			fe.Add(field, "must be one of "+strings.Join(Events, ", "))
		case seen[e]:
			fe.Add(field, "is listed twice")
		}
		seen[e] = true
	}
}

// normalEvents is a subscription in the order of Events, so equal
// subscriptions look equal (in answers, audit rows and the database).
func normalEvents(events []string) []string {
	out := []string{}
	for _, e := range Events {
		if slices.Contains(events, e) {
			out = append(out, e)
		}
	}
	return out
}

// wants reports whether a subscription receives event.
func wants(subscribed []string, event string) bool {
	return len(subscribed) == 0 || slices.Contains(subscribed, event)
}
