package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

var pgRedis = testkit.Mode{Name: "postgres+redis", Postgres: true, Redis: true}

// sseEvents opens /api/events as c and sends each event's data on the
// returned channel until the test ends (the hello event aside).
func sseEvents(t *testing.T, c *testkit.Client) <-chan string {
	t.Helper()
	_, out := sseConnect(t, c)
	return out
}

// sseConnect opens /api/events as c and returns the data of its first
// event, hello, and a channel of the events after it.
func sseConnect(t *testing.T, c *testkit.Client) (string, <-chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/events", nil)
	resp, err := c.HTTP.Do(req) //nolint:bodyclose // the reader goroutine closes it
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	event := ""
	next := func() (string, bool) {
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				return event + " " + strings.TrimPrefix(line, "data: "), true
			}
		}
		return "", false
	}
	hello, ok := next()
	if !ok || !strings.HasPrefix(hello, "hello ") {
		t.Fatalf("the stream did not start with hello: %q", hello)
	}
	out := make(chan string, 16)
	go func() {
		defer resp.Body.Close()
		for {
			e, ok := next()
			if !ok {
				return
			}
			out <- e
		}
	}()
	return strings.TrimPrefix(hello, "hello "), out
}

func waitEvent(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-ch:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("event %q did not arrive", want)
		}
	}
}

// twoInstances starts two instances over one PostgreSQL database and one
// Redis, with a superuser logged in on the first.
func twoInstances(t *testing.T, env map[string]string) (a, b *testkit.Instance, admin *testkit.Client) {
	sh := testkit.NewShared(t, pgRedis)
	a, b = testkit.Start(t, sh, env), testkit.Start(t, sh, env)
	a.CreateSuperuser(t, "admin@example.com")
	return a, b, a.LoggedIn(t, "admin@example.com")
}

// (1) A write through one instance is read fresh through another at once,
// and the other's SSE stream delivers the event.
func TestCacheTwoInstancesReadYourWrites(t *testing.T) {
	t.Parallel()
	_, b, onA := twoInstances(t, nil)
	onB := onA.For(b)
	id := onA.CreateOrder("two@example.com")
	detail := fmt.Sprintf("/api/orders/%d", id)
	list := "/api/orders?q=two@&page_size=5"
	for range 2 { // warm B's cache
		onB.Do("GET", detail, nil)
		onB.Do("GET", list, nil)
	}
	if s := onB.Do("GET", detail, nil).Header.Get("Cache-Status"); s != "pishkhan; hit" {
		t.Fatalf("B should serve the detail from cache, got %q", s)
	}
	events := sseEvents(t, onB)
	for _, st := range []string{"paid", "processing", "cancelled"} {
		if r := onA.Do("PUT", detail+"/status", map[string]string{"status": st}); r.Status != 200 {
			t.Fatalf("update on A: %d %s", r.Status, r.Body)
		}
		if got := onB.Do("GET", detail, nil).Map(t)["status"]; got != st {
			t.Fatalf("B served %v right after A wrote %s", got, st)
		}
		var l struct{ Items []struct{ Status string } }
		onB.Do("GET", list, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Status != st {
			t.Fatalf("B's list is stale after A wrote %s: %+v", st, l.Items)
		}
		waitEvent(t, events, fmt.Sprintf(`orders {"event":"updated","resource":"orders","id":%d}`, id))
	}
	created := onA.CreateOrder("two-again@example.com")
	waitEvent(t, events, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, created))
}

var rank = map[string]int{"pending": 0, "paid": 1, "processing": 2, "shipped": 3, "delivered": 4}

