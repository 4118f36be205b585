// Command pishkhan-chaos injects faults into a running topology
// (scripts/topology.sh up, with TOPOLOGY_PG=private) while a bounded load
// of mixed reads and writes runs through nginx, checks the rules every
// fault must keep, and writes a report (docs/resilience.md via make chaos).
//
// The rules, per fault: no acknowledged write lost; no read older than an
// acknowledged write; no ended session accepted; errors only from the
// fault's start until it is healed plus the recovery, and only 503 with
// Retry-After. The recovery time is from the heal (or the end of the
// fault's action) to the last error.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the job table, for the worker fault
	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/topology"
)

func main() {
	out := flag.String("out", "", "write the markdown report here (default: stdout)")
	workers := flag.Int("workers", 6, "concurrent order workers (each creates, changes and reads its own orders)")
	warm := flag.Duration("warm", 3*time.Second, "load before each fault")
	hold := flag.Duration("hold", 6*time.Second, "how long a fault lasts before it is healed")
	tail := flag.Duration("tail", 8*time.Second, "load after the heal")
	only := flag.String("only", "", "run only the faults whose names contain this")
	flag.Parse()
	if err := run(*out, *workers, *warm, *hold, *tail, *only); err != nil {
		fmt.Fprintln(os.Stderr, "pishkhan-chaos:", err)
		os.Exit(1)
	}
}

type env struct {
	topology.Env
	state      string
	redisNodes []string
}

func loadEnv() (env, error) {
	e, err := topology.FromEnv()
	if err != nil {
		return env{}, err
	}
	out := env{Env: e, state: os.Getenv("PISHKHAN_STATE"), redisNodes: strings.Fields(os.Getenv("PISHKHAN_REDIS_NODES"))}
	if out.state == "" || len(out.redisNodes) == 0 {
		return out, errors.New("PISHKHAN_STATE and PISHKHAN_REDIS_NODES must be set (scripts/topology.sh up prints them)")
	}
	return out, nil
}

