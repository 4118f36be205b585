package mediaproc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"testing"

	"golang.org/x/image/webp"

	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
)

func strip(t *testing.T, in []byte, ct string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := mediaproc.StripMetadata(&out, bytes.NewReader(in), ct); err != nil {
		t.Fatalf("StripMetadata(%s): %v", ct, err)
	}
	if out.Len() >= len(in) {
		t.Errorf("stripped %s is %d bytes, not smaller than the original %d", ct, out.Len(), len(in))
	}
	return out.Bytes()
}

// mustNotContain fails for every secret left in b.
func mustNotContain(t *testing.T, b []byte, secrets ...[]byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, s) {
			t.Errorf("output still contains %q", s)
		}
	}
}

// samePixels fails unless a and b decode to exactly the same pixels.
func samePixels(t *testing.T, a, b []byte, decode func(io.Reader) (image.Image, error)) {
	t.Helper()
	ma, err := decode(bytes.NewReader(a))
	if err != nil {
		t.Fatalf("original does not decode: %v", err)
	}
	mb, err := decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("stripped file does not decode: %v", err)
	}
	if ma.Bounds() != mb.Bounds() {
		t.Fatalf("bounds %v, want %v", mb.Bounds(), ma.Bounds())
	}
	r := ma.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ma.At(x, y) != mb.At(x, y) {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, mb.At(x, y), ma.At(x, y))
			}
		}
	}
}

// A camera JPEG loses its EXIF (GPS, make), XMP, IPTC, comments, JFIF
// thumbnail and appended data, keeps its colour profile, and decodes to
// exactly the same pixels. An upright photo keeps no EXIF at all.
func TestStripJPEGRemovesMetadataAndKeepsPixels(t *testing.T) {
	in := photoJPEG(t, 120, 80, 1)
	out := strip(t, in, "image/jpg")
	mustNotContain(t, out, []byte("Exif"), gpsLatitude, secretMake, secretXMP, secretIPTC, secretComment, trailingZip)
	if !bytes.Contains(out, fakeICC) {
		t.Error("the ICC profile segment was not kept byte for byte")
	}
	if !bytes.Contains(out, []byte("Adobe")) {
		t.Error("the Adobe segment (colour transform) was not kept")
	}
	if !bytes.Contains(out, []byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x00\x00")) {
		t.Error("JFIF was not kept with its thumbnail dropped")
	}
	if !bytes.HasSuffix(out, []byte{0xff, 0xd9}) {
		t.Error("output does not end at the end-of-image marker")
	}
	samePixels(t, in, out, jpeg.Decode)
}

// A photo taken in portrait keeps only its orientation, so it still shows
// upright; the rest of the EXIF goes.
func TestStripJPEGKeepsOnlyTheOrientation(t *testing.T) {
	in := photoJPEG(t, 120, 80, 6)
	out := strip(t, in, "image/jpeg")
	mustNotContain(t, out, gpsLatitude, secretMake, secretXMP, secretIPTC, secretComment)
	if bytes.Count(out, []byte("Exif\x00\x00")) != 1 {
		t.Fatal("want exactly one EXIF segment, holding the orientation")
	}
	if got := mediaproc.Orientation(bytes.NewReader(out)); got != 6 {
		t.Errorf("orientation after stripping = %d, want 6", got)
	}
	if i := bytes.Index(out, []byte("Exif")); binary.BigEndian.Uint16(out[i-2:]) != 34 {
		t.Errorf("the EXIF segment is %d bytes, want the 34-byte orientation-only one", binary.BigEndian.Uint16(out[i-2:]))
	}
	samePixels(t, in, out, jpeg.Decode)
}

// Restart markers and stuffed bytes inside scans, and several scans with
// tables between them (as in a progressive JPEG), pass through byte for
// byte; only the metadata between them goes.
func TestStripJPEGCopiesEveryScan(t *testing.T) {
	scan1 := []byte{0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0xff, 0xd1, 0x9a}
	scan2 := []byte{0xab, 0xff, 0x00, 0xff, 0x00, 0xcd, 0xff, 0xd2, 0xef}
	build := func(between []byte) []byte {
		return bytes.Join([][]byte{
			{0xff, 0xd8},
			segment(0xdb, bytes.Repeat([]byte{1}, 65)),            // DQT
			segment(0xc2, []byte{8, 0, 16, 0, 16, 1, 1, 0x11, 0}), // SOF2
			segment(0xdd, []byte{0, 4}),                           // DRI
			segment(0xda, []byte{1, 1, 0, 0, 63, 0}), scan1,       // first scan
			between,
			segment(0xc4, []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}), // DHT
			segment(0xda, []byte{1, 1, 0, 1, 63, 0}), scan2,                                // second scan
			{0xff, 0xd9},
		}, nil)
	}
	in := build(bytes.Join([][]byte{segment(0xfe, secretComment), segment(0xe1, secretXMP)}, nil))
	out := strip(t, in, "image/jpeg")
	if want := build(nil); !bytes.Equal(out, want) {
		t.Errorf("stripped\n%x\nwant\n%x", out, want)
	}
}

