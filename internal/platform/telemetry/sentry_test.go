package telemetry_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// sentryReceiver accepts Sentry envelopes at /api/<project>/envelope/ and
// keeps each event item, raw and decoded.
type sentryReceiver struct {
	mu     sync.Mutex
	events []map[string]any
	raw    []string
}

func (s *sentryReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/42/envelope/" {
		http.Error(w, "not the envelope endpoint", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	// an envelope: a header line, then (item header line, payload line) pairs
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan()
	for sc.Scan() {
		var item struct{ Type string }
		_ = json.Unmarshal(sc.Bytes(), &item)
		if !sc.Scan() {
			break
		}
		if item.Type == "event" {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.mu.Lock()
			s.events = append(s.events, ev)
			s.raw = append(s.raw, sc.Text())
			s.mu.Unlock()
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{}`))
}

func (s *sentryReceiver) take() ([]map[string]any, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, raw := s.events, s.raw
	s.events, s.raw = nil, nil
	return ev, raw
}

// A panic in a handler reaches a local Sentry receiver as one event with
// the method, route pattern, request id and user id, and nothing of the
// caller's email, cookies, Authorization or query string; a 500 answer is
// reported too, a 503 (a dependency down) and a 4xx are not.
func TestSentryReportsPanicsAndServerErrorsScrubbed(t *testing.T) {
	recv := &sentryReceiver{}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	flush, err := telemetry.StartSentry(telemetry.SentryConfig{DSN: "http://publickey@" + strings.TrimPrefix(srv.URL, "http://") + "/42",
		Environment: "test", Release: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flush(2 * time.Second) })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "boom":
			panic("the thing is broken for buyer@example.com")
		case "fail":
			httpapi.WriteError(w, r, errors.New("disk on fire"))
		case "down":
			httpapi.WriteError(w, r, apperr.New(apperr.Unavailable, "redis is away"))
		default:
			httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "no such thing"))
		}
	})
	pattern := func(r *http.Request) string { _, p := mux.Handler(r); return p }
	signIn := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &authz.Principal{UserID: 7, Email: "root@example.com", Name: "Root"}
			next.ServeHTTP(w, r.WithContext(authz.With(r.Context(), p)))
		})
	}
	h := httpapi.Chain(mux, httpapi.RequestInfo(nil), httpapi.Recover, signIn, telemetry.Errors(pattern))

	get := func(path, reqID string) int {
		r := httptest.NewRequest("GET", "http://panel.test"+path, nil)
		r.Header.Set("X-Request-Id", reqID)
		r.Header.Set("Cookie", "pishkhan_session=s3cr3t-session")
		r.Header.Set("Authorization", "Bearer pk_s3cr3t-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := get("/api/things/boom?token=s3cr3t-query&email=buyer@example.com", "req-panic"); code != 500 {
		t.Fatalf("panic answered %d, want 500", code)
	}
	if code := get("/api/things/fail?token=s3cr3t-query", "req-fail"); code != 500 {
		t.Fatalf("internal error answered %d, want 500", code)
	}
	for _, id := range []string{"down", "missing"} {
		if code := get("/api/things/"+id, "req-"+id); code < 400 {
			t.Fatalf("%s answered %d", id, code)
		}
	}
	if !flush(5 * time.Second) {
		t.Fatal("events not flushed")
	}
	events, raw := recv.take()
	if len(events) != 2 {
		t.Fatalf("want 2 events (the panic and the 500), got %d: %v", len(events), raw)
	}
	for _, s := range raw {
		for _, secret := range []string{"example.com", "s3cr3t", "pishkhan_session", "Bearer", "Root"} {
			if strings.Contains(s, secret) {
				t.Errorf("event carries %q: %s", secret, s)
			}
		}
	}
	byReq := map[string]map[string]any{}
	for _, ev := range events {
		tags, _ := ev["tags"].(map[string]any)
		byReq[tags["request_id"].(string)] = ev
		if tags["method"] != "GET" || tags["route"] != "/api/things/{id}" {
			t.Errorf("tags %v: want method GET and route /api/things/{id}", tags)
		}
		if user, _ := ev["user"].(map[string]any); user["id"] != "7" || len(user) != 1 {
			t.Errorf("user %v: want only the id 7", user)
		}
		if req, _ := ev["request"].(map[string]any); req != nil {
			if req["query_string"] != nil || req["cookies"] != nil || req["headers"] != nil || req["data"] != nil {
				t.Errorf("request %v carries more than method and URL", req)
			}
		}
	}
	if byReq["req-panic"] == nil || byReq["req-fail"] == nil {
		t.Fatalf("events by request id: %v", byReq)
	}
}

// A signed storage URL carries its grant in the path (/api/storage/{token}):
// neither the server span nor a Sentry report of a failing transfer may
// hold it, or whoever reads traces or reports could replay the grant.
func TestPathTokensStayOutOfSpansAndReports(t *testing.T) {
	const secret = "s3cr3t-grant-token"
	recv := &sentryReceiver{}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	flush, err := telemetry.StartSentry(telemetry.SentryConfig{DSN: "http://publickey@" + strings.TrimPrefix(srv.URL, "http://") + "/42",
		Environment: "test", Release: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flush(2 * time.Second) })
	otlp := testkit.StartOTLP(t)
	tracer, err := telemetry.StartTracing(context.Background(), telemetry.TraceConfig{Endpoint: otlp.URL, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tracer.Shutdown(context.Background()) })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/storage/{token}", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, errors.New("disk on fire"))
	})
	mux.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, errors.New("disk on fire"))
	})
	pattern := func(r *http.Request) string { _, p := mux.Handler(r); return p }
	h := httpapi.Chain(mux, httpapi.RequestInfo(nil), telemetry.HTTP(pattern), httpapi.Recover, telemetry.Errors(pattern))
	for _, path := range []string{"/api/storage/" + secret, "/api/things/12"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "http://panel.test"+path, nil))
		if w.Code != 500 {
			t.Fatalf("GET %s answered %d, want 500", path, w.Code)
		}
	}
	if !flush(5 * time.Second) {
		t.Fatal("events not flushed")
	}
	if err := tracer.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, raw := recv.take()
	if len(raw) != 2 {
		t.Fatalf("want 2 events, got %d", len(raw))
	}
	things := false
	for _, s := range raw {
		if strings.Contains(s, secret) {
			t.Errorf("Sentry event carries the path's token: %s", s)
		}
		things = things || strings.Contains(s, "/api/things/12")
	}
	if !things {
		t.Errorf("no event names the path /api/things/12 of a route without a token: %v", raw)
	}
	spans := otlp.Spans()
	if len(spans) != 2 {
		t.Fatalf("want 2 server spans, got %d", len(spans))
	}
	paths := map[string]bool{}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			if strings.Contains(kv.Value.GetStringValue(), secret) {
				t.Errorf("span %q attribute %s carries the path's token", s.Name, kv.Key)
			}
		}
		paths[testkit.Attr(s.Span, "url.path")] = true
	}
	if !paths["/api/storage/{token}"] || !paths["/api/things/12"] {
		t.Errorf("span url.path values %v: want /api/storage/{token} and /api/things/12", paths)
	}
}
