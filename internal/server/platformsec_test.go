package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// openEvents opens /api/events as c with extra headers (name, value pairs)
// and sends each event's "name data" on the returned channel, which is
// closed when the stream ends.
func openEvents(t *testing.T, c *testkit.Client, headers ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/events", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req) //nolint:bodyclose // the reader goroutine closes it
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				out <- event + " " + strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// expectEvent waits for want on ch; a closed stream fails at once.
func expectEvent(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before %q arrived", want)
			}
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("event %q did not arrive", want)
		}
	}
}

// Issue 12 #14: a script reading /api/events with an API token gets every
// event it may view, one after another, not a stream closed at the first.
func TestEventsWithBearerToken(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			tok := newToken(t, admin, []string{"orders.view"}, time.Now().Add(time.Hour))
			stream := openEvents(t, in.Client(t), "Authorization", "Bearer "+tok.Secret)
			for i := 0; i < 2; i++ {
				id := admin.CreateOrder(fmt.Sprintf("bearer%d@example.com", i))
				expectEvent(t, stream, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, id))
			}
			// a revoked token's stream ends at its next event
			if r := admin.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil); r.Status != 204 {
				t.Fatalf("revoke: %d %s", r.Status, r.Body)
			}
			after := admin.CreateOrder("revoked@example.com")
			deadline := time.After(3 * time.Second)
			for {
				select {
				case e, ok := <-stream:
					if !ok {
						return
					}
					if strings.Contains(e, fmt.Sprintf(`"id":%d`, after)) {
						t.Fatalf("a revoked token's stream received %s", e)
					}
				case <-deadline:
					t.Fatal("a revoked token's stream stayed open")
				}
			}
		})
	}
}
