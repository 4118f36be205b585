package server_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestMediaUploadAnyFilename: an upload's filename never decides whether
// it can be stored, nor lets its thumbnails overwrite it. A name with two
// dots in a row ("photo..png") is signed and processed, and one named like
// a thumbnail ("thumb-256.png") is still served whole and its thumbnails
// as thumbnails: neither overwrites the other.
func TestMediaUploadAnyFilename(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), mediaEnv(t, m, false))
			in.CreateUser(t, "editor@example.com", "media.view", "media.upload")
			ed := in.LoggedIn(t, "editor@example.com")

			var b bytes.Buffer
			img := image.NewRGBA(image.Rect(0, 0, 600, 400))
			for i := range img.Pix {
				img.Pix[i] = uint8(i / 7)
			}
			if err := png.Encode(&b, img); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"thumb-256.png", "thumb-256.jpg", "photo..png"} {
				item := upload(t, in, ed, name, "image/png", b.Bytes())
				if item.Status != "ready" || item.URL == nil || item.Width != 600 {
					t.Fatalf("%s: %+v", name, item)
				}
				s, served, _ := fetch(t, in, *item.URL)
				if s != 200 {
					t.Fatalf("%s: GET %d", name, s)
				}
				cfg, _, err := image.DecodeConfig(bytes.NewReader(served))
				if err != nil || cfg.Width != 600 || cfg.Height != 400 {
					t.Fatalf("%s is served as a %d×%d image (%v), not the 600×400 upload", name, cfg.Width, cfg.Height, err)
				}
				if len(item.Thumbnails) != 2 {
					t.Fatalf("%s: thumbnails %v", name, item.Thumbnails)
				}
				for side, u := range item.Thumbnails {
					s, th, _ := fetch(t, in, u)
					cfg, _, err := image.DecodeConfig(bytes.NewReader(th))
					if s != 200 || err != nil || side == "256" && cfg.Width != 256 {
						t.Fatalf("%s: its %s px thumbnail is a %d×%d image (%d, %v)", name, side, cfg.Width, cfg.Height, s, err)
					}
				}
			}
		})
	}
}

// TestMediaDecodeBudgetWebPHeader: a WebP whose extended (VP8X) header
// hides a lossless image is budgeted as lossless: at 6000×6000 it needs
// about 290 MB to decode, over the default 256 MiB, and is rejected as
// too_much_memory before it is decoded, not taken for a 70 MB lossy one.
func TestMediaDecodeBudgetWebPHeader(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	m := upload(t, in, c, "flat.webp", "image/webp", lossyLookingWebP(6000, 6000))
	if m.Status != "rejected" || m.ReasonCode != "too_much_memory" || m.URL != nil {
		t.Fatalf("a 6000×6000 lossless WebP behind a VP8X header: %+v", m)
	}
	if ok := upload(t, in, c, "small.webp", "image/webp", lossyLookingWebP(300, 200)); ok.Status != "ready" || ok.Width != 300 || len(ok.Thumbnails) != 2 {
		t.Fatalf("a small one: %+v", ok)
	}
}

