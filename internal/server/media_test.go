package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// jpegWithGPS is a real 1600×1200 JPEG carrying an EXIF segment whose
// bytes include a recognisable GPS marker.
func jpegWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := 0; y < 1200; y += 8 {
		for x := 0; x < 1600; x += 8 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	// EXIF: big-endian TIFF header, an empty IFD0, then the marker
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), []byte("GPS-SECRET-35.6892N-51.3890E")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	b := enc.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

type mediaItem struct {
	ID          int64
	Status      string
	Scan        string
	Reason      string
	ReasonCode  string `json:"reason_code"`
	ContentType string `json:"content_type"`
	Width       int
	Height      int
	URL         *string
	Thumbnails  map[string]string
}

type uploadAnswer struct {
	Media  mediaItem
	Upload storage.SignedRequest
}

// absolute resolves a signed URL: local-disk ones are paths on the server.
func absolute(in *testkit.Instance, u string) string {
	if strings.HasPrefix(u, "/") {
		return in.URL + u
	}
	return u
}

func sendSigned(t *testing.T, in *testkit.Instance, up storage.SignedRequest, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(up.Method, absolute(in, up.URL), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range up.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func fetch(t *testing.T, in *testkit.Instance, u string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(absolute(in, u))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// upload sends a file through the whole flow and waits for the pipeline.
func upload(t *testing.T, in *testkit.Instance, c *testkit.Client, name, declared string, body []byte) mediaItem {
	t.Helper()
	r := c.Do("POST", "/api/media/upload", map[string]any{"filename": name, "content_type": declared, "size": len(body)})
	if r.Status != 201 {
		t.Fatalf("upload %s: %d %s", name, r.Status, r.Body)
	}
	var up uploadAnswer
	r.JSON(t, &up)
	if up.Media.Status != "pending" || up.Upload.Method != "PUT" {
		t.Fatalf("upload answer: %+v", up)
	}
	if s := sendSigned(t, in, up.Upload, body); s != 200 {
		t.Fatalf("PUT to the signed URL: %d", s)
	}
	path := fmt.Sprintf("/api/media/%d", up.Media.ID)
	if r := c.Do("POST", path+"/complete", nil); r.Status != 202 || r.Map(t)["status"] != "scanning" {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	var m mediaItem
	waitFor(t, func() bool {
		c.Do("GET", path, nil).JSON(t, &m)
		return m.Status != "scanning"
	})
	return m
}

// TestMediaLibrary runs real uploads through the pipeline on local disk
// without a scanner, and on versitygw with clamd.
func TestMediaLibrary(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"JOB_POLL_INTERVAL": "50ms"}
			if m.Postgres {
				s3 := testkit.StartS3(t)
				env["S3_ENDPOINT"], env["S3_BUCKET"] = s3.Endpoint, "media"
				env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"] = s3.AccessKey, s3.SecretKey
				env["CLAMAV_ADDR"] = testkit.StartClamd(t).Addr
			}
			in := testkit.Start(t, testkit.NewShared(t, m), env)
			in.CreateUser(t, "editor@example.com", "media.view", "media.upload", "media.delete")
			in.CreateUser(t, "other@example.com", "media.view", "media.upload")
			in.CreateUser(t, "viewer@example.com", "media.view")
			ed := in.LoggedIn(t, "editor@example.com")
			ctx := context.Background()

			photo := jpegWithGPS(t)
			got := upload(t, in, ed, "سفر تهران.jpg", "image/jpeg", photo)
			if got.Status != "ready" || got.URL == nil || got.Width != 1600 || got.Height != 1200 {
				t.Fatalf("a clean JPEG: %+v", got)
			}
			wantScan := "not_scanned"
			if m.Postgres {
				wantScan = "clean"
			}
			if got.Scan != wantScan {
				t.Fatalf("scan %q, want %q", got.Scan, wantScan)
			}
			status, body, h := fetch(t, in, *got.URL)
			if status != 200 || h.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("download: %d %s", status, h.Get("Content-Type"))
			}
			if bytes.Contains(body, []byte("GPS-SECRET")) || bytes.Contains(body, []byte("Exif\x00\x00")) {
				t.Fatal("the served file still carries its EXIF/GPS data")
			}
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Fatalf("the stripped file does not decode: %v", err)
			}
			for side, want := range map[string][2]int{"256": {256, 192}, "1024": {1024, 768}} {
				u, ok := got.Thumbnails[side]
				if !ok {
					t.Fatalf("no %s px thumbnail: %v", side, got.Thumbnails)
				}
				_, tb, _ := fetch(t, in, u)
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(tb))
				if err != nil || cfg.Width != want[0] || cfg.Height != want[1] {
					t.Fatalf("thumbnail %s: %dx%d %v", side, cfg.Width, cfg.Height, err)
				}
			}

			html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
			fake := upload(t, in, ed, "cat.jpg", "image/jpeg", html)
			if fake.Status != "rejected" || fake.URL != nil || !strings.Contains(fake.Reason, "text/html") {
				t.Fatalf("HTML declared as JPEG: %+v", fake)
			}
			if m.Postgres {
				virus := upload(t, in, ed, "eicar.pdf", "application/pdf", []byte(testkit.EICAR))
				if virus.Status != "rejected" || virus.Scan != "infected" || virus.ReasonCode != "infected" || virus.URL != nil || !strings.Contains(virus.Reason, "Eicar") {
					t.Fatalf("EICAR: %+v", virus)
				}
				if _, err := in.Srv.Storage.Stat(ctx, mediaKey(t, in, virus.ID)); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("an infected file must not stay in storage: %v", err)
				}
			}

			// another user cannot complete someone else's upload
			r := ed.Do("POST", "/api/media/upload", map[string]any{"filename": "a.png", "content_type": "image/png", "size": 10})
			var up uploadAnswer
			r.JSON(t, &up)
			other := in.LoggedIn(t, "other@example.com")
			wantError(t, other.Do("POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil), 403, "PERMISSION_DENIED")
			wantError(t, ed.Do("POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil), 409, "CONFLICT")

			for _, bad := range []map[string]any{
				{"filename": "a.png", "content_type": "image/png", "size": 0},
				{"filename": "a.png", "content_type": "image/png", "size": 1 << 40},
				{"filename": "x.html", "content_type": "text/html", "size": 10},
				{"filename": "x.svg", "content_type": "image/svg+xml", "size": 10},
				{"filename": "", "content_type": "image/png", "size": 10},
				{"filename": "../../etc/passwd", "content_type": "image/png", "size": 10},
			} {
				wantError(t, ed.Do("POST", "/api/media/upload", bad), 422, "VALIDATION_FAILED")
			}
			viewer := in.LoggedIn(t, "viewer@example.com")
			wantError(t, viewer.Do("POST", "/api/media/upload", map[string]any{"filename": "a.png", "content_type": "image/png", "size": 10}),
				403, "PERMISSION_DENIED")
			wantError(t, other.Do("DELETE", fmt.Sprintf("/api/media/%d", got.ID), nil), 403, "PERMISSION_DENIED")

			var list struct {
				Items []mediaItem
				Total int
			}
			viewer.Do("GET", "/api/media?status=ready&kind=image&q=تهران", nil).JSON(t, &list)
			if list.Total != 1 || list.Items[0].ID != got.ID || list.Items[0].URL == nil {
				t.Fatalf("filtered list: %+v", list)
			}
			wantError(t, viewer.Do("GET", "/api/media?kind=spreadsheet", nil), 422, "VALIDATION_FAILED")

			// titles and alt text, with If-Match
			g := ed.Do("GET", fmt.Sprintf("/api/media/%d", got.ID), nil)
			etag := g.Header.Get("ETag")
			patch := map[string]any{"title": map[string]string{"fa": "سفر", "en": "Trip"}, "alt": map[string]string{"fa": "برج آزادی", "en": "Azadi Tower"}}
			if r := ed.Do("PATCH", fmt.Sprintf("/api/media/%d", got.ID), patch, "If-Match", etag); r.Status != 200 {
				t.Fatalf("patch: %d %s", r.Status, r.Body)
			}
			wantError(t, ed.Do("PATCH", fmt.Sprintf("/api/media/%d", got.ID), patch, "If-Match", etag), 412, "PRECONDITION_FAILED")

			// deleting removes the file and its thumbnails from storage
			key := mediaKey(t, in, got.ID)
			if r := ed.Do("DELETE", fmt.Sprintf("/api/media/%d", got.ID), nil); r.Status != 204 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			waitFor(t, func() bool {
				_, err := in.Srv.Storage.Stat(ctx, key)
				return errors.Is(err, storage.ErrNotFound)
			})
			for _, th := range []string{"thumb-256.jpg", "thumb-1024.jpg"} {
				k := key[:strings.LastIndex(key, "/")+1] + th
				waitFor(t, func() bool {
					_, err := in.Srv.Storage.Stat(ctx, k)
					return errors.Is(err, storage.ErrNotFound)
				})
			}
			wantError(t, ed.Do("GET", fmt.Sprintf("/api/media/%d", got.ID), nil), 404, "NOT_FOUND")
			if r := ed.Do("POST", "/api/media/bulk-delete", map[string]any{"ids": []int64{fake.ID, 999999}}); r.Status != 200 || r.Map(t)["deleted"] != float64(1) {
				t.Fatalf("bulk delete: %d %s", r.Status, r.Body)
			}
			wantError(t, ed.Do("POST", "/api/media/bulk-delete", map[string]any{"ids": []int64{}}), 422, "VALIDATION_FAILED")
		})
	}
}

