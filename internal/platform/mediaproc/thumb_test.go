package mediaproc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"io"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
)

// thumbs runs Thumbnails and returns the sizes and the bytes per side.
func thumbs(t *testing.T, th mediaproc.Thumbnailer, in []byte, sides ...int) ([]mediaproc.Size, map[int]*bytes.Buffer) {
	t.Helper()
	out := map[int]*bytes.Buffer{}
	sizes, err := th.Thumbnails(bytes.NewReader(in), sides, func(side int) io.Writer {
		out[side] = &bytes.Buffer{}
		return out[side]
	})
	if err != nil {
		t.Fatalf("Thumbnails: %v", err)
	}
	return sizes, out
}

func decodeAs(t *testing.T, b []byte, format string) image.Image {
	t.Helper()
	m, got, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("thumbnail does not decode: %v", err)
	}
	if got != format {
		t.Fatalf("thumbnail is %s, want %s", got, format)
	}
	return m
}

// One decode makes every size; each keeps the aspect ratio, is a JPEG of
// the size it reports, and carries none of the source's metadata.
func TestThumbnailsKeepAspect(t *testing.T) {
	in := photoJPEG(t, 2000, 1500, 1)
	sizes, out := thumbs(t, mediaproc.Thumbnailer{}, in, 256, 1024)
	want := []mediaproc.Size{
		{Side: 256, Width: 256, Height: 192, ContentType: "image/jpeg"},
		{Side: 1024, Width: 1024, Height: 768, ContentType: "image/jpeg"},
	}
	for i, s := range sizes {
		if s != want[i] {
			t.Errorf("size %d = %+v, want %+v", i, s, want[i])
		}
		m := decodeAs(t, out[s.Side].Bytes(), "jpeg")
		if b := m.Bounds(); b.Dx() != s.Width || b.Dy() != s.Height {
			t.Errorf("side %d decodes to %v, reported %d×%d", s.Side, b, s.Width, s.Height)
		}
		mustNotContain(t, out[s.Side].Bytes(), []byte("Exif"), secretMake, secretXMP, secretComment)
	}
}

func TestThumbnailPortraitAndOddSizes(t *testing.T) {
	cases := []struct{ w, h, side, ww, wh int }{
		{1500, 2000, 1024, 768, 1024},
		{1000, 10, 256, 256, 3},
		{10, 1000, 256, 3, 256},
		{5000, 1, 256, 256, 1}, // never 0 pixels high
	}
	for _, c := range cases {
		var out bytes.Buffer
		w, h, err := mediaproc.Thumbnail(&out, bytes.NewReader(encodeJPEG(t, testImage(c.w, c.h))), c.side)
		if err != nil || w != c.ww || h != c.wh {
			t.Errorf("%d×%d in %d: %d×%d %v, want %d×%d", c.w, c.h, c.side, w, h, err, c.ww, c.wh)
		}
	}
}

// An image already smaller than the bound keeps its size.
func TestThumbnailNeverUpscales(t *testing.T) {
	var out bytes.Buffer
	w, h, err := mediaproc.Thumbnail(&out, bytes.NewReader(photoJPEG(t, 300, 200, 1)), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if w != 300 || h != 200 {
		t.Errorf("got %d×%d, want 300×200", w, h)
	}
	if b := decodeAs(t, out.Bytes(), "jpeg").Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Errorf("decodes to %v", b)
	}
}

// quadrantPhoto is w×h, red in its top-left quarter and blue elsewhere.
func quadrantPhoto(t *testing.T, w, h, orientation int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return withJPEGMetadata(encodeJPEG(t, m), orientation)
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 200 && g>>8 < 60 && b>>8 < 60
}

// A phone photo stored sideways with orientation 6 comes out upright: its
// stored top-left corner is shown at the top right, and the shown size is
// the stored one turned.
func TestThumbnailAppliesOrientation(t *testing.T) {
	in := quadrantPhoto(t, 400, 300, 6)
	if got := mediaproc.Orientation(bytes.NewReader(in)); got != 6 {
		t.Fatalf("Orientation = %d, want 6", got)
	}
	sizes, out := thumbs(t, mediaproc.Thumbnailer{}, in, 1024, 200)
	if s := sizes[0]; s.Width != 300 || s.Height != 400 {
		t.Errorf("1024: %d×%d, want 300×400", s.Width, s.Height)
	}
	if s := sizes[1]; s.Width != 150 || s.Height != 200 {
		t.Errorf("200: %d×%d, want 150×200", s.Width, s.Height)
	}
	for _, s := range sizes {
		m := decodeAs(t, out[s.Side].Bytes(), "jpeg")
		w, h := s.Width, s.Height
		if !isRed(m.At(w-1-w/8, h/8)) || isRed(m.At(w/8, h/8)) || isRed(m.At(w-1-w/8, h-1-h/8)) {
			t.Errorf("side %d: the red corner is not at the top right", s.Side)
		}
	}
}

