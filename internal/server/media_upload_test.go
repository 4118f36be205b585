package server_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color/palette"
	"image/gif"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// mediaEnv is an instance's settings for media tests: local disk in the
// embedded mode, versitygw with Postgres (clamd only when scan is set).
func mediaEnv(t *testing.T, m testkit.Mode, scan bool) map[string]string {
	t.Helper()
	env := map[string]string{"JOB_POLL_INTERVAL": "50ms"}
	if m.Postgres {
		s3 := testkit.StartS3(t)
		env["S3_ENDPOINT"], env["S3_BUCKET"] = s3.Endpoint, "media"
		env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"] = s3.AccessKey, s3.SecretKey
		if scan {
			env["CLAMAV_ADDR"] = testkit.StartClamd(t).Addr
		}
	}
	return env
}

// TestMediaUploadSignatureSingleUse: a signed upload, sent again after its
// item is ready or deleted, never changes what is served. Local disk
// refuses it outright; an S3 presigned PUT cannot be revoked, so it lands
// on a staging key the pipeline no longer reads.
func TestMediaUploadSignatureSingleUse(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), mediaEnv(t, m, false))
			in.CreateUser(t, "editor@example.com", "media.view", "media.upload", "media.delete")
			ed := in.LoggedIn(t, "editor@example.com")
			ctx := context.Background()

			orig := tinyPNG(t)
			r := ed.Do("POST", "/api/media/upload", map[string]any{"filename": "p.png", "content_type": "image/png", "size": len(orig)})
			var up uploadAnswer
			r.JSON(t, &up)
			if s := sendSigned(t, in, up.Upload, orig); s != 200 {
				t.Fatalf("first PUT: %d", s)
			}
			path := fmt.Sprintf("/api/media/%d", up.Media.ID)
			if r := ed.Do("POST", path+"/complete", nil); r.Status != 202 {
				t.Fatalf("complete: %d %s", r.Status, r.Body)
			}
			var item mediaItem
			waitFor(t, func() bool {
				ed.Do("GET", path, nil).JSON(t, &item)
				return item.Status != "scanning"
			})
			if item.Status != "ready" || item.URL == nil {
				t.Fatalf("the upload: %+v", item)
			}
			_, served, _ := fetch(t, in, *item.URL)
			oldURL := *item.URL

			// the same signature, other bytes of the same size: an HTML page
			evil := bytes.Repeat([]byte("<script>alert(1)</script>"), len(orig)/25+1)[:len(orig)]
			status := sendSigned(t, in, up.Upload, evil)
			if m.Name == "embedded" && status < 400 {
				t.Fatalf("local disk accepted a second PUT after the item was ready: %d", status)
			}
			ed.Do("POST", path+"/complete", nil)
			var again mediaItem
			ed.Do("GET", path, nil).JSON(t, &again)
			if again.Status != "ready" || again.URL == nil {
				t.Fatalf("after a second PUT: %+v", again)
			}
			for _, u := range []string{*again.URL, oldURL} {
				if s, b, _ := fetch(t, in, u); s != 200 || !bytes.Equal(b, served) {
					t.Fatalf("a second PUT changed what is served (%d): %.40q", s, b)
				}
			}

			key := mediaKey(t, in, item.ID)
			if r := ed.Do("DELETE", path, nil); r.Status != 204 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			waitFor(t, func() bool {
				_, err := in.Srv.Storage.Stat(ctx, key)
				return errors.Is(err, storage.ErrNotFound)
			})
			status = sendSigned(t, in, up.Upload, evil)
			if m.Name == "embedded" && status < 400 {
				t.Fatalf("local disk accepted a PUT after the item was deleted: %d", status)
			}
			if _, err := in.Srv.Storage.Stat(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("a PUT after delete recreated the served object: %v", err)
			}
			if s, b, _ := fetch(t, in, oldURL); s == 200 {
				t.Fatalf("a signed download of a deleted item serves %.40q", b)
			}
		})
	}
}

// TestMediaRejectionReasons: every rejection carries a stable reason_code
// (which the web app translates) beside the English reason, in the item,
// the list and the audit log; ready items carry none.
func TestMediaRejectionReasons(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	png := tinyPNG(t)
	damaged := append(append([]byte{}, png[:40]...), bytes.Repeat([]byte{0x5a}, 200)...)
	for _, tc := range []struct {
		name, declared string
		body           []byte
		code           string
	}{
		{"page.jpg", "image/jpeg", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "type_not_allowed"},
		{"photo.jpg", "image/jpeg", png, "type_mismatch"},
		{"broken.png", "image/png", damaged, "damaged"},
		{"ok.png", "image/png", png, ""},
	} {
		m := upload(t, in, c, tc.name, tc.declared, tc.body)
		if m.ReasonCode != tc.code || (tc.code == "") != (m.Status == "ready") || (tc.code != "" && m.Reason == "") {
			t.Fatalf("%s: %+v, want reason_code %q", tc.name, m, tc.code)
		}
	}
	var list struct{ Items []mediaItem }
	c.Do("GET", "/api/media?status=rejected", nil).JSON(t, &list)
	if len(list.Items) != 3 || list.Items[0].ReasonCode != "damaged" {
		t.Fatalf("the list: %+v", list.Items)
	}
}

