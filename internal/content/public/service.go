package public

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Searcher finds documents in the search index; the search room's
// *search.Index satisfies it. The public API asks only its Public scope.
type Searcher interface {
	Search(ctx context.Context, q search.Query) ([]search.Hit, error)
}

// Config is what the public API is told by the configuration.
type Config struct {
	// SiteURL is the website's base URL (PUBLIC_SITE_URL, else
	// PUBLIC_URL); "" uses the request's own scheme and host.
	SiteURL string
	// APIURL is where this API is reached from outside (PUBLIC_URL); ""
	// uses the request's.
	APIURL string
	// PostPath and ProjectPath are the website's paths, {lang} and {slug}
	// filled in.
	PostPath, ProjectPath string
	// CacheControl is the Cache-Control of every public answer.
	CacheControl string
	// TTL is how long a public answer stays in the server cache (publishing
	// invalidates it at once).
	TTL time.Duration
	// ThumbnailSides are the widths the media library makes thumbnails
	// of; the media route's ?w= picks the smallest at least that wide.
	ThumbnailSides []int
	// SitemapPageSize is how many URLs one sitemap file holds (0 or more
	// than MaxSitemapURLs: MaxSitemapURLs); beyond it /sitemap.xml is an
	// index of pages.
	SitemapPageSize int
}

// Service answers the public read API. Every read goes through the server
// cache under content.TagPublic (every write that may change what the
// website sees touches it), with a key holding every parameter.
type Service struct {
	db      *db.DB
	store   store
	cache   *cache.Cache
	media   content.Media
	preview *content.PreviewSigner
	search  Searcher
	cursors paging.CursorCodec
	cfg     Config
	now     func() time.Time
}

// NewService wires the service. media, preview and search may be nil (no
// covers or media redirects, no previews, search unavailable).
func NewService(d *db.DB, c *cache.Cache, media content.Media, preview *content.PreviewSigner, cursorKey []byte, cfg Config) *Service {
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Minute
	}
	if cfg.CacheControl == "" {
		cfg.CacheControl = DefaultCacheControl
	}
	return &Service{db: d, store: store{db: d}, cache: c, media: media, preview: preview,
		cursors: paging.CursorCodec{Key: cursorKey}, cfg: cfg, now: time.Now}
}

// SetSearcher wires the search index in.
func (s *Service) SetSearcher(x Searcher) { s.search = x }

// SetClock replaces the clock that judges preview expiry (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Resource is the cache metrics' name of public reads.
const Resource = "public"

var errNotFound = apperr.New(apperr.NotFound, "no such published content")

func (s *Service) fetch(ctx context.Context, key string, fill func(ctx context.Context) ([]byte, error)) ([]byte, cache.Status, error) {
	return s.cache.Fetch(ctx, Resource, "public:"+cache.KeyHash(key), []string{content.TagPublic}, s.cfg.TTL, fill)
}

// covers resolves media ids to cover objects (ready images only).
func (s *Service) covers(ctx context.Context, ids []int64) (map[int64]content.MediaItem, error) {
	if s.media == nil || len(ids) == 0 {
		return map[int64]content.MediaItem{}, nil
	}
	return s.media.ReadyImages(ctx, ids)
}

func cover(items map[int64]content.MediaItem, id *int64) *Cover {
	if id == nil {
		return nil
	}
	m, ok := items[*id]
	if !ok {
		return nil
	}
	return &Cover{URL: content.PublicMediaPath(m.ID), Width: m.Width, Height: m.Height}
}

func (s *Service) postCovers(ctx context.Context, ps []Post, extra ...*int64) (map[int64]content.MediaItem, error) {
	var ids []int64
	for _, p := range ps {
		if p.coverID != nil {
			ids = append(ids, *p.coverID)
		}
	}
	for _, e := range extra {
		if e != nil {
			ids = append(ids, *e)
		}
	}
	return s.covers(ctx, ids)
}

// pageKey is the paging part of a list's cache key.
func pageKey(pr paging.Request) string {
	if pr.CursorMode {
		return "|c=" + pr.Cursor + "|n=" + itoa(int64(pr.Limit))
	}
	return "|p=" + itoa(int64(pr.Page)) + "|ps=" + itoa(int64(pr.PageSize))
}

