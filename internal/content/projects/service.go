package projects

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
	"github.com/pishkhan/pishkhan/internal/platform/markdown"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Indexer keeps the search index in step with projects, in the change's
// transaction, and answers the panel list's q from it; the search room's
// *search.Index satisfies it.
type Indexer interface {
	Put(ctx context.Context, tx *db.Tx, d search.Doc) error
	Remove(ctx context.Context, tx *db.Tx, kind string, id int64, scope search.Scope) error
	MatchIDs(ctx context.Context, q search.Query, max int) ([]int64, error)
}

// DocKind is the search index's kind of a project.
const DocKind = "project"

// Service holds the projects' rules: permission check, validation, one
// transaction per change with its audit row, its webhook notification and
// its search documents; the commit invalidates the cache tags the
// transaction touched (content.TagProjects, and content.TagPublic when the
// website may see the change) before the caller answers, then an event on
// "projects" is published.
type Service struct {
	db      *db.DB
	store   Store
	cache   *cache.Cache
	bus     events.Bus
	media   content.Media
	notify  content.Notifier
	index   Indexer
	cursors paging.CursorCodec
	ttl     time.Duration
	now     func() time.Time
}

// Deps are the services' collaborators; Notifier and Index may be nil
// (nobody listens, no index).
type Deps struct {
	Media    content.Media
	Notifier content.Notifier
	Index    Indexer
}

// NewService wires the service.
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, deps Deps, cursorKey []byte, ttl time.Duration) *Service {
	return &Service{db: d, store: Store{DB: d}, cache: c, bus: bus, media: deps.Media, notify: deps.Notifier, index: deps.Index,
		cursors: paging.CursorCodec{Key: cursorKey}, ttl: ttl, now: time.Now}
}

// SetIndex sets the search index (wired once the search room exists).
func (s *Service) SetIndex(ix Indexer) { s.index = ix }

// SetNotifier sets the outgoing-event hook.
func (s *Service) SetNotifier(n content.Notifier) { s.notify = n }

var errNotFound = apperr.New(apperr.NotFound, "no such project")

func projectTag(id int64) string { return "project:" + strconv.FormatInt(id, 10) }

// RenderBody renders a project's markdown, media:N pointing at the public
// media route.
func RenderBody(md string) string { return markdown.RenderWith(md, content.PublicMediaPath) }

func encode(p Project) ([]byte, error) {
	p.AllowedNext = content.ProjectWorkflow.Allowed(p.Status)
	return json.Marshal(p)
}

// List returns a page of projects as the encoded response body.
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
	key := "projects:list:" + cache.KeyHash(binding+page)
	return s.cache.Fetch(ctx, content.ResourceProjects, key, []string{content.TagProjects}, s.ttl, func(ctx context.Context) ([]byte, error) {
		if f.Q != "" && s.index != nil {
			// the panel documents hold every project, drafts included; the
			// list keeps its own filters, sort and paging over the matches
			ids, err := s.index.MatchIDs(ctx, search.Query{Text: f.Q, Scope: search.Panel, Kinds: []string{DocKind},
				Lang: string(f.Lang)}, search.MaxMatchIDs)
			if err != nil {
				return nil, err
			}
			f.IDs = append([]int64{}, ids...)
		}
		if pr.CursorMode {
			items, err := s.store.List(ctx, f, 0, pr.Limit+1, pos)
			if err != nil {
				return nil, err
			}
			var next *string
			if len(items) > pr.Limit {
				items = items[:pr.Limit]
				c := s.cursors.Encode(binding, f.PositionOf(items[len(items)-1]))
				next = &c
			}
			return json.Marshal(paging.CursorPage[Project]{Items: items, NextCursor: next, Limit: pr.Limit})
		}
		total, err := s.store.Count(ctx, f)
		if err != nil {
			return nil, err
		}
		items, err := s.store.List(ctx, f, pr.Offset(), pr.PageSize, nil)
		if err != nil {
			return nil, err
		}
		return json.Marshal(paging.NewPage(items, pr, total))
	})
}

