// Package reqinfo carries facts about the current HTTP request that the
// audit log records: request id, client IP and user agent.
package reqinfo

import "context"

// Info describes the request that caused a change.
type Info struct {
	RequestID string
	IP        string
	UserAgent string
	// HTTPS is true when the client reached us over TLS (directly or
	// through a trusted proxy).
	HTTPS bool
}

type ctxKey struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// From returns the request info in ctx (zero outside a request).
func From(ctx context.Context) Info {
	i, _ := ctx.Value(ctxKey{}).(Info)
	return i
}
