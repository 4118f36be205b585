package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Cache tags: an FAQ write touches faqListTag and the entry's tag; a
// conversation's change (a message, a state) touches convListTag and its tag;
// a canned reply's change touches cannedTag.
const (
	faqListTag  = "chat:faq"
	convListTag = "chat:conversations"
	cannedTag   = "chat:canned"
)

func faqTag(id int64) string  { return "chat:faq:" + strconv.FormatInt(id, 10) }
func convTag(id int64) string { return "chat:conversation:" + strconv.FormatInt(id, 10) }

// ResourceCanned is the events resource of canned replies.
const ResourceCanned = "chat_canned"

// faqKind is the search document kind of FAQ entries (scope public: they
// are what the website's visitors are answered with).
const faqKind = "faq"

// Config tunes the room.
type Config struct {
	// SiteURL is the website's base; PostPath and ProjectPath its paths of a
	// post and a project with {lang} and {slug} (PUBLIC_SITE_URL,
	// PUBLIC_POST_PATH, PUBLIC_PROJECT_PATH), for the links answers cite.
	SiteURL, PostPath, ProjectPath string
	// TTL keeps cached panel reads (writes invalidate them).
	TTL time.Duration
	// Limits are the visitors' guardrails; zero fields take DefaultLimits'.
	Limits Limits
}

// Service holds the chat rules: the FAQ (permission, validation, one
// transaction with its search document and audit row), visitors'
// conversations and the bot, and the inbox.
type Service struct {
	db       *db.DB
	cache    *cache.Cache
	bus      events.Bus
	index    *search.Index
	counter  ratelimit.Counter
	cursors  paging.CursorCodec
	cfg      Config
	answerer Answerer
	now      func() time.Time

	// watchers are this instance's visitor streams, by conversation (stream.go).
	mu       sync.Mutex
	watchers map[int64]map[*watcher]struct{}
	// ipStreams counts them by client address (Limits.StreamsPerIP).
	ipStreams map[string]int
	closing   chan struct{}
	closeOnce sync.Once
}

// NewService wires the service. counter keeps the visitors' rate limits
// (Redis-backed in production, so every instance shares them).
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, index *search.Index, counter ratelimit.Counter, cfg Config, cursorKey []byte) *Service {
	cfg.Limits = cfg.Limits.withDefaults()
	return &Service{db: d, cache: c, bus: bus, index: index, counter: counter, cursors: paging.CursorCodec{Key: cursorKey},
		cfg: cfg, now: time.Now, watchers: map[int64]map[*watcher]struct{}{}, ipStreams: map[string]int{}, closing: make(chan struct{})}
}

// SetAnswerer gives the bot a writer of answers (a language model); nil
// leaves it answering from FAQ entries alone.
func (s *Service) SetAnswerer(a Answerer) { s.answerer = a }

// SetLimits replaces the visitors' guardrails (zero fields: the defaults).
func (s *Service) SetLimits(l Limits) { s.cfg.Limits = l.withDefaults() }

// Run delivers the bus's conversation events to this instance's visitor
// streams until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	return s.bus.Subscribe(ctx, s.dispatch)
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// publish announces a change after its commit; a lost event is logged (the
// clients' reconnects and refetches catch up).
func (s *Service) publish(ctx context.Context, e events.Event) {
	if err := s.bus.Publish(ctx, e); err != nil {
		slog.WarnContext(ctx, "publishing a chat event failed", "resource", e.Resource, "id", e.ID, "err", err)
	}
}

// conversationChanged tells the panel and the conversation's visitor
// streams on every instance.
func (s *Service) conversationChanged(ctx context.Context, kind string, id int64) {
	s.publish(ctx, events.Event{Event: kind, Resource: ResourceConversations, ID: id})
	s.publish(ctx, events.Event{Event: "updated", Resource: resourceVisitor, ID: id})
}

