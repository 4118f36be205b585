package media

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// Cache tags: every media write bumps listTag and the item's tag.
const listTag = "media"

func itemTag(id int64) string { return "media:item:" + strconv.FormatInt(id, 10) }

// Config tunes the library.
type Config struct {
	MaxSize int64
	// Allowed are the content types accepted (declared and sniffed).
	Allowed []string
	// UploadTTL bounds a signed upload; DownloadTTL a signed download.
	UploadTTL, DownloadTTL time.Duration
	// PublicBaseURL, when set, serves ready files as PublicBaseURL/key
	// (a CDN in front of the bucket) instead of signed URLs.
	PublicBaseURL string
	// RequireScan rejects files that could not be scanned (no clamd).
	RequireScan bool
	// ThumbnailSides are the thumbnails made of images, in pixels.
	ThumbnailSides []int
	// ItemTTL and ListTTL keep cached metadata (writes invalidate it).
	ItemTTL, ListTTL time.Duration
	// Thumbnailer bounds image decoding (pixels, memory).
	Thumbnailer mediaproc.Thumbnailer
}

// Scanner finds malware in a stream (clamd); nil when none is configured.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (clean bool, signature string, err error)
}

// Service holds the media library's rules.
type Service struct {
	db      *db.DB
	cache   *cache.Cache
	bus     events.Bus
	store   storage.Storage
	queue   *jobs.Queue
	scanner Scanner
	cfg     Config
	cursors paging.CursorCodec
}

// NewService wires the service; scanner may be nil. Give it its queue
// with SetQueue before use (the queue's workers need the service first).
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, st storage.Storage, scanner Scanner, cfg Config, cursorKey []byte) *Service {
	return &Service{db: d, cache: c, bus: bus, store: st, scanner: scanner, cfg: cfg,
		cursors: paging.CursorCodec{Key: cursorKey}}
}

func (s *Service) thumbnailer() mediaproc.Thumbnailer { return s.cfg.Thumbnailer }

// SetQueue gives the service the queue its pipeline runs on.
func (s *Service) SetQueue(q *jobs.Queue) { s.queue = q }

var errNotFound = apperr.New(apperr.NotFound, "no such media")

// cached is what the cache holds: an item without its URLs (signed for
// each response) plus what signing needs.
type cached struct {
	Media
	Key    string   `json:"key"`
	Thumbs []string `json:"thumbs"`
}

func toCached(m Media) cached { return cached{Media: m, Key: m.key, Thumbs: m.thumbs} }

func thumbKey(key, name string) string { return path.Dir(key) + "/" + thumbPrefix + name }

// thumbPrefix starts the last segment of a thumbnail's key, and never an
// item's own (see Upload).
const thumbPrefix = "thumb-"

// render adds the URLs of a ready item.
func (s *Service) render(ctx context.Context, c cached) (Media, error) {
	m := c.Media
	m.key, m.thumbs = c.Key, c.Thumbs
	m.Thumbnails = map[string]string{}
	if m.Status != Ready {
		return m, nil
	}
	url, err := s.url(ctx, m.key, m.Kind != "image", m.Filename)
	if err != nil {
		return m, err
	}
	m.URL = &url
	for _, name := range m.thumbs {
		side, _, _ := strings.Cut(name, ".")
		u, err := s.url(ctx, thumbKey(m.key, name), false, "")
		if err != nil {
			return m, err
		}
		m.Thumbnails[side] = u
	}
	return m, nil
}

// url is a download URL; non-images are served as attachments.
func (s *Service) url(ctx context.Context, key string, attachment bool, filename string) (string, error) {
	if s.cfg.PublicBaseURL != "" {
		return s.cfg.PublicBaseURL + "/" + key, nil
	}
	return s.store.PresignGet(ctx, key, s.cfg.DownloadTTL, attachment, filename)
}

// changed runs after a commit: announce (the commit already invalidated).
func (s *Service) changed(ctx context.Context, kind string, id int64) {
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: Resource, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing a media event failed", "media_id", id, "err", err)
	}
}

func touch(tx *db.Tx, id int64) {
	tx.Touch(listTag)
	tx.Touch(itemTag(id))
}

// UploadResult is the answer to POST /api/media/upload.
type UploadResult struct {
	Media  Media                 `json:"media"`
	Upload storage.SignedRequest `json:"upload"`
}

