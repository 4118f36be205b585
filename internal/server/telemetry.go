package server

import (
	"context"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

// traceRedis gives every Redis command a client span when tracing is on.
// Statements are left out: keys and values hold session ids and cached
// bodies.
func traceRedis(c redis.UniversalClient) error {
	if !telemetry.Tracing() {
		return nil
	}
	return redisotel.InstrumentTracing(c, redisotel.WithDBStatement(false))
}

// observeQueueAndCache adds the job queue's and the cache breaker's
// figures to /metrics.
func (s *Server) observeQueueAndCache() {
	s.Metrics.CacheBreaker(s.Cache.BreakerOpen)
	s.Metrics.Jobs(func(ctx context.Context) (map[string]int64, error) { return jobs.Counts(ctx, s.DB) })
}