var (
	errFAQNotFound    = apperr.New(apperr.NotFound, "no such FAQ entry")
	errConvNotFound   = apperr.New(apperr.NotFound, "no such conversation")
	errCannedNotFound = apperr.New(apperr.NotFound, "no such canned reply")
)

// ---- FAQ entries

// FAQFilter is the FAQ list's filter.
type FAQFilter struct {
	Lang Lang
	// Q is matched by the search index (the FAQ documents the bot
	// retrieves): "" lists every entry.
	Q string
}

// ListFAQ returns FAQ entries, newest first, as the encoded envelope.
func (s *Service) ListFAQ(ctx context.Context, f FAQFilter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	binding := "faq|l=" + string(f.Lang) + "|q=" + f.Q
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
	return s.cache.Fetch(ctx, ResourceFAQ, "chat:faq:list:"+cache.KeyHash(binding+page), []string{faqListTag}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			ids, err := s.faqMatches(ctx, f)
			if err != nil {
				return nil, err
			}
			return db.NewestFirst(pr, s.cursors, binding, after, "f.id",
				func(tail string, args ...any) ([]FAQ, error) {
					return listFAQ(ctx, s.db.Reader(), f.Lang, ids, tail, args...)
				},
				func() (int64, error) { return countFAQ(ctx, s.db.Reader(), f.Lang, ids) },
				func(e FAQ) int64 { return e.ID })
		})
}

// GetFAQ returns one entry as the encoded body (its ETag is what PATCH's
// and DELETE's If-Match are compared with).
func (s *Service) GetFAQ(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, ResourceFAQ, "chat:faq:"+strconv.FormatInt(id, 10), []string{faqTag(id)}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			f, err := getFAQ(ctx, s.db.Reader(), id)
			if errors.Is(err, errNoRow) {
				return nil, errFAQNotFound
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(f)
		})
}

// CreateFAQ adds an entry and its search document.
func (s *Service) CreateFAQ(ctx context.Context, in FAQInput) (FAQ, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return FAQ{}, err
	}
	if err := in.Validate(); err != nil {
		return FAQ{}, err
	}
	var out FAQ
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createFAQ(ctx, tx, in, nil)
		return err
	})
	if err != nil {
		return FAQ{}, err
	}
	s.publish(ctx, events.Event{Event: "created", Resource: ResourceFAQ, ID: out.ID})
	return out, nil
}

