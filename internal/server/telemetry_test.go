package server_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// One GET /api/orders/{id} on a cold cache, against PostgreSQL and Redis,
// is one trace at a local OTLP receiver: the server span named by its
// route, the cache lookup (a miss) under it, the SQL and Redis spans under
// that, every one carrying the request id; the request's log line carries
// the same trace id.
func TestTraceOfOneRequest(t *testing.T) {
	recv := testkit.StartOTLP(t)
	ctx := context.Background()
	tracer, err := telemetry.StartTracing(ctx, telemetry.TraceConfig{Endpoint: recv.URL, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tracer.Shutdown(context.Background()) })
	logs := &lockedBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, nil))))
	t.Cleanup(func() { slog.SetDefault(prev) })

	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[1]), nil)
	in.CreateSuperuser(t, "root@example.com")
	c := in.LoggedIn(t, "root@example.com")
	id := c.CreateOrder("buyer@example.com")
	const reqID = "trace-test-0001"
	if r := c.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil, "X-Request-Id", reqID); r.Status != 200 {
		t.Fatalf("get order: %d %s", r.Status, r.Body)
	}
	if err := tracer.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	var mine []testkit.Span
	for _, s := range recv.Spans() {
		if testkit.Attr(s.Span, string(telemetry.RequestIDKey)) == reqID {
			mine = append(mine, s)
		}
	}
	var root *tracepb.Span
	for _, s := range mine {
		if s.Kind == tracepb.Span_SPAN_KIND_SERVER {
			if root != nil {
				t.Fatalf("two server spans for one request: %q and %q", root.Name, s.Name)
			}
			root = s.Span
		}
	}
	if root == nil {
		t.Fatalf("no server span carries the request id; got %d spans of it", len(mine))
	}
	if root.Name != "GET /api/orders/{id}" || len(root.ParentSpanId) != 0 {
		t.Errorf("server span %q (parent %x): want the root span named GET /api/orders/{id}", root.Name, root.ParentSpanId)
	}
	byID := map[string]*tracepb.Span{}
	for _, s := range mine {
		if !bytes.Equal(s.TraceId, root.TraceId) {
			t.Errorf("span %q is in trace %x, not the request's %x", s.Name, s.TraceId, root.TraceId)
		}
		byID[string(s.SpanId)] = s.Span
	}
	// under reports whether s descends from ancestor through spans of this request
	under := func(s, ancestor *tracepb.Span) bool {
		for p := byID[string(s.ParentSpanId)]; p != nil; p = byID[string(p.ParentSpanId)] {
			if p == ancestor {
				return true
			}
		}
		return false
	}
	var cacheSpan *tracepb.Span
	var sqlUnderCache, redis int
	for _, s := range mine {
		if testkit.Attr(s.Span, "pishkhan.cache.resource") != "" && testkit.Attr(s.Span, "pishkhan.cache.result") == "miss" {
			cacheSpan = s.Span
		}
	}
	if cacheSpan == nil || !under(cacheSpan, root) {
		t.Fatalf("no cache span with result miss under the server span (spans: %v)", names(mine))
	}
	for _, s := range mine {
		if testkit.Attr(s.Span, "db.system.name") == "postgresql" && s.Kind == tracepb.Span_SPAN_KIND_CLIENT {
			if !under(s.Span, root) {
				t.Errorf("SQL span %q is not under the server span", s.Name)
			}
			if under(s.Span, cacheSpan) {
				sqlUnderCache++
			}
		}
		if strings.Contains(s.Scope, "redisotel") {
			if !under(s.Span, root) {
				t.Errorf("Redis span %q is not under the server span", s.Name)
			}
			redis++
		}
	}
	if sqlUnderCache == 0 {
		t.Errorf("no SQL span under the cache miss (spans: %v)", names(mine))
	}
	if redis == 0 {
		t.Errorf("no Redis span in the request's trace (spans: %v)", names(mine))
	}

	t.Logf("spans: %v", names(mine))
	traceID := hex.EncodeToString(root.TraceId)
	found := false
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" || rec["request_id"] != reqID {
			continue
		}
		found = true
		if rec["trace_id"] != traceID {
			t.Errorf("the request's log line has trace_id %v, want %s", rec["trace_id"], traceID)
		}
	}
	if !found {
		t.Errorf("no request log line with request_id %s", reqID)
	}
}

func names(spans []testkit.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Scope+":"+s.Name)
	}
	return out
}
