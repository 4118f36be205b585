package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Permissions used by this feature.
const (
	PermView         authz.Permission = "orders.view"
	PermCreate       authz.Permission = "orders.create"
	PermUpdateStatus authz.Permission = "orders.update_status"
	PermViewPII      authz.Permission = "customers.view_pii"
)

func init() {
	authz.Register(map[authz.Permission]string{
		PermView:         "See orders, their items and history",
		PermCreate:       "Create orders",
		PermUpdateStatus: "Move orders through their statuses",
		PermViewPII:      "See customers' full email and phone",
	})
}

// Resource is the events and cache name of orders.
const Resource = "orders"

// Cache tags: every order write bumps listTag and the order's own tag.
const listTag = "orders"

func orderTag(id int64) string { return "order:" + strconv.FormatInt(id, 10) }

// Tally keeps figures derived from orders (the statistics) in step with
// every order write, inside the write's transaction: a tally that fails
// fails the write.
type Tally interface {
	OrderCreated(ctx context.Context, tx *db.Tx, createdAt time.Time, status, currency string, total int64, newCustomer bool) error
	OrderMoved(ctx context.Context, tx *db.Tx, createdAt time.Time, currency string, total int64, from, to string) error
}

// Service holds the orders rules: permission check, validation, one
// transaction per change (with its audit and history rows), then cache
// invalidation and an event, before the caller answers.
type Service struct {
	db      *db.DB
	store   Store
	cache   *cache.Cache
	bus     events.Bus
	cursors paging.CursorCodec
	ttl     time.Duration
	tally   Tally
	now     func() time.Time
	// Store is used by tests to count queries; nil in production.
	onQuery func()
}

// NewService wires the service.
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, tally Tally, cursorKey []byte, ttl time.Duration) *Service {
	return &Service{db: d, store: Store{DB: d}, cache: c, bus: bus, tally: tally,
		cursors: paging.CursorCodec{Key: cursorKey}, ttl: ttl, now: time.Now}
}

// SetClock replaces the clock that stamps new orders (tests crossing midnight).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// OnQuery registers a hook run before every cache fill's database read.
func (s *Service) OnQuery(f func()) { s.onQuery = f }

func (s *Service) queried() {
	if s.onQuery != nil {
		s.onQuery()
	}
}

func piiScope(p *authz.Principal) string { return "pii" + p.Scope(PermViewPII) }

func render(o Order, pii bool) ([]byte, error) {
	if !pii {
		o = o.Masked()
	}
	return json.Marshal(o)
}

// List returns a page of orders as the encoded response body.
func (s *Service) List(ctx context.Context, f Filter, pr paging.Request) ([]byte, cache.Status, error) {
	p, err := authz.Require(ctx, PermView)
	if err != nil {
		return nil, "", err
	}
	binding := f.canonical()
	var pos *Position
	if pr.CursorMode && pr.Cursor != "" {
		pos = &Position{}
		if err := s.cursors.Decode(binding, pr.Cursor, pos); err != nil {
			return nil, "", err
		}
	}
	pii := p.Can(PermViewPII)
	f.SearchPII = pii
	page := fmt.Sprintf("|p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("|c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	key := "orders:list:" + cache.KeyHash(binding+page) + ":" + piiScope(p)
	return s.cache.Fetch(ctx, Resource, key, []string{listTag}, s.ttl, func(ctx context.Context) ([]byte, error) {
		s.queried()
		mask := func(items []Order) {
			if !pii {
				for i := range items {
					items[i] = items[i].Masked()
				}
			}
		}
		if pr.CursorMode {
			items, err := s.store.ListAfter(ctx, f, pos, pr.Limit+1)
			if err != nil {
				return nil, err
			}
			var next *string
			if len(items) > pr.Limit {
				items = items[:pr.Limit]
				c := s.cursors.Encode(binding, f.PositionOf(items[len(items)-1]))
				next = &c
			}
			mask(items)
			return json.Marshal(paging.CursorPage[Order]{Items: items, NextCursor: next, Limit: pr.Limit})
		}
		total, err := s.count(ctx, f)
		if err != nil {
			return nil, err
		}
		items, err := s.store.ListByOffsetCounted(ctx, f, pr.Page, pr.PageSize, total)
		if err != nil {
			return nil, err
		}
		mask(items)
		return json.Marshal(paging.NewPage(items, pr, total))
	})
}

// count returns how many orders match f, through the cache: every page of
// a filter shares one count, so paging costs no COUNT per page. It is
// fenced by the list tag like the pages themselves (every order write
// bumps it), and keyed by the filter without its sort, plus whether q
// searched emails: the one part of the scope that changes the count.
func (s *Service) count(ctx context.Context, f Filter) (int64, error) {
	f.Sort = ""
	key := f.canonical() // starts with "s="
	if f.Q != "" && f.SearchPII {
		key = "q-pii|" + key
	}
	b, _, err := s.cache.Fetch(ctx, Resource, "orders:count:"+cache.KeyHash(key), []string{listTag}, s.ttl,
		func(ctx context.Context) ([]byte, error) {
			s.queried()
			n, err := s.store.Count(ctx, f)
			if err != nil {
				return nil, err
			}
			return strconv.AppendInt(nil, n, 10), nil
		})
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("a cached order count %q: %w", b, err)
	}
	return n, nil
}