// A PNG keeps its critical and rendering chunks verbatim (so their CRCs
// stay valid) and loses text, EXIF, time and private chunks.
func TestStripPNGRemovesTextAndExifChunks(t *testing.T) {
	in := photoPNG(t)
	out := strip(t, in, "image/png")
	mustNotContain(t, out, secretText, secretXMP, secretMake, secretComment, trailingZip)
	var want []string
	for _, c := range pngChunks(t, in) {
		if !slices.Contains([]string{"tEXt", "zTXt", "iTXt", "eXIf", "tIME", "prVt"}, c) {
			want = append(want, c)
		}
	}
	if got := pngChunks(t, out); !slices.Equal(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	samePixels(t, in, out, png.Decode)
}

// A WebP loses its EXIF and XMP chunks wherever they are, their VP8X
// flags are cleared, and the RIFF size matches the new length.
func TestStripWebPRemovesExifAndXMP(t *testing.T) {
	in := photoWebP()
	if _, err := webp.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("the fixture does not decode: %v", err)
	}
	out := strip(t, in, "image/webp")
	mustNotContain(t, out, []byte("EXIF"), []byte("XMP "), secretXMP, secretMake, gpsLatitude, trailingZip)
	if got := int(binary.LittleEndian.Uint32(out[4:])); got != len(out)-8 {
		t.Errorf("RIFF size %d, want %d", got, len(out)-8)
	}
	if flags := out[20]; flags&(0x08|0x04) != 0 {
		t.Errorf("VP8X flags %#x still announce EXIF or XMP", flags)
	}
	samePixels(t, in, out, webp.Decode)
}

// The hand-built WebP decodes to the pixels it was built from, so the
// comparison above is not between two blank images.
func TestWebPFixtureDecodesToItsPixels(t *testing.T) {
	m, err := webp.Decode(bytes.NewReader(photoWebP()))
	if err != nil {
		t.Fatal(err)
	}
	for y, row := range vp8lPixels {
		for x, px := range row {
			r, g, b, a := m.At(x, y).RGBA()
			wantG, wantR := uint32(0x10), uint32(0x20)
			if px[0] {
				wantG = 0xf0
			}
			if px[1] {
				wantR = 0xe0
			}
			if r>>8 != wantR || g>>8 != wantG || b>>8 != 0x80 || a>>8 != 0xff {
				t.Errorf("pixel (%d,%d) = %x %x %x %x", x, y, r>>8, g>>8, b>>8, a>>8)
			}
		}
	}
}

// WebP's size field comes first, so a stream that cannot seek is refused
// rather than written wrong.
func TestStripWebPNeedsASeekableSource(t *testing.T) {
	err := mediaproc.StripMetadata(io.Discard, io.MultiReader(bytes.NewReader(photoWebP())), "image/webp")
	if !errors.Is(err, mediaproc.ErrNeedSeeker) {
		t.Fatalf("err = %v, want ErrNeedSeeker", err)
	}
}

// The WebP copy starts where the source stood, not at its first byte.
func TestStripWebPFromTheCurrentOffset(t *testing.T) {
	in := photoWebP()
	r := bytes.NewReader(append([]byte("prefix"), in...))
	if _, err := r.Seek(6, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := mediaproc.StripMetadata(&out, r, "image/webp"); err != nil {
		t.Fatal(err)
	}
	samePixels(t, in, out.Bytes(), webp.Decode)
}

func TestStripOtherTypesIsUnsupported(t *testing.T) {
	for _, ct := range []string{"image/heic", "image/avif", "application/pdf", "video/mp4", ""} {
		var out bytes.Buffer
		err := mediaproc.StripMetadata(&out, bytes.NewReader([]byte("GIF89a")), ct)
		if !errors.Is(err, mediaproc.ErrUnsupported) || out.Len() != 0 {
			t.Errorf("%q: err = %v, wrote %d bytes; want ErrUnsupported and nothing", ct, err, out.Len())
		}
	}
}

// Broken files give ErrMalformed, never a panic or a silent success.
func TestStripMalformed(t *testing.T) {
	jpg := photoJPEG(t, 40, 30, 1)
	pngb := photoPNG(t)
	webpb := photoWebP()
	cases := []struct {
		name, ct string
		in       []byte
	}{
		{"jpeg not a jpeg", "image/jpeg", pngb},
		{"jpeg truncated in a segment", "image/jpeg", jpg[:30]},
		{"jpeg truncated in the scan", "image/jpeg", jpg[:len(jpg)-len(trailingZip)-40]},
		{"png not a png", "image/png", jpg},
		{"png truncated", "image/png", pngb[:100]},
		{"webp not a webp", "image/webp", jpg},
		{"webp truncated", "image/webp", webpb[:40]},
	}
	for _, c := range cases {
		err := mediaproc.StripMetadata(io.Discard, bytes.NewReader(c.in), c.ct)
		if !errors.Is(err, mediaproc.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", c.name, err)
		}
	}
}

// Stripping streams: a large JPEG is not held in memory.
func TestStripJPEGStreams(t *testing.T) {
	in := bigPhoto(t)
	allocs := testing.AllocsPerRun(1, func() {
		if err := mediaproc.StripMetadata(io.Discard, bytes.NewReader(in), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	})
	var m1, m2 runtimeMem
	m1.read()
	if err := mediaproc.StripMetadata(io.Discard, bytes.NewReader(in), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	m2.read()
	if got := m2.totalAlloc - m1.totalAlloc; got > 1<<20 {
		t.Errorf("stripping a %d MB JPEG allocated %d KB, want under 1 MB", len(in)>>20, got>>10)
	}
	t.Logf("stripping a %.1f MB JPEG: %.0f allocations, %d KB allocated", float64(len(in))/(1<<20), allocs, (m2.totalAlloc-m1.totalAlloc)>>10)
}
