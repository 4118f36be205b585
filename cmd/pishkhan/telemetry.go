package main

import (
	"context"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/server"
)

// startTelemetry starts tracing (OTEL_EXPORTER_OTLP_ENDPOINT) and error
// reports (SENTRY_DSN) when configured; stop flushes both, for up to
// five seconds.
func startTelemetry(ctx context.Context, cfg config.Config) (stop func(), err error) {
	tracer, err := telemetry.StartTracing(ctx, telemetry.TraceConfig{Endpoint: cfg.OTLPEndpoint,
		ServiceName: cfg.OTelServiceName, Version: server.Version, SampleRatio: cfg.OTelSampleRatio})
	if err != nil {
		return nil, err
	}
	flush, err := telemetry.StartSentry(telemetry.SentryConfig{DSN: cfg.SentryDSN,
		Environment: cfg.SentryEnvironment, Release: server.Version})
	if err != nil {
		_ = tracer.Shutdown(ctx)
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tracer.Shutdown(sctx)
		if flush != nil {
			flush(5 * time.Second)
		}
	}, nil
}
