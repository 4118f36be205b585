package posts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/platform/markdown"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Index is the part of the search index posts use (the search lane's
// *search.Index satisfies it): documents are written in the caller's
// transaction, so the index changes exactly when the post does.
type Index interface {
	Put(ctx context.Context, tx *db.Tx, d search.Doc) error
	Remove(ctx context.Context, tx *db.Tx, kind string, id int64, scope search.Scope) error
	MatchIDs(ctx context.Context, q search.Query, max int) ([]int64, error)
}

// DocKind is the search index's kind of a post.
const DocKind = "post"

// maxMatches bounds the ids a panel search narrows a list to.
const maxMatches = 1000

func postTag(id int64) string { return "post:" + strconv.FormatInt(id, 10) }

// Config tunes the service.
type Config struct {
	// TTL is how long cached reads live.
	TTL time.Duration
	// PublicURL is PUBLIC_URL: preview links start with it; empty, with
	// the request's origin (the embedded default).
	PublicURL string
	// Preview signs preview links (content.NewPreviewSigner of SECRET_KEY).
	Preview *content.PreviewSigner
	// RenderLimit bounds POST /api/content/render per user and minute; 0
	// means 120.
	RenderLimit int
}

// Service holds the posts' rules: permission check, validation, one
// transaction per change with its revision and audit row, cache tags
// touched in it (invalidated at commit, before the caller answers), then
// an event.
type Service struct {
	db       *db.DB
	store    Store
	cache    *cache.Cache
	bus      events.Bus
	cursors  paging.CursorCodec
	cfg      Config
	media    content.Media
	notifier content.Notifier
	index    Index
	queue    *jobs.Queue
	limiter  ratelimit.Counter
	presence PresenceStore
	now      func() time.Time
}

// NewService wires the service. media is required (content references
// only ready images); SetNotifier, SetIndex, SetQueue, SetLimiter and
// SetPresence add the optional parts.
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, media content.Media, cursorKey []byte, cfg Config) *Service {
	if cfg.RenderLimit == 0 {
		cfg.RenderLimit = 120
	}
	return &Service{db: d, store: Store{DB: d}, cache: c, bus: bus, media: media, cfg: cfg,
		cursors: paging.CursorCodec{Key: cursorKey}, limiter: ratelimit.NewLocal(), presence: NewMemoryPresence(),
		now: time.Now}
}

// SetNotifier sets who hears of content events (webhooks).
func (s *Service) SetNotifier(n content.Notifier) { s.notifier = n }

// SetIndex sets the search index; without one, q matches titles and slugs
// by substring and nothing is indexed.
func (s *Service) SetIndex(i Index) { s.index = i }

// SetQueue sets the job queue scheduled publishing runs on.
func (s *Service) SetQueue(q *jobs.Queue) { s.queue = q }

// SetLimiter sets the counter of the render rate limit (Redis across
// instances in production).
func (s *Service) SetLimiter(l ratelimit.Counter) { s.limiter = l }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

var errNotFound = apperr.New(apperr.NotFound, "no such post")

// List returns a page of posts as the encoded response body.
func (s *Service) List(ctx context.Context, f Filter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
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
	page := fmt.Sprintf("|p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("|c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	key := "posts:list:" + cache.KeyHash(binding+page)
	return s.cache.Fetch(ctx, content.ResourcePosts, key, []string{content.TagPosts}, s.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		if f.Q != "" && s.index != nil {
			ids, err := s.index.MatchIDs(ctx, search.Query{Text: f.Q, Scope: search.Panel, Kinds: []string{DocKind},
				Lang: string(f.Lang)}, maxMatches)
			if err != nil {
				return nil, err
			}
			f.IDs = append([]int64{}, ids...)
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
			return json.Marshal(paging.CursorPage[Summary]{Items: items, NextCursor: next, Limit: pr.Limit})
		}
		total, err := s.store.Count(ctx, f)
		if err != nil {
			return nil, err
		}
		items := []Summary{}
		if off := int64(pr.Page-1) * int64(pr.PageSize); off < total {
			if items, err = s.store.ListByOffset(ctx, f, off, int64(pr.PageSize)); err != nil {
				return nil, err
			}
		}
		return json.Marshal(paging.NewPage(items, pr, total))
	})
}

// Get returns one post as the encoded response body; its ETag is the
// one If-Match is compared with.
func (s *Service) Get(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
		return nil, "", err
	}
	key := "post:v1:" + strconv.FormatInt(id, 10)
	return s.cache.Fetch(ctx, content.ResourcePosts, key, []string{postTag(id)}, s.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		p, err := s.store.Get(ctx, s.db.Reader(), id, false)
		if errors.Is(err, ErrNotFound) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	})
}

