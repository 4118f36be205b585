// Package topology drives a running scale-out topology (scripts/topology.sh
// up) over HTTP, as its users would: through the balancer, or one instance
// directly. Its test (build tag "topology", run by scripts/test.sh) and
// the chaos driver (cmd/pishkhan-chaos) use it.
package topology

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"time"
)

// Env is what `scripts/topology.sh up` printed.
type Env struct {
	URL           string   // the balancer
	InstanceURLs  []string // each instance
	AdminEmail    string
	AdminPassword string
}

// FromEnv reads PISHKHAN_URL, PISHKHAN_INSTANCE_URLS, PISHKHAN_ADMIN_EMAIL
// and PISHKHAN_ADMIN_PASSWORD; a missing one is an error naming it.
func FromEnv() (Env, error) {
	e := Env{
		URL:           os.Getenv("PISHKHAN_URL"),
		InstanceURLs:  strings.Fields(os.Getenv("PISHKHAN_INSTANCE_URLS")),
		AdminEmail:    os.Getenv("PISHKHAN_ADMIN_EMAIL"),
		AdminPassword: os.Getenv("PISHKHAN_ADMIN_PASSWORD"),
	}
	var missing []string
	for name, v := range map[string]bool{"PISHKHAN_URL": e.URL != "", "PISHKHAN_INSTANCE_URLS": len(e.InstanceURLs) > 0,
		"PISHKHAN_ADMIN_EMAIL": e.AdminEmail != "", "PISHKHAN_ADMIN_PASSWORD": e.AdminPassword != ""} {
		if !v {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return e, fmt.Errorf("the topology is not described: %s unset (run scripts/topology.sh up and export what it prints)", strings.Join(missing, ", "))
	}
	return e, nil
}

// Client is one logged-in user. Its session cookie is sent to every
// instance (cookies do not tell ports apart), so it may talk to the
// balancer or to any instance.
type Client struct {
	HTTP *http.Client
	CSRF string
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// Login logs email in through base.
func Login(ctx context.Context, base, email, password string) (*Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &Client{HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	r, err := c.Do(ctx, base, "POST", "/api/auth/login", map[string]string{"email": email, "password": password}, nil)
	if err != nil {
		return nil, err
	}
	if r.Status != 200 {
		return nil, fmt.Errorf("login: %d %s", r.Status, r.Body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := r.JSON(&out); err != nil || out.CSRF == "" {
		return nil, fmt.Errorf("login answer: %s", r.Body)
	}
	c.CSRF = out.CSRF
	return c, nil
}

// Do sends a request to base+path with body as JSON (nil: none) and the
// CSRF token, plus headers.
func (c *Client) Do(ctx context.Context, base, method, path string, body any, headers map[string]string) (Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// Event is one Server-Sent Event.
type Event struct {
	Name string
	Data string
}

// Stream is an open /api/events stream.
type Stream struct {
	Events <-chan Event
	cancel context.CancelFunc
}

// Close ends the stream.
func (s *Stream) Close() { s.cancel() }

// OpenStream connects to base's /api/events and returns once the hello
// event arrived, so every event published afterwards is delivered.
func (c *Client) OpenStream(ctx context.Context, base string) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	if err != nil {
		cancel()
		return nil, err
	}
	hc := *c.HTTP
	hc.Timeout = 0
	resp, err := hc.Do(req) //nolint:bodyclose // the reader goroutine closes it
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("/api/events: %d %s", resp.StatusCode, b)
	}
	ch := make(chan Event, 256)
	hello := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var e Event
		greeted := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.Data = strings.TrimPrefix(line, "data: ")
			case line == "" && e.Name != "":
				if !greeted && e.Name == "hello" {
					greeted = true
					close(hello)
				} else {
					select {
					case ch <- e:
					case <-ctx.Done():
						return
					}
				}
				e = Event{}
			}
		}
	}()
	select {
	case <-hello:
		return &Stream{Events: ch, cancel: cancel}, nil
	case <-time.After(10 * time.Second):
		cancel()
		return nil, errors.New("/api/events: no hello event within 10s")
	}
}

// Order is the part of an order the topology's checks read.
type Order struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Status string `json:"status"`
}

// NewOrder is a valid create-order body; tag makes it findable.
func NewOrder(tag string) map[string]any {
	return map[string]any{
		"customer": map[string]any{"name": "Topology " + tag, "email": tag + "@topology.example"},
		"items":    []map[string]any{{"sku": "SKU-1", "name": "Thing", "quantity": 2, "unit_price": 1250}},
		"currency": "IRR",
		"note":     tag,
	}
}
