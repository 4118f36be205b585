package posts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/textdiff"
)

var errNoRevision = apperr.New(apperr.NotFound, "no such revision")

// Revisions lists a post's revisions, newest first, in either page mode.
func (s *Service) Revisions(ctx context.Context, id int64, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
		return nil, "", err
	}
	binding := "revisions:" + strconv.FormatInt(id, 10)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	key := fmt.Sprintf("post:%d:revisions:%d:%d:%t:%s:%d", id, pr.Page, pr.PageSize, pr.CursorMode, pr.Cursor, pr.Limit)
	return s.cache.Fetch(ctx, content.ResourcePosts, "posts:"+cache.KeyHash(key), []string{postTag(id)}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			ok, err := s.store.Exists(ctx, s.db.Reader(), id)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errNotFound
			}
			return db.NewestFirst(pr, s.cursors, binding, after, "number",
				func(tail string, args ...any) ([]Revision, error) { return s.store.Revisions(ctx, id, tail, args...) },
				func() (int64, error) { return s.store.CountRevisions(ctx, id) },
				func(r Revision) int64 { return r.Number })
		})
}

// Revision returns one revision with its snapshot.
func (s *Service) Revision(ctx context.Context, id, number int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
		return nil, "", err
	}
	key := "post:" + strconv.FormatInt(id, 10) + ":revision:" + strconv.FormatInt(number, 10)
	return s.cache.Fetch(ctx, content.ResourcePosts, key, []string{postTag(id)}, s.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		r, err := s.store.Revision(ctx, s.db.Reader(), id, number)
		if errors.Is(err, ErrNotFound) {
			return nil, errNoRevision
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	})
}

// Restore makes a revision's snapshot the working copy again, as a new
// revision ("restored from N"), checked like any save (a media item no
// longer ready or a slug taken since refuses it).
func (s *Service) Restore(ctx context.Context, id, number int64, ifMatch string) ([]byte, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return nil, err
	}
	var body []byte
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		r, err := s.store.Revision(ctx, tx, id, number)
		if errors.Is(err, ErrNotFound) {
			return errNoRevision
		}
		if err != nil {
			return err
		}
		in := r.Snapshot.input(fmt.Sprintf("restored from %d", number))
		body, err = s.save(ctx, tx, pr, p, in, "posts.restore")
		return err
	})
	if err != nil {
		return nil, slugConflict(err)
	}
	s.announce(ctx, "updated", id)
	return body, nil
}

// PutAutosave keeps the caller's one rolling autosave of a post; it never
// touches the post.
func (s *Service) PutAutosave(ctx context.Context, id int64, in AutosaveInput) (Autosave, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return Autosave{}, err
	}
	if pr.UserID == 0 {
		return Autosave{}, apperr.New(apperr.PermissionDenied, "autosaves belong to users")
	}
	if err := in.Validate(); err != nil {
		return Autosave{}, err
	}
	now := s.clock()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var rev int64
		err := db.Scan(tx.QueryRow(ctx, `SELECT revision FROM posts WHERE id = ?`, id), &rev)
		if errors.Is(err, db.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		return s.store.PutAutosave(ctx, tx, id, pr.UserID, rev, in.Snapshot, now)
	})
	if err != nil {
		return Autosave{}, err
	}
	return s.store.Autosave(ctx, id, pr.UserID)
}

var errNoAutosave = apperr.New(apperr.NotFound, "you have no autosave of this post")

// GetAutosave returns the caller's own autosave of a post (404 when none).
// It is personal and read from the database, never cached.
func (s *Service) GetAutosave(ctx context.Context, id int64) (Autosave, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return Autosave{}, err
	}
	a, err := s.store.Autosave(ctx, id, pr.UserID)
	if errors.Is(err, ErrNotFound) {
		return a, errNoAutosave
	}
	return a, err
}

// PreviewLink signs a link to the post's latest version, draft or not,
// served by the public read API until it expires. Anyone holding the link
// sees the draft, so only an editor (content.edit) makes one (issue 16: "a
// preview link an editor creates"); a reader may see drafts only in the
// panel. origin is the request's origin, used when PUBLIC_URL is not set.
func (s *Service) PreviewLink(ctx context.Context, id int64, in PreviewInput, origin string) (PreviewLink, error) {
	if _, err := authz.Require(ctx, content.PermEdit); err != nil {
		return PreviewLink{}, err
	}
	if err := in.Validate(); err != nil {
		return PreviewLink{}, err
	}
	if s.cfg.Preview == nil {
		return PreviewLink{}, errors.New("posts: no preview signer configured")
	}
	ok, err := s.store.Exists(ctx, s.db.Reader(), id)
	if err != nil {
		return PreviewLink{}, err
	}
	if !ok {
		return PreviewLink{}, errNotFound
	}
	ttl := DefaultPreviewTTL
	if in.TTLSeconds != nil {
		ttl = time.Duration(*in.TTLSeconds) * time.Second
	}
	expires := s.now().UTC().Add(ttl).Truncate(time.Second)
	base := s.cfg.PublicURL
	if base == "" {
		base = origin
	}
	return PreviewLink{URL: base + PreviewPath + s.cfg.Preview.Sign('p', id, expires), ExpiresAt: expires}, nil
}