// load reads and locks a post in tx and checks ifMatch (when set) against
// the ETag of its detail as Get answers it.
func (s *Service) load(ctx context.Context, tx *db.Tx, id int64, ifMatch string) (Post, error) {
	p, err := s.store.Get(ctx, tx, id, true)
	if errors.Is(err, ErrNotFound) {
		return p, errNotFound
	}
	if err != nil {
		return p, err
	}
	if ifMatch != "" {
		cur, err := json.Marshal(p)
		if err != nil {
			return p, err
		}
		if !etag.MatchesStrong(ifMatch, etag.Of(cur)) {
			return p, apperr.New(apperr.PreconditionFailed, "the post changed since you loaded it; reload and try again")
		}
	}
	return p, nil
}

// reread returns the post's detail as Get will answer it after commit.
func (s *Service) reread(ctx context.Context, tx *db.Tx, id int64) ([]byte, error) {
	p, err := s.store.Get(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// apply sets p's editable fields from in (absent ones stay). It returns
// the names of the fields that changed.
func apply(p *Post, in Input) []string {
	var changed []string
	set := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	if in.Title != nil {
		set("title", p.Title != *in.Title)
		p.Title = *in.Title
	}
	if in.Lang != nil {
		set("lang", p.Lang != *in.Lang)
		p.Lang = *in.Lang
	}
	if in.Slug != nil {
		set("slug", p.Slug != *in.Slug)
		p.Slug = *in.Slug
	}
	if in.BodyMD != nil {
		set("body_md", p.BodyMD != *in.BodyMD)
		p.BodyMD = *in.BodyMD
	}
	if in.Excerpt != nil {
		set("excerpt", p.Excerpt != *in.Excerpt)
		p.Excerpt = *in.Excerpt
	}
	setID := func(name string, dst **int64, v *int64) {
		if v == nil && !in.Cleared(name) {
			return
		}
		set(name, !equalID(*dst, v))
		*dst = v
	}
	setID("cover_media_id", &p.CoverMediaID, in.CoverMediaID)
	setID("translation_of", &p.TranslationOf, in.TranslationOf)
	if in.Tags != nil {
		set("tags", !slices.Equal(p.Tags, *in.Tags))
		p.Tags = *in.Tags
	}
	if in.Categories != nil {
		set("categories", !slices.Equal(p.Categories, *in.Categories))
		p.Categories = *in.Categories
	}
	if in.Authors != nil {
		old := make([]int64, len(p.Authors))
		for i, a := range p.Authors {
			old[i] = a.ID
		}
		set("authors", !slices.Equal(old, *in.Authors))
		p.Authors = make([]Author, len(*in.Authors))
		for i, id := range *in.Authors {
			p.Authors[i] = Author{ID: id}
		}
	}
	if seo := in.SEO; seo != nil {
		if seo.Title != nil {
			set("seo.title", p.SEO.Title != *seo.Title)
			p.SEO.Title = *seo.Title
		}
		if seo.Description != nil {
			set("seo.description", p.SEO.Description != *seo.Description)
			p.SEO.Description = *seo.Description
		}
		if seo.CanonicalURL != nil {
			set("seo.canonical_url", p.SEO.CanonicalURL != *seo.CanonicalURL)
			p.SEO.CanonicalURL = *seo.CanonicalURL
		}
		setID("seo.og_image_media_id", &p.SEO.OGImageMediaID, seo.OGImageMediaID)
	}
	return changed
}

func equalID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// check runs the rules that need the database on a post about to be
// saved: its slug (normalised, unique per language: 409 CONFLICT on
// slug), media (ready images), authors (users), translation (a post in the
// other language). Field errors are collected and answered together.
func (s *Service) check(ctx context.Context, tx *db.Tx, p Post) error {
	fe := newFieldErrs()
	checkSlug(fe, p.Slug)
	var ids []int64
	add := func(id *int64) {
		if id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	add(p.CoverMediaID)
	add(p.SEO.OGImageMediaID)
	refs := markdown.MediaRefs(p.BodyMD)
	for _, id := range refs {
		add(&id)
	}
	if len(ids) > 0 {
		ready, err := s.media.ReadyImages(ctx, ids)
		if err != nil {
			return err
		}
		notReady := func(field string, id *int64) {
			if id != nil {
				if _, ok := ready[*id]; !ok {
					fe.add(field, fmt.Sprintf("media item %d is not a ready image", *id), ReasonMediaNotReady)
				}
			}
		}
		notReady("cover_media_id", p.CoverMediaID)
		notReady("seo.og_image_media_id", p.SEO.OGImageMediaID)
		for _, id := range refs {
			notReady("body_md", &id)
		}
	}
	authorIDs := make([]int64, len(p.Authors))
	for i, a := range p.Authors {
		authorIDs[i] = a.ID
	}
	users, err := s.store.ExistingUsers(ctx, tx, authorIDs)
	if err != nil {
		return err
	}
	if len(authorIDs) == 0 {
		fe.add("authors", "must name at least one user", ReasonRequired)
	}
	for i, id := range authorIDs {
		if !users[id] {
			fe.add(fmt.Sprintf("authors[%d]", i), "is no user", ReasonUnknownUser)
		}
	}
	if t := p.TranslationOf; t != nil {
		lang, err := s.store.Lang(ctx, tx, *t)
		switch {
		case errors.Is(err, ErrNotFound):
			fe.add("translation_of", "is no post", ReasonTranslation)
		case err != nil:
			return err
		case *t == p.ID:
			fe.add("translation_of", "cannot be the post itself", ReasonTranslation)
		case lang == p.Lang:
			fe.add("translation_of", "must be a post in the other language", ReasonTranslation)
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	taken, err := s.store.SlugTaken(ctx, tx, p.Lang, p.Slug, p.ID)
	if err != nil {
		return err
	}
	if taken {
		return apperr.Taken("slug", "this slug in this language")
	}
	return nil
}

// Created is the outcome of Create.
type Created struct {
	ID   int64
	Body []byte
}

// Create validates and stores a new draft with its first revision.
func (s *Service) Create(ctx context.Context, in Input) (Created, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return Created{}, err
	}
	if err := in.Validate(true); err != nil {
		return Created{}, err
	}
	now := s.clock()
	p := Post{Summary: Summary{Status: content.Draft, Tags: []string{}, Categories: []string{}, Authors: []Author{},
		CreatedAt: now, UpdatedAt: now, Revision: 1}}
	if in.Slug == nil {
		slug := search.Slugify(*in.Title)
		in.Slug = &slug
	}
	if in.Authors == nil && pr.UserID != 0 {
		in.Authors = &[]int64{pr.UserID}
	}
	apply(&p, in)
	p.BodyHTML = renderBody(p.BodyMD)
	reason := in.RevisionReason
	if reason == "" {
		reason = "created"
	}
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := s.check(ctx, tx, p); err != nil {
			return err
		}
		id, err := s.store.Insert(ctx, tx, p, pr.UserID)
		if err != nil {
			return err
		}
		p.ID = id
		if err := s.saveParts(ctx, tx, p); err != nil {
			return err
		}
		if err := s.store.AddRevision(ctx, tx, id, 1, pr.UserID, reason, SnapshotOf(p), now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "posts.create", ResourceType: "post", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"title": {To: p.Title}, "slug": {To: p.Slug}, "lang": {To: p.Lang},
				"status": {To: p.Status}}}); err != nil {
			return err
		}
		tx.Touch(content.TagPosts)
		tx.Touch(postTag(id))
		body, err = s.reread(ctx, tx, id)
		return err
	})
	if err != nil {
		return Created{}, slugConflict(err)
	}
	s.announce(ctx, "created", p.ID)
	return Created{ID: p.ID, Body: body}, nil
}