// Upload records a pending item and signs the browser's upload of its bytes
// under the caller's own key prefix.
func (s *Service) Upload(ctx context.Context, in UploadInput) (UploadResult, error) {
	p, err := authz.Require(ctx, PermUpload)
	if err != nil {
		return UploadResult{}, err
	}
	if p.UserID == 0 {
		return UploadResult{}, apperr.New(apperr.PermissionDenied, "uploads belong to a user")
	}
	if err := in.Validate(s.cfg.MaxSize, s.cfg.Allowed); err != nil {
		return UploadResult{}, err
	}
	name := storage.EscapeKeyPart(in.Filename)
	if strings.HasPrefix(name, thumbPrefix) {
		name = "file-" + name // never the key of one of its thumbnails
	}
	key := fmt.Sprintf("media/u%d/%s/%s", p.UserID, strings.ToLower(ulid.MustNew(ulid.Now(), rand.Reader).String()), name)
	signed, err := s.store.PresignPut(ctx, stagingKey(key), in.ContentType, in.Size, s.cfg.UploadTTL)
	if err != nil {
		return UploadResult{}, fmt.Errorf("sign the upload: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var m Media
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := insertMedia(ctx, tx, p.UserID, key, in, now)
		if err != nil {
			return err
		}
		touch(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "media.upload", ResourceType: "media", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"filename": {To: in.Filename}, "content_type": {To: in.ContentType}, "size": {To: in.Size}}}); err != nil {
			return err
		}
		m, err = getMedia(ctx, tx, id)
		return err
	})
	if err != nil {
		return UploadResult{}, err
	}
	s.changed(ctx, "created", m.ID)
	out, err := s.render(ctx, toCached(m))
	return UploadResult{Media: out, Upload: signed}, err
}

// Complete tells the server the upload finished: the pipeline is queued in
// the same transaction. Only the uploader completes; a second call
// answers the item as it is.
func (s *Service) Complete(ctx context.Context, id int64) (Media, error) {
	p, err := authz.Require(ctx, PermUpload)
	if err != nil {
		return Media{}, err
	}
	m, err := getMedia(ctx, s.db.Reader(), id)
	if errors.Is(err, errNoRow) {
		return Media{}, errNotFound
	}
	if err != nil {
		return Media{}, err
	}
	if m.Owner.ID != p.UserID {
		return Media{}, apperr.New(apperr.PermissionDenied, "only the uploader can complete an upload")
	}
	if m.Status != Pending {
		return s.render(ctx, toCached(m))
	}
	obj, err := s.store.Stat(ctx, m.source())
	if errors.Is(err, storage.ErrNotFound) {
		return Media{}, apperr.New(apperr.Conflict, "the file has not arrived in storage yet; send it with the signed request first")
	}
	if err != nil {
		return Media{}, fmt.Errorf("stat the upload: %w", err)
	}
	if obj.Size != m.Size {
		return Media{}, apperr.New(apperr.Conflict, "storage holds %d bytes, the upload declared %d", obj.Size, m.Size)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getMedia(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status != Pending {
			m = cur
			return nil
		}
		if err := setStatus(ctx, tx, id, Scanning, now); err != nil {
			return err
		}
		if err := s.queue.Enqueue(ctx, tx, ProcessArgs{MediaID: id}, nil); err != nil {
			return err
		}
		touch(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "media.complete", ResourceType: "media", ResourceID: strconv.FormatInt(id, 10),
			Changes: map[string]audit.Change{"status": {From: Pending, To: Scanning}}}); err != nil {
			return err
		}
		m, err = getMedia(ctx, tx, id)
		return err
	})
	if err != nil {
		return Media{}, err
	}
	s.changed(ctx, "updated", id)
	return s.render(ctx, toCached(m))
}

// UploadExpected says whether a signed upload to uploadKey may still be
// written: its item exists and is pending. Local-disk storage asks it
// after checking the signature, so a signature is dead once its item
// leaves pending.
func (s *Service) UploadExpected(ctx context.Context, uploadKey string) (bool, error) {
	return uploadPending(ctx, s.db.Reader(), uploadKey)
}

// dropStaging queues the removal of an item's staging object now and
// again once its upload signature has expired: S3 cannot revoke a
// presigned PUT, so a replay may recreate the object meanwhile (nothing
// reads it again, this only frees the space).
func (s *Service) dropStaging(ctx context.Context, tx *db.Tx, m Media) error {
	if m.uploadKey == "" {
		return nil
	}
	if err := s.queue.Enqueue(ctx, tx, DeleteObjectsArgs{Keys: []string{m.uploadKey}}, nil); err != nil {
		return err
	}
	if expires := m.CreatedAt.Add(s.cfg.UploadTTL + time.Minute); expires.After(time.Now()) {
		return s.queue.Enqueue(ctx, tx, DeleteObjectsArgs{Keys: []string{m.uploadKey}}, &river.InsertOpts{ScheduledAt: expires})
	}
	return nil
}

// Get returns one item.
func (s *Service) Get(ctx context.Context, id int64) (Media, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return Media{}, "", err
	}
	body, st, err := s.cache.Fetch(ctx, Resource, "media:item:"+strconv.FormatInt(id, 10), []string{itemTag(id)}, s.cfg.ItemTTL,
		func(ctx context.Context) ([]byte, error) {
			m, err := getMedia(ctx, s.db.Reader(), id)
			if errors.Is(err, errNoRow) {
				return nil, errNotFound
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(toCached(m))
		})
	if err != nil {
		return Media{}, "", err
	}
	var c cached
	if err := json.Unmarshal(body, &c); err != nil {
		return Media{}, "", err
	}
	m, err := s.render(ctx, c)
	return m, st, err
}