// PreviewPath is where the public read API serves preview tokens.
const PreviewPath = "/api/public/v1/preview/"

// renderWindow is the render rate limit's window.
const renderWindow = time.Minute

// Render renders markdown as the public site will show it, for the
// editor's preview; rate-limited per user.
func (s *Service) Render(ctx context.Context, in RenderInput) (Rendered, error) {
	pr := authz.From(ctx)
	if !pr.Can(content.PermView) && !pr.Can(content.PermEdit) {
		return Rendered{}, apperr.New(apperr.PermissionDenied, "you need the permission %q or %q", string(content.PermView), string(content.PermEdit))
	}
	if err := in.Validate(); err != nil {
		return Rendered{}, err
	}
	key := "posts:render:" + pr.UserKey()
	n, err := s.limiter.Hit(ctx, key, renderWindow)
	if err == nil && n > s.cfg.RenderLimit {
		_, left, _ := s.limiter.Count(ctx, key)
		secs := max(1, int(left/time.Second))
		return Rendered{}, &apperr.Error{Code: apperr.RateLimited, RetryAfter: secs,
			Limit:   &apperr.LimitInfo{Limit: s.cfg.RenderLimit, Remaining: 0, ResetSecs: secs},
			Message: "too many previews; wait a moment"}
	}
	return Rendered{HTML: renderBody(in.Markdown)}, nil
}

// PreviewSigner returns the signer of preview links (the public read API
// verifies them with the same key).
func (s *Service) PreviewSigner() *content.PreviewSigner { return s.cfg.Preview }

// RevisionDiff compares two revisions of a post: word-level changes of the
// title, the excerpt and the body (Ops joined give back each side; the UI
// sets dir=auto per line), and the names of the other fields that differ.
type RevisionDiff struct {
	From    int64         `json:"from"`
	To      int64         `json:"to"`
	Title   []textdiff.Op `json:"title"`
	Excerpt []textdiff.Op `json:"excerpt"`
	Ops     []textdiff.Op `json:"ops" doc:"the body's word-level changes"`
	Changed []string      `json:"changed" doc:"the other snapshot fields that differ: slug, lang, tags, categories, authors, cover_media_id, seo, translation_of"`
}

// Diff compares revisions from and to of post id (either order).
func (s *Service) Diff(ctx context.Context, id, from, to int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, content.PermView); err != nil {
		return nil, "", err
	}
	key := fmt.Sprintf("post:%d:diff:%d:%d", id, from, to)
	return s.cache.Fetch(ctx, content.ResourcePosts, key, []string{postTag(id)}, s.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		a, err := s.store.Revision(ctx, s.db.Reader(), id, from)
		if err == nil {
			var b RevisionDetail
			if b, err = s.store.Revision(ctx, s.db.Reader(), id, to); err == nil {
				return json.Marshal(diffSnapshots(from, to, a.Snapshot, b.Snapshot))
			}
		}
		if errors.Is(err, ErrNotFound) {
			return nil, errNoRevision
		}
		return nil, err
	})
}

func diffSnapshots(from, to int64, a, b Snapshot) RevisionDiff {
	d := RevisionDiff{From: from, To: to, Title: textdiff.Words(a.Title, b.Title),
		Excerpt: textdiff.Words(a.Excerpt, b.Excerpt), Ops: textdiff.Words(a.BodyMD, b.BodyMD), Changed: []string{}}
	differs := func(name string, x, y any) {
		xj, _ := json.Marshal(x)
		yj, _ := json.Marshal(y)
		if string(xj) != string(yj) {
			d.Changed = append(d.Changed, name)
		}
	}
	differs("slug", a.Slug, b.Slug)
	differs("lang", a.Lang, b.Lang)
	// tags and categories are sets: a snapshot keeps them as typed or by
	// name, so an order alone is no change
	differs("tags", sortedSet(a.Tags), sortedSet(b.Tags))
	differs("categories", sortedSet(a.Categories), sortedSet(b.Categories))
	differs("authors", a.Authors, b.Authors)
	differs("cover_media_id", a.CoverMediaID, b.CoverMediaID)
	differs("seo", a.SEO, b.SEO)
	differs("translation_of", a.TranslationOf, b.TranslationOf)
	return d
}

// sortedSet is a sorted copy of s, for comparing it as a set.
func sortedSet(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