// slugConflict turns a unique violation (two saves racing for one slug)
// into the CONFLICT the check gives.
func slugConflict(err error) error {
	if db.IsUnique(err) {
		return apperr.Taken("slug", "this slug in this language")
	}
	return err
}

// saveParts writes a post's terms and authors and its panel search doc.
func (s *Service) saveParts(ctx context.Context, tx *db.Tx, p Post) error {
	if err := s.store.SetTerms(ctx, tx, p.ID, p.Lang, p.Tags, p.Categories); err != nil {
		return err
	}
	ids := make([]int64, len(p.Authors))
	for i, a := range p.Authors {
		ids[i] = a.ID
	}
	if err := s.store.SetAuthors(ctx, tx, p.ID, ids); err != nil {
		return err
	}
	if s.index != nil {
		return s.index.Put(ctx, tx, s.doc(p, search.Panel))
	}
	return nil
}

func (s *Service) doc(p Post, scope search.Scope) search.Doc {
	return search.Doc{Kind: DocKind, ID: p.ID, Scope: scope, Lang: string(p.Lang), Slug: p.Slug, Title: p.Title,
		Body: markdown.PlainText(p.BodyMD), Tags: slices.Concat(p.Tags, p.Categories)}
}

// Update changes a post's working copy and records the revision; the live
// version, if any, stays until the changes are published. The saver's
// autosave is dropped.
func (s *Service) Update(ctx context.Context, id int64, in Input, ifMatch string) ([]byte, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		body, err = s.save(ctx, tx, pr, p, in, "posts.update")
		return err
	})
	if err != nil {
		return nil, slugConflict(err)
	}
	s.announce(ctx, "updated", id)
	return body, nil
}