// (2) Many concurrent readers on two instances while one writer steps an
// order through its statuses: no read that starts after a write returned
// sees an older status.
func TestCacheNoStaleReadAfterWrite(t *testing.T) {
	t.Parallel()
	a, b, writer := twoInstances(t, nil)
	path := fmt.Sprintf("/api/orders/%d", writer.CreateOrder("race@example.com"))
	var done atomic.Bool
	var committed atomic.Int64 // rank of the last status whose write returned
	var reads, violations atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		c := writer.For(a)
		if i%2 == 1 {
			c = writer.For(b)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				floor := committed.Load()
				r := c.Do("GET", path, nil)
				var o struct{ Status string }
				_ = json.Unmarshal(r.Body, &o)
				reads.Add(1)
				if int64(rank[o.Status]) < floor {
					violations.Add(1)
					t.Errorf("read started after %d committed but saw %q", floor, o.Status)
				}
			}
		}()
	}
	for _, st := range []string{"paid", "processing", "shipped", "delivered"} {
		time.Sleep(50 * time.Millisecond)
		if r := writer.Do("PUT", path+"/status", map[string]string{"status": st}); r.Status != 200 {
			t.Fatalf("write %s: %d", st, r.Status)
		}
		committed.Store(int64(rank[st]))
	}
	time.Sleep(50 * time.Millisecond)
	done.Store(true)
	wg.Wait()
	if reads.Load() < 50 {
		t.Fatalf("only %d reads ran; the test proves nothing", reads.Load())
	}
	t.Logf("%d reads, %d stale", reads.Load(), violations.Load())
}

// (4) 200 concurrent misses on one key cause one database read, across
// two instances (singleflight within each, a Redis lease between them).
func TestCacheStampede(t *testing.T) {
	t.Parallel()
	// a generous cache time budget: this test is about coalescing, not
	// about failing open when Redis is slow under the race detector
	a, b, c := twoInstances(t, map[string]string{"CACHE_TIMEOUT": "2s"})
	id := c.CreateOrder("stampede@example.com")
	var statusMu sync.Mutex
	statuses := map[string]int{}
	var fills atomic.Int64
	a.Srv.Orders.OnQuery(func() { fills.Add(1); time.Sleep(20 * time.Millisecond) })
	b.Srv.Orders.OnQuery(func() { fills.Add(1); time.Sleep(20 * time.Millisecond) })
	clients := []*testkit.Client{c.For(a), c.For(b)}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(cl *testkit.Client) {
			defer wg.Done()
			<-start
			r := cl.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil)
			if r.Status != 200 {
				failed.Add(1)
			}
			statusMu.Lock()
			statuses[r.Header.Get("Cache-Status")]++
			statusMu.Unlock()
		}(clients[i%2])
	}
	close(start)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	if n := fills.Load(); n != 1 {
		t.Fatalf("200 concurrent misses caused %d database reads, want 1 (%v)", n, statuses)
	}
}