// List returns a page of the library, newest first.
func (s *Service) List(ctx context.Context, f Filter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(f.canonical(), pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("|p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("|c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	where, args := f.where()
	body, st, err := s.cache.Fetch(ctx, Resource, "media:list:"+cache.KeyHash(f.canonical()+page), []string{listTag}, s.cfg.ListTTL,
		func(ctx context.Context) ([]byte, error) {
			return db.NewestFirst(pr, s.cursors, f.canonical(), after, "m.id",
				func(tail string, tailArgs ...any) ([]cached, error) {
					items, err := listMedia(ctx, s.db.Reader(), where+tail, append(args, tailArgs...)...)
					out := make([]cached, len(items))
					for i, m := range items {
						out[i] = toCached(m)
					}
					return out, err
				},
				func() (int64, error) { return countMedia(ctx, s.db.Reader(), where, args...) },
				func(c cached) int64 { return c.ID })
		})
	if err != nil {
		return nil, "", err
	}
	// sign each ready item's URLs for this response
	var envelope map[string]json.RawMessage
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, "", err
	}
	var items []cached
	if err := json.Unmarshal(envelope["items"], &items); err != nil {
		return nil, "", err
	}
	out := make([]Media, len(items))
	for i, c := range items {
		if out[i], err = s.render(ctx, c); err != nil {
			return nil, "", err
		}
	}
	if envelope["items"], err = json.Marshal(out); err != nil {
		return nil, "", err
	}
	body, err = json.Marshal(envelope)
	return body, st, err
}

// Patch changes an item's titles and alt text. ifMatch, when set, must be
// the ETag of the caller's view of the item without its URLs (the ETag
// GET answers).
func (s *Service) Patch(ctx context.Context, id int64, in PatchInput, ifMatch string) (Media, error) {
	if _, err := authz.Require(ctx, PermUpload); err != nil {
		return Media{}, err
	}
	if err := in.Validate(); err != nil {
		return Media{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var m Media
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getMedia(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if ifMatch != "" && !etag.MatchesStrong(ifMatch, VersionTag(cur)) {
			return apperr.New(apperr.PreconditionFailed, "the item changed since you loaded it; reload and try again")
		}
		title, alt := cur.Title, cur.Alt
		if in.Title != nil {
			title = *in.Title
		}
		if in.Alt != nil {
			alt = *in.Alt
		}
		if err := patchMedia(ctx, tx, cur, title, alt, now); err != nil {
			return err
		}
		touch(tx, id)
		changes := map[string]audit.Change{}
		if title != cur.Title {
			changes["title"] = audit.Change{From: cur.Title, To: title}
		}
		if alt != cur.Alt {
			changes["alt"] = audit.Change{From: cur.Alt, To: alt}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "media.update", ResourceType: "media",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		m, err = getMedia(ctx, tx, id)
		return err
	})
	if err != nil {
		return Media{}, err
	}
	s.changed(ctx, "updated", id)
	return s.render(ctx, toCached(m))
}

// VersionTag is an item's ETag: it changes with every write (signed URLs
// in a body change on every response, so the body cannot be the tag).
func VersionTag(m Media) string {
	return `"m` + strconv.FormatInt(m.ID, 10) + "-" + strconv.FormatInt(m.UpdatedAt.UnixMicro(), 10) + `"`
}

// Delete removes items and, through a durable job, their objects and
// thumbnails. Missing ids are skipped; it returns how many were deleted.
func (s *Service) Delete(ctx context.Context, ids []int64) (int, error) {
	if _, err := authz.Require(ctx, PermDelete); err != nil {
		return 0, err
	}
	deleted := []int64{}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, id := range ids {
			m, err := getMedia(ctx, tx, id)
			if errors.Is(err, errNoRow) {
				continue
			}
			if err != nil {
				return err
			}
			if err := deleteMedia(ctx, tx, id); err != nil {
				return err
			}
			keys := []string{m.key}
			for _, t := range m.thumbs {
				keys = append(keys, thumbKey(m.key, t))
			}
			if err := s.queue.Enqueue(ctx, tx, DeleteObjectsArgs{Keys: keys}, nil); err != nil {
				return err
			}
			if err := s.dropStaging(ctx, tx, m); err != nil {
				return err
			}
			touch(tx, id)
			if err := audit.Record(ctx, tx, audit.Entry{Action: "media.delete", ResourceType: "media", ResourceID: strconv.FormatInt(id, 10),
				Changes: map[string]audit.Change{"filename": {From: m.Filename}, "status": {From: m.Status}}}); err != nil {
				return err
			}
			deleted = append(deleted, id)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range deleted {
		s.changed(ctx, "deleted", id)
	}
	return len(deleted), nil
}
