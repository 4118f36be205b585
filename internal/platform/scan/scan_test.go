package scan_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/scan"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

func scanner(t *testing.T) scan.Scanner {
	t.Helper()
	return scan.Scanner{Addr: testkit.StartClamd(t).Addr, Timeout: time.Minute}
}

func TestVerdicts(t *testing.T) {
	if len(testkit.EICAR) != 68 {
		t.Fatalf("testkit.EICAR is %d bytes, want 68", len(testkit.EICAR))
	}
	s := scanner(t)
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(3, 3, color.RGBA{R: 255, A: 255})
	var pngFile bytes.Buffer
	if err := png.Encode(&pngFile, img); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 300_000)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(random)

	for _, tc := range []struct {
		name      string
		file      []byte
		clean     bool
		signature string
	}{
		{"eicar", []byte(testkit.EICAR), false, "Eicar-Test"},
		{"eicar with newline is another file", []byte(testkit.EICAR + "\n"), true, ""},
		{"eicar missing its $H is another file", []byte(strings.Replace(testkit.EICAR, "$H", "H", 1)), true, ""},
		{"empty", nil, true, ""},
		{"random bytes", random, true, ""},
		{"png", pngFile.Bytes(), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Scan(context.Background(), bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if res.Clean != tc.clean || !strings.Contains(res.Signature, tc.signature) {
				t.Fatalf("got %+v, want clean=%v signature~%q", res, tc.clean, tc.signature)
			}
			if res.Clean && res.Signature != "" {
				t.Fatalf("clean result with a signature: %+v", res)
			}
		})
	}
}

// countingReader generates n pseudo-random bytes on the fly.
type countingReader struct {
	src  *rand.ChaCha8
	left int64
	read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, _ := r.src.Read(p)
	r.left -= int64(n)
	r.read += int64(n)
	return n, nil
}

func TestLargeCleanStream(t *testing.T) {
	s := scanner(t)
	const size = 20 << 20
	r := &countingReader{src: rand.NewChaCha8([32]byte{2}), left: size}
	start := time.Now()
	res, err := s.Scan(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Clean || r.read != size {
		t.Fatalf("got %+v after %d bytes", res, r.read)
	}
	t.Logf("scanned %d MiB in %s", size>>20, time.Since(start).Round(time.Millisecond))
}

func TestEICARInOneByteChunks(t *testing.T) {
	// 68 one-byte chunks: clamd must see them as one file.
	s := scanner(t)
	res, err := s.Scan(context.Background(), iotest.OneByteReader(strings.NewReader(testkit.EICAR)))
	if err != nil || res.Clean || !strings.Contains(res.Signature, "Eicar-Test") {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestTooLarge(t *testing.T) {
	c := testkit.StartClamdLimit(t, 1<<20)
	s := scan.Scanner{Addr: c.Addr, Timeout: time.Minute}
	r := &countingReader{src: rand.NewChaCha8([32]byte{4}), left: 4 << 20}
	res, err := s.Scan(context.Background(), r)
	if !errors.Is(err, scan.ErrTooLarge) || res.Clean {
		t.Fatalf("got %+v, %v; want ErrTooLarge", res, err)
	}
	t.Log(err)
	// Within the limit, the same clamd still scans.
	if res, err := s.Scan(context.Background(), strings.NewReader(testkit.EICAR)); err != nil || !strings.Contains(res.Signature, "Eicar-Test") {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestPing(t *testing.T) {
	if err := scanner(t).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestClamdDown(t *testing.T) {
	s := scan.Scanner{Addr: closedAddr(t), Timeout: 5 * time.Second}
	res, err := s.Scan(context.Background(), strings.NewReader("hello"))
	if err == nil || res.Clean {
		t.Fatalf("got %+v, %v; want an error", res, err)
	}
	t.Log(err)
	if err := s.Ping(context.Background()); err == nil {
		t.Fatal("Ping succeeded with nothing listening")
	}
}

// endless never runs out of bytes.
type endless struct{}

func (endless) Read(p []byte) (int, error) { return len(p), nil }

func TestCancel(t *testing.T) {
	s := scanner(t)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := s.Scan(ctx, strings.NewReader(testkit.EICAR)); !errors.Is(err, context.Canceled) || res.Clean {
		t.Fatalf("already cancelled: got %+v, %v", res, err)
	}

	// Cancelled mid-stream: an endless file would otherwise run into
	// clamd's size limit, well after a second.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	res, err := s.Scan(ctx, endless{})
	if !errors.Is(err, context.Canceled) || res.Clean {
		t.Fatalf("mid-stream: got %+v, %v", res, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancelled scan returned after %s", d)
	}
}

func TestDeadlineWhenClamdHangs(t *testing.T) {
	// A clamd that accepts but never reads nor answers (as when it is
	// stuck): the scan must end at the deadline, not hang.
	s := scan.Scanner{Addr: testkit.SilentServer(t), Timeout: 300 * time.Millisecond}
	start := time.Now()
	res, err := s.Scan(context.Background(), endless{})
	if !errors.Is(err, context.DeadlineExceeded) || res.Clean {
		t.Fatalf("got %+v, %v; want DeadlineExceeded", res, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("scan returned after %s", d)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ping: %v; want DeadlineExceeded", err)
	}
}
