// Package redisclient opens the Redis client REDIS_URL names: one server
// (redis://, rediss://, unix://) or a Redis Cluster (redis+cluster://,
// rediss+cluster://). Everything above it takes a redis.UniversalClient and
// keeps the Cluster's rules: a command or script touches one key, or keys
// sharing a hash tag; several keys go in a pipeline, which the cluster
// client splits per node.
package redisclient

import (
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Tuning shared by both kinds of client: a small fixed budget per call,
// one retry, fast dials, so a failing Redis is noticed within the
// callers' own time budgets.
const (
	poolSize     = 64
	minIdleConns = 8
	dialTimeout  = time.Second
	maxRetries   = 1
)

// Open returns a client for url. A cluster URL lists its seed nodes as the
// host and repeated addr parameters, as go-redis's ParseClusterURL reads
// them: redis+cluster://[user:password@]host:port?addr=host:port&addr=host:port.
// Any node is enough to find the others; listing several survives one
// being down at start.
func Open(url string) (redis.UniversalClient, error) {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return nil, errors.New("must be a redis://, rediss://, unix://, redis+cluster:// or rediss+cluster:// URL")
	}
	switch scheme {
	case "redis+cluster", "rediss+cluster":
		if host, _, _ := strings.Cut(rest, "?"); strings.Trim(host, "/") == "" || strings.HasSuffix(host, "@") {
			return nil, errors.New("a cluster URL needs at least one host:port")
		}
		opts, err := redis.ParseClusterURL(strings.TrimSuffix(scheme, "+cluster") + "://" + rest)
		if err != nil {
			return nil, withoutURL(err)
		}
		opts.PoolSize = poolSize
		opts.MinIdleConns = minIdleConns
		opts.DialTimeout = dialTimeout
		opts.MaxRetries = maxRetries
		opts.ContextTimeoutEnabled = true
		return redis.NewClusterClient(opts), nil
	case "redis", "rediss", "unix":
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, withoutURL(err)
		}
		opts.PoolSize = poolSize
		opts.MinIdleConns = minIdleConns
		opts.DialTimeout = dialTimeout
		opts.MaxRetries = maxRetries
		opts.ContextTimeoutEnabled = true
		return redis.NewClient(opts), nil
	default:
		return nil, fmt.Errorf("unknown scheme %q: must be redis, rediss, unix, redis+cluster or rediss+cluster", scheme)
	}
}

// withoutURL drops the URL, and so any password in it, from a parse error
// that quotes it: the error is printed at start and may reach a log.
func withoutURL(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("cannot parse the URL: %w", ue.Err)
	}
	return err
}