// Get returns one project as the encoded response body.
func (s *Service) Get(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, content.ResourceProjects, "project:"+strconv.FormatInt(id, 10), []string{projectTag(id)}, s.ttl,
		func(ctx context.Context) ([]byte, error) {
			p, err := s.store.Get(ctx, s.db.Reader(), id)
			if errors.Is(err, ErrNotFound) {
				return nil, errNotFound
			}
			if err != nil {
				return nil, err
			}
			return encode(p)
		})
}

// apply sets in's fields on p (the current project, or a new one).
func apply(p *Project, in Input) {
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Lang != nil {
		p.Lang = *in.Lang
	}
	if in.Slug != nil {
		p.Slug = search.Slugify(*in.Slug)
	} else if p.Slug == "" {
		p.Slug = search.Slugify(p.Title)
	}
	if in.Client != nil {
		p.Client = *in.Client
	}
	if in.StartedOn != nil {
		p.StartedOn = optDate(*in.StartedOn)
	}
	if in.EndedOn != nil {
		p.EndedOn = optDate(*in.EndedOn)
	}
	if in.Summary != nil {
		p.Summary = *in.Summary
	}
	if in.BodyMD != nil {
		p.BodyMD = *in.BodyMD
	}
	p.BodyHTML = RenderBody(p.BodyMD)
	if in.CoverMediaID != nil {
		p.CoverMediaID = nil
		if *in.CoverMediaID > 0 {
			id := *in.CoverMediaID
			p.CoverMediaID = &id
		}
	}
	if in.Gallery != nil {
		p.Gallery = slices.Clone(*in.Gallery)
	}
	if in.Tags != nil {
		p.Tags = normalTags(*in.Tags)
	}
	if in.Links != nil {
		p.Links = slices.Clone(*in.Links)
	}
	if in.Featured != nil {
		p.Featured = *in.Featured
	}
}

func optDate(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// check validates what depends on the whole project: the dates' order and
// that every referenced media item is a ready image.
func (s *Service) check(ctx context.Context, p Project) error {
	fe := apperr.FieldErrors{}
	if p.StartedOn != nil && p.EndedOn != nil && *p.EndedOn < *p.StartedOn {
		fe.Add("ended_on", "must not be before started_on")
	}
	var ids []int64
	if p.CoverMediaID != nil {
		ids = append(ids, *p.CoverMediaID)
	}
	for _, g := range p.Gallery {
		ids = append(ids, g.MediaID)
	}
	refs := markdown.MediaRefs(p.BodyMD)
	ids = append(ids, refs...)
	if len(ids) > 0 {
		if s.media == nil {
			return apperr.Validation(map[string]string{"gallery": "the media library is not available"})
		}
		ready, err := s.media.ReadyImages(ctx, ids)
		if err != nil {
			return err
		}
		if p.CoverMediaID != nil {
			if _, ok := ready[*p.CoverMediaID]; !ok {
				fe.Add("cover_media_id", "must be a ready image of the media library")
			}
		}
		for i, g := range p.Gallery {
			if _, ok := ready[g.MediaID]; !ok {
				fe.Add(fmt.Sprintf("gallery[%d].media_id", i), "must be a ready image of the media library")
			}
		}
		for _, id := range refs {
			if _, ok := ready[id]; !ok {
				fe.Add("body_md", fmt.Sprintf("media:%d is not a ready image of the media library", id))
			}
		}
	}
	return fe.Err()
}

// Created is the outcome of Create.
type Created struct {
	ID   int64
	Body []byte
}

// Create stores a new draft project, last in the manual order.
func (s *Service) Create(ctx context.Context, in Input) (Created, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return Created{}, err
	}
	if err := in.Validate(true); err != nil {
		return Created{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	p := Project{Status: content.Draft, CreatedAt: now, UpdatedAt: now, Gallery: []GalleryItem{}, Tags: []string{}, Links: []Link{}}
	apply(&p, in)
	if err := s.check(ctx, p); err != nil {
		return Created{}, err
	}
	var out Created
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if taken, err := s.store.SlugTaken(ctx, tx, p.Lang, p.Slug, 0); err != nil {
			return err
		} else if taken {
			return apperr.Taken("slug", "this slug (in this language)")
		}
		id, err := s.store.Insert(ctx, tx, p, pr.UserID)
		if db.IsUnique(err) {
			return apperr.Taken("slug", "this slug (in this language)")
		}
		if err != nil {
			return err
		}
		created, err := s.store.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.indexDocs(ctx, tx, created); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "projects.create", ResourceType: "project", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"title": {To: p.Title}, "slug": {To: p.Slug}, "lang": {To: p.Lang}, "status": {To: p.Status}}}); err != nil {
			return err
		}
		tx.Touch(content.TagProjects)
		out.ID = id
		out.Body, err = encode(created)
		return err
	})
	if err != nil {
		return Created{}, err
	}
	s.publish(ctx, "created", out.ID)
	return out, nil
}