func TestThumbnailEveryOrientation(t *testing.T) {
	// Where the stored top-left (red) corner shows, per orientation.
	want := map[int]string{1: "tl", 2: "tr", 3: "br", 4: "bl", 5: "tl", 6: "tr", 7: "br", 8: "bl"}
	for o := 1; o <= 8; o++ {
		var out bytes.Buffer
		w, h, err := mediaproc.Thumbnail(&out, bytes.NewReader(quadrantPhoto(t, 80, 60, o)), 64)
		if err != nil {
			t.Fatal(err)
		}
		m := decodeAs(t, out.Bytes(), "jpeg")
		corners := map[string]image.Point{"tl": {w / 8, h / 8}, "tr": {w - 1 - w/8, h / 8}, "bl": {w / 8, h - 1 - h/8}, "br": {w - 1 - w/8, h - 1 - h/8}}
		for name, p := range corners {
			if red := isRed(m.At(p.X, p.Y)); red != (name == want[o]) {
				t.Errorf("orientation %d: corner %s red = %v", o, name, red)
			}
		}
	}
}

// Resampling does not shift colours: a flat grey stays that grey, edges
// included.
func TestThumbnailKeepsFlatColour(t *testing.T) {
	m := image.NewGray(image.Rect(0, 0, 999, 777))
	for i := range m.Pix {
		m.Pix[i] = 128
	}
	var out bytes.Buffer
	if _, _, err := mediaproc.Thumbnail(&out, bytes.NewReader(encodePNG(t, m)), 100); err != nil {
		t.Fatal(err)
	}
	th := decodeAs(t, out.Bytes(), "jpeg")
	b := th.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := th.At(x, y).RGBA()
			for _, v := range []uint32{r >> 8, g >> 8, bl >> 8} {
				if v < 126 || v > 130 {
					t.Fatalf("pixel (%d,%d) = %d, want 128±2", x, y, v)
				}
			}
		}
	}
}

// A source with transparency gives a PNG thumbnail that keeps it.
func TestThumbnailOfTransparentPNGIsPNG(t *testing.T) {
	sizes, out := thumbs(t, mediaproc.Thumbnailer{}, encodePNG(t, transparentImage(400, 200)), 100)
	if s := sizes[0]; s.ContentType != "image/png" || s.Width != 100 || s.Height != 50 {
		t.Fatalf("got %+v", s)
	}
	m := decodeAs(t, out[100].Bytes(), "png")
	if _, _, _, a := m.At(0, 25).RGBA(); a>>8 > 10 {
		t.Errorf("left edge alpha %d, want transparent", a>>8)
	}
	if _, _, _, a := m.At(99, 25).RGBA(); a>>8 != 255 {
		t.Errorf("right edge alpha %d, want opaque", a>>8)
	}
}

func TestThumbnailOfGIFAndWebP(t *testing.T) {
	for name, in := range map[string][]byte{"gif": encodeGIF(t, testImage(300, 150)), "webp": photoWebP()} {
		var out bytes.Buffer
		w, h, err := mediaproc.Thumbnail(&out, bytes.NewReader(in), 100)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := decodeAs(t, out.Bytes(), "jpeg").Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s: decodes to %v, reported %d×%d", name, b, w, h)
		}
	}
}

// bombPNG is a PNG whose header declares w×h pixels, followed by a few
// bytes of image data: a decoder would allocate w×h×4 bytes for it.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(append(c, typ...), data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	}
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, chunk("IHDR", ihdr)...)
	b = append(b, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0, 0, 0, 0, 1})...)
	return append(b, chunk("IEND", nil)...)
}

