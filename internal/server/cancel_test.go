package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestCancelledRequestsAreNotServerErrors checks that a request its client
// gave up on is logged at debug/info with status 499, never as an ERROR.
func TestCancelledRequestsAreNotServerErrors(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[1])
	in.CreateSuperuser(t, "root@example.com")
	c := in.LoggedIn(t, "root@example.com")

	var mu sync.Mutex
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/api/users", nil).WithContext(ctx)
	req.Header.Set("X-Request-Id", "cancelled-by-client-1")
	for _, ck := range c.HTTP.Jar.Cookies(mustURL(c.Base)) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	in.Srv.Handler.ServeHTTP(rec, req)

	mu.Lock()
	defer mu.Unlock()
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "cancelled-by-client-1") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatal("the cancelled request was not logged")
	}
	logged := false
	for _, l := range lines {
		if strings.Contains(l, `"level":"ERROR"`) {
			t.Errorf("a cancelled request logged an error: %s", l)
		}
		if strings.Contains(l, `"msg":"request"`) {
			logged = true
			if !strings.Contains(l, `"status":499`) || !strings.Contains(l, `"level":"INFO"`) {
				t.Errorf("request line: %s", l)
			}
		}
	}
	if !logged {
		t.Fatalf("no request line: %v", lines)
	}
	if rec.Code == http.StatusOK {
		t.Fatalf("a request cancelled before it started was served: %d", rec.Code)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
