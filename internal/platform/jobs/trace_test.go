package jobs_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// With tracing on, a job's insert is a span in the trace that enqueued
// it, and its run is a span of its own (named by its kind) linked to that
// trace, holding the SQL its handler ran.
func TestJobSpans(t *testing.T) {
	recv := testkit.StartOTLP(t)
	ctx := context.Background()
	tracer, err := telemetry.StartTracing(ctx, telemetry.TraceConfig{Endpoint: recv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tracer.Shutdown(context.Background()) })
	d := openDB(t, testkit.Engines[0])
	q := newQueue(t, d, false, testConfig())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })

	pctx, parent := telemetry.Start(ctx, "enqueue", trace.SpanKindInternal)
	if err := d.InTx(pctx, func(tx *db.Tx) error {
		return q.Enqueue(pctx, tx, effectArgs{Key: "traced"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	parent.End()
	var id int64
	if err := d.Reader().QueryRow(ctx, `SELECT id FROM river_job WHERE kind = 'test_effect'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	waitJob(t, q, id, rivertype.JobStateCompleted, 10*time.Second)
	want := parent.SpanContext().TraceID()

	var insert, work *tracepb.Span
	var spans []testkit.Span
	for i := 0; i < 50 && (insert == nil || work == nil || !hasChild(spans, work, "INSERT")); i++ {
		time.Sleep(100 * time.Millisecond)
		if err := tracer.ForceFlush(ctx); err != nil {
			t.Fatal(err)
		}
		spans = recv.Spans()
		for _, s := range spans {
			switch {
			case s.Name == "river.insert_many" && bytes.Equal(s.TraceId, want[:]):
				insert = s.Span
			case s.Name == "river.work/test_effect":
				work = s.Span
			}
		}
	}
	if insert == nil {
		t.Fatal("no river.insert_many span in the enqueuing trace")
	}
	if work == nil {
		t.Fatal("no river.work/test_effect span")
	}
	linked := false
	for _, l := range work.Links {
		linked = linked || bytes.Equal(l.TraceId, want[:])
	}
	if !linked {
		t.Error("the run's span is not linked to the trace that enqueued it")
	}
	if !hasChild(spans, work, "INSERT") {
		t.Error("the handler's INSERT is not a span under the run's")
	}
}

func hasChild(spans []testkit.Span, parent *tracepb.Span, name string) bool {
	if parent == nil {
		return false
	}
	for _, s := range spans {
		if s.Name == name && bytes.Equal(s.ParentSpanId, parent.SpanId) && testkit.Attr(s.Span, "db.query.text") != "" {
			return true
		}
	}
	return false
}
