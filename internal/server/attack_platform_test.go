package server_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"

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