// load reads a project for a change and checks the caller's If-Match.
func (s *Service) load(ctx context.Context, tx *db.Tx, id int64, ifMatch string) (Project, error) {
	p, err := s.store.Get(ctx, tx, id)
	if errors.Is(err, ErrNotFound) {
		return p, errNotFound
	}
	if err != nil {
		return p, err
	}
	if ifMatch != "" {
		cur, err := encode(p)
		if err != nil {
			return p, err
		}
		if !etag.MatchesStrong(ifMatch, etag.Of(cur)) {
			return p, apperr.New(apperr.PreconditionFailed, "the project changed since you loaded it; reload and try again")
		}
	}
	return p, nil
}

// Update changes a project's fields. Editing a published project changes
// the website at once (projects have no separate live copy), so it needs
// content.publish (403 otherwise, nothing changed) and is announced as
// project.updated.
func (s *Service) Update(ctx context.Context, id int64, in Input, ifMatch string) ([]byte, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	var body []byte
	unchanged := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		old, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if old.Status == content.Published && !pr.Can(content.PermPublish) {
			return apperr.New(apperr.PermissionDenied, "editing a published project changes the website: it needs the permission %q", string(content.PermPublish))
		}
		p := old
		p.Gallery, p.Tags, p.Links = slices.Clone(old.Gallery), slices.Clone(old.Tags), slices.Clone(old.Links)
		apply(&p, in)
		if err := s.check(ctx, p); err != nil {
			return err
		}
		if len(diff(old, p)) == 0 {
			// nothing changed: no write, no audit row, no webhook
			body, err = encode(old)
			unchanged = true
			return err
		}
		if p.Lang != old.Lang || p.Slug != old.Slug {
			if taken, err := s.store.SlugTaken(ctx, tx, p.Lang, p.Slug, id); err != nil {
				return err
			} else if taken {
				return apperr.Taken("slug", "this slug (in this language)")
			}
		}
		p.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		if err := s.store.Update(ctx, tx, p); err != nil {
			if db.IsUnique(err) {
				return apperr.Taken("slug", "this slug (in this language)")
			}
			return err
		}
		updated, err := s.store.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.indexDocs(ctx, tx, updated); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "projects.update", ResourceType: "project",
			ResourceID: strconv.FormatInt(id, 10), Changes: diff(old, updated)}); err != nil {
			return err
		}
		if updated.Status == content.Published {
			if err := s.moveLiveSlug(ctx, tx, old, updated); err != nil {
				return err
			}
			if err := s.event(ctx, tx, "project.updated", updated); err != nil {
				return err
			}
			tx.Touch(content.TagPublic)
		}
		tx.Touch(content.TagProjects)
		tx.Touch(projectTag(id))
		body, err = encode(updated)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !unchanged {
		s.publish(ctx, "updated", id)
	}
	return body, nil
}

// moveLiveSlug keeps the website's addresses when a published project's
// slug or language changes (in its update's transaction): the old one
// redirects to the project (API.md §8, as a post's old slug does), and a
// redirect from the new one, its own or another project's, is dropped,
// the live project winning. Redirects point at the project, not at a
// slug, so a chain of renames (a → b → c) answers every old slug with
// the current one.
func (s *Service) moveLiveSlug(ctx context.Context, tx *db.Tx, old, cur Project) error {
	if old.Status != content.Published || (old.Lang == cur.Lang && old.Slug == cur.Slug) {
		return nil
	}
	if err := s.store.AddRedirect(ctx, tx, old.Lang, old.Slug, cur.ID, cur.UpdatedAt); err != nil {
		return err
	}
	return s.store.ClaimSlug(ctx, tx, cur.Lang, cur.Slug)
}