// mediaKey reads an item's object key from the database.
func mediaKey(t *testing.T, in *testkit.Instance, id int64) string {
	t.Helper()
	var key string
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT object_key FROM media WHERE id = ?`, id).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

// tinyPNG is a real 40×30 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMediaPipelineSettings: MEDIA_REQUIRE_SCAN without a scanner rejects,
// MEDIA_PUBLIC_BASE_URL serves from the CDN, documents download as
// attachments, and a pipeline run again after a crash ends the same way.
func TestMediaPipelineSettings(t *testing.T) {
	t.Parallel()
	t.Run("require scan", func(t *testing.T) {
		in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms", "MEDIA_REQUIRE_SCAN": "true"})
		in.CreateSuperuser(t, "admin@example.com")
		m := upload(t, in, in.LoggedIn(t, "admin@example.com"), "a.png", "image/png", tinyPNG(t))
		if m.Status != "rejected" || m.Scan != "not_scanned" || m.ReasonCode != "scan_unavailable" || !strings.Contains(m.Reason, "not scanned") || m.URL != nil {
			t.Fatalf("an unscanned file with MEDIA_REQUIRE_SCAN: %+v", m)
		}
	})
	t.Run("public base URL, attachments, a second run", func(t *testing.T) {
		in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
		in.CreateSuperuser(t, "admin@example.com")
		c := in.LoggedIn(t, "admin@example.com")
		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		doc := upload(t, in, c, "invoice.pdf", "application/pdf", pdf)
		if doc.Status != "ready" || doc.URL == nil || len(doc.Thumbnails) != 0 {
			t.Fatalf("a PDF: %+v", doc)
		}
		if _, _, h := fetch(t, in, *doc.URL); !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("a document must download as an attachment: %v", h)
		}

		img := upload(t, in, c, "p.png", "image/png", tinyPNG(t))
		if img.Status != "ready" || len(img.Thumbnails) != 2 {
			t.Fatalf("a PNG: %+v", img)
		}
		// a worker that died after some steps leaves the item scanning; the
		// job runs again from the start and ends as one whole run would
		ctx := context.Background()
		if _, err := in.Srv.DB.Writer().Exec(ctx, `UPDATE media SET status = 'scanning' WHERE id = ?`, img.ID); err != nil {
			t.Fatal(err)
		}
		q, err := in.Srv.InsertOnlyQueue()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.Client.Insert(ctx, media.ProcessArgs{MediaID: img.ID}, nil); err != nil {
			t.Fatal(err)
		}
		var again mediaItem
		waitFor(t, func() bool {
			in.Srv.Cache.Invalidate(ctx, "media:item:"+fmt.Sprint(img.ID)) // the test wrote behind the service's back
			c.Do("GET", fmt.Sprintf("/api/media/%d", img.ID), nil).JSON(t, &again)
			return again.Status == "ready"
		})
		if again.Width != 40 || again.Height != 30 || len(again.Thumbnails) != 2 {
			t.Fatalf("after a second run: %+v", again)
		}
		_, body, _ := fetch(t, in, *again.URL)
		if _, err := png.Decode(bytes.NewReader(body)); err != nil {
			t.Fatalf("the file after a second run: %v", err)
		}

		cdn := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms",
			"MEDIA_PUBLIC_BASE_URL": "https://cdn.example.com/media/"})
		cdn.CreateSuperuser(t, "admin@example.com")
		pub := upload(t, cdn, cdn.LoggedIn(t, "admin@example.com"), "p.png", "image/png", tinyPNG(t))
		if pub.URL == nil || *pub.URL != "https://cdn.example.com/media/"+mediaKey(t, cdn, pub.ID) {
			t.Fatalf("with a public base URL: %v", pub.URL)
		}
	})
}
