package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Local keeps objects as files under Dir. Signed requests go to
// Pishkhan's own endpoint at BaseURL (ServeSigned answers them).
type Local struct {
	Dir string
	// BaseURL is the path (or absolute URL) ServeSigned is mounted at,
	// e.g. /api/storage; a signed token follows it.
	BaseURL string
	Key     []byte
	// Expect, when set, is asked (after the signature checks out) whether
	// an upload to key is still wanted; a signed PUT it refuses is
	// refused, so the signature dies with its item's pending state.
	Expect func(ctx context.Context, key string) (bool, error)
	// Transfer sizes the deadlines of signed transfers.
	Transfer Transfer
}

// Transfer sizes the read and write deadlines of a transfer by its bytes:
// Base + bytes / MinRate, so a slow but steady client finishes whatever
// the server's request timeouts, and a stalled one is cut.
type Transfer struct {
	// MinRate is the slowest accepted rate, in bytes per second; 0 means
	// DefaultMinRate.
	MinRate int64
	// Base is added to every deadline; 0 means DefaultTransferBase.
	Base time.Duration
}

// Defaults of Transfer.
const (
	DefaultMinRate      = 64 << 10
	DefaultTransferBase = 30 * time.Second
)

// Deadline is when a transfer of n bytes starting now must have ended.
func (t Transfer) Deadline(now time.Time, n int64) time.Time {
	rate := t.MinRate
	if rate <= 0 {
		rate = DefaultMinRate
	}
	return now.Add(t.base() + time.Duration(float64(n)/float64(rate)*float64(time.Second)))
}

func (t Transfer) base() time.Duration {
	if t.Base <= 0 {
		return DefaultTransferBase
	}
	return t.Base
}

// validKey is what object keys may look like: segments of safe characters.
var validKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)

func (l *Local) path(key string) (string, error) {
	if !validKey.MatchString(key) || strings.Contains(key, "..") || len(key) > 512 {
		return "", fmt.Errorf("bad object key %q", key)
	}
	return filepath.Join(l.Dir, filepath.FromSlash(key)), nil
}

// Name implements Storage.
func (l *Local) Name() string { return "local" }

// grant is what a signed token allows.
type grant struct {
	Method      string `json:"m"`
	Key         string `json:"k"`
	Size        int64  `json:"s,omitempty"`
	ContentType string `json:"t,omitempty"`
	Expires     int64  `json:"e"`
	Attachment  string `json:"a,omitempty"` // filename, for downloads as attachment
}

func (l *Local) sign(g grant) string {
	body, _ := json.Marshal(g)
	mac := hmac.New(sha256.New, l.Key)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ErrBadSignature is a token that was tampered with, expired or is for
// another method.
var ErrBadSignature = errors.New("the signature is invalid or has expired")

func (l *Local) verify(token, method string, now time.Time) (grant, error) {
	var g grant
	body64, mac64, ok := strings.Cut(token, ".")
	if !ok {
		return g, ErrBadSignature
	}
	body, err1 := base64.RawURLEncoding.DecodeString(body64)
	got, err2 := base64.RawURLEncoding.DecodeString(mac64)
	if err1 != nil || err2 != nil {
		return g, ErrBadSignature
	}
	mac := hmac.New(sha256.New, l.Key)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) || json.Unmarshal(body, &g) != nil || g.Method != method || now.Unix() > g.Expires {
		return grant{}, ErrBadSignature
	}
	return g, nil
}

// PresignPut implements Storage.
func (l *Local) PresignPut(_ context.Context, key, contentType string, size int64, ttl time.Duration) (SignedRequest, error) {
	if _, err := l.path(key); err != nil {
		return SignedRequest{}, err
	}
	exp := time.Now().Add(ttl)
	tok := l.sign(grant{Method: http.MethodPut, Key: key, Size: size, ContentType: contentType, Expires: exp.Unix()})
	return SignedRequest{Method: http.MethodPut, URL: l.BaseURL + "/" + tok,
		Headers: map[string]string{"Content-Type": contentType}, Expires: exp}, nil
}

// PresignGet implements Storage.
func (l *Local) PresignGet(_ context.Context, key string, ttl time.Duration, attachment bool, filename string) (string, error) {
	if _, err := l.path(key); err != nil {
		return "", err
	}
	g := grant{Method: http.MethodGet, Key: key, Expires: time.Now().Add(ttl).Unix()}
	if attachment {
		g.Attachment = filename
		if g.Attachment == "" {
			g.Attachment = "download"
		}
	}
	return l.BaseURL + "/" + l.sign(g), nil
}

// Stat implements Storage.
func (l *Local) Stat(_ context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return Object{}, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return Object{}, ErrNotFound
	}
	if err != nil {
		return Object{}, err
	}
	ct, _ := os.ReadFile(p + ".type")
	return Object{Size: fi.Size(), ContentType: string(ct)}, nil
}

