package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Cache tags: every webhook write touches listTag and the webhook's tag; a
// delivery queued or attempted touches its webhook's deliveries tag.
const listTag = "webhooks"

func hookTag(id int64) string       { return "webhook:" + strconv.FormatInt(id, 10) }
func deliveriesTag(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) + ":deliveries" }

// Config tunes the room.
type Config struct {
	// AllowPrivate lets deliveries reach loopback, private and link-local
	// addresses (WEBHOOKS_ALLOW_PRIVATE): for a receiver on the same host
	// or network, and tests.
	AllowPrivate bool
	// TTL keeps cached reads (writes invalidate them).
	TTL time.Duration
}

// Service holds the webhooks rules: permission check, validation, one
// transaction per change with its audit row, cache tags touched in it,
// then an event; and the deliveries, queued in the caller's transaction
// and sent by a job.
type Service struct {
	db      *db.DB
	cache   *cache.Cache
	bus     events.Bus
	queue   *jobs.Queue
	sealer  Sealer
	cursors paging.CursorCodec
	ttl     time.Duration
	client  *http.Client
	now     func() time.Time
}

// NewService wires the service. Give it its queue with SetQueue before use
// (the queue's workers need the service first).
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, sealer Sealer, cfg Config, cursorKey []byte) *Service {
	return &Service{db: d, cache: c, bus: bus, sealer: sealer, cursors: paging.CursorCodec{Key: cursorKey},
		ttl: cfg.TTL, client: newClient(cfg.AllowPrivate), now: time.Now}
}

// SetQueue gives the service the queue deliveries run on.
func (s *Service) SetQueue(q *jobs.Queue) { s.queue = q }

var errNotFound = apperr.New(apperr.NotFound, "no such webhook")

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func touch(tx *db.Tx, id int64) {
	tx.Touch(listTag)
	tx.Touch(hookTag(id))
}

// changed runs after a commit (which invalidated the cache): announce.
func (s *Service) changed(ctx context.Context, kind string, id int64) {
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: Resource, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing a webhook event failed", "webhook_id", id, "err", err)
	}
}

// List returns the webhooks, newest first, as the encoded envelope.
func (s *Service) List(ctx context.Context, _ struct{}, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	const binding = "webhooks"
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	return s.cache.Fetch(ctx, Resource, "webhooks:list:"+cache.KeyHash(page), []string{listTag}, s.ttl,
		func(ctx context.Context) ([]byte, error) {
			return db.NewestFirst(pr, s.cursors, binding, after, "w.id",
				func(tail string, args ...any) ([]Webhook, error) {
					return listWebhooks(ctx, s.db.Reader(), tail, args...)
				},
				func() (int64, error) { return countWebhooks(ctx, s.db.Reader()) },
				func(w Webhook) int64 { return w.ID })
		})
}

// Get returns one webhook as the encoded body; its ETag (of the body) is
// what PATCH's If-Match is compared with.
func (s *Service) Get(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, Resource, "webhook:"+strconv.FormatInt(id, 10), []string{hookTag(id)}, s.ttl,
		func(ctx context.Context) ([]byte, error) {
			w, err := getWebhook(ctx, s.db.Reader(), id)
			if errors.Is(err, errNoRow) {
				return nil, errNotFound
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(w.Webhook)
		})
}

// Create registers a webhook with a new secret, which only this answer
// shows.
func (s *Service) Create(ctx context.Context, in CreateInput) (WithSecret, error) {
	p, err := authz.Require(ctx, PermManage)
	if err != nil {
		return WithSecret{}, err
	}
	if err := in.Validate(); err != nil {
		return WithSecret{}, err
	}
	secret, err := newSecret()
	if err != nil {
		return WithSecret{}, err
	}
	sealed, err := s.sealer.Seal(secret)
	if err != nil {
		return WithSecret{}, err
	}
	w := stored{Webhook: Webhook{URL: in.URL, Description: in.Description, Events: normalEvents(in.Events),
		Active: in.Active == nil || *in.Active, SecretHint: hintOf(secret)}, sealed: sealed}
	now := s.stamp()
	var out Webhook
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := insertWebhook(ctx, tx, w, p.UserID, now)
		if err != nil {
			return err
		}
		touch(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "webhooks.create", ResourceType: "webhook",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{
				"url": {To: w.URL}, "description": {To: w.Description}, "events": {To: w.Events},
				"active": {To: w.Active}, "secret_hint": {To: w.SecretHint},
			}}); err != nil {
			return err
		}
		got, err := getWebhook(ctx, tx, id)
		out = got.Webhook
		return err
	})
	if err != nil {
		return WithSecret{}, err
	}
	s.changed(ctx, "created", out.ID)
	return WithSecret{Webhook: out, Secret: secret}, nil
}

