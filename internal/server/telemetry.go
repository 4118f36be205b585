package server

import (
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

// traceRedis gives every Redis command a client span when tracing is on.
// Statements are left out: keys and values hold session ids and cached
// bodies.
func traceRedis(c *redis.Client) error {
	if !telemetry.Tracing() {
		return nil
	}
	return redisotel.InstrumentTracing(c, redisotel.WithDBStatement(false))
}
