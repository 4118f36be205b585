package server

import (
	"net/http"

	"github.com/pishkhan/pishkhan/internal/chat"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/content/projects"
	"github.com/pishkhan/pishkhan/internal/content/public"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
)

// openPublicContent builds the portfolio's panel service (the webhooks
// room told of its events) and the public read API, both over the search
// index.
func (s *Server) openPublicContent(cursorKey []byte) error {
	secret, err := secretKey(s.Cfg)
	if err != nil {
		return err
	}
	cm := contentMedia{s.Media}
	s.Projects = projects.NewService(s.DB, s.Cache, s.Bus, projects.Deps{Media: cm, Notifier: s.Webhooks}, cursorKey, s.Cfg.CacheTTL)
	s.Public = public.NewService(s.DB, s.Cache, cm, content.NewPreviewSigner(secret), cursorKey, public.Config{
		SiteURL: s.Cfg.PublicSite(), APIURL: s.Cfg.PublicURL, PostPath: s.Cfg.PublicPostPath, ProjectPath: s.Cfg.PublicProjectPath,
		CacheControl: s.Cfg.PublicCacheControl, TTL: s.Cfg.CacheTTL, ThumbnailSides: thumbnailSides,
		SitemapPageSize: s.Cfg.PublicSitemapSize,
	})
	s.Projects.SetIndex(s.Search)
	s.Public.SetSearcher(s.Search)
	return nil
}

// openChat builds the website chatbot's room over the search index, its
// visitors' limits counted in Redis when configured (so every instance
// shares them), else in this process.
func (s *Server) openChat(cursorKey []byte) {
	var counter ratelimit.Counter = ratelimit.NewLocal()
	if s.Redis != nil {
		counter = ratelimit.NewRedis(s.Redis, s.Cfg.CachePrefix)
	}
	s.Chat = chat.NewService(s.DB, s.Cache, s.Bus, s.Search, counter, chat.Config{
		SiteURL: s.Cfg.PublicSite(), PostPath: s.Cfg.PublicPostPath, ProjectPath: s.Cfg.PublicProjectPath, TTL: s.Cfg.CacheTTL,
	}, cursorKey)
}

// publicGuard is the public read API's rate limit (shared through Redis
// when configured, with a local fallback) and CORS.
func (s *Server) publicGuard() public.Guard {
	var counter ratelimit.Counter = ratelimit.NewLocal()
	if s.Redis != nil {
		counter = ratelimit.NewRedis(s.Redis, s.Cfg.CachePrefix)
	}
	return public.Guard{Applies: public.Guarded, Origins: s.Cfg.PublicCORSOrigins,
		Limit: s.Cfg.PublicRateLimit, Window: s.Cfg.PublicRateWindow, Counter: counter, Writable: chat.Public}
}

// skipFor runs mw except for the requests skip picks.
func skipFor(skip func(*http.Request) bool, mw httpapi.Middleware) httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		wrapped := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			wrapped.ServeHTTP(w, r)
		})
	}
}
