package public

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Prefix is the public read API's base path.
const Prefix = "/api/public/v1/"

// MediaPrefix is the media route's base path: the one public route that
// looks at the caller's session (a panel user may fetch draft media).
const MediaPrefix = Prefix + "media/"

// Anonymous reports whether r is for a public route that never looks at
// who is asking: every route under Prefix but the media one. The server
// skips authentication for them, so a session sent along is ignored (and
// a session store outage cannot fail them).
func Anonymous(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, Prefix) && !strings.HasPrefix(r.URL.Path, MediaPrefix)
}

// The Cache-Control of media redirects: one that live content uses may be
// kept a minute (well within a signed URL's life); one only a panel
// session may follow never by a shared cache; one a preview link allows
// by nobody (the link expires, and its URL holds its token).
const (
	mediaLiveCacheControl    = "public, max-age=60"
	mediaPanelCacheControl   = "private, no-store"
	mediaPreviewCacheControl = "private, no-store"
)

// DefaultCacheControl is PUBLIC_CACHE_CONTROL's default: CDNs may keep
// an answer but must ask again (If-None-Match) before each use.
const DefaultCacheControl = "public, max-age=0, must-revalidate"

// Routes mounts the public read API (API.md section 8) and /sitemap.xml.
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	cc := DefaultCacheControl
	if s != nil { // nil when only the OpenAPI document is built
		cc = s.cfg.CacheControl
	}
	op := func(id, summary string, resp any, query []httpapi.Param, errs ...int) httpapi.Op {
		return httpapi.Op{ID: id, Tag: "public", Public: true, Cached: true, CacheControl: cc, Summary: summary,
			Response: resp, Query: query, Errors: append([]int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusTooManyRequests}, errs...)}
	}
	rt.Handle("GET", Prefix+"posts", op("publicListPosts", "Live posts, newest first (cursor pagination)", PostsPage{}, postsQuery), h.posts)
	post := op("publicGetPost", "A live post by slug; an old slug answers 301 with Location naming the current one",
		PostDetail{}, slugQuery, http.StatusNotFound)
	post.Redirects = []int{http.StatusMovedPermanently}
	rt.Handle("GET", Prefix+"posts/{slug}", post, h.post)
	rt.Handle("GET", Prefix+"projects", op("publicListProjects", "Published projects in the editors' order (cursor pagination)", ProjectsPage{}, projectsQuery), h.projects)
	project := op("publicGetProject", "A published project by slug; an old slug answers 301 with Location naming the current one",
		ProjectDetail{}, slugQuery, http.StatusNotFound)
	project.Redirects = []int{http.StatusMovedPermanently}
	rt.Handle("GET", Prefix+"projects/{slug}", project, h.project)
	rt.Handle("GET", Prefix+"tags", op("publicListTags", "Tags of live posts with how many carry each", TermList{}, langQuery), h.terms("tag"))
	rt.Handle("GET", Prefix+"categories", op("publicListCategories", "Categories of live posts with how many carry each", TermList{}, langQuery), h.terms("category"))
	rt.Handle("GET", Prefix+"search", op("publicSearch", "Full-text search of live posts and published projects", SearchResults{}, searchQuery,
		http.StatusServiceUnavailable), h.search)
	rt.Handle("GET", Prefix+"feed.atom", op("publicFeedAtom", "The newest live posts of a language as an Atom feed (application/atom+xml)", nil, feedQuery), h.feed("atom"))
	rt.Handle("GET", Prefix+"feed.rss", op("publicFeedRSS", "The newest live posts of a language as an RSS 2.0 feed (application/rss+xml)", nil, feedQuery), h.feed("rss"))
	preview := op("publicPreview", "A post's (or project's) working copy, for a signed, expiring preview link; its media point at the link's own media route; never stored by caches",
		PostDetail{}, nil, http.StatusNotFound)
	preview.CacheControl = "no-store"
	rt.Handle("GET", Prefix+"preview/{token}", preview, h.preview)
	previewMedia := op("publicPreviewMedia", "302 to a media item's file when the preview link's working copy uses it "+
		"(cover, Open Graph image, gallery, body) and the link is valid; else 404", nil, mediaQuery, http.StatusNotFound)
	previewMedia.Cached, previewMedia.Status, previewMedia.CacheControl = false, http.StatusFound, mediaPreviewCacheControl
	rt.Handle("GET", Prefix+"preview/{token}/media/{id}", previewMedia, h.previewMedia)
	media := op("publicMedia", "302 to a media item's file when live content uses it (or the caller's session may see drafts); else 404",
		nil, mediaQuery, http.StatusNotFound)
	media.Cached, media.Status = false, http.StatusFound
	rt.Handle("GET", MediaPrefix+"{id}", media, h.media)
	rt.HandleOther("GET /sitemap.xml", httpapi.HandlerFunc(h.sitemap))
}

type handlers struct{ s *Service }

