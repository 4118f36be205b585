package mediaproc_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	_ "golang.org/x/image/webp"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/mediaproc"
)

// png16 is a w×h 16-bit RGBA PNG of one colour, written row by row (a
// 7000×7000 one is about 380 KB and decodes to 392 MB).
func png16(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // 16 bits, RGBA
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+8*w)
	for i := 1; i < len(row); i++ {
		row[i] = 0x7f
	}
	for range h {
		if _, err := z.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	_ = z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeBudgetRefusesBeforeDecoding: a small 16-bit 7000×7000 PNG
// (392 MB decoded) is refused from its header, over a 256 MiB budget,
// without the heap growing.
func TestDecodeBudgetRefusesBeforeDecoding(t *testing.T) {
	in := png16(t, 7000, 7000)
	t.Logf("the PNG is %d KB", len(in)>>10)
	var err error
	peak, _ := heapPeak(func() {
		_, err = mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(256 << 20)}.Thumbnails(bytes.NewReader(in), []int{256, 1024},
			func(int) io.Writer { return io.Discard })
	})
	t.Logf("peak heap growth %d KB", peak>>10)
	if !errors.Is(err, mediaproc.ErrOverBudget) {
		t.Fatalf("want ErrOverBudget, got %v", err)
	}
	if peak > 16<<20 {
		t.Fatalf("refusing it raised the heap by %d MB", peak>>20)
	}
	// a zero Thumbnailer shares the process-wide budget of DefaultBudget
	if _, _, err := mediaproc.Thumbnail(io.Discard, bytes.NewReader(in), 256); !errors.Is(err, mediaproc.ErrOverBudget) {
		t.Fatalf("the default budget: %v", err)
	}
}

// blocking is a writer that holds its caller until released.
type blocking struct {
	started chan struct{}
	release chan struct{}
}

func (b *blocking) Write(p []byte) (int, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-b.release
	return len(p), nil
}

// TestDecodeBudgetShared: decodes sharing a budget run one after the
// other when both do not fit; the second waits (until its context ends)
// rather than failing.
func TestDecodeBudgetShared(t *testing.T) {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewNRGBA(image.Rect(0, 0, 500, 500))); err != nil { // 1 MB decoded
		t.Fatal(err)
	}
	budget := mediaproc.NewBudget(3 << 19) // 1.5 MiB: one at a time
	th := mediaproc.Thumbnailer{Budget: budget}
	hold := &blocking{started: make(chan struct{}, 1), release: make(chan struct{})}
	first := make(chan error, 1)
	go func() {
		_, err := th.Thumbnails(bytes.NewReader(img.Bytes()), []int{64}, func(int) io.Writer { return hold })
		first <- err
	}()
	<-hold.started // the first holds its share while it writes

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := th.ThumbnailsContext(ctx, bytes.NewReader(img.Bytes()), []int{64}, func(int) io.Writer { return io.Discard }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the second decode did not wait for the budget: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := th.Thumbnails(bytes.NewReader(img.Bytes()), []int{64}, func(int) io.Writer { return io.Discard })
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the second decode ran while the first held the budget: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(hold.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("once the first was done: %v", err)
	}

	big := png16(t, 450, 450) // 1.6 MB decoded: over 1.5 MiB
	if _, err := th.Thumbnails(bytes.NewReader(big), []int{64}, func(int) io.Writer { return io.Discard }); !errors.Is(err, mediaproc.ErrOverBudget) {
		t.Fatalf("an image over the whole budget: %v", err)
	}
}

// TestDecodeBudgetWebPAlpha: a lossy WebP with alpha keeps its alpha
// plane losslessly compressed (libwebp's default), which decodes through
// a whole RGBA image first; the budget counts it, so what decoding holds
// stays within the budget or the image is refused.
func TestDecodeBudgetWebPAlpha(t *testing.T) {
	in, err := os.ReadFile("testdata/rose-alpha.webp") // 400×301, from golang.org/x/image's testdata
	if err != nil {
		t.Fatal(err)
	}
	// the same image with a small alpha chunk (one alpha value, coded
	// losslessly): its image chunk is then within the header too
	small := webpWithAlpha(t, in, smallAlpha())
	for name, img := range map[string][]byte{"libwebp's": in, "a small alpha chunk": small} {
		const budget = 640 << 10
		var terr error
		peak, _ := heapPeak(func() {
			_, terr = mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(budget)}.Thumbnails(bytes.NewReader(img), []int{64},
				func(int) io.Writer { return io.Discard })
		})
		t.Logf("%s: peak heap growth %d KB (%v)", name, peak>>10, terr)
		if terr == nil && peak > budget {
			t.Fatalf("%s: decoding held %d KB under a budget of %d KB", name, peak>>10, budget>>10)
		}
		if terr != nil && !errors.Is(terr, mediaproc.ErrOverBudget) {
			t.Fatalf("%s: %v", name, terr)
		}
		if _, err := (mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(4 << 20)}).Thumbnails(bytes.NewReader(img), []int{64},
			func(int) io.Writer { return io.Discard }); err != nil {
			t.Fatalf("%s: under a budget it fits: %v", name, err)
		}
	}
}