// Posts answers GET /posts: live posts, newest first, by cursor (or page).
func (s *Service) Posts(ctx context.Context, f PostFilter, pr paging.Request) ([]byte, cache.Status, error) {
	binding := "posts|" + f.canonical()
	var pos *postPos
	if pr.CursorMode && pr.Cursor != "" {
		pos = &postPos{}
		if err := s.cursors.Decode(binding, pr.Cursor, pos); err != nil {
			return nil, "", err
		}
	}
	return s.fetch(ctx, binding+pageKey(pr), func(ctx context.Context) ([]byte, error) {
		withCovers := func(items []Post) error {
			media, err := s.postCovers(ctx, items)
			for i := range items {
				items[i].Cover = cover(media, items[i].coverID)
			}
			return err
		}
		if !pr.CursorMode {
			total, err := s.store.countPosts(ctx, f)
			if err != nil {
				return nil, err
			}
			items, err := s.store.posts(ctx, f, nil, pr.PageSize, pr.Offset())
			if err != nil {
				return nil, err
			}
			if err := withCovers(items); err != nil {
				return nil, err
			}
			return json.Marshal(paging.NewPage(items, pr, total))
		}
		items, err := s.store.posts(ctx, f, pos, pr.Limit+1, 0)
		if err != nil {
			return nil, err
		}
		var next *string
		if len(items) > pr.Limit {
			items = items[:pr.Limit]
			last := items[len(items)-1]
			cur := s.cursors.Encode(binding, postPos{At: last.PublishedAt.UnixMicro(), ID: last.id})
			next = &cur
		}
		if err := withCovers(items); err != nil {
			return nil, err
		}
		return json.Marshal(PostsPage{Items: items, NextCursor: next, Limit: pr.Limit})
	})
}

// Moved is returned by Post for an old slug: the post now lives at Slug.
type Moved struct {
	Slug string `json:"slug"`
	Lang string `json:"lang"`
}

func (m *Moved) Error() string { return "moved to " + m.Slug }

// Post answers GET /posts/{slug}: the live post, or *Moved for an old
// slug of a live post (post_slug_redirects), or NOT_FOUND.
func (s *Service) Post(ctx context.Context, lang, slug string) ([]byte, cache.Status, error) {
	body, st, err := s.fetch(ctx, "post|l="+lang+"|s="+slug, func(ctx context.Context) ([]byte, error) {
		d, err := s.store.livePost(ctx, lang, slug)
		if errors.Is(err, errMissing) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		return s.encodePost(ctx, d)
	})
	if apperr.CodeOf(err) != apperr.NotFound {
		return body, st, err
	}
	moved, st, rerr := s.fetch(ctx, "redirect|l="+lang+"|s="+slug, func(ctx context.Context) ([]byte, error) {
		cur, curLang, err := s.store.redirect(ctx, lang, slug)
		if errors.Is(err, errMissing) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(Moved{Slug: cur, Lang: curLang})
	})
	if rerr != nil {
		return nil, st, rerr
	}
	var m Moved
	if err := json.Unmarshal(moved, &m); err != nil {
		return nil, st, err
	}
	return nil, st, &m
}

func (s *Service) encodePost(ctx context.Context, d PostDetail) ([]byte, error) {
	media, err := s.postCovers(ctx, []Post{d.Post}, d.SEO.ogImageID)
	if err != nil {
		return nil, err
	}
	d.Cover = cover(media, d.coverID)
	d.SEO.OGImage = cover(media, d.SEO.ogImageID)
	return json.Marshal(d)
}

func (s *Service) projectCovers(ctx context.Context, ps []Project) error {
	var ids []int64
	for _, p := range ps {
		if p.coverID != nil {
			ids = append(ids, *p.coverID)
		}
		for _, g := range p.Gallery {
			ids = append(ids, g.mediaID)
		}
	}
	media, err := s.covers(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i].Cover = cover(media, ps[i].coverID)
		gallery := []GalleryItem{}
		for _, g := range ps[i].Gallery {
			if c := cover(media, &g.mediaID); c != nil {
				g.Cover = *c
				gallery = append(gallery, g)
			}
		}
		ps[i].Gallery = gallery
	}
	return nil
}

