package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// statsCmd measures GET /api/stats/overview: uncached (before every
// request it bumps the generation of every statistics cache tag in Redis,
// so the overview and each of its days miss and are read from the
// aggregate tables; the bump is not timed), after a write (it bumps what
// an order write today bumps: the overview's tag and today's), then cached. Requests run one
// at a time: the uncached figure is the cost of one computation, not of a
// queue behind others.
func statsCmd(args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the running Pishkhan (loopback)")
	email := fs.String("email", os.Getenv("PISHKHAN_BENCH_EMAIL"), "login email")
	password := fs.String("password", os.Getenv("PISHKHAN_BENCH_PASSWORD"), "login password")
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "the server's Redis (loopback)")
	prefix := fs.String("prefix", "pishkhan:", "the server's CACHE_PREFIX")
	rng := fs.String("range", "365d", "the overview's range")
	n := fs.Int("n", 500, "requests per measurement")
	orders := fs.Int64("orders", 0, "orders in the database, for the report")
	tz := fs.String("tz", "UTC", "the server's TIMEZONE, to name today's tag")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 10 || *n > 100_000 {
		return errors.New("-n must be between 10 and 100000")
	}
	u, err := loopbackURL(*base)
	if err != nil {
		return err
	}
	ropts, err := redis.ParseURL(*redisURL)
	if err != nil || !strings.HasPrefix(ropts.Addr, "127.") {
		return fmt.Errorf("-redis must be a redis:// URL on 127.x.x.x")
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()
	ctx := context.Background()
	c := newClient(u, 1)
	if err := c.login(ctx, *email, *password); err != nil {
		return err
	}
	path := "/api/stats/overview?range=" + *rng
	// one request creates every tag's generation; collect their keys
	if st, _, err := c.get(ctx, path, true); err != nil || st != http.StatusOK {
		return fmt.Errorf("GET %s: %d %v", path, st, err)
	}
	var tags []string
	iter := rdb.Scan(ctx, 0, *prefix+"gen:stats*", 1000).Iterator()
	for iter.Next(ctx) {
		tags = append(tags, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(tags) < 2 {
		return fmt.Errorf("found %d statistics tags under %q: is -prefix the server's CACHE_PREFIX?", len(tags), *prefix)
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return err
	}
	today := *prefix + "gen:stats:day:" + time.Now().In(loc).Format("20060102")
	measure := func(bump []string, want string) ([]time.Duration, error) {
		var lat []time.Duration
		for range *n {
			if len(bump) > 0 {
				if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range bump {
						p.Incr(ctx, k)
					}
					return nil
				}); err != nil {
					return nil, err
				}
			}
			t0 := time.Now()
			st, cs, err := c.get(ctx, path, true)
			d := time.Since(t0)
			if err != nil || st != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %d %v", path, st, err)
			}
			if !strings.Contains(cs, want) {
				return nil, fmt.Errorf("GET %s: Cache-Status %q, the measurement wants %q", path, cs, want)
			}
			lat = append(lat, d)
		}
		slices.Sort(lat)
		return lat, nil
	}
	if !slices.Contains(tags, today) {
		return fmt.Errorf("no tag %s among the statistics tags: is -tz the server's TIMEZONE?", today)
	}
	uncached, err := measure(tags, "fwd=miss")
	if err != nil {
		return err
	}
	written, err := measure([]string{*prefix + "gen:stats", today}, "fwd=miss")
	if err != nil {
		return err
	}
	cached, err := measure(nil, "hit")
	if err != nil {
		return err
	}
	days := 2 * map[string]int{"7d": 7, "30d": 30, "90d": 90, "365d": 365}[*rng]
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
	verdict := "**met**"
	if p99 := percentile(uncached, 99); p99 >= 20*time.Millisecond {
		verdict = "**MISSED**"
	}
	fmt.Printf(`## Statistics overview

`+"`GET %s`"+` on PostgreSQL holding %s orders (the seed-timing database below, then VACUUM ANALYZE and CHECKPOINT), logged in, one
request at a time, %d requests each. Uncached: before each request the tool bumps the generation
of every statistics cache tag in Redis (%d tags: the overview's and one per day; not timed), so the
overview and all %d days it reads miss and come from the aggregate tables; every response was
checked to say `+"`fwd=miss`"+`. The server stores the days it read after answering, so that
store is not in the uncached figure; it overlaps the next request. After a write: before each request the tool bumps only what an order
created today bumps (the overview's tag and today's), so the overview misses and is rebuilt from
%d cached days and today's, read from the tables. Cached: the same URL, every response a hit.

| | p50 ms | p90 ms | p99 ms | max ms |
|---|---:|---:|---:|---:|
| uncached | %s | %s | %s | %s |
| after a write | %s | %s | %s | %s |
| cached | %s | %s | %s | %s |

Target: uncached p99 under 20 ms: %s.
`, path, group(*orders), *n, len(tags), days, days-1,
		ms(percentile(uncached, 50)), ms(percentile(uncached, 90)), ms(percentile(uncached, 99)), ms(uncached[len(uncached)-1]),
		ms(percentile(written, 50)), ms(percentile(written, 90)), ms(percentile(written, 99)), ms(written[len(written)-1]),
		ms(percentile(cached, 50)), ms(percentile(cached, 90)), ms(percentile(cached, 99)), ms(cached[len(cached)-1]), verdict)
	return nil
}