// createFAQ writes a valid entry, its search document and its audit row
// (with extra changes, if any) in tx.
func (s *Service) createFAQ(ctx context.Context, tx *db.Tx, in FAQInput, extra map[string]audit.Change) (FAQ, error) {
	f := FAQ{Lang: in.Lang, Question: in.Question, Answer: in.Answer, Phrasings: cleanPhrasings(in.Phrasings)}
	var by int64
	if p := authz.From(ctx); p != nil {
		by = p.UserID
	}
	id, err := insertFAQ(ctx, tx, f, by, s.stamp())
	if err != nil {
		return FAQ{}, err
	}
	f.ID = id
	if err := s.indexFAQ(ctx, tx, f); err != nil {
		return FAQ{}, err
	}
	tx.Touch(faqListTag)
	tx.Touch(faqTag(id))
	changes := map[string]audit.Change{"lang": {To: f.Lang}, "question": {To: f.Question}, "answer": {To: f.Answer},
		"phrasings": {To: f.Phrasings}}
	for k, v := range extra {
		changes[k] = v
	}
	if err := audit.Record(ctx, tx, audit.Entry{Action: "faq.create", ResourceType: "faq",
		ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
		return FAQ{}, err
	}
	return getFAQ(ctx, tx, id)
}

// indexFAQ writes an entry's search document in tx.
func (s *Service) indexFAQ(ctx context.Context, tx *db.Tx, f FAQ) error {
	return s.index.Put(ctx, tx, faqDoc(f))
}

// faqDoc is an entry's search document: the question as its title (ranked
// first), the phrasings as its tags, the answer as its body.
// faqMatches answers the ids of the entries f.Q finds in the index (at
// most search.MaxMatchIDs), or nil for no Q (every entry).
func (s *Service) faqMatches(ctx context.Context, f FAQFilter) ([]int64, error) {
	if f.Q == "" {
		return nil, nil
	}
	ids, err := s.index.MatchIDs(ctx, search.Query{Text: f.Q, Scope: search.Public, Kinds: []string{faqKind}, Lang: string(f.Lang)},
		search.MaxMatchIDs)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

func faqDoc(f FAQ) search.Doc {
	return search.Doc{Kind: faqKind, ID: f.ID, Scope: search.Public, Lang: string(f.Lang),
		Slug: strconv.FormatInt(f.ID, 10), Title: f.Question, Body: f.Answer, Tags: f.Phrasings}
}

// SearchDocs yields every FAQ entry's search document (for a rebuild of
// the index).
func (s *Service) SearchDocs(ctx context.Context, yield func(search.Doc) error) error {
	all, err := listFAQ(ctx, s.db.Reader(), "", nil, " ORDER BY f.id")
	if err != nil {
		return err
	}
	for _, f := range all {
		if err := yield(faqDoc(f)); err != nil {
			return err
		}
	}
	return nil
}

// PatchFAQ changes what the patch names.
func (s *Service) PatchFAQ(ctx context.Context, id int64, in FAQPatch, ifMatch string) (FAQ, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return FAQ{}, err
	}
	if err := in.Validate(); err != nil {
		return FAQ{}, err
	}
	var out FAQ
	changed := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getFAQ(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errFAQNotFound
		}
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur, ifMatch); err != nil {
			return err
		}
		next := cur
		changes := map[string]audit.Change{}
		if in.Lang != nil && *in.Lang != cur.Lang {
			next.Lang = *in.Lang
			changes["lang"] = audit.Change{From: cur.Lang, To: next.Lang}
		}
		if in.Question != nil && *in.Question != cur.Question {
			next.Question = *in.Question
			changes["question"] = audit.Change{From: cur.Question, To: next.Question}
		}
		if in.Answer != nil && *in.Answer != cur.Answer {
			next.Answer = *in.Answer
			changes["answer"] = audit.Change{From: cur.Answer, To: next.Answer}
		}
		if in.Phrasings != nil {
			if ps := cleanPhrasings(*in.Phrasings); !slices.Equal(ps, cur.Phrasings) {
				next.Phrasings = ps
				changes["phrasings"] = audit.Change{From: cur.Phrasings, To: ps}
			}
		}
		if len(changes) == 0 {
			out = cur // nothing changes: no write, no audit row, no event
			return nil
		}
		changed = true
		if err := updateFAQ(ctx, tx, next, s.stamp()); err != nil {
			return err
		}
		if err := s.indexFAQ(ctx, tx, next); err != nil {
			return err
		}
		tx.Touch(faqListTag)
		tx.Touch(faqTag(id))
		if err := audit.Record(ctx, tx, audit.Entry{Action: "faq.update", ResourceType: "faq",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		out, err = getFAQ(ctx, tx, id)
		return err
	})
	if err != nil {
		return FAQ{}, err
	}
	if changed {
		s.publish(ctx, events.Event{Event: "updated", Resource: ResourceFAQ, ID: id})
	}
	return out, nil
}

// DeleteFAQ removes an entry and its search document.
func (s *Service) DeleteFAQ(ctx context.Context, id int64, ifMatch string) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getFAQ(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errFAQNotFound
		}
		if err != nil {
			return err
		}
		if err := checkIfMatch(cur, ifMatch); err != nil {
			return err
		}
		if err := deleteFAQ(ctx, tx, id); err != nil {
			return err
		}
		if err := s.index.Remove(ctx, tx, faqKind, id, search.Public); err != nil {
			return err
		}
		tx.Touch(faqListTag)
		tx.Touch(faqTag(id))
		return audit.Record(ctx, tx, audit.Entry{Action: "faq.delete", ResourceType: "faq",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{
				"lang": {From: cur.Lang}, "question": {From: cur.Question}, "answer": {From: cur.Answer},
			}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, events.Event{Event: "deleted", Resource: ResourceFAQ, ID: id})
	return nil
}