// diff names the fields an update changed, for the audit row.
func diff(a, b Project) map[string]audit.Change {
	ch := map[string]audit.Change{}
	add := func(name string, from, to any) {
		fj, _ := json.Marshal(from)
		tj, _ := json.Marshal(to)
		if string(fj) != string(tj) {
			ch[name] = audit.Change{From: from, To: to}
		}
	}
	add("title", a.Title, b.Title)
	add("slug", a.Slug, b.Slug)
	add("lang", a.Lang, b.Lang)
	add("client", a.Client, b.Client)
	add("started_on", a.StartedOn, b.StartedOn)
	add("ended_on", a.EndedOn, b.EndedOn)
	add("summary", a.Summary, b.Summary)
	if a.BodyMD != b.BodyMD {
		ch["body_md"] = audit.Change{From: len(a.BodyMD), To: len(b.BodyMD)} // sizes: bodies are too long for the log
	}
	add("cover_media_id", a.CoverMediaID, b.CoverMediaID)
	add("gallery", a.Gallery, b.Gallery)
	add("tags", a.Tags, b.Tags)
	add("links", a.Links, b.Links)
	add("featured", a.Featured, b.Featured)
	return ch
}

// Transition moves a project through content.ProjectWorkflow: publishing,
// unpublishing and archiving need content.publish (content.PermissionFor).
// A publish takes its slug over from any redirect; leaving published
// (unpublish, archive) drops the project's redirects: its old slugs stop
// answering with it, and a later publish does not bring them back.
func (s *Service) Transition(ctx context.Context, id int64, in TransitionInput, ifMatch string) ([]byte, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if err := content.ProjectWorkflow.Check(p.Status, in.To); err != nil {
			return err
		}
		if need := content.PermissionFor(p.Status, in.To); !pr.Can(need) {
			return apperr.New(apperr.PermissionDenied, "you need the permission %q to move a project from %s to %s", string(need), p.Status, in.To)
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		var publishedAt *time.Time
		if in.To == content.Published {
			publishedAt = &now
		}
		if err := s.store.SetStatus(ctx, tx, id, in.To, publishedAt, now); err != nil {
			return err
		}
		switch {
		case in.To == content.Published:
			if err := s.store.ClaimSlug(ctx, tx, p.Lang, p.Slug); err != nil {
				return err
			}
		case p.Status == content.Published:
			if err := s.store.DropRedirects(ctx, tx, id); err != nil {
				return err
			}
		}
		moved, err := s.store.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.indexDocs(ctx, tx, moved); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "projects.transition", ResourceType: "project",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{"status": {From: p.Status, To: in.To}}}); err != nil {
			return err
		}
		switch {
		case in.To == content.Published:
			err = s.event(ctx, tx, "project.published", moved)
		case p.Status == content.Published:
			err = s.event(ctx, tx, "project.unpublished", moved)
		}
		if err != nil {
			return err
		}
		if in.To == content.Published || p.Status == content.Published {
			tx.Touch(content.TagPublic)
		}
		tx.Touch(content.TagProjects)
		tx.Touch(projectTag(id))
		body, err = encode(moved)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, "updated", id)
	return body, nil
}

// Delete removes a project. Deleting a published one takes it off the
// website, so it needs content.publish as well.
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
		if p.Status == content.Published && !pr.Can(content.PermPublish) {
			return apperr.New(apperr.PermissionDenied, "you need the permission %q to delete a published project", string(content.PermPublish))
		}
		if err := s.store.Delete(ctx, tx, id); err != nil {
			return err
		}
		if s.index != nil {
			for _, sc := range []search.Scope{search.Panel, search.Public} {
				if err := s.index.Remove(ctx, tx, DocKind, id, sc); err != nil {
					return err
				}
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "projects.delete", ResourceType: "project", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"title": {From: p.Title}, "slug": {From: p.Slug}, "status": {From: p.Status}}}); err != nil {
			return err
		}
		if p.Status == content.Published {
			if err := s.event(ctx, tx, "project.deleted", p); err != nil {
				return err
			}
			tx.Touch(content.TagPublic)
		}
		tx.Touch(content.TagProjects)
		tx.Touch(projectTag(id))
		return nil
	})
	if err != nil {
		return err
	}
	s.publish(ctx, "deleted", id)
	return nil
}

