package testkit

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// S3 is a private S3-compatible server (versitygw over a temp directory)
// owned by one test.
type S3 struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
}

// tool finds a binary on PATH or in the repository's bin/ (where
// scripts/services.sh installs pinned Go tools).
func tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "bin", name)
			if _, err := os.Stat(p); err != nil {
				return "", err
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", exec.ErrNotFound
		}
		dir = parent
	}
}

// StartS3 starts versitygw on a free loopback port, allowing browser
// uploads from any origin (CORS); it stops when the test ends.
func StartS3(t testing.TB) *S3 {
	t.Helper()
	bin, err := tool("versitygw")
	if err != nil {
		t.Fatalf("versitygw is required for this test (scripts/services.sh installs it into bin/): %v", err)
	}
	port := freePort(t)
	s := &S3{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), AccessKey: "pktestaccess", SecretKey: "pktestsecret0123456789"}
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", "127.0.0.1:"+strconv.Itoa(port),
		"--cors-allow-origin", "*", "posix", t.TempDir())
	cmd.Env = append(os.Environ(), "VGW_QUIET=true")
	if !Quiet() {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			_ = c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s", s.Endpoint)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
