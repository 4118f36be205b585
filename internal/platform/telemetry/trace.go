// Package telemetry holds Pishkhan's traces (OpenTelemetry, exported over
// OTLP/HTTP), its error reports (Sentry) and the log handler that puts the
// request id and trace id on every log line. Both exporters are off unless
// configured; off, every helper here is a passthrough: no span is started,
// no exporter exists, the global tracer provider stays OpenTelemetry's
// no-op one.
package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// ScopeName is the instrumentation scope of Pishkhan's own spans.
const ScopeName = "github.com/pishkhan/pishkhan"

// RequestIDKey is the span attribute holding the request id (the
// X-Request-Id answered and logged) on every span started while serving
// a request.
const RequestIDKey = attribute.Key("pishkhan.request_id")

var tracing atomic.Bool

// Tracing reports whether spans are recorded and exported.
func Tracing() bool { return tracing.Load() }

// TraceConfig configures tracing; an empty Endpoint leaves it off.
type TraceConfig struct {
	// Endpoint is OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL
	// (http://collector:4318); spans go to Endpoint/v1/traces.
	Endpoint string
	// ServiceName and Version name the resource the spans come from.
	ServiceName, Version string
	// SampleRatio is the share of new traces recorded (0 < r ≤ 1); a
	// request carrying a sampled traceparent is always recorded.
	SampleRatio float64
}

// Tracer is a started tracing pipeline.
type Tracer struct{ tp *sdktrace.TracerProvider }

// ForceFlush exports every ended span now.
func (t *Tracer) ForceFlush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.ForceFlush(ctx)
}

// Shutdown flushes and stops exporting; spans are no longer recorded.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	tracing.Store(false)
	otel.SetTracerProvider(noopProvider)
	return t.tp.Shutdown(ctx)
}

var noopProvider = noop.NewTracerProvider()

// StartTracing installs the global tracer provider exporting to
// cfg.Endpoint over OTLP/HTTP (protobuf), with W3C trace context and
// baggage propagation. Headers, timeouts and TLS follow the standard
// OTEL_EXPORTER_OTLP_* variables. With no endpoint it returns nil and
// tracing stays off.
func StartTracing(ctx context.Context, cfg TraceConfig) (*Tracer, error) {
	if cfg.Endpoint == "" {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimSuffix(cfg.Endpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	name := cfg.ServiceName
	if name == "" {
		name = "pishkhan"
	}
	res := resource.NewSchemaless(semconv.ServiceName(name), semconv.ServiceVersion(cfg.Version))
	ratio := cfg.SampleRatio
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithSpanProcessor(requestIDProcessor{}),
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Second)),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	tracing.Store(true)
	return &Tracer{tp: tp}, nil
}

// requestIDProcessor puts the request id on every span started in a
// request's context, whichever library starts it (SQL, Redis, River,
// outgoing HTTP).
type requestIDProcessor struct{}

func (requestIDProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	if id := reqinfo.From(ctx).RequestID; id != "" {
		s.SetAttributes(RequestIDKey.String(id))
	}
}
func (requestIDProcessor) OnEnd(sdktrace.ReadOnlySpan)      {}
func (requestIDProcessor) Shutdown(context.Context) error   { return nil }
func (requestIDProcessor) ForceFlush(context.Context) error { return nil }

// Start starts a span of Pishkhan's own scope when tracing is on; off, it
// returns ctx and the (no-op) span already in it.
func Start(ctx context.Context, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if !Tracing() {
		return ctx, trace.SpanFromContext(ctx)
	}
	return otel.Tracer(ScopeName).Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// End ends span, marking it failed when err is not nil.
func End(span trace.Span, err error) {
	if !Tracing() {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// HTTP makes every request a server span named "METHOD route pattern"
// (never the raw path), continuing the caller's trace from traceparent.
// Place it after the request id is set. Off, it is next itself.
func HTTP(pattern func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !Tracing() {
				next.ServeHTTP(w, r)
				return
			}
			ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := otel.Tracer(ScopeName).Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method)))
			defer span.End()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r.WithContext(ctx))
			route := routeOf(r, pattern)
			span.SetName(r.Method + " " + route)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			span.SetAttributes(semconv.HTTPRoute(route), semconv.URLPath(pathOf(r, route)), semconv.HTTPResponseStatusCode(sw.status))
			if sw.status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(sw.status))
			}
		})
	}
}

// Transport traces outgoing HTTP calls (a client span each, traceparent
// sent) when tracing is on at the time it is built; off, it is base.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !Tracing() {
		return base
	}
	return otelhttp.NewTransport(base)
}

// pathOf is r's path as traces and error reports may hold it: the route
// itself when the route carries a grant in its path (a {token} segment,
// such as a signed storage URL's), so no report can replay it.
func pathOf(r *http.Request, route string) string {
	if strings.Contains(route, "{token}") {
		return route
	}
	return r.URL.Path
}

// routeOf is the route pattern serving r without its method ("unmatched"
// when none does): a bounded name, never the raw path.
func routeOf(r *http.Request, pattern func(*http.Request) string) string {
	p := pattern(r)
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "unmatched"
	}
	return p
}