// Projects answers GET /projects: published projects in the manual
// order, by cursor (or page).
func (s *Service) Projects(ctx context.Context, f ProjectFilter, pr paging.Request) ([]byte, cache.Status, error) {
	binding := "projects|" + f.canonical()
	var pos *projectPos
	if pr.CursorMode && pr.Cursor != "" {
		pos = &projectPos{}
		if err := s.cursors.Decode(binding, pr.Cursor, pos); err != nil {
			return nil, "", err
		}
	}
	return s.fetch(ctx, binding+pageKey(pr), func(ctx context.Context) ([]byte, error) {
		if !pr.CursorMode {
			total, err := s.store.countProjects(ctx, f)
			if err != nil {
				return nil, err
			}
			items, err := s.store.projects(ctx, f, nil, pr.PageSize, pr.Offset())
			if err != nil {
				return nil, err
			}
			if err := s.projectCovers(ctx, items); err != nil {
				return nil, err
			}
			return json.Marshal(paging.NewPage(items, pr, total))
		}
		items, err := s.store.projects(ctx, f, pos, pr.Limit+1, 0)
		if err != nil {
			return nil, err
		}
		var next *string
		if len(items) > pr.Limit {
			items = items[:pr.Limit]
			last := items[len(items)-1]
			cur := s.cursors.Encode(binding, projectPos{Pos: last.position, ID: last.id})
			next = &cur
		}
		if err := s.projectCovers(ctx, items); err != nil {
			return nil, err
		}
		return json.Marshal(ProjectsPage{Items: items, NextCursor: next, Limit: pr.Limit})
	})
}

// Project answers GET /projects/{slug}.
func (s *Service) Project(ctx context.Context, lang, slug string) ([]byte, cache.Status, error) {
	return s.fetch(ctx, "project|l="+lang+"|s="+slug, func(ctx context.Context) ([]byte, error) {
		d, err := s.store.project(ctx, lang, slug, 0, false)
		if errors.Is(err, errMissing) {
			return nil, errNotFound
		}
		if err != nil {
			return nil, err
		}
		return s.encodeProject(ctx, d)
	})
}

func (s *Service) encodeProject(ctx context.Context, d ProjectDetail) ([]byte, error) {
	ps := []Project{d.Project}
	if err := s.projectCovers(ctx, ps); err != nil {
		return nil, err
	}
	d.Project = ps[0]
	return json.Marshal(d)
}

// Terms answers GET /tags (kind "tag") and GET /categories ("category").
func (s *Service) Terms(ctx context.Context, kind, lang string) ([]byte, cache.Status, error) {
	return s.fetch(ctx, "terms|k="+kind+"|l="+lang, func(ctx context.Context) ([]byte, error) {
		items, err := s.store.termCounts(ctx, kind, lang)
		if err != nil {
			return nil, err
		}
		return json.Marshal(TermList{Items: items})
	})
}

// Search answers GET /search from the index's Public scope. Every hit is
// checked against the live tables as well, so an index that lags behind
// an unpublish never shows what the website no longer does; slugs and
// titles come from the live rows.
func (s *Service) Search(ctx context.Context, r SearchRequest) ([]byte, cache.Status, error) {
	if s.search == nil {
		return nil, "", apperr.New(apperr.Unavailable, "search is not available on this server").WithReason("search_unavailable")
	}
	return s.fetch(ctx, "search|q="+search.Normalize(r.Q)+"|l="+r.Lang+"|n="+itoa(int64(r.Limit)), func(ctx context.Context) ([]byte, error) {
		hits, err := s.search.Search(ctx, search.Query{Text: r.Q, Scope: search.Public, Kinds: []string{"post", "project"}, Lang: r.Lang, Limit: r.Limit})
		if err != nil {
			return nil, err
		}
		ids := map[string][]int64{}
		for _, h := range hits {
			ids[h.Kind] = append(ids[h.Kind], h.ID)
		}
		live := map[string]map[int64][2]string{}
		for _, kind := range []string{"post", "project"} {
			if live[kind], err = s.store.liveIDs(ctx, kind, ids[kind]); err != nil {
				return nil, err
			}
		}
		out := SearchResults{Items: []SearchHit{}}
		for _, h := range hits {
			row, ok := live[h.Kind][h.ID]
			if !ok {
				continue
			}
			out.Items = append(out.Items, SearchHit{Type: h.Kind, Slug: row[0], Title: row[1], SnippetHTML: h.SnippetHTML, Score: h.Score})
		}
		return json.Marshal(out)
	})
}

