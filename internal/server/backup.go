package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// The files of a backup directory, beside its media/ folder.
const (
	backupManifest   = "backup.json"
	backupDatabase   = "pishkhan.db"
	backupSecretKey  = "secret.key"
	backupCheckpoint = "audit-checkpoint.json"
	backupMedia      = "media"
)

// Manifest describes a backup (backup.json); restore refuses a directory
// without one.
type Manifest struct {
	Format        int       `json:"format"`
	Version       string    `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	SchemaVersion int       `json:"schema_version"`
	// SecretKey and AuditCheckpoint say whether those files are in the
	// backup (not when SECRET_KEY or REDIS_URL keep them elsewhere).
	SecretKey       bool  `json:"secret_key"`
	AuditCheckpoint bool  `json:"audit_checkpoint"`
	MediaFiles      int   `json:"media_files"`
	MediaBytes      int64 `json:"media_bytes"`
}

// ErrBackupProduction refuses backup and restore with DATABASE_URL.
var ErrBackupProduction = errors.New("backup and restore are for the embedded default (SQLite in DATA_DIR); with DATABASE_URL use pg_dump and pg_restore, and the bucket's own versioning or replication for media (docs/operations.md, Backup and restore)")

// mediaDir is where local-disk media lives.
func mediaDir(cfg config.Config) string {
	if cfg.MediaDir != "" {
		return cfg.MediaDir
	}
	return filepath.Join(cfg.DataDir, "media")
}

// Backup copies the embedded default's state into dest (new, or an empty
// directory) while the server keeps serving: DATA_DIR/secret.key, the
// audit checkpoint, a consistent snapshot of the database (VACUUM INTO:
// every write committed before it began, none half), then the media
// folder. The checkpoint is copied before the snapshot, so it never counts
// rows the snapshot lacks; media is copied after, so every file a row of
// the snapshot names is there (a file uploaded meanwhile may be too,
// unreferenced). notes tells the operator what the backup does not hold.
func Backup(ctx context.Context, cfg config.Config, dest string) (m Manifest, notes []string, err error) {
	if cfg.DatabaseURL != "" {
		return m, nil, ErrBackupProduction
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return m, nil, fmt.Errorf("no database to back up at %s: %w", cfg.SQLitePath(), err)
	}
	if err := outsideMedia(cfg, dest); err != nil {
		return m, nil, err
	}
	if err := emptyDir(dest, true); err != nil {
		return m, nil, fmt.Errorf("backup destination: %w", err)
	}
	m = Manifest{Format: 1, Version: Version, CreatedAt: time.Now().UTC()}
	if cfg.SecretKey == nil {
		if err := copyFile(SecretKeyFile(cfg), filepath.Join(dest, backupSecretKey), 0o600); err != nil {
			return m, nil, fmt.Errorf("copy the secret key: %w", err)
		}
		m.SecretKey = true
	} else {
		notes = append(notes, "SECRET_KEY comes from the environment: keep it with this backup, the restored instance needs it")
	}
	if cfg.RedisURL == "" {
		err := copyFile(filepath.Join(cfg.DataDir, backupCheckpoint), filepath.Join(dest, backupCheckpoint), 0o600)
		switch {
		case err == nil:
			m.AuditCheckpoint = true
		case !errors.Is(err, fs.ErrNotExist): // none yet: nothing audited
			return m, nil, fmt.Errorf("copy the audit checkpoint: %w", err)
		}
	} else {
		notes = append(notes, "the audit checkpoint lives in Redis (REDIS_URL) and is not in this backup")
	}
	d, err := db.Open(ctx, cfg.SQLitePath())
	if err != nil {
		return m, nil, err
	}
	defer d.Close()
	// created private and empty first (VACUUM INTO fills an empty file):
	// made by VACUUM INTO itself it is readable by others while written
	snapshot := filepath.Join(dest, backupDatabase)
	f, err := os.OpenFile(snapshot, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return m, nil, err
	}
	if err := f.Close(); err != nil {
		return m, nil, err
	}
	if _, err := d.SQL.ExecContext(ctx, `VACUUM INTO ?`, snapshot); err != nil {
		return m, nil, fmt.Errorf("snapshot the database: %w", err)
	}
	st, err := d.Status(ctx)
	if err != nil {
		return m, nil, err
	}
	if len(st.Applied) > 0 {
		m.SchemaVersion = st.Applied[len(st.Applied)-1]
	}
	if cfg.S3Endpoint == "" {
		if m.MediaFiles, m.MediaBytes, err = copyTree(mediaDir(cfg), filepath.Join(dest, backupMedia)); err != nil {
			return m, nil, fmt.Errorf("copy the media: %w", err)
		}
	} else {
		notes = append(notes, "media lives in the S3 bucket and is not in this backup")
	}
	raw, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dest, backupManifest), append(raw, '\n'), 0o600); err != nil {
		return m, nil, err
	}
	return m, notes, nil
}

// Restore puts a backup made by Backup into DATA_DIR (and MEDIA_DIR), which
// must be empty or missing unless force is set; force replaces the
// database, key, checkpoint and media there. Stop every server using
// DATA_DIR first.
func Restore(cfg config.Config, src string, force bool) (Manifest, error) {
	var m Manifest
	if cfg.DatabaseURL != "" {
		return m, ErrBackupProduction
	}
	if err := outsideMedia(cfg, src); err != nil {
		return m, err
	}
	raw, err := os.ReadFile(filepath.Join(src, backupManifest))
	if err != nil {
		return m, fmt.Errorf("%s is not a Pishkhan backup (no %s): %w", src, backupManifest, err)
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.Format != 1 {
		return m, fmt.Errorf("%s: unreadable %s", src, backupManifest)
	}
	// every part the manifest lists is there before anything is removed
	parts := []string{backupDatabase}
	if m.SecretKey {
		parts = append(parts, backupSecretKey)
	}
	if m.AuditCheckpoint {
		parts = append(parts, backupCheckpoint)
	}
	for _, part := range parts {
		if fi, err := os.Stat(filepath.Join(src, part)); err != nil || !fi.Mode().IsRegular() {
			return m, fmt.Errorf("%s is incomplete: its %s lists %s, which is missing or not a file", src, backupManifest, part)
		}
	}
	media := mediaDir(cfg)
	if !force {
		for _, dir := range []string{cfg.DataDir, media} {
			if err := emptyDir(dir, false); err != nil {
				return m, fmt.Errorf("%w; restore into an empty DATA_DIR, or give --force to replace what is there (stop the server first)", err)
			}
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return m, err
	}
	target := cfg.SQLitePath()
	// no server, worker or command may have the database open meanwhile;
	// one starting waits until the restore is done
	unlock, err := db.Exclusive(target)
	if err != nil {
		return m, fmt.Errorf("%s: %w", target, err)
	}
	defer unlock()
	// a WAL or shared-memory file of the replaced database must not be
	// replayed into the restored one
	for _, p := range []string{target, target + "-wal", target + "-shm", target + "-journal",
		SecretKeyFile(cfg), filepath.Join(cfg.DataDir, backupCheckpoint)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m, err
		}
	}
	if err := os.RemoveAll(media); err != nil {
		return m, err
	}
	if m.SecretKey {
		if err := copyFile(filepath.Join(src, backupSecretKey), SecretKeyFile(cfg), 0o600); err != nil {
			return m, err
		}
	}
	if m.AuditCheckpoint {
		if err := copyFile(filepath.Join(src, backupCheckpoint), filepath.Join(cfg.DataDir, backupCheckpoint), 0o600); err != nil {
			return m, err
		}
	}
	if _, _, err := copyTree(filepath.Join(src, backupMedia), media); err != nil {
		return m, err
	}
	// the database last, under a temporary name: a restore cut short
	// leaves no database that looks whole
	if err := copyFile(filepath.Join(src, backupDatabase), target+".restoring", 0o600); err != nil {
		return m, err
	}
	return m, os.Rename(target+".restoring", target)
}

// outsideMedia refuses a backup directory that is, or lies inside, the
// media directory, symbolic links followed: a backup there would copy
// itself into itself, and a restore deletes the media directory before it
// reads the backup's.
func outsideMedia(cfg config.Config, dir string) error {
	media, err := resolve(mediaDir(cfg))
	if err != nil {
		return err
	}
	d, err := resolve(dir)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(media, d); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is inside the media directory %s: keep backups out of what they back up", dir, mediaDir(cfg))
	}
	return nil
}

// resolve makes p absolute with the symbolic links of its longest
// existing ancestor followed.
func resolve(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for {
		r, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		parent := filepath.Dir(p)
		if !errors.Is(err, fs.ErrNotExist) || parent == p {
			return "", err
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// emptyDir checks that dir is missing or empty; create makes it (0700).
func emptyDir(dir string, create bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if create {
			return os.MkdirAll(dir, 0o700)
		}
		return nil
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}

// copyFile copies src to dst (which must not exist) and syncs it.
func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyTree copies the regular files under src into dst, skipping uploads
// still being written (.upload-*) and files removed while it walks; a
// missing src copies nothing.
func copyTree(src, dst string) (files int, size int64, err error) {
	err = filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(to, 0o750)
		}
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".upload-") {
			return nil
		}
		err = copyFile(path, to, 0o640)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi, err := os.Stat(to); err == nil {
			files++
			size += fi.Size()
		}
		return nil
	})
	return files, size, err
}
