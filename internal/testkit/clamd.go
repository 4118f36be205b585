package testkit

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// EICARSignature is the one signature a test clamd loads: the MD5 and size
// of the EICAR anti-virus test file, named Eicar-Test. Tests cannot download
// ClamAV's real databases, and need only a detection they can trigger.
const EICARSignature = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test"

// EICAR is the standard 68-byte anti-virus test file (mind the "$H" near
// its end: a shell expands it away, leaving 67 bytes no scanner detects).
// clamd reports it as "Eicar-Test.UNOFFICIAL".
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// ClamdStreamMax is the stream, file and scan size limit of StartClamd's
// clamd: room for the 100 MB uploads Pishkhan accepts.
const ClamdStreamMax = 128 << 20

// Clamd is a private clamd process owned by one test.
type Clamd struct {
	Addr      string // 127.0.0.1:PORT, for a TCP client
	StreamMax int64  // bytes one INSTREAM may carry before clamd refuses it
	Dir       string // holds clamd.conf, clamd.log, the database and temp files
}

// clamdBinary finds clamd on PATH or where Debian's clamav-daemon puts it
// (/usr/sbin is not on an ordinary user's PATH).
func clamdBinary() (string, error) {
	if p, err := exec.LookPath("clamd"); err == nil {
		return p, nil
	}
	const debian = "/usr/sbin/clamd"
	if _, err := os.Stat(debian); err != nil {
		return "", fmt.Errorf("clamd not on PATH and %s: %w", debian, err)
	}
	return debian, nil
}

// StartClamd starts clamd on a free loopback port with the EICAR-only
// database and ClamdStreamMax limits; it is killed when the test ends.
// With one signature clamd is ready in well under a second, so every test
// gets its own.
func StartClamd(t testing.TB) *Clamd {
	t.Helper()
	return StartClamdLimit(t, ClamdStreamMax)
}

// StartClamdLimit is StartClamd with streamMax as clamd's StreamMaxLength,
// MaxFileSize and MaxScanSize, for tests of the size limit.
func StartClamdLimit(t testing.TB, streamMax int64) *Clamd {
	t.Helper()
	bin, err := clamdBinary()
	if err != nil {
		t.Fatalf("clamd is required for this test (Debian package clamav-daemon; scripts/services.sh installs it): %v", err)
	}
	dir := t.TempDir()
	dbDir := filepath.Join(dir, "db")
	if err := os.Mkdir(dbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dbDir, "eicar.hdb"), []byte(EICARSignature+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	c := &Clamd{Addr: "127.0.0.1:" + strconv.Itoa(port), StreamMax: streamMax, Dir: dir}
	logFile := filepath.Join(dir, "clamd.log")
	conf := strings.Join([]string{
		"Foreground yes",
		"DatabaseDirectory " + dbDir,
		"TemporaryDirectory " + dir,
		"LogFile " + logFile,
		"LogTime yes",
		"TCPAddr 127.0.0.1",
		"TCPSocket " + strconv.Itoa(port),
		"StreamMaxLength " + strconv.FormatInt(streamMax, 10),
		"MaxFileSize " + strconv.FormatInt(streamMax, 10),
		"MaxScanSize " + strconv.FormatInt(streamMax, 10),
		"SelfCheck 0", // the database never changes; no reloads mid-test
		"",
	}, "\n")
	confFile := filepath.Join(dir, "clamd.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "--config-file="+confFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if !Quiet() {
		cmd.Stdout = io.MultiWriter(&out, os.Stderr)
		cmd.Stderr = cmd.Stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start clamd: %v", err)
	}
	// out is only read once clamd has exited (Wait has copied all of it).
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	stop := func() { _ = cmd.Process.Kill(); <-done }
	t.Cleanup(stop)
	failed := func(why string) {
		t.Helper()
		stop()
		log, _ := os.ReadFile(logFile)
		t.Fatalf("clamd on %s %s (%v):\n%s%s", c.Addr, why, waitErr, out.String(), log)
	}

	// clamd loads its databases before it listens; the first PONG means
	// it is ready to scan.
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	for {
		if clamdPing(c.Addr) == nil {
			t.Logf("clamd ready on %s in %s", c.Addr, time.Since(start).Round(time.Millisecond))
			return c
		}
		select {
		case <-done:
			failed("exited before answering PING")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			failed("did not answer PING within 60s")
		}
	}
}

// clamdPing sends zPING and wants PONG.
func clamdPing(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return err
	}
	reply, err := io.ReadAll(conn)
	if err != nil {
		return err
	}
	if got := strings.TrimRight(string(reply), "\x00\n"); got != "PONG" {
		return fmt.Errorf("clamd answered PING with %q", got)
	}
	return nil
}

// SilentServer listens on a loopback port, accepts connections and never
// reads nor answers, like a stuck clamd; it returns host:port and stops
// when the test ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String()
}
