package media

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Image is what other rooms (content) need of a ready image.
type Image struct {
	ID            int64
	Width, Height int
	ContentType   string
}

// ReadyImages returns, of ids, the items that are ready images. It checks
// no permission: callers (content, through internal/server) use it to
// validate references their own users made.
func (s *Service) ReadyImages(ctx context.Context, ids []int64) (map[int64]Image, error) {
	out := map[int64]Image{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	args = append(args, Ready, "image")
	rows, err := s.db.Reader().Query(ctx, `SELECT id, width, height, content_type FROM media
		WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) AND status = ? AND kind = ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var im Image
		if err := rows.Scan(&im.ID, &im.Width, &im.Height, &im.ContentType); err != nil {
			return nil, err
		}
		out[im.ID] = im
	}
	return out, rows.Err()
}

// ErrNotReady is SignedURL's answer for an item that is not a ready image
// (or does not exist).
var ErrNotReady = errors.New("media item is not a ready image")

// SignedURL returns a download URL of a ready image's file, or of its
// thumbnail of side thumb (0: the file itself); like ReadyImages it checks
// no permission.
func (s *Service) SignedURL(ctx context.Context, id int64, thumb int) (string, error) {
	m, err := getMedia(ctx, s.db.Reader(), id)
	if errors.Is(err, errNoRow) || err == nil && (m.Status != Ready || m.Kind != "image") {
		return "", ErrNotReady
	}
	if err != nil {
		return "", err
	}
	if thumb == 0 {
		return s.url(ctx, m.key, m.Kind != "image", m.Filename)
	}
	side := strconv.Itoa(thumb)
	for _, name := range m.thumbs {
		if have, _, _ := strings.Cut(name, "."); have == side {
			return s.url(ctx, thumbKey(m.key, name), false, "")
		}
	}
	return "", ErrNotReady
}
