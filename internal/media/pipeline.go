package media

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads these
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	_ "golang.org/x/image/webp"

	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// ProcessArgs runs an uploaded item through the pipeline.
type ProcessArgs struct {
	MediaID int64 `json:"media_id"`
}

// Kind implements river.JobArgs.
func (ProcessArgs) Kind() string { return "media_process" }

// DeleteObjectsArgs removes a deleted item's objects from storage.
type DeleteObjectsArgs struct {
	Keys []string `json:"keys"`
}

// Kind implements river.JobArgs.
func (DeleteObjectsArgs) Kind() string { return "media_delete_objects" }

// Register adds the media jobs to a queue's workers.
func Register(s *Service, workers *river.Workers) {
	river.AddWorker(workers, &processWorker{s: s})
	river.AddWorker(workers, &deleteWorker{s: s})
}

type deleteWorker struct {
	river.WorkerDefaults[DeleteObjectsArgs]
	s *Service
}

func (w *deleteWorker) Work(ctx context.Context, j *river.Job[DeleteObjectsArgs]) error {
	for _, k := range j.Args.Keys {
		if err := w.s.store.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

type processWorker struct {
	river.WorkerDefaults[ProcessArgs]
	s *Service
}

// Work runs the pipeline: the uploaded object (at the staging key) exists
// with the declared size; clamd finds nothing in it; its bytes are of an
// allowed type that matches the declared one; images lose their metadata
// and get thumbnails; then what was accepted is written to the item's own
// key and the item is ready. The staging object is never read again after
// this run, so a replayed upload signature changes nothing served. A
// refused or infected file is rejected and its objects deleted. Every
// step can run again (a retry after a crash redoes the work and ends the
// same way); an item no longer scanning is left alone.
func (w *processWorker) Work(ctx context.Context, j *river.Job[ProcessArgs]) error {
	s := w.s
	ctx = authz.With(ctx, authz.System)
	m, err := getMedia(ctx, s.db.Reader(), j.Args.MediaID)
	if errors.Is(err, errNoRow) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if m.Status != Scanning {
		return nil
	}
	declared := m.ContentType // the sniffed type is not known yet
	src := m.source()
	obj, err := s.store.Stat(ctx, src)
	if errors.Is(err, storage.ErrNotFound) && src != m.key {
		// run again after a run that finished (its staging object is
		// gone): redo it from what that run accepted, which only the
		// pipeline writes
		src = m.key
		obj, err = s.store.Stat(ctx, src)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return s.finish(ctx, m, outcome{Status: Failed, Scan: "pending", Code: ReasonNotArrived, Reason: "the file never arrived in storage"})
	}
	if err != nil {
		return err
	}
	size := m.Size
	if src != m.source() {
		size = obj.Size // stripped: its size was checked the first time
	} else if obj.Size != m.Size {
		return s.finish(ctx, m, outcome{Status: Rejected, Scan: "pending", Code: ReasonSizeMismatch,
			Reason: fmt.Sprintf("storage holds %d bytes, the upload declared %d", obj.Size, m.Size)})
	}

	// one local copy (on disk, not in memory) serves every step
	orig, err := s.fetch(ctx, src, size)
	if err != nil {
		return err
	}
	defer cleanup(orig)
	// every file is scanned, whatever its type
	res := outcome{Status: Ready, Scan: "not_scanned"}
	if s.scanner != nil {
		clean, signature, err := s.scanner.Scan(ctx, orig)
		if err != nil {
			return fmt.Errorf("scan: %w", err) // retried: clamd may be back
		}
		if !clean {
			return s.finish(ctx, m, outcome{Status: Rejected, Scan: "infected", Code: ReasonInfected, Reason: "malware found: " + signature})
		}
		res.Scan = "clean"
	} else if s.cfg.RequireScan {
		return s.finish(ctx, m, outcome{Status: Rejected, Scan: "not_scanned", Code: ReasonScanUnavailable,
			Reason: "not scanned: no virus scanner is configured and MEDIA_REQUIRE_SCAN is on"})
	}
	if _, err := orig.Seek(0, io.SeekStart); err != nil {
		return err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(orig, head)
	sniffed := mediaproc.Sniff(head[:n])
	if err := mediaproc.Allowed(declared, sniffed, s.cfg.Allowed); err != nil {
		code := ReasonTypeNotAllowed
		if errors.Is(err, mediaproc.ErrMismatch) {
			code = ReasonTypeMismatch
		}
		return s.finish(ctx, m, outcome{Status: Rejected, Scan: res.Scan, Code: code, Reason: err.Error(), ContentType: sniffed})
	}
	res.ContentType = mediaproc.Canonical(sniffed)

	accepted := orig
	if KindOf(res.ContentType) == "image" {
		stripped, err := s.processImage(ctx, m, orig, &res)
		if stripped != nil {
			defer cleanup(stripped)
			accepted = stripped
		}
		if err != nil {
			var bad mediaError
			if errors.As(err, &bad) {
				return s.finish(ctx, m, outcome{Status: Rejected, Scan: res.Scan, ContentType: res.ContentType, Code: bad.code, Reason: bad.msg})
			}
			return err
		}
	}
	length, err := accepted.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := accepted.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := s.store.Put(ctx, m.key, accepted, length, res.ContentType); err != nil {
		return err
	}
	return s.finish(ctx, m, res)
}

// mediaError is a problem with the file itself: retrying cannot help.
type mediaError struct{ code, msg string }

func (e mediaError) Error() string { return e.msg }

// processImage strips the image's metadata into a temporary file (nil
// when the type keeps its bytes as they are) and stores the thumbnails
// made from it.
func (s *Service) processImage(ctx context.Context, m Media, orig *os.File, res *outcome) (*os.File, error) {
	if _, err := orig.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	stripped, err := os.CreateTemp("", "pishkhan-strip-*")
	if err != nil {
		return nil, err
	}
	source := orig
	switch err := mediaproc.StripMetadata(stripped, orig, res.ContentType); {
	case err == nil:
		source = stripped
	case errors.Is(err, mediaproc.ErrUnsupported):
		cleanup(stripped)
		stripped = nil
	case errors.Is(err, mediaproc.ErrMalformed):
		return stripped, mediaError{ReasonDamaged, "the image is damaged: " + err.Error()}
	default:
		return stripped, err
	}
	if _, err := source.Seek(0, io.SeekStart); err != nil {
		return stripped, err
	}
	files := map[int]*os.File{}
	defer func() {
		for _, f := range files {
			cleanup(f)
		}
	}()
	var openErr error
	sizes, err := s.thumbnailer().ThumbnailsContext(ctx, source, s.cfg.ThumbnailSides, func(side int) io.Writer {
		f, err := os.CreateTemp("", "pishkhan-thumb-*")
		if err != nil {
			openErr = err
			return io.Discard
		}
		files[side] = f
		return f
	})
	if openErr != nil {
		return stripped, openErr
	}
	if err != nil {
		return stripped, imageError(err)
	}
	res.Thumbs = nil
	for _, sz := range sizes {
		f := files[sz.Side]
		n, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return stripped, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return stripped, err
		}
		ext := "jpg"
		if sz.ContentType == "image/png" {
			ext = "png"
		}
		name := strconv.Itoa(sz.Side) + "." + ext
		if err := s.store.Put(ctx, thumbKey(m.key, name), f, n, sz.ContentType); err != nil {
			return stripped, err
		}
		res.Thumbs = append(res.Thumbs, name)
	}
	if len(sizes) > 0 {
		// the largest thumbnail has the image's aspect; read the real size
		if _, err := source.Seek(0, io.SeekStart); err == nil {
			res.Width, res.Height = imageSize(source)
		}
	}
	return stripped, nil
}

// imageError names a thumbnailing failure; a context error is retried.
func imageError(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, mediaproc.ErrTooLarge):
		return mediaError{ReasonTooManyPixels, "the image has too many pixels to process"}
	case errors.Is(err, mediaproc.ErrOverBudget):
		return mediaError{ReasonTooMuchMemory, strings.TrimPrefix(err.Error(), "mediaproc: ")}
	case errors.Is(err, mediaproc.ErrNotImage):
		return mediaError{ReasonUndecodable, "the image could not be read"}
	}
	return mediaError{ReasonUndecodable, "the image could not be decoded: " + err.Error()}
}