// Patch changes what in names. ifMatch, when set, must be the ETag of the
// caller's view of the webhook (GET's ETag); a stale one is 412.
func (s *Service) Patch(ctx context.Context, id int64, in PatchInput, ifMatch string) (Webhook, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Webhook{}, err
	}
	if err := in.Validate(); err != nil {
		return Webhook{}, err
	}
	now := s.stamp()
	var out Webhook
	changed := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getWebhook(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur.Webhook, ifMatch); err != nil {
			return err
		}
		next := cur
		changes := map[string]audit.Change{}
		if in.URL != nil && *in.URL != cur.URL {
			next.URL = *in.URL
			changes["url"] = audit.Change{From: cur.URL, To: next.URL}
		}
		if in.Description != nil && *in.Description != cur.Description {
			next.Description = *in.Description
			changes["description"] = audit.Change{From: cur.Description, To: next.Description}
		}
		if in.Events != nil {
			if ev := normalEvents(*in.Events); !slices.Equal(ev, cur.Events) {
				next.Events = ev
				changes["events"] = audit.Change{From: cur.Events, To: ev}
			}
		}
		if in.Active != nil && *in.Active != cur.Active {
			next.Active = *in.Active
			changes["active"] = audit.Change{From: cur.Active, To: next.Active}
		}
		if len(changes) == 0 {
			out = cur.Webhook // nothing changes: no write, no audit row, no event
			return nil
		}
		changed = true
		if err := updateWebhook(ctx, tx, next, now); err != nil {
			return err
		}
		touch(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "webhooks.update", ResourceType: "webhook",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		got, err := getWebhook(ctx, tx, id)
		out = got.Webhook
		return err
	})
	if err != nil {
		return Webhook{}, err
	}
	if changed {
		s.changed(ctx, "updated", id)
	}
	return out, nil
}

// Delete removes a webhook and its delivery log; deliveries still queued
// end without being sent.
func (s *Service) Delete(ctx context.Context, id int64, ifMatch string) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getWebhook(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur.Webhook, ifMatch); err != nil {
			return err
		}
		if _, err := deleteWebhook(ctx, tx, id); err != nil {
			return err
		}
		touch(tx, id)
		tx.Touch(deliveriesTag(id))
		return audit.Record(ctx, tx, audit.Entry{Action: "webhooks.delete", ResourceType: "webhook",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{
				"url": {From: cur.URL}, "events": {From: cur.Events}, "active": {From: cur.Active},
			}})
	})
	if err != nil {
		return err
	}
	s.changed(ctx, "deleted", id)
	return nil
}

// RotateSecret gives a webhook a new secret, which only this answer shows;
// the old one signs nothing from now on (deliveries still retrying are
// signed with the new one).
func (s *Service) RotateSecret(ctx context.Context, id int64) (WithSecret, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return WithSecret{}, err
	}
	secret, err := newSecret()
	if err != nil {
		return WithSecret{}, err
	}
	sealed, err := s.sealer.Seal(secret)
	if err != nil {
		return WithSecret{}, err
	}
	now := s.stamp()
	var out Webhook
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getWebhook(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		next := cur
		next.sealed, next.SecretHint = sealed, hintOf(secret)
		if err := updateWebhook(ctx, tx, next, now); err != nil {
			return err
		}
		touch(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "webhooks.rotate_secret", ResourceType: "webhook",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{
				"secret_hint": {From: cur.SecretHint, To: next.SecretHint},
			}}); err != nil {
			return err
		}
		got, err := getWebhook(ctx, tx, id)
		out = got.Webhook
		return err
	})
	if err != nil {
		return WithSecret{}, err
	}
	s.changed(ctx, "updated", id)
	return WithSecret{Webhook: out, Secret: secret}, nil
}

