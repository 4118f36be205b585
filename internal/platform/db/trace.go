package db

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

func noEnd(error) {}

// traced starts the client span of one statement when tracing is on: named
// by its operation (SELECT, INSERT, …), carrying the engine and the query
// text with its placeholders (never the arguments).
func traced(ctx context.Context, e Engine, q string) (context.Context, func(error)) {
	if !telemetry.Tracing() {
		return ctx, noEnd
	}
	system := "postgresql"
	if e == SQLite {
		system = "sqlite"
	}
	op := strings.ToUpper(firstWord(q))
	ctx, span := telemetry.Start(ctx, op, trace.SpanKindClient,
		attribute.String("db.system.name", system), attribute.String("db.operation.name", op),
		attribute.String("db.query.text", q))
	return ctx, func(err error) { telemetry.End(span, err) }
}

func firstWord(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexAny(q, " \t\n("); i > 0 {
		return q[:i]
	}
	return q
}
