package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

type backend struct {
	name string
	st   storage.Storage
	// base resolves a signed URL (local ones are paths on the test server)
	base string
}

func backends(t *testing.T) []backend {
	s3srv := testkit.StartS3(t)
	s3, err := storage.NewS3(storage.S3Config{Endpoint: s3srv.Endpoint, Bucket: "media", AccessKey: s3srv.AccessKey,
		SecretKey: s3srv.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.EnsureBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	local := &storage.Local{Dir: t.TempDir(), BaseURL: "/api/storage", Key: []byte("0123456789abcdef0123456789abcdef")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.URL.Path, "/api/storage/")
		if status, err := local.ServeSigned(w, r, token); err != nil {
			http.Error(w, err.Error(), status)
		}
	}))
	t.Cleanup(srv.Close)
	return []backend{{"s3", s3, ""}, {"local", local, srv.URL}}
}

func send(t *testing.T, b backend, req storage.SignedRequest, body []byte, override map[string]string) int {
	t.Helper()
	r, err := http.NewRequest(req.Method, b.base+req.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	for k, v := range override {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestSignedUploads: the browser's upload through a signed request works,
// and storage refuses what the signature does not allow.
func TestSignedUploads(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			body := []byte("\x89PNG\r\n\x1a\n fake image bytes")
			key := "uploads/u1/01ABC/photo.png"
			req, err := b.st.PresignPut(ctx, key, "image/png", int64(len(body)), 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if s := send(t, b, req, body, nil); s != 200 {
				t.Fatalf("a signed upload got %d", s)
			}
			obj, err := b.st.Stat(ctx, key)
			if err != nil || obj.Size != int64(len(body)) || obj.ContentType != "image/png" {
				t.Fatalf("stat: %+v %v", obj, err)
			}
			rc, err := b.st.Open(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			_ = rc.Close()
			if !bytes.Equal(got, body) {
				t.Fatalf("stored %q", got)
			}

			// local disk: a signed upload is single-use; S3 cannot revoke a
			// presigned PUT (the media pipeline never reads it again instead)
			if s := send(t, b, req, bytes.ToUpper(body), nil); b.name == "local" && s != 403 {
				t.Fatalf("a second PUT with the same signature got %d", s)
			}
			if b.name == "local" {
				rc, _ := b.st.Open(ctx, key)
				again, _ := io.ReadAll(rc)
				_ = rc.Close()
				if !bytes.Equal(again, body) {
					t.Fatalf("a refused second PUT changed the object: %q", again)
				}
			}

			other := "uploads/u1/01ABD/other.png"
			req2, err := b.st.PresignPut(ctx, other, "image/png", int64(len(body)), 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if s := send(t, b, req2, append(body, "more"...), nil); s < 400 {
				t.Fatalf("a body larger than signed got %d", s)
			}
			if s := send(t, b, req2, body, map[string]string{"Content-Type": "text/html"}); s < 400 {
				t.Fatalf("another content type than signed got %d", s)
			}
			tampered := req2
			if strings.Contains(req2.URL, "01ABD") { // S3: the key is in the path
				tampered.URL = strings.Replace(req2.URL, "01ABD", "01ABE", 1)
			} else { // local: the key is inside the signed token
				i := strings.LastIndex(req2.URL, "/") + 5
				c := byte('A')
				if req2.URL[i] == 'A' {
					c = 'B'
				}
				tampered.URL = req2.URL[:i] + string(c) + req2.URL[i+1:]
			}
			if s := send(t, b, tampered, body, nil); s < 400 {
				t.Fatalf("a tampered URL got %d", s)
			}
			if _, err := b.st.Stat(ctx, other); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("a refused upload left an object: %v", err)
			}

			expiring, err := b.st.PresignPut(ctx, other, "image/png", int64(len(body)), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(2100 * time.Millisecond)
			if s := send(t, b, expiring, body, nil); s < 400 {
				t.Fatalf("an expired signature got %d", s)
			}

			url, err := b.st.PresignGet(ctx, key, time.Minute, true, "photo.png")
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(b.base + url)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("download: %d, disposition %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}

			if err := b.st.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := b.st.Stat(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("after delete: %v", err)
			}
			if err := b.st.Delete(ctx, key); err != nil {
				t.Fatalf("deleting a missing key: %v", err)
			}
		})
	}
}

// TestLocalExpect: a local signed upload is refused, before its body is
// read, once Expect says its upload is no longer wanted.
func TestLocalExpect(t *testing.T) {
	wanted := map[string]bool{"k/wanted.png": true}
	local := &storage.Local{Dir: t.TempDir(), BaseURL: "/api/storage", Key: []byte("0123456789abcdef0123456789abcdef"),
		Expect: func(_ context.Context, key string) (bool, error) { return wanted[key], nil }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, err := local.ServeSigned(w, r, strings.TrimPrefix(r.URL.Path, "/api/storage/")); err != nil {
			http.Error(w, err.Error(), status)
		}
	}))
	t.Cleanup(srv.Close)
	b := backend{"local", local, srv.URL}
	body := []byte("\x89PNG\r\n\x1a\n bytes")
	for key, want := range map[string]int{"k/wanted.png": 200, "k/done.png": 403} {
		req, err := local.PresignPut(context.Background(), key, "image/png", int64(len(body)), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if s := send(t, b, req, body, nil); s != want {
			t.Fatalf("%s: %d, want %d", key, s, want)
		}
	}
	if _, err := local.Stat(context.Background(), "k/done.png"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("an unexpected upload was stored: %v", err)
	}
}