// A tiny file declaring a 100000×100000 image is refused from its header,
// quickly and without allocating the image.
func TestThumbnailRefusesDecompressionBomb(t *testing.T) {
	in := bombPNG(100000, 100000)
	var m1, m2 runtimeMem
	m1.read()
	start := time.Now()
	_, _, err := mediaproc.Thumbnail(io.Discard, bytes.NewReader(in), 256)
	took := time.Since(start)
	m2.read()
	if !errors.Is(err, mediaproc.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if alloc := m2.totalAlloc - m1.totalAlloc; alloc > 1<<20 {
		t.Errorf("refusing allocated %d KB", alloc>>10)
	}
	if took > time.Second {
		t.Errorf("refusing took %v", took)
	}
}

func TestThumbnailPixelLimitIsConfigurable(t *testing.T) {
	in := encodeJPEG(t, testImage(100, 100))
	_, err := mediaproc.Thumbnailer{MaxPixels: 9999}.Thumbnails(bytes.NewReader(in), []int{64}, func(int) io.Writer { return io.Discard })
	if !errors.Is(err, mediaproc.ErrTooLarge) {
		t.Errorf("100×100 over a 9999-pixel limit: err = %v, want ErrTooLarge", err)
	}
	if _, err := (mediaproc.Thumbnailer{MaxPixels: 10000}).Thumbnails(bytes.NewReader(in), []int{64}, func(int) io.Writer { return io.Discard }); err != nil {
		t.Errorf("100×100 at a 10000-pixel limit: %v", err)
	}
}

func TestThumbnailRefusesWhatIsNotAnImage(t *testing.T) {
	for name, in := range map[string][]byte{
		"html":  []byte("<html><body>not an image</body></html>"),
		"pdf":   []byte("%PDF-1.7\n"),
		"empty": nil,
	} {
		_, _, err := mediaproc.Thumbnail(io.Discard, bytes.NewReader(in), 256)
		if !errors.Is(err, mediaproc.ErrNotImage) {
			t.Errorf("%s: err = %v, want ErrNotImage", name, err)
		}
	}
	in := photoJPEG(t, 64, 64, 1)
	if _, _, err := mediaproc.Thumbnail(io.Discard, bytes.NewReader(in[:len(in)/2]), 32); err == nil {
		t.Error("a truncated JPEG made a thumbnail")
	}
}

func TestOrientationOfOtherInputIsUpright(t *testing.T) {
	for name, in := range map[string][]byte{
		"no exif": encodeJPEG(t, testImage(8, 8)),
		"png":     bombPNG(1, 1),
		"empty":   nil,
	} {
		if got := mediaproc.Orientation(bytes.NewReader(in)); got != 1 {
			t.Errorf("%s: Orientation = %d, want 1", name, got)
		}
	}
}

// A 24-megapixel phone photo makes its 1024 and 256 thumbnails holding
// little more than the decoded image (36 MB as 4:2:0 YCbCr).
func TestThumbnails24MPMemory(t *testing.T) {
	in := bigPhoto(t)
	var sizes []mediaproc.Size
	var err error
	var m1, m2 runtimeMem
	var took time.Duration
	peak, _ := heapPeak(func() {
		m1.read()
		start := time.Now()
		sizes, err = mediaproc.Thumbnails(bytes.NewReader(in), []int{1024, 256}, func(int) io.Writer { return io.Discard })
		took = time.Since(start)
		m2.read()
	})
	if err != nil {
		t.Fatal(err)
	}
	if sizes[0].Width != 1024 || sizes[0].Height != 683 || sizes[1].Width != 256 || sizes[1].Height != 171 {
		t.Errorf("sizes %+v", sizes)
	}
	alloc := m2.totalAlloc - m1.totalAlloc
	t.Logf("24 MP JPEG (%.1f MB) → 1024 + 256: %v, %.1f MB allocated in all, heap peak %.1f MB above the start",
		float64(len(in))/1e6, took.Round(time.Millisecond), float64(alloc)/1e6, float64(peak)/1e6)
	if alloc > 60e6 {
		t.Errorf("allocated %.1f MB in all, want under 60 MB (decoded image 36 MB)", float64(alloc)/1e6)
	}
}

func BenchmarkThumbnails24MP(b *testing.B) {
	in := bigPhoto(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := mediaproc.Thumbnails(bytes.NewReader(in), []int{1024, 256}, func(int) io.Writer { return io.Discard }); err != nil {
			b.Fatal(err)
		}
	}
}
