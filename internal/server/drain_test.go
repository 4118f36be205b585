package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// On SIGTERM (ctx ends) serve stops accepting at once, ends event streams
// with a retry hint, lets the request in flight finish, and returns.
func TestDrainOnShutdown(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"SHUTDOWN_TIMEOUT": "10s"})
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	entered := make(chan struct{})
	h := in.Srv.Handler
	in.Srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" { // a request that takes a while: /healthz, late
			close(entered)
			time.Sleep(2 * time.Second)
			r.URL.Path = "/healthz"
		}
		h.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- in.Srv.Serve(ctx, ln) }()

	stream, err := c.HTTP.Get(base + "/api/events") // the jar's cookies hold for any port
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", err, stream)
	}
	defer stream.Body.Close()
	rd := bufio.NewReader(stream.Body)
	for line := ""; !strings.HasPrefix(line, "event: hello"); {
		if line, err = rd.ReadString('\n'); err != nil {
			t.Fatalf("no hello event: %v", err)
		}
	}
	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		r, err := http.Get(base + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		slow <- result{r.StatusCode, string(b), err}
	}()
	<-entered
	cancel() // what SIGTERM does

	rest, err := io.ReadAll(rd) // the stream ends...
	if err != nil {
		t.Fatalf("the event stream did not end cleanly: %v", err)
	}
	if !strings.Contains(string(rest), "\nretry: ") && !strings.HasPrefix(string(rest), "retry: ") {
		t.Fatalf("the event stream ended without a retry hint: %q", rest)
	}
	select {
	case r := <-slow:
		t.Fatalf("the slow request ended before its time: %+v", r)
	default:
	}
	// ...while nothing new is accepted
	if r, err := http.Get(base + "/healthz"); err == nil {
		r.Body.Close()
		t.Fatalf("a new request was accepted while draining: %d", r.StatusCode)
	}
	r := <-slow
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, `"ok"`) {
		t.Fatalf("the in-flight request did not complete: %+v", r)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after draining")
	}
}

// With SHUTDOWN_DELAY, SIGTERM first makes the instance unready while it
// goes on serving, so a balancer takes it out before it stops accepting.
func TestShutdownDelayKeepsServingWhileUnready(t *testing.T) {
	t.Parallel()
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"SHUTDOWN_DELAY": "2s"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- in.Srv.Serve(ctx, ln) }()
	get := func(path string) (int, string, error) {
		r, err := http.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		return r.StatusCode, string(b), err
	}
	if st, body, err := get("/readyz"); err != nil || st != 200 {
		t.Fatalf("ready before SIGTERM: %d %s %v", st, body, err)
	}
	cancel() // what SIGTERM does
	deadline := time.Now().Add(time.Second)
	for {
		st, body, err := get("/readyz")
		if err != nil {
			t.Fatalf("stopped accepting during SHUTDOWN_DELAY: %v", err)
		}
		if st == 503 && strings.Contains(body, `"draining"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after SIGTERM: %d %s, want 503 draining", st, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st, _, err := get("/api/ping"); err != nil || st != 200 {
		t.Fatalf("a request during SHUTDOWN_DELAY: %d %v, want it served", st, err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after the delay and the drain")
	}
	if _, _, err := get("/api/ping"); err == nil {
		t.Fatal("a request was accepted after the drain")
	}
}