// Preview answers a preview link: the working copy of the post (or
// project) the token names, draft or not. Any token that does not verify
// (malformed, tampered with, expired) or names nothing is NOT_FOUND.
func (s *Service) Preview(ctx context.Context, token string) ([]byte, cache.Status, error) {
	if s.preview == nil {
		return nil, "", errNotFound
	}
	kind, id, err := s.preview.Verify(token, s.now())
	if err != nil {
		return nil, "", errNotFound
	}
	switch kind {
	case 'p':
		// the working copy is filed under the panel's posts tag, which every
		// save touches
		return s.cache.Fetch(ctx, Resource, "public:preview:p:"+itoa(id), []string{content.TagPosts, content.TagPublic}, s.cfg.TTL,
			func(ctx context.Context) ([]byte, error) {
				d, err := s.store.previewPost(ctx, id)
				if errors.Is(err, errMissing) {
					return nil, errNotFound
				}
				if err != nil {
					return nil, err
				}
				d.Preview = true
				return s.encodePost(ctx, d)
			})
	case 'j':
		return s.cache.Fetch(ctx, Resource, "public:preview:j:"+itoa(id), []string{content.TagProjects, content.TagPublic}, s.cfg.TTL,
			func(ctx context.Context) ([]byte, error) {
				d, err := s.store.project(ctx, "", "", id, true)
				if errors.Is(err, errMissing) {
					return nil, errNotFound
				}
				if err != nil {
					return nil, err
				}
				d.Preview = true
				return s.encodeProject(ctx, d)
			})
	}
	return nil, "", errNotFound
}

// MediaAccess says why a media redirect was allowed.
type MediaAccess int

// The reasons a media redirect is allowed.
const (
	// MediaLive: live content uses the item; anyone may fetch it.
	MediaLive MediaAccess = iota + 1
	// MediaPanel: only the caller's session may (content.view); the answer
	// must not be kept by a shared cache.
	MediaPanel
)

// MediaURL answers GET /media/{id}: a short-lived URL of the item's file
// (or its smallest thumbnail at least w wide) when live content uses it, or when
// the caller may see drafts (content.view); else NOT_FOUND, which says
// nothing about whether the item exists.
func (s *Service) MediaURL(ctx context.Context, id int64, w int) (string, MediaAccess, error) {
	if s.media == nil {
		return "", 0, errNotFound
	}
	body, _, err := s.fetch(ctx, "media-live|"+itoa(id), func(ctx context.Context) ([]byte, error) {
		live, err := s.store.mediaLive(ctx, id)
		if err != nil {
			return nil, err
		}
		return json.Marshal(live)
	})
	if err != nil {
		return "", 0, err
	}
	access := MediaLive
	if string(body) != "true" {
		p := authz.From(ctx)
		if p == nil || !p.Can(content.PermView) {
			return "", 0, errNotFound
		}
		access = MediaPanel
	}
	side := 0
	if w > 0 {
		for _, t := range s.cfg.ThumbnailSides {
			if t >= w && (side == 0 || t < side) {
				side = t
			}
		}
	}
	u, err := s.media.SignedURL(ctx, id, side)
	if errors.Is(err, content.ErrMediaNotReady) && side != 0 {
		// no thumbnail of that side (an image smaller than it): the file
		u, err = s.media.SignedURL(ctx, id, 0)
	}
	if errors.Is(err, content.ErrMediaNotReady) {
		return "", 0, errNotFound
	}
	if err != nil {
		return "", 0, err
	}
	return u, access, nil
}