// png16 is a w×h 16-bit RGBA PNG of one colour, small on disk and
// w × h × 8 bytes decoded.
func png16(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := bytes.Repeat([]byte{0x40}, 1+8*w)
	row[0] = 0
	for range h {
		_, _ = z.Write(row)
	}
	_ = z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestMediaDecodeBudget: a 16-bit 7000×7000 PNG (about 500 KB, 392 MB
// decoded) is rejected from its header as too_much_memory under the
// default 256 MiB MEDIA_DECODE_BUDGET; a small 16-bit one is processed.
func TestMediaDecodeBudget(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	m := upload(t, in, c, "deep.png", "image/png", png16(t, 7000, 7000))
	if m.Status != "rejected" || m.ReasonCode != "too_much_memory" || !strings.Contains(m.Reason, "MiB") || m.URL != nil {
		t.Fatalf("a 16-bit 7000×7000 PNG: %+v", m)
	}
	if ok := upload(t, in, c, "small.png", "image/png", png16(t, 300, 200)); ok.Status != "ready" || ok.Width != 300 || len(ok.Thumbnails) != 2 {
		t.Fatalf("a small 16-bit PNG: %+v", ok)
	}
}

// TestMediaGIFStripped: a GIF is served without its comment and XMP
// extensions, still a GIF of the same size, with thumbnails.
func TestMediaGIFStripped(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	var enc bytes.Buffer
	if err := gif.Encode(&enc, image.NewPaletted(image.Rect(0, 0, 60, 40), palette.Plan9), nil); err != nil {
		t.Fatal(err)
	}
	b := enc.Bytes()
	ext := []byte{0x21, 0xfe, 24}
	ext = append(append(ext, "GIF-SECRET home address!"...), 0)
	ext = append(append(append(ext, 0x21, 0xff, 11), "XMP DataXMP"...), 4, 'G', 'P', 'S', '!', 0)
	file := append(append(append([]byte{}, b[:len(b)-1]...), ext...), 0x3b)
	m := upload(t, in, c, "anim.gif", "image/gif", file)
	if m.Status != "ready" || m.URL == nil || m.Width != 60 || len(m.Thumbnails) != 2 {
		t.Fatalf("a GIF: %+v", m)
	}
	_, served, h := fetch(t, in, *m.URL)
	if bytes.Contains(served, []byte("GIF-SECRET")) || bytes.Contains(served, []byte("XMP DataXMP")) || h.Get("Content-Type") != "image/gif" {
		t.Fatalf("the served GIF still carries its metadata (%s)", h.Get("Content-Type"))
	}
	if cfg, err := gif.DecodeConfig(bytes.NewReader(served)); err != nil || cfg.Width != 60 {
		t.Fatalf("the served GIF: %+v %v", cfg, err)
	}

	// the pipeline run again after it finished (its staging object gone)
	// redoes it from the stripped copy, smaller than the declared size
	ctx := context.Background()
	waitFor(t, func() bool {
		_, err := in.Srv.Storage.Stat(ctx, "staging/"+mediaKey(t, in, m.ID))
		return errors.Is(err, storage.ErrNotFound)
	})
	if _, err := in.Srv.DB.Writer().Exec(ctx, `UPDATE media SET status = 'scanning' WHERE id = ?`, m.ID); err != nil {
		t.Fatal(err)
	}
	q, err := in.Srv.InsertOnlyQueue()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Client.Insert(ctx, media.ProcessArgs{MediaID: m.ID}, nil); err != nil {
		t.Fatal(err)
	}
	var again mediaItem
	waitFor(t, func() bool {
		in.Srv.Cache.Invalidate(ctx, "media:item:"+fmt.Sprint(m.ID)) // the test wrote behind the service's back
		c.Do("GET", fmt.Sprintf("/api/media/%d", m.ID), nil).JSON(t, &again)
		return again.Status != "scanning"
	})
	if again.Status != "ready" || again.URL == nil {
		t.Fatalf("after a second run: %+v", again)
	}
	if _, b, _ := fetch(t, in, *again.URL); !bytes.Equal(b, served) {
		t.Fatal("a second run changed the served GIF")
	}
}

// TestMediaHEICAndAVIFRefused: HEIC, HEIF and AVIF are refused, clearly:
// their metadata cannot be stripped nor a preview made without cgo. An
// upload declaring one gets 422 with a field reason; their bytes declared
// as something else are rejected as type_not_allowed; and an operator
// cannot allow them.
func TestMediaHEICAndAVIFRefused(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	for _, ct := range []string{"image/heic", "image/heif", "image/avif"} {
		r := c.Do("POST", "/api/media/upload", map[string]any{"filename": "IMG_0001.heic", "content_type": ct, "size": 1000})
		e := wantError(t, r, 422, "VALIDATION_FAILED")
		details, _ := e["details"].(map[string]any)
		reasons, _ := details["field_reasons"].(map[string]any)
		if reasons["content_type"] != "image_type_not_supported" {
			t.Fatalf("%s: %s", ct, r.Body)
		}
	}
	for name, brand := range map[string]string{"heic": "heic", "avif": "avif"} {
		body := append([]byte("\x00\x00\x00\x18ftyp"+brand+"\x00\x00\x00\x00mif1"+brand), bytes.Repeat([]byte{0}, 200)...)
		m := upload(t, in, c, name+".jpg", "image/jpeg", body)
		if m.Status != "rejected" || m.ReasonCode != "type_not_allowed" || m.URL != nil {
			t.Fatalf("%s bytes declared as JPEG: %+v", name, m)
		}
	}
	for _, v := range []string{"image/heic", "image/jpeg,image/avif"} {
		if _, err := config.Load(testkit.Env(map[string]string{"MEDIA_ALLOWED_TYPES": v})); err == nil {
			t.Fatalf("MEDIA_ALLOWED_TYPES=%s was accepted", v)
		}
	}
}