// (5) Redis paused mid-test: cache reads fall back to the database within
// the time budget, requests that need the session store answer 503, a
// write made meanwhile is never hidden by the cache, and everything
// recovers when Redis returns.
func TestCacheRedisOutage(t *testing.T) {
	t.Parallel()
	sh := testkit.NewShared(t, pgRedis)
	in := testkit.Start(t, sh, nil)
	in.CreateSuperuser(t, "admin@example.com")
	c := in.LoggedIn(t, "admin@example.com")
	id := c.CreateOrder("outage@example.com")
	path := fmt.Sprintf("/api/orders/%d", id)
	c.Do("GET", path, nil)
	if s := c.Do("GET", path, nil).Header.Get("Cache-Status"); s != "pishkhan; hit" {
		t.Fatalf("warm-up: %q", s)
	}
	admin := &authz.Principal{UserID: 1, Email: "admin@example.com", Superuser: true}
	ctx := authz.With(context.Background(), admin)

	sh.Redis.Pause()
	defer sh.Redis.Resume()

	start := time.Now()
	r := c.Do("GET", path, nil)
	if r.Status != 503 || r.Code() != "UNAVAILABLE" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("a session request with Redis down must fail closed with 503: %d %s", r.Status, r.Body)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("the 503 took %s", time.Since(start))
	}
	for i := 0; i < 5; i++ {
		start := time.Now()
		body, st, err := in.Srv.Orders.Get(ctx, id)
		if err != nil || st != cache.Bypass || !strings.Contains(string(body), `"status":"pending"`) {
			t.Fatalf("cached read with Redis down: %v %s %s", err, st, body)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("fail-open read took %s", d)
		}
	}
	// a write while Redis is down: the cached "pending" must never come back
	if _, err := in.Srv.Orders.UpdateStatus(ctx, id, orders.StatusInput{Status: orders.Paid}, ""); err != nil {
		t.Fatalf("write with Redis down: %v", err)
	}
	body, _, err := in.Srv.Orders.Get(ctx, id)
	if err != nil || !strings.Contains(string(body), `"status":"paid"`) {
		t.Fatalf("read after write with Redis down: %v %s", err, body)
	}

	sh.Redis.Resume()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.Do("GET", path, nil)
		if r.Status == 200 {
			if r.Map(t)["status"] != "paid" {
				t.Fatalf("after recovery the cache served the pre-outage value: %s", r.Body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("did not recover: %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var hit bool
	for i := 0; i < 50 && !hit; i++ {
		r := c.Do("GET", path, nil)
		hit = r.Header.Get("Cache-Status") == "pishkhan; hit"
		if r.Map(t)["status"] != "paid" {
			t.Fatalf("stale after recovery: %s", r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !hit {
		t.Fatal("the cache was not used again after Redis returned")
	}

	// Redis killed outright: reads fail open, sessions fail closed
	sh.Redis.Stop()
	if _, st, err := in.Srv.Orders.Get(ctx, id); err != nil || st != cache.Bypass {
		t.Fatalf("read with Redis gone: %v %s", err, st)
	}
	if r := c.Do("GET", path, nil); r.Status != 503 {
		t.Fatalf("session request with Redis gone: %d", r.Status)
	}
	if r := c.Do("GET", "/readyz", nil); r.Status != 503 || !strings.Contains(string(r.Body), "redis") {
		t.Fatalf("readyz must name redis: %d %s", r.Status, r.Body)
	}
}

// (6) A restricted user never receives a response cached for a more
// privileged one, in either order, and vice versa.
func TestCacheNeverWidensAccess(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "pii@example.com", "orders.view", "orders.create", "customers.view_pii")
			in.CreateUser(t, "masked@example.com", "orders.view")
			in.CreateUser(t, "outsider@example.com", "media.view")
			pii, masked, outsider := in.LoggedIn(t, "pii@example.com"), in.LoggedIn(t, "masked@example.com"), in.LoggedIn(t, "outsider@example.com")
			x, y := pii.CreateOrder("first.x@example.com"), pii.CreateOrder("first.y@example.com")
			email := func(c *testkit.Client, path string) string {
				r := c.Do("GET", path, nil)
				if r.Status != 200 {
					t.Fatalf("%s: %d", path, r.Status)
				}
				return fmt.Sprint(r.Map(t)["customer"].(map[string]any)["email"])
			}
			listEmail := func(c *testkit.Client, q string) string {
				var l struct {
					Items []struct{ Customer struct{ Email string } }
				}
				c.Do("GET", "/api/orders?q="+q, nil).JSON(t, &l)
				if len(l.Items) != 1 {
					t.Fatalf("list %s: %+v", q, l)
				}
				return l.Items[0].Customer.Email
			}
			// privileged first, then restricted
			for range 2 {
				if got := email(pii, fmt.Sprintf("/api/orders/%d", x)); got != "first.x@example.com" {
					t.Fatalf("pii holder got %s", got)
				}
				if got := email(masked, fmt.Sprintf("/api/orders/%d", x)); got != "f***@example.com" {
					t.Fatalf("restricted user got %s after a privileged read", got)
				}
				// by order number: without customers.view_pii q does not search emails
				if got := listEmail(pii, fmt.Sprintf("ORD-%06d", x)); got != "first.x@example.com" {
					t.Fatalf("pii list %s", got)
				}
				if got := listEmail(masked, fmt.Sprintf("ORD-%06d", x)); got != "f***@example.com" {
					t.Fatalf("restricted list got %s", got)
				}
			}
			// restricted first, then privileged
			for range 2 {
				if got := email(masked, fmt.Sprintf("/api/orders/%d", y)); got != "f***@example.com" {
					t.Fatalf("restricted user got %s", got)
				}
				if got := email(pii, fmt.Sprintf("/api/orders/%d", y)); got != "first.y@example.com" {
					t.Fatalf("privileged user got %s after a restricted read", got)
				}
			}
			if r := outsider.Do("GET", fmt.Sprintf("/api/orders/%d", x), nil); r.Status != 403 {
				t.Fatalf("a user without orders.view got %d for a cached order", r.Status)
			}
			if r := outsider.Do("GET", "/api/orders?q=first.x", nil); r.Status != 403 {
				t.Fatalf("a user without orders.view got %d for a cached list", r.Status)
			}
		})
	}
}