// Open implements Storage.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Put implements Storage: it writes a temporary file and renames it, so a
// reader never sees half an object; more or fewer bytes than size fail.
func (l *Local) Put(_ context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(r, size+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("got %d bytes, want %d", n, size)
	}
	if err := os.WriteFile(p+".type", []byte(contentType), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Delete implements Storage.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	_ = os.Remove(p + ".type")
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// ErrUsed is a signed upload whose object was already written, or whose
// upload is no longer expected (see Local.Expect).
var ErrUsed = errors.New("the upload signature was already used or its upload is no longer expected")

// ServeSigned answers a signed request: token is what follows BaseURL.
// A PUT must carry exactly the signed size and content type, be expected
// (Local.Expect) and write an object not yet written: a signed upload is
// single-use. A GET streams the object (as an attachment when signed so).
// Only once the signature and size check out are the connection's
// deadlines raised to what the size needs (Transfer); until then the
// server's short ones hold, and a refused PUT closes the connection
// without reading its body. It returns the HTTP status and an error to
// show for refusals; on success it has written the answer.
func (l *Local) ServeSigned(w http.ResponseWriter, r *http.Request, token string) (int, error) {
	rc := http.NewResponseController(w)
	refuse := func(status int, err error) (int, error) {
		if r.Method == http.MethodPut {
			// the body is not wanted: read none of it, answer and close
			w.Header().Set("Connection", "close")
			_ = rc.SetReadDeadline(time.Now())
		}
		return status, err
	}
	g, err := l.verify(token, r.Method, time.Now())
	if err != nil {
		return refuse(http.StatusForbidden, err)
	}
	switch r.Method {
	case http.MethodPut:
		if ct := r.Header.Get("Content-Type"); ct != g.ContentType {
			return refuse(http.StatusForbidden, fmt.Errorf("the content type %q is not the signed %q", ct, g.ContentType))
		}
		if r.ContentLength != g.Size {
			return refuse(http.StatusForbidden, fmt.Errorf("the body must be exactly the signed %d bytes", g.Size))
		}
		if status, err := l.expected(r.Context(), g.Key); err != nil {
			return refuse(status, err)
		}
		end := l.Transfer.Deadline(time.Now(), g.Size)
		_ = rc.SetReadDeadline(end)
		_ = rc.SetWriteDeadline(end.Add(l.Transfer.base())) // the reply comes after the body
		body := http.MaxBytesReader(w, r.Body, g.Size)
		if err := l.putOnce(r.Context(), g, body); err != nil {
			if errors.Is(err, ErrUsed) {
				return refuse(http.StatusForbidden, err)
			}
			return refuse(http.StatusBadRequest, fmt.Errorf("the upload failed: %w", err))
		}
		w.WriteHeader(http.StatusOK)
		return http.StatusOK, nil
	case http.MethodGet:
		f, err := l.Open(r.Context(), g.Key)
		if errors.Is(err, ErrNotFound) {
			return http.StatusNotFound, err
		}
		if err != nil {
			return http.StatusInternalServerError, err
		}
		defer f.Close()
		obj, err := l.Stat(r.Context(), g.Key)
		if err != nil {
			return http.StatusInternalServerError, err
		}
		_ = rc.SetWriteDeadline(l.Transfer.Deadline(time.Now(), obj.Size))
		h := w.Header()
		h.Set("Content-Type", obj.ContentType)
		h.Set("Content-Length", strconv.FormatInt(obj.Size, 10))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, max-age=300")
		if g.Attachment != "" {
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": g.Attachment}))
		}
		_, _ = io.Copy(w, f)
		return http.StatusOK, nil
	}
	return http.StatusMethodNotAllowed, errors.New("only PUT and GET are signed")
}

// expected asks Expect about an upload to key.
func (l *Local) expected(ctx context.Context, key string) (int, error) {
	if l.Expect == nil {
		return 0, nil
	}
	ok, err := l.Expect(ctx, key)
	if err != nil {
		return http.StatusServiceUnavailable, errors.New("the upload cannot be checked now; try again")
	}
	if !ok {
		return http.StatusForbidden, ErrUsed
	}
	return 0, nil
}

// putOnce writes a signed upload: the body into a temporary file, then,
// if the upload is still expected, linked to the key only when no object
// is there yet (an accepted object is never overwritten).
func (l *Local) putOnce(ctx context.Context, g grant, body io.Reader) error {
	p, err := l.path(g.Key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	if _, err := os.Lstat(p); err == nil {
		return ErrUsed
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(body, g.Size+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != g.Size {
		return fmt.Errorf("got %d bytes, want %d", n, g.Size)
	}
	if _, err := l.expected(ctx, g.Key); err != nil {
		return ErrUsed
	}
	if err := os.WriteFile(p+".type", []byte(g.ContentType), 0o640); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), p); err != nil {
		if errors.Is(err, os.ErrExist) {
			return ErrUsed
		}
		return err
	}
	return nil
}

// EscapeKeyPart makes a user's filename safe as one key segment, one
// that every Storage accepts.
func EscapeKeyPart(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, filepath.Base(name))
	name = strings.TrimLeft(name, "._-")
	for strings.Contains(name, "..") { // Local refuses keys with ".." anywhere
		name = strings.ReplaceAll(name, "..", ".")
	}
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if name == "" {
		name = "file"
	}
	return url.PathEscape(name)
}
