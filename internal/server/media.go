package server

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
	"github.com/pishkhan/pishkhan/internal/platform/scan"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
)

// StoragePath is where the local-disk storage's signed requests go.
const StoragePath = "/api/storage"

// thumbnailSides are the widths of the thumbnails made of every image
// (the public media route picks among them for ?w=).
var thumbnailSides = []int{256, 1024}

// openMedia picks the storage (S3 when configured, else local disk) and
// the scanner (clamd when configured) and builds the media library.
func (s *Server) openMedia(ctx context.Context, cursorKey []byte) error {
	cfg := s.Cfg
	if cfg.S3Endpoint != "" {
		st, err := storage.NewS3(storage.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, Region: cfg.S3Region,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, PathStyle: cfg.S3PathStyle})
		if err != nil {
			return err
		}
		ectx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := st.EnsureBucket(ectx); err != nil {
			return fmt.Errorf("S3 bucket %q at %s: %w", cfg.S3Bucket, cfg.S3Endpoint, err)
		}
		s.Storage = st
	} else {
		key, err := s.signingKey(ctx, "pishkhan storage signatures")
		if err != nil {
			return err
		}
		dir := cfg.MediaDir
		if dir == "" {
			dir = filepath.Join(cfg.DataDir, "media")
		}
		local := &storage.Local{Dir: dir, BaseURL: StoragePath, Key: key,
			Transfer: storage.Transfer{MinRate: cfg.MediaTransferMinRate, Base: cfg.MediaTransferGrace}}
		// a signed upload is refused once its item left pending
		local.Expect = func(ctx context.Context, key string) (bool, error) { return s.Media.UploadExpected(ctx, key) }
		s.Storage = local
	}
	var scanner media.Scanner
	if cfg.ClamAVAddr != "" {
		scanner = clamd{scan.Scanner{Addr: cfg.ClamAVAddr, Timeout: 10 * time.Minute}}
	}
	allowed := cfg.MediaAllowedTypes
	if allowed == nil {
		allowed = mediaproc.DefaultAllow
	}
	s.Media = media.NewService(s.DB, s.Cache, s.Bus, s.Storage, scanner, media.Config{
		MaxSize: cfg.MediaMaxSize, Allowed: allowed, UploadTTL: 10 * time.Minute, DownloadTTL: 15 * time.Minute,
		PublicBaseURL: cfg.MediaPublicBaseURL, RequireScan: cfg.MediaRequireScan, ThumbnailSides: thumbnailSides,
		ItemTTL: 24 * time.Hour, ListTTL: cfg.CacheTTL,
		// one decode budget for every worker of this process
		Thumbnailer: mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(cfg.MediaDecodeBudget)},
	}, cursorKey)
	return nil
}

// clamd adapts the scan client to the media library.
type clamd struct{ scan.Scanner }

func (c clamd) Scan(ctx context.Context, r io.Reader) (bool, string, error) {
	res, err := c.Scanner.Scan(ctx, r)
	return res.Clean, res.Signature, err
}

// mediaOrigins are the origins the browser loads media from and uploads
// to, for the web app's CSP: the S3 endpoint (with the bucket's host when
// it is addressed virtual-host style) and the public base URL.
func mediaOrigins(cfg config.Config) []string {
	var out []string
	origin := func(raw string, bucketHost string) {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return
		}
		host := u.Host
		if bucketHost != "" {
			host = bucketHost + "." + host
		}
		out = append(out, u.Scheme+"://"+host)
	}
	if cfg.S3Endpoint != "" {
		bucket := ""
		if !cfg.S3PathStyle {
			bucket = cfg.S3Bucket
		}
		origin(cfg.S3Endpoint, bucket)
	}
	if cfg.MediaPublicBaseURL != "" {
		origin(cfg.MediaPublicBaseURL, "")
	}
	return out
}
