package server

import (
	"context"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// contentMedia is the media library as content sees it (content.Media):
// which items are ready images, and short-lived URLs of their files. It
// reads the media table directly and signs with the library's storage, as
// the media room does (object keys; thumbnails beside the object as
// thumb-<side>.<ext>, listed in media.thumbnails).
type contentMedia struct {
	db         *db.DB
	store      storage.Storage
	publicBase string // MEDIA_PUBLIC_BASE_URL: unsigned URLs under a CDN
	ttl        time.Duration
}

var _ content.Media = contentMedia{}

// ReadyImages implements content.Media.
func (m contentMedia) ReadyImages(ctx context.Context, ids []int64) (map[int64]content.MediaItem, error) {
	out := map[int64]content.MediaItem{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := m.db.Reader().Query(ctx, `SELECT id, width, height, content_type FROM media
		WHERE status = 'ready' AND kind = 'image' AND id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it content.MediaItem
		if err := rows.Scan(&it.ID, &it.Width, &it.Height, &it.ContentType); err != nil {
			return nil, err
		}
		out[it.ID] = it
	}
	return out, rows.Err()
}

// SignedURL implements content.Media: the smallest thumbnail at least
// thumb wide, else the file itself.
func (m contentMedia) SignedURL(ctx context.Context, id int64, thumb int) (string, error) {
	var key, thumbs string
	if err := m.db.Reader().QueryRow(ctx, `SELECT object_key, thumbnails FROM media WHERE id = ? AND status = 'ready'`, id).
		Scan(&key, &thumbs); err != nil {
		return "", err
	}
	if thumb > 0 && thumbs != "" {
		best, bestName := 0, ""
		for _, name := range strings.Split(thumbs, ",") {
			side, err := strconv.Atoi(strings.SplitN(name, ".", 2)[0])
			if err == nil && side >= thumb && (best == 0 || side < best) {
				best, bestName = side, name
			}
		}
		if bestName != "" {
			key = path.Dir(key) + "/thumb-" + bestName
		}
	}
	if m.publicBase != "" {
		return m.publicBase + "/" + key, nil
	}
	return m.store.PresignGet(ctx, key, m.ttl, false, "")
}
