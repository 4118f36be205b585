package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// mediaCmd times the media pipeline on two large files and records the
// server's peak resident memory while it processes each: a 100 MB video
// (streamed through the scanner and type check, never decoded) and a
// 24-megapixel JPEG (stripped and thumbnailed). Before each file it resets
// the server's peak-RSS mark (/proc/PID/clear_refs, which needs the same
// user or root), so each peak is the process's high-water mark during that
// file's upload and processing.
func mediaCmd(args []string) error {
	fs := flag.NewFlagSet("media", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the running Pishkhan (loopback)")
	email := fs.String("email", os.Getenv("PISHKHAN_BENCH_EMAIL"), "login email")
	password := fs.String("password", os.Getenv("PISHKHAN_BENCH_PASSWORD"), "login password")
	pid := fs.Int("pid", 0, "the server's process id, whose memory is read from /proc")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := loopbackURL(*base)
	if err != nil {
		return err
	}
	if *pid <= 0 {
		return errors.New("-pid is required")
	}
	c := newClient(u, 1)
	ctx := context.Background()
	csrf, err := c.loginCSRF(ctx, *email, *password)
	if err != nil {
		return err
	}
	logf("generating a 24-megapixel JPEG")
	photo, err := bigJPEG(6000, 4000)
	if err != nil {
		return err
	}
	video := fakeMP4(100 << 20)
	fmt.Print("## Media pipeline\n\n")
	fmt.Printf("Measured by `pishkhan-bench media` against the same server (local-disk storage, no clamd, so the\n" +
		"scan step is skipped and files are marked not scanned). Upload is the signed PUT of the bytes to\n" +
		"the server; processing runs from `complete` until the item is `ready` (including up to one\n" +
		"JOB_POLL_INTERVAL, 500 ms, before a worker takes the job). Peak RSS is the server\n" +
		"process's high-water mark (VmHWM) during that file, its mark reset first (baseline: VmRSS before).\n\n")
	fmt.Println("| file | size | upload s | processing s | server RSS before MiB | peak RSS MiB |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, f := range []struct {
		name, ct string
		body     []byte
	}{{"video.mp4 (100 MB)", "video/mp4", video}, {"photo.jpg (6000×4000)", "image/jpeg", photo}} {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", *pid), []byte("5"), 0); err != nil {
			return fmt.Errorf("reset the peak RSS of %d: %w", *pid, err)
		}
		before, _ := procKiB(*pid, "VmRSS")
		up, proc, err := c.uploadOne(ctx, csrf, f.name, f.ct, f.body)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		peak, err := procKiB(*pid, "VmHWM")
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.1f MB | %.2f | %.2f | %.0f | %.0f |\n", f.name, float64(len(f.body))/1e6,
			up.Seconds(), proc.Seconds(), float64(before)/1024, float64(peak)/1024)
	}
	return nil
}

func procKiB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// loginCSRF logs in and returns the CSRF token writes need.
func (c *client) loginCSRF(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := c.newRequest(ctx, http.MethodPost, "/api/auth/login", bytes.NewReader(body), false)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("login: %d %v", resp.StatusCode, err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	return out.CSRF, nil
}

func (c *client) call(ctx context.Context, method, path, csrf string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, path, body, true)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return statusError(method, path, resp)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// uploadOne runs one file through upload, complete and the pipeline.
func (c *client) uploadOne(ctx context.Context, csrf, name, ct string, body []byte) (upload, processing time.Duration, err error) {
	var up struct {
		Media struct {
			ID int64 `json:"id"`
		} `json:"media"`
		Upload struct {
			Method  string            `json:"method"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"upload"`
	}
	if err := c.call(ctx, "POST", "/api/media/upload", csrf, map[string]any{"filename": name, "content_type": ct, "size": len(body)}, &up); err != nil {
		return 0, 0, err
	}
	if !strings.HasPrefix(up.Upload.URL, "/") {
		return 0, 0, fmt.Errorf("the upload goes to %s; this measurement wants local-disk storage", up.Upload.URL)
	}
	t0 := time.Now()
	req, err := c.newRequest(ctx, up.Upload.Method, up.Upload.URL, bytes.NewReader(body), true)
	if err != nil {
		return 0, 0, err
	}
	for k, v := range up.Upload.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-CSRF-Token", csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, 0, fmt.Errorf("PUT: %s", resp.Status)
	}
	upload = time.Since(t0)
	t1 := time.Now()
	path := "/api/media/" + strconv.FormatInt(up.Media.ID, 10)
	if err := c.call(ctx, "POST", path+"/complete", csrf, nil, nil); err != nil {
		return 0, 0, err
	}
	for {
		var m struct{ Status, Reason string }
		if err := c.call(ctx, "GET", path, "", nil, &m); err != nil {
			return 0, 0, err
		}
		switch m.Status {
		case "ready":
			return upload, time.Since(t1), nil
		case "rejected", "failed":
			return 0, 0, fmt.Errorf("the pipeline ended %s: %s", m.Status, m.Reason)
		}
		if time.Since(t1) > 5*time.Minute {
			return 0, 0, errors.New("not ready after 5 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func bigJPEG(w, h int) ([]byte, error) {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Y[y*img.YStride+x] = uint8((x ^ y) + x/7)
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(i), uint8(i/3)
	}
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes(), err
}

// fakeMP4 is an ISO BMFF file of n bytes: an ftyp box, then one big mdat.
func fakeMP4(n int) []byte {
	b := make([]byte, n)
	copy(b, []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'})
	size := n - 0x18
	b[0x18], b[0x19], b[0x1a], b[0x1b] = byte(size>>24), byte(size>>16), byte(size>>8), byte(size)
	copy(b[0x1c:], "mdat")
	for i := 0x20; i < n; i += 4096 {
		b[i] = byte(i >> 12)
	}
	return b
}