// save applies in to p in tx as a new revision and answers the detail.
// A scheduled post's working copy is what its job will publish, so only
// content.publish may change it (403 otherwise): a writer's edit or
// restore would otherwise go live unreviewed.
func (s *Service) save(ctx context.Context, tx *db.Tx, pr *authz.Principal, p Post, in Input, action string) ([]byte, error) {
	if p.Status == content.Scheduled && !pr.Can(content.PermPublish) {
		return nil, apperr.New(apperr.PermissionDenied, "a scheduled post is published as it is: changing it needs the permission %q (or unschedule it first)", string(content.PermPublish))
	}
	before := p
	changed := apply(&p, in)
	now := s.clock()
	p.BodyHTML = renderBody(p.BodyMD)
	p.Revision++
	p.UpdatedAt = now
	if err := s.check(ctx, tx, p); err != nil {
		return nil, err
	}
	if err := s.store.Update(ctx, tx, p); err != nil {
		return nil, err
	}
	if err := s.saveParts(ctx, tx, p); err != nil {
		return nil, err
	}
	reason := in.RevisionReason
	if reason == "" {
		reason = "edited"
	}
	if err := s.store.AddRevision(ctx, tx, p.ID, p.Revision, pr.UserID, reason, SnapshotOf(p), now); err != nil {
		return nil, err
	}
	if err := s.store.DeleteAutosave(ctx, tx, p.ID, pr.UserID); err != nil {
		return nil, err
	}
	changes := map[string]audit.Change{"revision": {From: before.Revision, To: p.Revision}}
	for _, f := range changed {
		switch f {
		case "title", "slug", "lang":
			changes[f] = audit.Change{From: field(before, f), To: field(p, f)}
		default:
			changes[f] = audit.Change{To: "changed"}
		}
	}
	if err := audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "post",
		ResourceID: strconv.FormatInt(p.ID, 10), Changes: changes}); err != nil {
		return nil, err
	}
	tx.Touch(content.TagPosts)
	tx.Touch(postTag(p.ID))
	return s.reread(ctx, tx, p.ID)
}

func field(p Post, name string) any {
	switch name {
	case "title":
		return p.Title
	case "slug":
		return p.Slug
	default:
		return p.Lang
	}
}

// Delete removes a post. A post the website shows (or will: scheduled)
// needs content.publish, since deleting it changes the website.
func (s *Service) Delete(ctx context.Context, id int64, ifMatch string) error {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		live := p.LiveRevision != nil
		if (live || p.Status == content.Scheduled) && !pr.Can(content.PermPublish) {
			return apperr.New(apperr.PermissionDenied, "deleting a published or scheduled post needs the permission %q", string(content.PermPublish))
		}
		if live {
			if err := s.notify(ctx, tx, "post.deleted", p); err != nil {
				return err
			}
			tx.Touch(content.TagPublic)
		}
		if s.index != nil {
			if err := s.index.Remove(ctx, tx, DocKind, id, search.Public); err != nil {
				return err
			}
			if err := s.index.Remove(ctx, tx, DocKind, id, search.Panel); err != nil {
				return err
			}
		}
		if err := s.store.Delete(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "posts.delete", ResourceType: "post", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"title": {From: p.Title}, "slug": {From: p.Slug}, "status": {From: p.Status}}}); err != nil {
			return err
		}
		tx.Touch(content.TagPosts)
		tx.Touch(postTag(id))
		if p.TranslationOf != nil {
			tx.Touch(postTag(*p.TranslationOf))
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.announce(ctx, "deleted", id)
	return nil
}

func (s *Service) notify(ctx context.Context, tx *db.Tx, event string, p Post) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.Notify(ctx, tx, event, map[string]any{"type": event, "id": p.ID, "slug": p.Slug, "lang": p.Lang})
}

// announce runs after a commit (which invalidated the touched tags):
// it publishes the event.
func (s *Service) announce(ctx context.Context, kind string, id int64) {
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: content.ResourcePosts, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing a post event failed", "post_id", id, "err", err)
	}
}