// Test queues a ping delivery to one webhook, active or not, like any other
// delivery, and returns it (still pending).
func (s *Service) Test(ctx context.Context, id int64) (Delivery, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Delivery{}, err
	}
	var out Delivery
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := getWebhook(ctx, tx, id); errors.Is(err, errNoRow) {
			return errNotFound
		} else if err != nil {
			return err
		}
		did, err := s.enqueue(ctx, tx, id, EventPing, map[string]any{"webhook_id": id})
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "webhooks.test", ResourceType: "webhook",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{"delivery_id": {To: did.deliveryID}}}); err != nil {
			return err
		}
		out, err = getDelivery(ctx, tx, did.id)
		return err
	})
	if err != nil {
		return Delivery{}, err
	}
	s.changed(ctx, "updated", id)
	return out, nil
}

// Deliveries returns a webhook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, id int64, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	binding := "deliveries|w=" + strconv.FormatInt(id, 10)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("|p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("|c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	key := "webhook:deliveries:" + cache.KeyHash(binding+page)
	return s.cache.Fetch(ctx, Resource, key, []string{hookTag(id), deliveriesTag(id)}, s.ttl,
		func(ctx context.Context) ([]byte, error) {
			if _, err := getWebhook(ctx, s.db.Reader(), id); errors.Is(err, errNoRow) {
				return nil, errNotFound
			} else if err != nil {
				return nil, err
			}
			return db.NewestFirst(pr, s.cursors, binding, after, "d.id",
				func(tail string, args ...any) ([]Delivery, error) {
					return listDeliveries(ctx, s.db.Reader(), id, tail, args...)
				},
				func() (int64, error) { return countDeliveries(ctx, s.db.Reader(), id) },
				func(d Delivery) int64 { return d.ID })
		})
}

// Notify queues one delivery of event to every active webhook subscribed
// to it, inside tx: they exist only if the caller's change commits. It has
// content.Notifier's method set; payload is the event's data (content
// sends {"type","id","slug","lang"}). An event that is not one of Events
// is a programming error and fails the caller's transaction.
func (s *Service) Notify(ctx context.Context, tx *db.Tx, event string, payload map[string]any) error {
	if !KnownEvent(event) {
		return fmt.Errorf("webhooks: unknown event %q", event)
	}
	subs, err := activeSubscriptions(ctx, tx)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(subs))
	for id, events := range subs {
		if wants(events, event) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := s.enqueue(ctx, tx, id, event, payload); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.changed(ctx, "updated", id) })
	}
	return nil
}

// queued names a delivery just queued.
type queued struct {
	id         int64
	deliveryID string
}

// body is what a delivery POSTs; built once when queued, so every attempt
// sends (and signs) the same bytes.
type body struct {
	Event      string         `json:"event"`
	DeliveryID string         `json:"delivery_id"`
	OccurredAt time.Time      `json:"occurred_at"`
	Data       map[string]any `json:"data"`
}

// enqueue records a pending delivery and its job in tx.
func (s *Service) enqueue(ctx context.Context, tx *db.Tx, webhookID int64, event string, data map[string]any) (queued, error) {
	if s.queue == nil {
		return queued{}, errors.New("webhooks: no job queue (SetQueue was not called)")
	}
	if data == nil {
		data = map[string]any{}
	}
	did, err := newDeliveryID()
	if err != nil {
		return queued{}, err
	}
	now := s.stamp()
	raw, err := json.Marshal(body{Event: event, DeliveryID: did, OccurredAt: now, Data: data})
	if err != nil {
		return queued{}, fmt.Errorf("webhooks: the %s payload is not JSON: %w", event, err)
	}
	id, err := insertDelivery(ctx, tx, webhookID, did, event, raw, now)
	if err != nil {
		return queued{}, err
	}
	if err := s.queue.Enqueue(ctx, tx, DeliverArgs{DeliveryID: id}, nil); err != nil {
		return queued{}, err
	}
	tx.Touch(deliveriesTag(webhookID))
	return queued{id: id, deliveryID: did}, nil
}

// newDeliveryID is a random (version 4) UUID.
func newDeliveryID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// Register adds the delivery job to a queue's workers.
func Register(s *Service, workers *river.Workers) {
	river.AddWorker(workers, &deliverWorker{s: s})
}

// checkIfMatch checks an If-Match (when set) against the ETag of the
// webhook as GET answers it: a stale one is 412 PRECONDITION_FAILED.
func checkIfMatch(cur Webhook, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if !etag.MatchesStrong(ifMatch, etag.Of(body)) {
		return apperr.New(apperr.PreconditionFailed, "the webhook changed since you loaded it; reload and try again")
	}
	return nil
}
