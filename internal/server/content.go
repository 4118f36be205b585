package server

import (
	"context"
	"errors"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// contentMedia is the media library as content sees it (content.Media).
type contentMedia struct{ m *media.Service }

func (c contentMedia) ReadyImages(ctx context.Context, ids []int64) (map[int64]content.MediaItem, error) {
	imgs, err := c.m.ReadyImages(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]content.MediaItem, len(imgs))
	for id, im := range imgs {
		out[id] = content.MediaItem{ID: im.ID, Width: im.Width, Height: im.Height, ContentType: im.ContentType}
	}
	return out, nil
}

func (c contentMedia) SignedURL(ctx context.Context, id int64, thumb int) (string, error) {
	u, err := c.m.SignedURL(ctx, id, thumb)
	if errors.Is(err, media.ErrNotReady) {
		return "", content.ErrMediaNotReady
	}
	return u, err
}

// openPosts builds the blog: over the media library, with the preview
// signer of SECRET_KEY, the render limit and editors' presence shared
// through Redis when configured.
func (s *Server) openPosts(cursorKey []byte) error {
	secret, err := secretKey(s.Cfg)
	if err != nil {
		return err
	}
	if s.Media == nil {
		return errors.New("posts need the media library")
	}
	s.Posts = posts.NewService(s.DB, s.Cache, s.Bus, contentMedia{s.Media}, cursorKey, posts.Config{
		TTL: s.Cfg.CacheTTL, PublicURL: s.Cfg.PublicURL, Preview: content.NewPreviewSigner(secret)})
	s.Search = search.New(s.DB)
	s.Posts.SetIndex(s.Search)
	if s.Redis != nil {
		s.Posts.SetLimiter(ratelimit.NewRedis(s.Redis, s.Cfg.CachePrefix))
		s.Posts.SetPresence(posts.NewRedisPresence(s.Redis, s.Cfg.CachePrefix))
	}
	return nil
}

// RebuildSearch recomputes the search index from the content, for
// `pishkhan search rebuild`, and says how many documents it wrote.
func (s *Server) RebuildSearch(ctx context.Context) (int, error) {
	return search.Rebuild(ctx, s.DB, func(yield func(search.Doc) error) error {
		if err := s.Posts.SearchDocs(ctx, yield); err != nil {
			return err
		}
		if err := s.Projects.SearchDocs(ctx, yield); err != nil {
			return err
		}
		return s.Chat.SearchDocs(ctx, yield)
	})
}
