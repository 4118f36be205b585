package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/keys"
)

// SecretKeyFile is where the embedded default keeps the SECRET_KEY it
// generated, beside (never inside) its SQLite file.
func SecretKeyFile(cfg config.Config) string { return filepath.Join(cfg.DataDir, "secret.key") }

// secretKey returns SECRET_KEY. Unset, production refuses to start and the
// embedded default reads DATA_DIR/secret.key, generating it (0600) on the
// first start.
func secretKey(cfg config.Config) ([]byte, error) {
	if cfg.SecretKey != nil {
		return cfg.SecretKey, nil
	}
	if cfg.Production() {
		return nil, config.ErrNoSecretKey
	}
	path := SecretKeyFile(cfg)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.WriteString(hex.EncodeToString(b) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		slog.Info("generated SECRET_KEY into a file beside the database", "path", path)
		return b, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("%s is readable by others and cannot be made private: %w", path, err)
		}
		slog.Warn("the secret key file was readable by others; made it private (0600)", "path", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := config.ParseSecretKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// signingKey returns the HMAC key for purpose (cursors, signed storage
// requests), derived from SECRET_KEY, so that reading the database is not
// enough to forge a cursor or a signed upload. Keys that versions before
// SECRET_KEY kept in app_secrets for these are deleted: what they signed
// (cursors, links valid for minutes) stops working once, at the upgrade.
// A SECRET_KEY rotation likewise ends the cursors and signed links then
// outstanding; SECRET_KEY_OLD is not consulted for them.
func (s *Server) signingKey(ctx context.Context, purpose string) ([]byte, error) {
	secret, err := secretKey(s.Cfg)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.Writer().Exec(ctx, `DELETE FROM app_secrets WHERE name IN ('cursor_hmac', 'storage_key')`); err != nil {
		return nil, err
	}
	return keys.Derive(secret, purpose), nil
}

// useTOTPKeys gives the auth service its TOTP keys and moves TOTP secrets
// sealed by earlier versions under a key kept in the database over to
// SECRET_KEY, then deletes that key, so no key to them is left in the
// database. It refuses a SECRET_KEY that cannot open what is stored.
func (s *Server) useTOTPKeys(ctx context.Context, cursorKey []byte) error {
	key, err := secretKey(s.Cfg)
	if err != nil {
		return err
	}
	s.Auth.UseSecrets(cursorKey, auth.NewTOTPKeys(key, s.Cfg.SecretKeysOld...))
	s.People.UseSecrets(cursorKey)
	var legacy string
	err = s.DB.Reader().QueryRow(ctx, `SELECT value FROM app_secrets WHERE name = 'totp_key'`).Scan(&legacy)
	if err != nil && !errors.Is(err, db.ErrNoRows) {
		return err
	}
	if legacy != "" {
		lk, err := hex.DecodeString(legacy)
		if err != nil {
			return fmt.Errorf("app_secrets.totp_key: %w", err)
		}
		n, err := s.Auth.ResealTOTP(ctx, lk)
		if err != nil {
			return fmt.Errorf("moving TOTP secrets to SECRET_KEY: %w", err)
		}
		if _, err := s.DB.Writer().Exec(ctx, `DELETE FROM app_secrets WHERE name = 'totp_key'`); err != nil {
			return err
		}
		slog.Info("TOTP secrets moved to SECRET_KEY; the key kept in the database is deleted", "resealed", n)
	}
	return s.Auth.CheckTOTPKeys(ctx)
}

// RotateSecrets re-encrypts every TOTP secret, webhook signing secret and
// AI provider key under SECRET_KEY (those sealed under SECRET_KEY_OLD), after which
// SECRET_KEY_OLD can go. It returns how many it re-encrypted.
func (s *Server) RotateSecrets(ctx context.Context) (int, error) {
	n, err := s.Auth.ResealTOTP(ctx, nil)
	if err != nil {
		return n, err
	}
	w, err := s.Webhooks.Reseal(ctx)
	if err != nil {
		return n + w, err
	}
	a, err := s.AI.Reseal(ctx)
	return n + w + a, err
}