// checkIfMatch checks an If-Match (when set) against the ETag of the entry
// as GET answers it: a stale one is 412 PRECONDITION_FAILED.
func checkIfMatch(cur FAQ, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if !etag.MatchesStrong(ifMatch, etag.Of(body)) {
		return apperr.New(apperr.PreconditionFailed, "the FAQ entry changed since you loaded it; reload and try again")
	}
	return nil
}

// ---- canned replies

// ListCanned returns every canned reply (they are few), by language and title.
func (s *Service) ListCanned(ctx context.Context) ([]byte, cache.Status, error) {
	p := authz.From(ctx)
	if p == nil {
		return nil, "", apperr.New(apperr.Unauthenticated, "log in first")
	}
	if !p.Can(PermHandle) && !p.Can(PermManage) {
		return nil, "", apperr.New(apperr.PermissionDenied, "you need the permission %q or %q", string(PermHandle), string(PermManage))
	}
	return s.cache.Fetch(ctx, ResourceCanned, "chat:canned", []string{cannedTag}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			items, err := listCanned(ctx, s.db.Reader())
			if err != nil {
				return nil, err
			}
			return json.Marshal(CannedList{Items: items})
		})
}

// CannedList is the answer of GET /api/chat/canned.
type CannedList struct {
	Items []Canned `json:"items"`
}

// CreateCanned adds a canned reply.
func (s *Service) CreateCanned(ctx context.Context, in CannedInput) (Canned, error) {
	return s.writeCanned(ctx, 0, in)
}

// UpdateCanned replaces a canned reply.
func (s *Service) UpdateCanned(ctx context.Context, id int64, in CannedInput) (Canned, error) {
	return s.writeCanned(ctx, id, in)
}

func (s *Service) writeCanned(ctx context.Context, id int64, in CannedInput) (Canned, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Canned{}, err
	}
	if err := in.Validate(); err != nil {
		return Canned{}, err
	}
	var out Canned
	kind := "updated"
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		now := s.stamp()
		action := "chat.canned.update"
		var changes map[string]audit.Change
		if id == 0 {
			kind, action = "created", "chat.canned.create"
			newID, err := insertCanned(ctx, tx, in, now)
			if err != nil {
				return err
			}
			id = newID
			changes = map[string]audit.Change{"title": {To: in.Title}, "text": {To: in.Text}, "lang": {To: in.Lang}}
		} else {
			cur, err := getCanned(ctx, tx, id)
			if errors.Is(err, errNoRow) {
				return errCannedNotFound
			}
			if err != nil {
				return err
			}
			if _, err := updateCanned(ctx, tx, id, in, now); err != nil {
				return err
			}
			changes = map[string]audit.Change{"title": {From: cur.Title, To: in.Title}, "text": {From: cur.Text, To: in.Text},
				"lang": {From: cur.Lang, To: in.Lang}}
		}
		tx.Touch(cannedTag)
		if err := audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "chat_canned",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		var err error
		out, err = getCanned(ctx, tx, id)
		return err
	})
	if err != nil {
		return Canned{}, err
	}
	s.publish(ctx, events.Event{Event: kind, Resource: ResourceCanned, ID: out.ID})
	return out, nil
}

// DeleteCanned removes a canned reply.
func (s *Service) DeleteCanned(ctx context.Context, id int64) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getCanned(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errCannedNotFound
		}
		if err != nil {
			return err
		}
		if _, err := deleteCanned(ctx, tx, id); err != nil {
			return err
		}
		tx.Touch(cannedTag)
		return audit.Record(ctx, tx, audit.Entry{Action: "chat.canned.delete", ResourceType: "chat_canned",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{"title": {From: cur.Title}, "text": {From: cur.Text}}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, events.Event{Event: "deleted", Resource: ResourceCanned, ID: id})
	return nil
}
