package mediaproc_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
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