var errNotFound = apperr.New(apperr.NotFound, "no such order")

// Get returns one order with items as the encoded response body.
func (s *Service) Get(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	p, err := authz.Require(ctx, PermView)
	if err != nil {
		return nil, "", err
	}
	pii := p.Can(PermViewPII)
	// v2: details carry allowed_next; a v1 body cached by an earlier
	// version would show a final status with no actions until it expired
	key := "order:v2:" + strconv.FormatInt(id, 10) + ":" + piiScope(p)
	return s.cache.Fetch(ctx, Resource, key, []string{orderTag(id)}, s.ttl, func(ctx context.Context) ([]byte, error) {
		s.queried()
		o, err := s.store.Get(ctx, s.db.Reader(), id, false)
		if errors.Is(err, ErrNotFound) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		return render(o, pii)
	})
}

// HistoryList is the body of GET /api/orders/{id}/history.
type HistoryList struct {
	Items []HistoryEntry `json:"items"`
}

// History returns an order's status changes, oldest first.
func (s *Service) History(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	key := "order:" + strconv.FormatInt(id, 10) + ":history"
	return s.cache.Fetch(ctx, Resource, key, []string{orderTag(id)}, s.ttl, func(ctx context.Context) ([]byte, error) {
		s.queried()
		ok, err := s.store.Exists(ctx, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNotFound
		}
		h, err := s.store.History(ctx, id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(HistoryList{Items: h})
	})
}

// Created is the outcome of Create.
type Created struct {
	ID     int64
	Body   []byte
	Status int
	// Replayed is true when an Idempotency-Key matched an earlier request.
	Replayed bool
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 255

// Create validates and stores a new pending order with server-computed
// totals. With an idempotency key, a retry with the same body returns the
// first response; the same key with another body is a CONFLICT.
func (s *Service) Create(ctx context.Context, in CreateInput, idemKey string) (Created, error) {
	p, err := authz.Require(ctx, PermCreate)
	if err != nil {
		return Created{}, err
	}
	if len(idemKey) > MaxIdempotencyKey || strings.ContainsFunc(idemKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return Created{}, apperr.Validation(map[string]string{"Idempotency-Key": "must be 1 to 255 visible ASCII characters"})
	}
	if err := in.Validate(); err != nil {
		return Created{}, err
	}
	norm, _ := json.Marshal(in)
	sum := sha256.Sum256(norm)
	reqHash := hex.EncodeToString(sum[:])
	pii := p.Can(PermViewPII)

	if idemKey != "" {
		if c, done, err := s.replay(ctx, p, idemKey, reqHash); done || err != nil {
			return c, err
		}
	}
	itemTotals, subtotal, total, _ := in.Totals()
	now := s.now().UTC().Truncate(time.Microsecond)
	shipping := int64(0)
	if in.Shipping != nil {
		shipping = *in.Shipping
	}
	var id int64
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var cust Customer
		newCustomer := false
		if in.CustomerID != nil {
			c, ok, err := s.store.CustomerByID(ctx, tx, *in.CustomerID)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Validation(map[string]string{"customer_id": "no such customer"})
			}
			cust = c
		} else {
			c, created, err := s.store.EnsureCustomer(ctx, tx, *in.Customer, now)
			if err != nil {
				return err
			}
			cust, newCustomer = c, created
		}
		o := Order{Status: Pending, Customer: cust, Subtotal: subtotal, Shipping: shipping, Total: total,
			Currency: in.Currency, Note: in.Note, CreatedAt: now, UpdatedAt: now}
		for i, it := range in.Items {
			o.Items = append(o.Items, Item{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, UnitPrice: it.UnitPrice, Total: itemTotals[i]})
		}
		var number string
		id, number, err = s.store.InsertOrder(ctx, tx, o)
		if err != nil {
			return err
		}
		actor := &Actor{ID: p.UserID, Email: p.Email}
		if err := s.store.AddHistory(ctx, tx, id, nil, Pending, "", actor, now); err != nil {
			return err
		}
		if err := s.tally.OrderCreated(ctx, tx, now, string(Pending), in.Currency, total, newCustomer); err != nil {
			return err
		}
		// the answer is read inside the transaction: once it commits, the
		// client gets this body, whatever happens to its request context
		created, err := s.store.Get(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if body, err = render(created, pii); err != nil {
			return err
		}
		if idemKey != "" {
			err := s.store.SaveIdempotency(ctx, tx, p.UserID, idemKey, Idempotency{RequestHash: reqHash,
				StatusCode: http.StatusCreated, ResourceID: id, Response: body})
			if err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "orders.create", ResourceType: "order", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{
				"number": {To: number}, "status": {To: Pending}, "customer_id": {To: cust.ID},
				"items_count": {To: len(o.Items)}, "total": {To: total}, "currency": {To: in.Currency},
			}})
	})
	if err != nil {
		if db.IsUnique(err) && idemKey != "" {
			// a concurrent request with the same key won the race
			if c, done, rerr := s.replay(ctx, p, idemKey, reqHash); done || rerr != nil {
				return c, rerr
			}
		}
		return Created{}, err
	}
	s.changed(ctx, "created", id)
	return Created{ID: id, Body: body, Status: http.StatusCreated}, nil
}