// lossyLookingWebP is a w×h lossless WebP of one colour behind a VP8X
// header that sets no alpha flag: its header reads like a lossy image
// (YCbCr, 1.5 bytes a pixel) while its decoder holds 8 bytes a pixel.
func lossyLookingWebP(w, h int) []byte {
	var bits []byte // one byte a bit, least significant first
	put := func(v uint32, n int) {
		for i := range n {
			bits = append(bits, byte(v>>i&1))
		}
	}
	put(uint32(w-1), 14)
	put(uint32(h-1), 14)
	put(0, 1)                                              // alpha unused
	put(0, 3)                                              // version
	put(0, 1)                                              // no transform
	put(0, 1)                                              // no colour cache
	put(0, 1)                                              // no meta prefix codes
	for _, sym := range []uint32{0x80, 0x40, 0x20, 0xff} { // green, red, blue, alpha: one symbol each
		put(1, 1) // simple code
		put(0, 1) // one symbol
		put(1, 1) // 8-bit symbol
		put(sym, 8)
	}
	put(1, 1) // distance: simple, one 1-bit symbol 0
	put(0, 1)
	put(0, 1)
	put(0, 1)
	vp8l := []byte{0x2f}
	for i := 0; i < len(bits); i += 8 {
		var b byte
		for j := 0; j < 8 && i+j < len(bits); j++ {
			b |= bits[i+j] << j
		}
		vp8l = append(vp8l, b)
	}
	vp8l = append(vp8l, 0, 0, 0, 0) // the decoder reads ahead
	if len(vp8l)%2 == 1 {
		vp8l = append(vp8l, 0)
	}
	chunk := func(fourcc string, data []byte) []byte {
		out := append([]byte(fourcc), byte(len(data)), byte(len(data)>>8), byte(len(data)>>16), byte(len(data)>>24))
		return append(out, data...)
	}
	vp8x := []byte{0, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	body := append([]byte("WEBP"), chunk("VP8X", vp8x)...)
	body = append(body, chunk("VP8L", vp8l)...)
	return append(chunk("RIFF", body)[:8:8], body...)
}

// TestEventStreamKeepsNoSessionAlive: an open /api/events stream (a tab
// left open) is no activity: the session still ends SESSION_IDLE_TIMEOUT
// after its last request, and the stream with it.
func TestEventStreamKeepsNoSessionAlive(t *testing.T) {
	const idle = 3 * time.Second
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"SESSION_IDLE_TIMEOUT": idle.String(), "SSE_HEARTBEAT": "200ms"})
			in.CreateSuperuser(t, "admin@example.com")
			c := in.LoggedIn(t, "admin@example.com")
			stream := openEvents(t, c)
			last := time.Now()
			deadline := time.After(idle + idle/20 + 2*time.Second)
		wait:
			for {
				select {
				case _, ok := <-stream:
					if !ok {
						break wait
					}
				case <-deadline:
					t.Fatalf("the event stream outlived its idle session (%s after the last request)", time.Since(last).Round(time.Millisecond))
				}
			}
			if since := time.Since(last); since < idle {
				t.Fatalf("the stream ended %s after the last request, before the idle timeout", since)
			}
			if r := c.Do("GET", "/api/auth/me", nil); r.Status != 401 {
				t.Fatalf("a session with only an open event stream is still alive: %d", r.Status)
			}
		})
	}
}

// TestEventStreamsPerUserBounded: one user (through sessions or API
// tokens) holds at most events.MaxStreamsPerUser streams on an instance,
// each re-checked at every event; one more is refused with 429
// RATE_LIMITED (reason too_many_streams), other users are not, and a
// closed stream frees its place.
func TestEventStreamsPerUserBounded(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[0])
	in.CreateSuperuser(t, "admin@example.com")
	in.CreateUser(t, "other@example.com", "orders.view")
	admin := in.LoggedIn(t, "admin@example.com")
	tok := newToken(t, admin, []string{"orders.view"}, time.Now().Add(time.Hour))
	// open answers a stream's status and, when refused, its body; an
	// opened stream stays open until cancel or the test's end
	open := func(c *testkit.Client, headers ...string) (int, []byte, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/events", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 200 {
			t.Cleanup(func() { resp.Body.Close() })
			return 200, nil, cancel
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("a refused stream (%d) without Retry-After", resp.StatusCode)
		}
		return resp.StatusCode, body, cancel
	}
	var first context.CancelFunc
	for i := range events.MaxStreamsPerUser {
		c, headers := admin, []string(nil)
		if i%2 == 1 {
			c, headers = in.Client(t), []string{"Authorization", "Bearer " + tok.Secret}
		}
		status, body, cancel := open(c, headers...)
		if status != 200 {
			t.Fatalf("stream %d: %d %s", i+1, status, body)
		}
		if i == 0 {
			first = cancel
		}
	}
	status, body, _ := open(in.Client(t), "Authorization", "Bearer "+tok.Secret)
	if status != 429 || !strings.Contains(string(body), `"too_many_streams"`) {
		t.Fatalf("stream %d of one user: %d %s", events.MaxStreamsPerUser+1, status, body)
	}
	if status, body, _ := open(in.LoggedIn(t, "other@example.com")); status != 200 {
		t.Fatalf("another user's stream: %d %s", status, body)
	}
	first()
	waitFor(t, func() bool {
		status, _, cancel := open(admin)
		if status == 200 {
			return true
		}
		cancel()
		return false
	})
}