// webpWithAlpha replaces the ALPH chunk of an extended WebP by alph.
func webpWithAlpha(t *testing.T, in, alph []byte) []byte {
	t.Helper()
	out := []byte("RIFF\x00\x00\x00\x00WEBP")
	for off := 12; off+8 <= len(in); {
		n := int(binary.LittleEndian.Uint32(in[off+4:]))
		data := in[off+8 : off+8+n]
		if string(in[off:off+4]) == "ALPH" {
			data = alph
		}
		out = append(out, in[off:off+4]...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
		off += 8 + n + n&1
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("the rebuilt WebP: %v", err)
	}
	return out
}

// smallAlpha is an ALPH chunk's data: lossless compression, one value.
func smallAlpha() []byte {
	var bits []byte
	put := func(v uint32, n int) {
		for i := range n {
			bits = append(bits, byte(v>>i&1))
		}
	}
	put(0, 3)     // no transform, no colour cache, no meta prefix codes
	for range 4 { // green (the alpha), red, blue, alpha: one 8-bit symbol each
		put(1, 1)
		put(0, 1)
		put(1, 1)
		put(0x80, 8)
	}
	put(1, 1) // distance: one 1-bit symbol
	put(0, 3)
	out := []byte{1} // lossless, no filter
	for i := 0; i < len(bits); i += 8 {
		var b byte
		for j := 0; j < 8 && i+j < len(bits); j++ {
			b |= bits[i+j] << j
		}
		out = append(out, b)
	}
	return append(out, 0, 0, 0, 0)
}

// grayPNG is a w×h grey PNG of depth 8 or 16, with a tRNS chunk (one
// grey value transparent) when trns is set.
func grayPNG(t testing.TB, w, h, depth int, trns bool) []byte {
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
	ihdr[8], ihdr[9] = byte(depth), 0
	chunk("IHDR", ihdr)
	if trns {
		chunk("tRNS", []byte{0, 0})
	}
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := bytes.Repeat([]byte{0x40}, 1+depth/8*w)
	row[0] = 0
	for range h {
		_, _ = z.Write(row)
	}
	_ = z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeBudgetGrayPNGWithTransparency: a grey PNG with a tRNS chunk
// decodes to RGBA (4 or 8 bytes a pixel, not 1 or 2); the budget counts
// it, so what decoding holds stays within the budget or it is refused.
func TestDecodeBudgetGrayPNGWithTransparency(t *testing.T) {
	for _, depth := range []int{8, 16} {
		in := grayPNG(t, 1000, 1000, depth, true)
		budget := int64(depth/8) * 2 << 20 // twice the grey image
		var err error
		peak, _ := heapPeak(func() {
			_, err = mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(budget)}.Thumbnails(bytes.NewReader(in), []int{64},
				func(int) io.Writer { return io.Discard })
		})
		t.Logf("%d-bit: peak heap growth %d KB (%v)", depth, peak>>10, err)
		if err == nil && int64(peak) > budget {
			t.Fatalf("%d-bit grey with tRNS: decoding held %d KB under a budget of %d KB", depth, peak>>10, budget>>10)
		}
		if err != nil && !errors.Is(err, mediaproc.ErrOverBudget) {
			t.Fatal(err)
		}
		// without tRNS it is grey, and fits
		if _, err := (mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(budget)}).Thumbnails(bytes.NewReader(grayPNG(t, 1000, 1000, depth, false)),
			[]int{64}, func(int) io.Writer { return io.Discard }); err != nil {
			t.Fatalf("%d-bit grey without tRNS: %v", depth, err)
		}
	}
}

// rgbJPEG is a w×h 4:2:0 JPEG whose components are named R, G and B,
// which Go decodes to YCbCr planes and then converts to RGBA.
func rgbJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	i := bytes.Index(out, []byte{0xff, 0xc0})
	if i < 0 || out[i+9] != 3 {
		t.Fatal("no 3-component SOF0")
	}
	j := bytes.Index(out, []byte{0xff, 0xda}) // SOS names them too
	if j < 0 || out[j+4] != 3 {
		t.Fatal("no 3-component SOS")
	}
	for c, id := range []byte("RGB") {
		out[i+10+3*c] = id
		out[j+5+2*c] = id
	}
	return out
}

// TestDecodeBudgetRGBJPEG: a JPEG stored as RGB (components named R, G,
// B) is decoded to planes and then converted to RGBA; the budget counts
// both, so what decoding holds stays within it or the image is refused.
func TestDecodeBudgetRGBJPEG(t *testing.T) {
	in := rgbJPEG(t, 1000, 1000)
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	const budget = 3 << 20
	var err error
	peak, _ := heapPeak(func() {
		_, err = mediaproc.Thumbnailer{Budget: mediaproc.NewBudget(budget)}.Thumbnails(bytes.NewReader(in), []int{64},
			func(int) io.Writer { return io.Discard })
	})
	t.Logf("peak heap growth %d KB (%v)", peak>>10, err)
	if err == nil && peak > budget {
		t.Fatalf("decoding held %d KB under a budget of %d KB", peak>>10, budget>>10)
	}
	if err != nil && !errors.Is(err, mediaproc.ErrOverBudget) {
		t.Fatal(err)
	}
}