func (s *Service) replay(ctx context.Context, p *authz.Principal, key, reqHash string) (Created, bool, error) {
	rec, found, err := s.store.LookupIdempotency(ctx, s.db.Reader(), p.UserID, key)
	if err != nil || !found {
		return Created{}, false, err
	}
	if rec.RequestHash != reqHash {
		return Created{}, true, apperr.New(apperr.Conflict, "this Idempotency-Key was used with a different request body")
	}
	body := rec.Response
	if !p.Can(PermViewPII) {
		// the key is the user's, not the credential's: the first answer may
		// have gone to a session holding customers.view_pii, the replay to
		// one of the user's tokens without it, or the user may have lost it
		if body, err = maskStored(body); err != nil {
			return Created{}, true, err
		}
	}
	return Created{ID: rec.ResourceID, Body: body, Status: rec.StatusCode, Replayed: true}, true, nil
}

// maskStored masks the customer of a stored create answer. Masking is
// idempotent, so an answer stored masked comes back unchanged.
func maskStored(body []byte) ([]byte, error) {
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, fmt.Errorf("decoding a stored Idempotency-Key answer: %w", err)
	}
	return json.Marshal(o.Masked())
}

// UpdateStatus moves an order through the state machine. ifMatch, when
// set, must equal the ETag of the caller's current view of the order.
func (s *Service) UpdateStatus(ctx context.Context, id int64, in StatusInput, ifMatch string) ([]byte, error) {
	p, err := authz.Require(ctx, PermUpdateStatus)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	pii := p.Can(PermViewPII)
	now := s.now().UTC().Truncate(time.Microsecond)
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		o, err := s.store.Get(ctx, tx, id, true)
		if errors.Is(err, ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if ifMatch != "" {
			cur, err := render(o, pii)
			if err != nil {
				return err
			}
			if !etag.MatchesStrong(ifMatch, etag.Of(cur)) {
				return apperr.New(apperr.PreconditionFailed, "the order changed since you loaded it; reload and try again")
			}
		}
		if err := CheckTransition(o.Status, in.Status); err != nil {
			return err
		}
		if err := s.store.SetStatus(ctx, tx, id, in.Status, now); err != nil {
			return err
		}
		from := o.Status
		if err := s.tally.OrderMoved(ctx, tx, o.CreatedAt, o.Currency, o.Total, string(from), string(in.Status)); err != nil {
			return err
		}
		if err := s.store.AddHistory(ctx, tx, id, &from, in.Status, in.Note, &Actor{ID: p.UserID, Email: p.Email}, now); err != nil {
			return err
		}
		changes := map[string]audit.Change{"status": {From: from, To: in.Status}}
		if in.Note != "" {
			changes["note"] = audit.Change{To: in.Note}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "orders.update_status", ResourceType: "order",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		updated, err := s.store.Get(ctx, tx, id, false)
		if err != nil {
			return err
		}
		body, err = render(updated, pii)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, "updated", id)
	return body, nil
}

// changed runs after a commit: invalidate, then announce.
func (s *Service) changed(ctx context.Context, kind string, id int64) {
	s.cache.Invalidate(ctx, listTag, orderTag(id))
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: Resource, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing an order event failed", "order_id", id, "err", err)
	}
}

// Warm fills the cache with the first page of the default order list, as
// the web app asks for it, for callers with and without customers.view_pii.
func (s *Service) Warm(ctx context.Context) error {
	for _, perms := range [][]authz.Permission{{PermViewPII, PermView}, {PermView}} {
		p := &authz.Principal{Email: "system", Via: "system", Permissions: perms}
		pctx := authz.With(ctx, p)
		f := Filter{Sort: "-created_at"}
		if _, _, err := s.List(pctx, f, paging.Request{Page: 1, PageSize: paging.DefaultSize}); err != nil {
			return err
		}
		if _, _, err := s.List(pctx, f, paging.Request{CursorMode: true, Limit: paging.DefaultSize}); err != nil {
			return err
		}
	}
	return nil
}
