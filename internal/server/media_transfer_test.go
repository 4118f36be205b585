package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// timedServer serves the instance behind the http.Server production runs
// (its read and write timeouts), and answers its base URL.
func timedServer(t *testing.T, in *testkit.Instance) string {
	t.Helper()
	hs := httptest.NewUnstartedServer(in.Srv.Handler)
	hs.Config = in.Srv.HTTPServer()
	hs.Start()
	t.Cleanup(hs.Close)
	return hs.URL
}

// paced reads chunk bytes every period: a slow but steady client.
type paced struct {
	r      io.Reader
	chunk  int
	period time.Duration
}

func (p *paced) Read(b []byte) (int, error) {
	time.Sleep(p.period)
	if len(b) > p.chunk {
		b = b[:p.chunk]
	}
	n, err := io.ReadFull(p.r, b)
	if err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

// pdfOf is a PDF of n bytes.
func pdfOf(n int) []byte {
	b := bytes.Repeat([]byte{'\n'}, n)
	copy(b, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
	copy(b[n-6:], "%%EOF\n")
	return b
}

// TestStorageTransferDeadlines: signed local-disk transfers get deadlines
// sized to their bytes (MEDIA_TRANSFER_GRACE + size / MEDIA_TRANSFER_MIN_RATE),
// not the server's request write timeout (here 7 s): a steady 9.6 s upload
// gets its reply and a steady 10 s download of 40 MB arrives whole. A request with a
// bad or spent signature trickling its body is answered and cut at once.
func TestStorageTransferDeadlines(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"JOB_POLL_INTERVAL": "50ms",
		"REQUEST_TIMEOUT": "2s", "MEDIA_TRANSFER_MIN_RATE": "131072", "MEDIA_TRANSFER_GRACE": "2s"})
	in.CreateUser(t, "editor@example.com", "media.view", "media.upload")
	ed := in.LoggedIn(t, "editor@example.com")
	base := timedServer(t, in)

	t.Run("a slow upload gets its reply", func(t *testing.T) {
		t.Parallel()
		body := pdfOf(1536 << 10)
		var up uploadAnswer
		ed.Do("POST", "/api/media/upload", map[string]any{"filename": "slow.pdf", "content_type": "application/pdf", "size": len(body)}).JSON(t, &up)
		req, _ := http.NewRequest("PUT", base+up.Upload.URL, &paced{bytes.NewReader(body), 16 << 10, 100 * time.Millisecond})
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/pdf")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("a steady upload of %v got no reply: %v", time.Since(start), err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("a steady upload: %d", resp.StatusCode)
		}
		if d := time.Since(start); d < 8*time.Second {
			t.Fatalf("the upload took %v; the test needs it slower than the write timeout", d)
		}
	})

	t.Run("a slow download arrives whole", func(t *testing.T) {
		t.Parallel()
		body := pdfOf(40 << 20) // more than loopback's socket buffers hold
		m := upload(t, in, ed, "big.pdf", "application/pdf", body)
		if m.Status != "ready" {
			t.Fatalf("the upload: %+v", m)
		}
		// a small receive buffer, so the kernel cannot take the file at once
		dialer := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 32<<10) })
		}}
		client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
		start := time.Now()
		resp, err := client.Get(base + *m.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(&paced{resp.Body, 128 << 10, 32 * time.Millisecond})
		_ = resp.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("a steady download was cut after %v: %d of %d bytes, %v", time.Since(start), len(got), len(body), err)
		}
		if d := time.Since(start); d < 8*time.Second {
			t.Fatalf("the download took %v; the test needs it slower than the write timeout", d)
		}
	})

	t.Run("a bad signature is cut before its body", func(t *testing.T) {
		t.Parallel()
		body := []byte("%PDF-1.4 spent")
		var up uploadAnswer
		ed.Do("POST", "/api/media/upload", map[string]any{"filename": "x.pdf", "content_type": "application/pdf", "size": len(body)}).JSON(t, &up)
		if s := sendSigned(t, in, up.Upload, body); s != 200 {
			t.Fatalf("first PUT: %d", s)
		}
		for name, path := range map[string]string{"bad": "/api/storage/bad.token", "spent": up.Upload.URL} {
			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n", path, len(body))
			ctx, stop := context.WithCancel(context.Background())
			go func() { // one byte every 200 ms
				for i := 0; ctx.Err() == nil && i < len(body)-1; i++ {
					if _, err := conn.Write(body[i : i+1]); err != nil {
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
			}()
			start := time.Now()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				stop()
				t.Fatalf("%s signature: no answer after %v: %v", name, time.Since(start), err)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			rest, _ := io.ReadAll(br) // the server closes the connection
			stop()
			if resp.StatusCode != 403 || err != nil || len(rest) != 0 || time.Since(start) > 2*time.Second {
				t.Fatalf("%s signature: %d after %v (%v, %q)", name, resp.StatusCode, time.Since(start), err, rest)
			}
		}
	})
}