func (h handlers) posts(w http.ResponseWriter, r *http.Request) error {
	f, c, err := ParsePosts(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Posts(r.Context(), f, c)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

// pathSlug reads {slug} in its normal form; one that has none is a 404.
func pathSlug(r *http.Request) (string, error) {
	s := search.Slugify(r.PathValue("slug"))
	if s == "" || len(s) > 800 {
		return "", errNotFound
	}
	return s, nil
}

func (h handlers) post(w http.ResponseWriter, r *http.Request) error {
	lang, err := ParseLangOnly(r.URL.Query())
	if err != nil {
		return err
	}
	slug, err := pathSlug(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Post(r.Context(), lang, slug)
	if redirected(w, "posts/", st, err) {
		return nil
	}
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

// redirected answers 301 with Location naming the current slug (under
// Prefix+collection) when err is *Moved, and reports whether it did: an
// old slug of a post or a project is answered the same way.
func redirected(w http.ResponseWriter, collection string, st cache.Status, err error) bool {
	var moved *Moved
	if !errors.As(err, &moved) {
		return false
	}
	w.Header().Set("Location", Prefix+collection+url.PathEscape(moved.Slug)+"?lang="+url.QueryEscape(moved.Lang))
	w.Header().Set("Cache-Status", st.Header())
	w.WriteHeader(http.StatusMovedPermanently)
	return true
}

func (h handlers) projects(w http.ResponseWriter, r *http.Request) error {
	f, c, err := ParseProjects(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Projects(r.Context(), f, c)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) project(w http.ResponseWriter, r *http.Request) error {
	lang, err := ParseLangOnly(r.URL.Query())
	if err != nil {
		return err
	}
	slug, err := pathSlug(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Project(r.Context(), lang, slug)
	if redirected(w, "projects/", st, err) {
		return nil
	}
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) terms(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		lang, err := ParseLangOnly(r.URL.Query())
		if err != nil {
			return err
		}
		body, st, err := h.s.Terms(r.Context(), kind, lang)
		if err != nil {
			return err
		}
		httpapi.WriteCached(w, r, body, st.Header())
		return nil
	}
}

func (h handlers) search(w http.ResponseWriter, r *http.Request) error {
	req, err := ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Search(r.Context(), req)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

// bases are the absolute bases of links: the configured ones, else the
// scheme and host this request came to.
func (h handlers) bases(r *http.Request) Bases {
	own := "http://" + r.Host
	if reqinfo.From(r.Context()).HTTPS {
		own = "https://" + r.Host
	}
	b := Bases{Site: h.s.cfg.SiteURL, API: h.s.cfg.APIURL}
	if b.Site == "" {
		b.Site = own
	}
	if b.API == "" {
		b.API = own
	}
	return b
}

// writeXML answers an XML body with a strong ETag, 304 to a matching
// If-None-Match.
func writeXML(w http.ResponseWriter, r *http.Request, body []byte, st cache.Status, contentType string) {
	w.Header().Set("Cache-Status", st.Header())
	tag := etag.Of(body)
	w.Header().Set("ETag", tag)
	if httpapi.MatchesETag(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (h handlers) feed(format string) httpapi.HandlerFunc {
	ct := map[string]string{"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8"}[format]
	return func(w http.ResponseWriter, r *http.Request) error {
		lang, err := ParseFeedLang(r.URL.Query())
		if err != nil {
			return err
		}
		body, st, err := h.s.Feed(r.Context(), format, lang, h.bases(r))
		if err != nil {
			return err
		}
		writeXML(w, r, body, st, ct)
		return nil
	}
}

func (h handlers) sitemap(w http.ResponseWriter, r *http.Request) error {
	page, err := ParseSitemapPage(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Sitemap(r.Context(), page, h.bases(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", h.s.cfg.CacheControl)
	writeXML(w, r, body, st, "application/xml; charset=utf-8")
	return nil
}

func (h handlers) preview(w http.ResponseWriter, r *http.Request) error {
	body, st, err := h.s.Preview(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) previewMedia(w http.ResponseWriter, r *http.Request) error {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return errNotFound
	}
	width, err := ParseWidth(r.URL.Query())
	if err != nil {
		return err
	}
	u, err := h.s.PreviewMediaURL(r.Context(), r.PathValue("token"), id, width)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", mediaPreviewCacheControl)
	w.Header().Set("Location", u)
	w.WriteHeader(http.StatusFound)
	return nil
}

func (h handlers) media(w http.ResponseWriter, r *http.Request) error {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return errNotFound
	}
	width, err := ParseWidth(r.URL.Query())
	if err != nil {
		return err
	}
	u, access, err := h.s.MediaURL(r.Context(), id, width)
	if err != nil {
		return err
	}
	if access == MediaPanel {
		w.Header().Set("Cache-Control", mediaPanelCacheControl)
	} else {
		w.Header().Set("Cache-Control", mediaLiveCacheControl)
	}
	w.Header().Add("Vary", "Cookie")
	w.Header().Set("Location", u)
	w.WriteHeader(http.StatusFound)
	return nil
}