// OrderList is the body PUT /api/projects/order answers: the ids in their
// new order.
type OrderList struct {
	IDs []int64 `json:"ids"`
}

// Reorder sets the manual order: in.IDs must name every project exactly
// once (else 422, naming the missing or unknown ids).
func (s *Service) Reorder(ctx context.Context, in OrderInput) ([]byte, error) {
	if _, err := authz.Require(ctx, content.PermEdit); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var changed []int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.store.IDs(ctx, tx)
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, id := range cur {
			have[id] = true
		}
		var unknown, missing []int64
		given := map[int64]bool{}
		for _, id := range in.IDs {
			given[id] = true
			if !have[id] {
				unknown = append(unknown, id)
			}
		}
		for _, id := range cur {
			if !given[id] {
				missing = append(missing, id)
			}
		}
		if len(unknown) > 0 || len(missing) > 0 {
			return apperr.Validation(map[string]string{"ids": "must name every project exactly once"}).
				WithDetail("missing", orEmpty(missing)).WithDetail("unknown", orEmpty(unknown)).
				WithDetail("field_reasons", map[string]string{"ids": "not_a_permutation"})
		}
		if slices.Equal(cur, in.IDs) {
			return nil
		}
		for i, id := range in.IDs {
			if cur[i] != id {
				changed = append(changed, id)
			}
		}
		if err := s.store.SetPositions(ctx, tx, in.IDs, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "projects.reorder", ResourceType: "project", ResourceID: "",
			Changes: map[string]audit.Change{"order": {From: cur, To: in.IDs}}}); err != nil {
			return err
		}
		tx.Touch(content.TagProjects)
		tx.Touch(content.TagPublic)
		for _, id := range changed {
			tx.Touch(projectTag(id))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range changed {
		s.publish(ctx, "updated", id)
	}
	return json.Marshal(OrderList(in))
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// docs returns the project's search documents: its panel one, and its
// public one while it is published.
func docs(p Project) []search.Doc {
	doc := search.Doc{Kind: DocKind, ID: p.ID, Scope: search.Panel, Lang: string(p.Lang), Slug: p.Slug, Title: p.Title,
		Body: p.Summary + "\n" + p.Client + "\n" + markdown.PlainText(p.BodyMD), Tags: p.Tags}
	out := []search.Doc{doc}
	if p.Status == content.Published {
		doc.Scope = search.Public
		out = append(out, doc)
	}
	return out
}

// indexDocs writes the project's documents (removing the public one unless
// it is published).
func (s *Service) indexDocs(ctx context.Context, tx *db.Tx, p Project) error {
	if s.index == nil {
		return nil
	}
	ds := docs(p)
	for _, d := range ds {
		if err := s.index.Put(ctx, tx, d); err != nil {
			return err
		}
	}
	if len(ds) == 1 {
		return s.index.Remove(ctx, tx, DocKind, p.ID, search.Public)
	}
	return nil
}

// SearchDocs yields every project's search documents, for `pishkhan search
// rebuild`.
func (s *Service) SearchDocs(ctx context.Context, yield func(search.Doc) error) error {
	ids, err := s.store.AllIDs(ctx, s.db.Reader())
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, err := s.store.Get(ctx, s.db.Reader(), id)
		if err != nil {
			return err
		}
		for _, d := range docs(p) {
			if err := yield(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// event tells the Notifier, inside the transaction.
func (s *Service) event(ctx context.Context, tx *db.Tx, name string, p Project) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Notify(ctx, tx, name, map[string]any{"type": name, "id": p.ID, "slug": p.Slug, "lang": p.Lang})
}

// publish announces a change after the commit (which already invalidated).
func (s *Service) publish(ctx context.Context, kind string, id int64) {
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: content.ResourceProjects, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing a project event failed", "project_id", id, "err", err)
	}
}