// fetch copies an object into a temporary file, at most size bytes.
func (s *Service) fetch(ctx context.Context, key string, size int64) (*os.File, error) {
	rc, err := s.store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "pishkhan-media-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, io.LimitReader(rc, size)); err != nil {
		cleanup(f)
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup(f)
		return nil, err
	}
	return f, nil
}

func cleanup(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// finish records the pipeline's outcome. In the same transaction it
// queues the removal of the staging object and, for a refused item, of
// anything the run wrote under the item's own key.
func (s *Service) finish(ctx context.Context, m Media, o outcome) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getMedia(ctx, tx, m.ID)
		if err != nil || cur.Status != Scanning {
			return err
		}
		if err := setOutcome(ctx, tx, m.ID, o, now); err != nil {
			return err
		}
		touch(tx, m.ID)
		if err := s.dropStaging(ctx, tx, m); err != nil {
			return err
		}
		if o.Status == Ready {
			return nil
		}
		if err := s.queue.Enqueue(ctx, tx, DeleteObjectsArgs{Keys: []string{m.key}}, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "media." + o.Status, ResourceType: "media",
			ResourceID: strconv.FormatInt(m.ID, 10), Changes: map[string]audit.Change{
				"status": {From: Scanning, To: o.Status}, "scan": {To: o.Scan}, "reason": {To: o.Reason},
				"reason_code": {To: o.Code}}})
	})
	if errors.Is(err, errNoRow) {
		// deleted while it ran: its delete job may have run before this
		// run wrote the object and thumbnails
		keys := append([]string{m.key}, o.Thumbs...)
		for i, t := range o.Thumbs {
			keys[i+1] = thumbKey(m.key, t)
		}
		for _, k := range keys {
			if err := s.store.Delete(ctx, k); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	s.changed(ctx, "updated", m.ID)
	return nil
}

// imageSize reads an image's displayed size (EXIF orientations 5 to 8
// turn it a quarter).
func imageSize(f *os.File) (w, h int) {
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0
	}
	if _, err := f.Seek(0, io.SeekStart); err == nil && mediaproc.Orientation(f) >= 5 {
		return cfg.Height, cfg.Width
	}
	return cfg.Width, cfg.Height
}