func (e env) pid(name string) (int, error) {
	b, err := os.ReadFile(filepath.Join(e.state, "pids", name+".pid"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func (e env) signal(name string, sig syscall.Signal) error {
	pid, err := e.pid(name)
	if err != nil {
		return err
	}
	return syscall.Kill(pid, sig)
}

func (e env) respawn(name string) error {
	out, err := exec.Command("scripts/topology.sh", "respawn", name).CombinedOutput()
	if err != nil {
		return fmt.Errorf("respawn %s: %v: %s", name, err, out)
	}
	return nil
}

func waitReady(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %s", url, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fault is one scripted failure: inject breaks something, heal repairs it
// (nil: the injection heals itself, as a restart does).
type fault struct {
	name, what string
	inject     func() error
	heal       func() error
	// check, when set, reports (after the load and the settling) what the
	// fault's own evidence shows; a broken rule starts with "FAILED".
	check func() string
}

func faults(e env) []fault {
	var master string // the Redis master stopped, found at injection
	var filler string
	var heldJob int64 // the job running when the worker was killed
	return []fault{
		{name: "kill -9 one instance", what: "SIGKILL to the second `pishkhan serve`; started again after the hold",
			inject: func() error { return e.signal("serve-2", syscall.SIGKILL) },
			heal: func() error {
				if err := e.respawn("serve-2"); err != nil {
					return err
				}
				return waitReady(e.InstanceURLs[1], 30*time.Second)
			}},
		{name: "SIGSTOP a Redis master", what: "SIGSTOP to the master serving the `channel:*` subscriptions' slot until its replica took over (cluster-node-timeout 2 s), then SIGCONT",
			inject: func() error {
				c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: e.redisNodes})
				defer c.Close()
				m, err := c.MasterForKey(context.Background(), "channel:*")
				if err != nil {
					return err
				}
				master = m.Options().Addr
				_, port, _ := strings.Cut(master, ":")
				return e.signal("redis-"+port, syscall.SIGSTOP)
			},
			heal: func() error {
				_, port, _ := strings.Cut(master, ":")
				return e.signal("redis-"+port, syscall.SIGCONT)
			},
			check: func() string {
				c := redis.NewClient(&redis.Options{Addr: master})
				defer c.Close()
				role, err := c.Do(context.Background(), "ROLE").Slice()
				if err != nil || len(role) == 0 {
					return fmt.Sprintf("FAILED: ROLE of %s: %v", master, err)
				}
				if role[0] != "slave" {
					return fmt.Sprintf("FAILED: %s is still %v after the hold: no failover happened", master, role[0])
				}
				return fmt.Sprintf("%s came back as a replica: its replica had been promoted", master)
			}},
		{name: "restart PostgreSQL", what: "`pg_ctl restart -m fast` of the topology's private PostgreSQL (every connection dropped)",
			inject: func() error {
				out, err := exec.Command("runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
					filepath.Join(e.state, "pg"), "-m", "fast", "-w", "restart", "-l", filepath.Join(e.state, "logs", "postgres.log")).CombinedOutput()
				if err != nil {
					return fmt.Errorf("pg_ctl restart: %v: %s", err, out)
				}
				return nil
			}},
		{name: "kill the worker mid-job", what: "SIGKILL to `pishkhan worker` the moment a job is running (polled in the job table); started again after the hold (JOB_RESCUE_AFTER 10s takes over the job it held)",
			inject: func() error {
				db, err := sql.Open("pgx", os.Getenv("PISHKHAN_DATABASE_URL"))
				if err != nil {
					return err
				}
				defer db.Close()
				deadline := time.Now().Add(15 * time.Second)
				for time.Now().Before(deadline) {
					if err := db.QueryRow(`SELECT id FROM river_job WHERE state = 'running' LIMIT 1`).Scan(&heldJob); err == nil {
						return e.signal("worker", syscall.SIGKILL)
					}
					time.Sleep(time.Millisecond)
				}
				heldJob = 0
				return e.signal("worker", syscall.SIGKILL)
			},
			heal: func() error { return e.respawn("worker") },
			check: func() string {
				if heldJob == 0 {
					return "no job was seen running within 15 s; the worker was killed between jobs"
				}
				db, err := sql.Open("pgx", os.Getenv("PISHKHAN_DATABASE_URL"))
				if err != nil {
					return "FAILED: " + err.Error()
				}
				defer db.Close()
				var state string
				deadline := time.Now().Add(60 * time.Second)
				for {
					_ = db.QueryRow(`SELECT state FROM river_job WHERE id = $1`, heldJob).Scan(&state)
					if state == "completed" || time.Now().After(deadline) {
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
				if state != "completed" {
					return fmt.Sprintf("FAILED: job %d, running when its worker was killed, is %s", heldJob, state)
				}
				return fmt.Sprintf("job %d was running when the worker was killed; it was rescued and completed", heldJob)
			}},
		{name: "fill the media disk", what: "a file filling the media storage's filesystem (a 64 MiB tmpfs under versitygw) to the last byte; removed after the hold",
			inject: func() error {
				dir := os.Getenv("TOPOLOGY_MEDIA_DIR")
				if dir == "" {
					return errors.New("TOPOLOGY_MEDIA_DIR is not set (make chaos mounts a small tmpfs there)")
				}
				filler = filepath.Join(dir, ".chaos-filler")
				f, err := os.Create(filler)
				if err != nil {
					return err
				}
				defer f.Close()
				buf := make([]byte, 1<<20)
				for {
					if _, err := f.Write(buf); err != nil {
						if errors.Is(err, syscall.ENOSPC) {
							return nil
						}
						return err
					}
				}
			},
			heal: func() error { return os.Remove(filler) }},
	}
}

// A sample is one request's outcome.
type sample struct {
	at         time.Duration // since the scenario began
	op         string
	status     int // 0: no HTTP answer
	retryAfter bool
	code       string
}

type recorder struct {
	start   time.Time
	refused atomic.Int64 // signed PUTs storage refused (its own errors, not Pishkhan's)
	mu      sync.Mutex
	samples []sample
	stale   []string
	session []string
}

func (r *recorder) add(op string, res topology.Response, err error) {
	s := sample{at: time.Since(r.start), op: op, status: res.Status, retryAfter: res.Header.Get("Retry-After") != ""}
	if err != nil {
		s.status, s.code = 0, err.Error()
	} else if res.Status >= 400 {
		var body struct{ Code string }
		_ = res.JSON(&body)
		s.code = body.Code
	}
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

var ranks = map[string]int{"pending": 0, "paid": 1, "processing": 2, "shipped": 3, "delivered": 4}
var chain = []string{"pending", "paid", "processing", "shipped", "delivered"}

// owned is an order one worker created, with the last status a write of
// that worker got acknowledged for.
type owned struct {
	id    int64
	acked int
}

type outcome struct {
	fault                   fault
	faultAt, healAt, end    time.Duration
	injectErr, healErr      error
	samples                 []sample
	acked, found            int
	lost                    []string
	stale, sessionsAccepted []string
	media, mediaDone        int
	mediaStuck              []string
	refusedPuts             int
	checked                 string
	// eventsAfter is "" when, after the fault, an event written through
	// nginx reached a stream on every instance; else what failed
	eventsAfter string
}

func run(outPath string, workers int, warm, hold, tail time.Duration, only string) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	ctx := context.Background()
	var results []outcome
	for _, f := range faults(e) {
		if only != "" && !strings.Contains(f.name, only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", f.name)
		o, err := scenario(ctx, e, f, workers, warm, hold, tail)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		results = append(results, o)
		fmt.Fprintln(os.Stderr, summary(o))
	}
	report := render(results, workers, warm, hold, tail)
	if outPath == "" {
		_, err = os.Stdout.WriteString(report)
	} else {
		err = os.WriteFile(outPath, []byte(report), 0o644)
	}
	if err != nil {
		return err
	}
	var broken []string
	for _, o := range results {
		v := judge(o)
		if v.bad+v.early+len(o.lost)+len(o.stale)+len(o.sessionsAccepted)+len(o.mediaStuck) > 0 || o.eventsAfter != "" ||
			o.injectErr != nil || o.healErr != nil || strings.HasPrefix(o.checked, "FAILED") {
			broken = append(broken, o.fault.name)
		}
	}
	if len(broken) > 0 {
		return fmt.Errorf("rules broken under: %s (see the report)", strings.Join(broken, "; "))
	}
	return nil
}

func scenario(ctx context.Context, e env, f fault, workers int, warm, hold, tail time.Duration) (outcome, error) {
	for _, u := range e.InstanceURLs {
		if err := waitReady(u, 30*time.Second); err != nil {
			return outcome{}, err
		}
	}
	admin, err := topology.Login(ctx, e.URL, e.AdminEmail, e.AdminPassword)
	if err != nil {
		return outcome{}, err
	}
	// an ended session, tried all along: it must never be accepted
	ended, err := topology.Login(ctx, e.URL, e.AdminEmail, e.AdminPassword)
	if err != nil {
		return outcome{}, err
	}
	if r, err := ended.Do(ctx, e.URL, "POST", "/api/auth/logout", nil, nil); err != nil || r.Status/100 != 2 {
		return outcome{}, fmt.Errorf("logout: %v %d", err, r.Status)
	}

	rec := &recorder{start: time.Now()}
	loadCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	orders := make([][]*owned, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			orders[w] = orderWorker(loadCtx, e, admin, rec, fmt.Sprintf("%s-%d-%d", strings.Fields(f.name)[0], time.Now().UnixNano()%1e9, w))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for loadCtx.Err() == nil {
			r, err := ended.Do(loadCtx, e.URL, "GET", "/api/auth/me", nil, nil)
			if loadCtx.Err() != nil {
				return
			}
			rec.add("ended session", r, err)
			if err == nil && r.Status == 200 {
				rec.mu.Lock()
				rec.session = append(rec.session, fmt.Sprintf("at %s", time.Since(rec.start).Round(time.Millisecond)))
				rec.mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var media []int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		media = mediaWorker(loadCtx, e, admin, rec)
	}()

	o := outcome{fault: f}
	time.Sleep(warm)
	o.faultAt = time.Since(rec.start)
	o.injectErr = f.inject()
	if f.heal != nil {
		time.Sleep(hold)
		o.healErr = f.heal()
	}
	o.healAt = time.Since(rec.start)
	time.Sleep(tail)
	stop()
	wg.Wait()
	o.end = time.Since(rec.start)
	o.samples, o.stale, o.sessionsAccepted = rec.samples, rec.stale, rec.session
	o.refusedPuts = int(rec.refused.Load())

	// every acknowledged write is there, at least as far as acknowledged
	for _, list := range orders {
		for _, ow := range list {
			o.acked++
			var got topology.Order
			r, err := admin.Do(ctx, e.URL, "GET", fmt.Sprintf("/api/orders/%d", ow.id), nil, nil)
			switch {
			case err != nil || r.Status != 200 || r.JSON(&got) != nil:
				o.lost = append(o.lost, fmt.Sprintf("order %d: %v %d", ow.id, err, r.Status))
			case ranks[got.Status] < ow.acked:
				o.lost = append(o.lost, fmt.Sprintf("order %d is %s, %s was acknowledged", ow.id, got.Status, chain[ow.acked]))
			default:
				o.found++
			}
		}
	}
	// every upload completed during the run ends ready (or rejected with a
	// reason), none stays in the pipeline once it recovered
	o.media = len(media)
	deadline := time.Now().Add(45 * time.Second)
	for _, id := range media {
		for {
			var item struct{ Status, ReasonCode string }
			r, err := admin.Do(ctx, e.URL, "GET", fmt.Sprintf("/api/media/%d", id), nil, nil)
			if err == nil && r.Status == 200 && r.JSON(&item) == nil && item.Status != "scanning" && item.Status != "pending" {
				o.mediaDone++
				break
			}
			if time.Now().After(deadline) {
				o.mediaStuck = append(o.mediaStuck, fmt.Sprintf("media %d: %s", id, item.Status))
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if f.check != nil {
		o.checked = f.check()
	}
	o.eventsAfter = eventsReachEveryInstance(ctx, e, admin)
	return o, nil
}

// eventsReachEveryInstance opens a stream on each instance, writes an
// order through nginx and waits for its event on every stream: pub/sub
// must have come back everywhere after the fault.
func eventsReachEveryInstance(ctx context.Context, e env, c *topology.Client) string {
	var streams []*topology.Stream
	defer func() {
		for _, s := range streams {
			s.Close()
		}
	}()
	for _, u := range e.InstanceURLs {
		s, err := c.OpenStream(ctx, u)
		if err != nil {
			return fmt.Sprintf("no stream on %s: %v", u, err)
		}
		streams = append(streams, s)
	}
	tag := fmt.Sprintf("events-%d", time.Now().UnixNano())
	r, err := c.Do(ctx, e.URL, "POST", "/api/orders", topology.NewOrder(tag), nil)
	var o topology.Order
	if err != nil || r.Status != 201 || r.JSON(&o) != nil {
		return fmt.Sprintf("the write failed: %v %d", err, r.Status)
	}
	want := fmt.Sprintf(`"id":%d`, o.ID)
	deadline := time.After(10 * time.Second)
	for i, s := range streams {
		for seen := false; !seen; {
			select {
			case ev, ok := <-s.Events:
				if !ok {
					return fmt.Sprintf("the stream on %s ended", e.InstanceURLs[i])
				}
				seen = ev.Name == "orders" && strings.Contains(ev.Data, want)
			case <-deadline:
				return fmt.Sprintf("the event never reached %s within 10 s", e.InstanceURLs[i])
			}
		}
	}
	return ""
}

// orderWorker creates orders and moves them along the status chain,
// reading each after every write; it answers the orders it created.
func orderWorker(ctx context.Context, e env, c *topology.Client, rec *recorder, tag string) []*owned {
	var mine []*owned
	for i := 0; ctx.Err() == nil; i++ {
		switch {
		case len(mine) == 0 || i%3 == 0:
			key := fmt.Sprintf("%s-%d", tag, i)
			r, err := c.Do(ctx, e.URL, "POST", "/api/orders", topology.NewOrder(key), map[string]string{"Idempotency-Key": key})
			if ctx.Err() != nil {
				return mine
			}
			rec.add("create order", r, err)
			var o topology.Order
			if err == nil && r.Status == 201 && r.JSON(&o) == nil {
				mine = append(mine, &owned{id: o.ID})
			}
		default:
			ow := mine[i%len(mine)]
			if ow.acked+1 < len(chain) && i%2 == 0 {
				next := ow.acked + 1
				r, err := c.Do(ctx, e.URL, "PUT", fmt.Sprintf("/api/orders/%d/status", ow.id), map[string]string{"status": chain[next]}, nil)
				if ctx.Err() != nil {
					return mine
				}
				rec.add("change status", r, err)
				if err == nil && r.Status == 200 {
					ow.acked = next
				} else if err == nil && r.Status == 409 {
					// an earlier unacknowledged attempt went through: learn it
					ow.acked = max(ow.acked, readRank(ctx, e, c, rec, ow))
				}
				continue
			}
			base := e.URL
			if i%4 == 1 { // also straight at an instance, past the balancer's choice
				base = e.InstanceURLs[i%len(e.InstanceURLs)]
			}
			before := ow.acked
			r, err := c.Do(ctx, base, "GET", fmt.Sprintf("/api/orders/%d", ow.id), nil, nil)
			if ctx.Err() != nil {
				return mine
			}
			if base != e.URL && err != nil {
				continue // a dead instance, asked directly: not the balancer's answer
			}
			rec.add("read order", r, err)
			var got topology.Order
			if err == nil && r.Status == 200 && r.JSON(&got) == nil && ranks[got.Status] < before {
				rec.mu.Lock()
				rec.stale = append(rec.stale, fmt.Sprintf("order %d read %s after %s was acknowledged (%s, %s)", ow.id, got.Status, chain[before], base, r.Header.Get("Cache-Status")))
				rec.mu.Unlock()
			}
		}
	}
	return mine
}

func readRank(ctx context.Context, e env, c *topology.Client, rec *recorder, ow *owned) int {
	r, err := c.Do(ctx, e.URL, "GET", fmt.Sprintf("/api/orders/%d", ow.id), nil, nil)
	rec.add("read order", r, err)
	var got topology.Order
	if err == nil && r.Status == 200 && r.JSON(&got) == nil {
		return ranks[got.Status]
	}
	return ow.acked
}

// mediaWorker uploads a small PNG twice a second through the signed URL
// and answers the ids whose completion was acknowledged.
func mediaWorker(ctx context.Context, e env, c *topology.Client, rec *recorder) []int64 {
	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 13)
	}
	_ = png.Encode(&img, m)
	var done []int64
	for ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		r, err := c.Do(ctx, e.URL, "POST", "/api/media/upload", map[string]any{"filename": "chaos.png", "content_type": "image/png", "size": img.Len()}, nil)
		if ctx.Err() != nil {
			return done
		}
		rec.add("media upload", r, err)
		var up struct {
			Media  struct{ ID int64 }
			Upload struct {
				Method, URL string
				Headers     map[string]string
			}
		}
		if err != nil || r.Status != 201 || r.JSON(&up) != nil {
			continue
		}
		req, _ := http.NewRequestWithContext(ctx, up.Upload.Method, up.Upload.URL, bytes.NewReader(img.Bytes()))
		for k, v := range up.Upload.Headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			rec.refused.Add(1)
			continue // storage refused the bytes (a full disk): nothing to complete
		}
		r, err = c.Do(ctx, e.URL, "POST", fmt.Sprintf("/api/media/%d/complete", up.Media.ID), nil, nil)
		if ctx.Err() != nil {
			return done
		}
		rec.add("media complete", r, err)
		if err == nil && r.Status == 202 {
			done = append(done, up.Media.ID)
		}
	}
	return done
}

// verdict of one outcome's errors against the rules.
type verdict struct {
	total, errors, bad, early int
	byStatus                  map[string]int
	firstErr, lastErr         time.Duration
	recovery                  time.Duration
}

func judge(o outcome) verdict {
	v := verdict{byStatus: map[string]int{}}
	sort.Slice(o.samples, func(i, j int) bool { return o.samples[i].at < o.samples[j].at })
	for _, s := range o.samples {
		v.total++
		ok := s.status/100 == 2 || (s.op == "change status" && s.status == 409)
		if s.op == "ended session" {
			ok = s.status == 401
		}
		if ok {
			continue
		}
		v.errors++
		key := strconv.Itoa(s.status)
		if s.status == 0 {
			key = "no answer"
		} else if s.code != "" {
			key += " " + s.code
		}
		if s.status == 503 && !s.retryAfter {
			key += " without Retry-After"
		}
		v.byStatus[key]++
		if s.status != 503 || !s.retryAfter {
			v.bad++
		}
		if s.at < o.faultAt {
			v.early++
		}
		if v.errors == 1 {
			v.firstErr = s.at
		}
		v.lastErr = s.at
	}
	if v.errors > 0 {
		v.recovery = v.lastErr - o.faultAt
	}
	return v
}

func summary(o outcome) string {
	v := judge(o)
	return fmt.Sprintf("requests %d, errors %d (not 503+Retry-After: %d, before the fault: %d) %v, acked %d found %d, stale %d, sessions accepted %d, recovery %s, media %d/%d, events after: %q",
		v.total, v.errors, v.bad, v.early, v.byStatus, o.acked, o.found, len(o.stale), len(o.sessionsAccepted), v.recovery.Round(time.Millisecond), o.mediaDone, o.media, o.eventsAfter)
}

func render(results []outcome, workers int, warm, hold, tail time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Resilience

Generated by `+"`make chaos`"+` (`+"`scripts/chaos.sh`, `cmd/pishkhan-chaos`"+`) on %s; do not edit by hand, rerun it.

The topology is `+"`scripts/topology.sh up`"+` with a private PostgreSQL: nginx in front of three
`+"`pishkhan serve`"+`, one `+"`pishkhan worker`"+`, a Redis Cluster of three masters and three replicas,
versitygw on a 64 MiB tmpfs and clamd, all on 127.0.0.1 of one %d-core machine.

**Load** during each fault, all through nginx: %d order workers, each creating orders (with an
Idempotency-Key), moving its own orders along pending → paid → processing → shipped → delivered and
reading them back (a quarter of the reads straight at an instance); one client retrying a logged-out
session every 50 ms; one uploading a PNG through the signed URL twice a second. %s of load, then the
fault, healed after %s (a restart heals itself), then %s more.

**Rules**: every acknowledged write is found afterwards (created orders exist, each at least at its
last acknowledged status); no read returns a status older than one acknowledged before the read began;
the logged-out session is never accepted; errors only from the fault on, and only 503 with
Retry-After (409 answers to a retried status change are the contract's, not errors); after the
fault, an order written through nginx is announced on a stream on every instance. The recovery
time runs from the fault's start to the last error (0: none); the error window is relative to the
fault's start.

| Fault | Requests | Errors (by status) | Not 503 + Retry-After | Errors before the fault | Error window | Writes acknowledged / found | Stale reads | Ended session accepted | Uploads settled | Events reach every instance after | Recovery |
|---|---:|---|---:|---:|---|---:|---:|---:|---:|---|---:|
`, time.Now().UTC().Format(time.RFC3339), numCPU(), workers, warm, hold, tail)
	var notes []string
	for _, o := range results {
		v := judge(o)
		var errs []string
		for k, n := range v.byStatus {
			errs = append(errs, fmt.Sprintf("%d × %s", n, k))
		}
		sort.Strings(errs)
		if len(errs) == 0 {
			errs = []string{"none"}
		}
		window := "none"
		if v.errors > 0 {
			window = fmt.Sprintf("%+.1fs to %+.1fs", (v.firstErr - o.faultAt).Seconds(), (v.lastErr - o.faultAt).Seconds())
		}
		events := "yes"
		if o.eventsAfter != "" {
			events = "**no**: " + o.eventsAfter
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %d | %s | %d / %d | %d | %d | %d / %d | %s | %s |\n", o.fault.name, v.total, strings.Join(errs, ", "), v.bad, v.early, window,
			o.acked, o.found, len(o.stale), len(o.sessionsAccepted), o.mediaDone, o.media, events, v.recovery.Round(10*time.Millisecond))
		note := fmt.Sprintf("- **%s**: %s. Fault at %.1fs, healed at %.1fs, load until %.1fs", o.fault.name, o.fault.what,
			o.faultAt.Seconds(), o.healAt.Seconds(), o.end.Seconds())
		if v.errors > 0 {
			note += fmt.Sprintf("; errors from %.1fs to %.1fs", v.firstErr.Seconds(), v.lastErr.Seconds())
		}
		note += "."
		if o.refusedPuts > 0 {
			note += fmt.Sprintf(" Signed uploads storage refused (its own answer, not Pishkhan's): %d.", o.refusedPuts)
		}
		if o.checked != "" {
			note += " " + strings.ToUpper(o.checked[:1]) + o.checked[1:] + "."
		}
		if o.injectErr != nil || o.healErr != nil {
			note += fmt.Sprintf(" Injection: %v; heal: %v.", o.injectErr, o.healErr)
		}
		for _, list := range [][]string{o.lost, o.stale, o.sessionsAccepted, o.mediaStuck} {
			for i, s := range list {
				if i == 5 {
					note += fmt.Sprintf(" … and %d more.", len(list)-5)
					break
				}
				note += " " + s + "."
			}
		}
		notes = append(notes, note)
	}
	b.WriteString("\n## Each fault\n\n")
	b.WriteString(strings.Join(notes, "\n"))
	b.WriteString("\n")
	return b.String()
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}
