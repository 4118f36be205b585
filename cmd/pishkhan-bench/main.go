// Command pishkhan-bench load-tests a running Pishkhan over HTTP and
// reports what it measured. It is the engine of `make bench`
// (scripts/bench.sh), which seeds the server it runs against.
//
//	pishkhan-bench run    -url http://127.0.0.1:18080 -email E -password P -out results.json
//	pishkhan-bench report -in results.json -seed-orders 1000000 -seed-seconds 41.3
//
// `run` logs in, prepares the scenarios (collects order ids and keyset
// cursors, warms what must be a cache hit), then runs them one
// after the other, each for a warm-up plus a measured window at a fixed
// number of concurrent connections, and prints a Markdown table. `report`
// turns saved results (plus the seed timing taken by the script) into the
// body of docs/benchmarks.md, with every target's verdict computed here.
//
// The tool only ever connects to loopback addresses: a base URL whose host
// is not a loopback IP is refused, and the dialer checks every address it
// connects to.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

const (
	// sessionCookie is the session cookie Pishkhan sets over plain HTTP.
	sessionCookie = "pishkhan_session"
	// requestTimeout bounds every single request of the tool.
	requestTimeout = 10 * time.Second
	// minLimit..maxLimit are the `limit` values both uncached keyset
	// scenarios cycle through (mean 20.5, about the default page size).
	minLimit, maxLimit = 11, 30
	// setupParallelism is how many requests the preparation runs at once.
	setupParallelism = 8
)

// Scenario ids, used by `report` to find the scenarios a target is about.
const (
	idCeiling      = "ceiling"
	idCachedList   = "cached-list"
	idCachedDetail = "cached-detail"
	idKeysetFirst  = "keyset-first"
	idKeysetDeep   = "keyset-deep"
)

func usage() {
	fmt.Fprint(os.Stderr, `Usage:
  pishkhan-bench run    [flags]   load-test a running Pishkhan and print a Markdown table
  pishkhan-bench report [flags]   render saved results and the target verdicts as Markdown
  pishkhan-bench stats  [flags]   time the statistics overview uncached and cached, as Markdown
  pishkhan-bench media  [flags]   time a 100 MB upload and a 24 MP JPEG through the media pipeline, with peak RSS
  pishkhan-bench sse    [flags]   hold 10,000 event streams on one instance: memory per stream, fan-out of one event
  pishkhan-bench search [flags]   index 10,000 documents in a fresh database and time searches one at a time: p50/p99

Run "pishkhan-bench run -h" or "pishkhan-bench report -h" for the flags.
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "report":
		err = reportCmd(os.Args[2:])
	case "stats":
		err = statsCmd(os.Args[2:])
	case "media":
		err = mediaCmd(os.Args[2:])
	case "sse":
		err = sseCmd(os.Args[2:])
	case "search":
		err = searchCmd(os.Args[2:])
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pishkhan-bench:", err)
		os.Exit(1)
	}
}

// Run is everything one `run` measured; `report` reads it back.
type Run struct {
	Started         time.Time  `json:"started"`
	Connections     int        `json:"connections"`
	WarmupSeconds   float64    `json:"warmup_seconds"`
	DurationSeconds float64    `json:"duration_seconds"`
	Keyset          KeysetInfo `json:"keyset"`
	Pages           PageInfo   `json:"pages"`
	Scenarios       []Result   `json:"scenarios"`
}

// KeysetInfo describes how the two uncached keyset scenarios were built.
type KeysetInfo struct {
	// Orders is the number of orders the server lists.
	Orders int64 `json:"orders"`
	// SmallestTotal is the smallest order total: every min_total the
	// scenarios send is at most it, so the filter matches every order.
	SmallestTotal int64 `json:"smallest_total"`
	// Keys is the number of cursors (deep) and of min_total values
	// (first page), each combined with every limit MinLimit..MaxLimit.
	Keys     int `json:"keys"`
	MinLimit int `json:"min_limit"`
	MaxLimit int `json:"max_limit"`
	// DepthFrom..DepthTo are the depths (orders skipped) of the deep
	// scenario's cursors.
	DepthFrom int `json:"depth_from"`
	DepthTo   int `json:"depth_to"`
}

// Result is one scenario's measured window. Latencies cover every request
// that completed in the window, failed ones included.
type Result struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Request string `json:"request"`
	// Expect is the Cache-Status the scenario is built to get ("hit" or
	// "miss"); empty when the endpoint is not cached.
	Expect       string      `json:"expect,omitempty"`
	DistinctURLs int         `json:"distinct_urls"`
	Requests     int         `json:"requests"`
	RPS          float64     `json:"rps"`
	P50Ms        float64     `json:"p50_ms"`
	P99Ms        float64     `json:"p99_ms"`
	Errors       int         `json:"errors"`
	FirstError   string      `json:"first_error,omitempty"`
	Cache        CacheCounts `json:"cache"`
	// CPU is the CPU time of each watched process in the window, and
	// MachineBusy the share of the machine's CPU time that was busy.
	CPU         []CPUUse `json:"cpu,omitempty"`
	MachineBusy float64  `json:"machine_busy,omitempty"`
}

// CacheCounts counts the Cache-Status header values of a window.
type CacheCounts struct {
	Hit    int `json:"hit"`
	Miss   int `json:"miss"`
	Bypass int `json:"bypass"`
	// None counts responses without a recognised Cache-Status.
	None int `json:"none"`
}

// add counts one Cache-Status header (RFC 9211), e.g. "pishkhan; hit" or
// "pishkhan; fwd=miss; stored".
func (c *CacheCounts) add(header string) {
	params := strings.Split(header, ";")
	if len(params) < 2 {
		c.None++
		return
	}
	for _, p := range params[1:] {
		switch strings.TrimSpace(p) {
		case "hit":
			c.Hit++
			return
		case "fwd=miss":
			c.Miss++
			return
		case "fwd=bypass":
			c.Bypass++
			return
		}
	}
	c.None++
}

func (c CacheCounts) total() int { return c.Hit + c.Miss + c.Bypass + c.None }

// count returns how many responses had the Cache-Status want ("hit" or
// "miss").
func (c CacheCounts) count(want string) int {
	switch want {
	case "hit":
		return c.Hit
	case "miss":
		return c.Miss
	}
	return 0
}

// share returns the fraction of responses whose Cache-Status was want.
func (c CacheCounts) share(want string) float64 {
	if c.total() == 0 {
		return 0
	}
	return float64(c.count(want)) / float64(c.total())
}

// ---- run ----

func runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the running Pishkhan (plain HTTP, loopback IP only)")
	email := fs.String("email", os.Getenv("PISHKHAN_BENCH_EMAIL"), "login email (default $PISHKHAN_BENCH_EMAIL)")
	password := fs.String("password", os.Getenv("PISHKHAN_BENCH_PASSWORD"), "login password (default $PISHKHAN_BENCH_PASSWORD)")
	conns := fs.Int("connections", 64, "concurrent connections, each with one request in flight")
	duration := fs.Duration("duration", 10*time.Second, "measured window of each scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured load before each window")
	ids := fs.Int("ids", 1000, "order ids the rotating detail scenario cycles through")
	depth := fs.Int("depth", 99_000, "depth (orders skipped) of the deepest cursor of the deep keyset scenario; a multiple of 100")
	keys := fs.Int("keyset-keys", 4000, "cursors (deep) and min_total values (first page) per keyset scenario; a multiple of 100")
	pageFilters := fs.Int("page-filters", 1000, "filters (min_total values) the page-mode scenarios combine with; each total is warmed before each")
	pageDeep := fs.Int("page-deep", 2000, "the deepest page (of 50) of the deep page-mode scenario, which sends the 100 pages up to it")
	only := fs.String("scenarios", strings.Join(allScenarios, ","), "comma-separated scenarios to run")
	out := fs.String("out", "", "also write the results as JSON to this file, for `report`")
	cpu := fs.String("cpu", "", "name=pid,... of local processes (the server, Redis) whose CPU time per request each window records; the load generator's own is always recorded")
	if err := fs.Parse(args); err != nil {
		return err
	}
	procs, err := parseProcesses(*cpu)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, id := range strings.Split(*only, ",") {
		if !slices.Contains(allScenarios, id) {
			return fmt.Errorf("-scenarios: unknown scenario %q (have %s)", id, strings.Join(allScenarios, ", "))
		}
		want[id] = true
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case *email == "" || *password == "":
		return errors.New("give -email and -password (or PISHKHAN_BENCH_EMAIL and PISHKHAN_BENCH_PASSWORD)")
	case *conns < 1 || *conns > 1024:
		return errors.New("-connections must be between 1 and 1024")
	case *duration < time.Second || *duration > 10*time.Minute:
		return errors.New("-duration must be between 1s and 10m")
	case *warmup < 0 || *warmup > time.Minute:
		return errors.New("-warmup must be between 0 and 1m")
	case *ids < 1 || *ids > 100_000:
		return errors.New("-ids must be between 1 and 100000")
	case *keys < 100 || *keys%100 != 0 || *keys > 100_000:
		return errors.New("-keyset-keys must be a multiple of 100 between 100 and 100000")
	case *depth%100 != 0 || *depth-*keys < 100 || *depth > 10_000_000:
		return errors.New("-depth must be a multiple of 100, at least -keyset-keys + 100 and at most 10000000")
	case *pageFilters < 1 || *pageFilters > 10_000:
		return errors.New("-page-filters must be between 1 and 10000")
	}
	u, err := loopbackURL(*base)
	if err != nil {
		return err
	}
	c := newClient(u, *conns)
	ctx := context.Background()

	if err := c.ping(ctx); err != nil {
		return err
	}
	if err := c.login(ctx, *email, *password); err != nil {
		return err
	}
	logf("preparing %s", *only)
	scenarios, info, err := c.prepare(ctx, want, *ids, *depth, *keys)
	if err != nil {
		return err
	}
	pages, pinfo, err := c.pageScenarios(ctx, want, *pageFilters, *pageDeep)
	if err != nil {
		return err
	}
	scenarios = append(scenarios, pages...)
	run := Run{Started: time.Now().UTC().Truncate(time.Second), Connections: *conns,
		WarmupSeconds: warmup.Seconds(), DurationSeconds: duration.Seconds(), Keyset: info, Pages: pinfo}
	for _, sc := range scenarios {
		if sc.setup != nil {
			logf("%s: preparing", sc.name)
			if err := sc.setup(ctx); err != nil {
				return err
			}
		}
		logf("%s: %s warm-up + %s at %d connections", sc.name, *warmup, *duration, *conns)
		r := c.measure(sc, *warmup, *duration, procs)
		logf("  %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors", r.Requests, r.RPS, r.P50Ms, r.P99Ms, r.Errors)
		for _, u := range r.CPU {
			logf("  %s: %.0f µs CPU per request (%.2f cores)", u.Name, u.MicrosPerRequest, u.Cores)
		}
		if r.FirstError != "" {
			logf("  first error: %s", r.FirstError)
		}
		run.Scenarios = append(run.Scenarios, r)
	}
	fmt.Print(table(run))
	if line := keysetRatio(run); line != "" {
		fmt.Print("\n" + line)
	}
	if *out != "" {
		b, err := json.MarshalIndent(run, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

// loopbackURL parses raw and refuses anything but plain HTTP to a loopback
// IP literal (127.0.0.0/8 or ::1). Host names are refused too, so that not
// even a name lookup leaves the machine.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("-url %q: want http://HOST:PORT with nothing after it", raw)
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err != nil || !ip.Unmap().IsLoopback() {
		return nil, fmt.Errorf("-url %q: the host must be a loopback IP address (127.0.0.0/8 or ::1)", raw)
	}
	u.Path = ""
	return u, nil
}

// dialLoopback connects only to loopback IP literals: a second guard
// behind loopbackURL, covering every connection the transport opens.
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return nil, fmt.Errorf("refusing to connect to %s: not a loopback IP address", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// client talks to one Pishkhan. Its transport keeps one idle connection
// per concurrent worker, so the measured windows reuse connections.
type client struct {
	base   string
	conns  int
	http   *http.Client
	cookie string // the Cookie header value once logged in
}

// newClient returns a client of the server at u for conns concurrent
// workers.
func newClient(u *url.URL, conns int) *client {
	tr := &http.Transport{
		Proxy:                 nil, // never go through an HTTP(S)_PROXY from the environment
		DialContext:           dialLoopback,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       conns,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: requestTimeout,
		DisableCompression:    true,
	}
	hc := &http.Client{
		Transport:     tr,
		Timeout:       requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &client{base: strings.TrimSuffix(u.String(), "/"), conns: conns, http: hc}
}

func (c *client) newRequest(ctx context.Context, method, path string, body io.Reader, auth bool) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if auth {
		req.Header.Set("Cookie", c.cookie)
	}
	return req, nil
}

// get sends one GET, reads and discards the body, and returns the status
// and the Cache-Status header.
func (c *client) get(ctx context.Context, path string, auth bool) (int, string, error) {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil, auth)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Cache-Status"), err
}

// statusError describes a refused request with the start of its body.
func statusError(method, path string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
}

// getJSON sends one logged-in GET and decodes its 200 body into v.
func (c *client) getJSON(ctx context.Context, path string, v any) error {
	return c.getJSONAs(ctx, path, true, v)
}

// getJSONAnon is getJSON without the session.
func (c *client) getJSONAnon(ctx context.Context, path string, v any) error {
	return c.getJSONAs(ctx, path, false, v)
}

func (c *client) getJSONAs(ctx context.Context, path string, auth bool, v any) error {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil, auth)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return statusError("GET", path, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// ping checks that a Pishkhan answers at the base URL.
func (c *client) ping(ctx context.Context) error {
	status, _, err := c.get(ctx, "/api/ping", false)
	if err != nil {
		return fmt.Errorf("is Pishkhan running at %s? %w", c.base, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET /api/ping: status %d", status)
	}
	return nil
}

// login opens a session and keeps its cookie for the logged-in requests.
func (c *client) login(ctx context.Context, email, password string) error {
	body, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodPost, "/api/auth/login", bytes.NewReader(body), false)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return statusError("POST", "/api/auth/login", resp)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			c.cookie = ck.Name + "=" + ck.Value
			return nil
		}
	}
	return fmt.Errorf("the login answered 200 without a %s cookie", sessionCookie)
}

// cursorPage is the part of a cursor-mode list response the preparation
// reads.
type cursorPage struct {
	Items []struct {
		ID    int64 `json:"id"`
		Total int64 `json:"total"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// scenario is a load to measure: path(n) is the URL path of the n-th
// request (n counts from 0 across all workers, warm-up included).
type scenario struct {
	id, name string
	request  string // what is sent, for the report
	expect   string // the Cache-Status it is built to get: "hit", "miss", or "" (not cached)
	auth     bool   // send the session cookie
	distinct int    // distinct URLs path cycles through
	path     func(n uint64) string
	// setup, when set, runs right before the scenario's warm-up.
	setup func(ctx context.Context) error
}

// rotate returns a path function cycling through paths.
func rotate(paths []string) func(uint64) string {
	return func(n uint64) string { return paths[n%uint64(len(paths))] }
}

// allScenarios lists the scenario ids in the order they run.
var allScenarios = []string{idCeiling, idCachedList, idCachedDetail, idPublicList, idPublicPost, idKeysetFirst, idKeysetDeep, idPageFirst, idPageDeep, idPageMiddle}

// prepare builds the scenarios named in want, in the order of
// allScenarios: it collects order ids and warms their details and the
// cached list page, and builds the keyset URL pools, as they need.
func (c *client) prepare(ctx context.Context, want map[string]bool, nIDs, depth, keys int) ([]scenario, KeysetInfo, error) {
	const listPage = "/api/orders?page=1&page_size=20"
	var out []scenario
	var info KeysetInfo
	if want[idCeiling] {
		out = append(out, scenario{id: idCeiling, name: "ceiling: GET /api/ping",
			request:  "`GET /api/ping`, a static JSON answer, not logged in (no session lookup)",
			distinct: 1, path: rotate([]string{"/api/ping"})})
	}
	if want[idCachedList] {
		if err := c.warm(ctx, []string{listPage}); err != nil {
			return nil, info, err
		}
		out = append(out, scenario{id: idCachedList, name: "cached list page",
			request: "`GET " + listPage + "`, logged in, served from Redis",
			expect:  "hit", auth: true, distinct: 1, path: rotate([]string{listPage})})
	}
	if want[idCachedDetail] {
		ids, err := c.orderIDs(ctx, nIDs)
		if err != nil {
			return nil, info, err
		}
		details := make([]string, len(ids))
		for i, id := range ids {
			details[i] = "/api/orders/" + strconv.FormatInt(id, 10)
		}
		if err := c.warm(ctx, details); err != nil {
			return nil, info, err
		}
		n := group(int64(len(details)))
		out = append(out, scenario{id: idCachedDetail, name: "rotating cached details (" + n + " ids)",
			request: "`GET /api/orders/{id}` cycling through " + n + " order ids, each warmed first",
			expect:  "hit", auth: true, distinct: len(details), path: rotate(details)})
	}
	public, err := c.preparePublic(ctx, want, nIDs)
	if err != nil {
		return nil, info, err
	}
	out = append(out, public...)
	if want[idKeysetFirst] || want[idKeysetDeep] {
		first, deep, ki, err := c.keysetPools(ctx, depth, keys)
		if err != nil {
			return nil, info, err
		}
		info = ki
		from, to := group(int64(info.DepthFrom)), group(int64(info.DepthTo))
		if want[idKeysetFirst] {
			out = append(out, scenario{id: idKeysetFirst, name: "keyset first page (uncached)",
				request: fmt.Sprintf("`GET /api/orders?min_total=K&limit=L` for K in 0..%d and L in %d..%d, shuffled; every URL once",
					keys-1, minLimit, maxLimit),
				expect: "miss", auth: true, distinct: len(first), path: rotate(first)})
		}
		if want[idKeysetDeep] {
			out = append(out, scenario{id: idKeysetDeep, name: "keyset depth " + from + "–" + to + " (uncached)",
				request: fmt.Sprintf("`GET /api/orders?min_total=0&limit=L&cursor=C` for %s cursors at depths %s–%s and L in %d..%d, shuffled; every URL once",
					group(int64(keys)), from, to, minLimit, maxLimit),
				expect: "miss", auth: true, distinct: len(deep), path: rotate(deep)})
		}
	}
	return out, info, nil
}

// orderIDs returns the ids of the n newest orders.
func (c *client) orderIDs(ctx context.Context, n int) ([]int64, error) {
	var ids []int64
	path := "/api/orders?limit=100"
	for len(ids) < n {
		var p cursorPage
		if err := c.getJSON(ctx, path, &p); err != nil {
			return nil, err
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.NextCursor == nil {
			break
		}
		path = "/api/orders?limit=100&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	if len(ids) < n {
		return nil, fmt.Errorf("the server lists %d orders; -ids wants %d (seed more)", len(ids), n)
	}
	return ids[:n], nil
}

// warm requests every path once (a few at a time) so that it is cached.
func (c *client) warm(ctx context.Context, paths []string) error { return c.warmAs(ctx, paths, true) }

// warmAnon is warm without the session.
func (c *client) warmAnon(ctx context.Context, paths []string) error {
	return c.warmAs(ctx, paths, false)
}

func (c *client) warmAs(ctx context.Context, paths []string, auth bool) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(setupParallelism)
	for _, p := range paths {
		g.Go(func() error {
			status, _, err := c.get(ctx, p, auth)
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("GET %s: status %d", p, status)
			}
			return err
		})
	}
	return g.Wait()
}

// keysetPools builds the URL pools of the two uncached keyset scenarios.
// Every URL is distinct, so each request is its own cache key and misses.
//
// Both pools carry min_total, a filter that matches every order (all
// values sent are at most the smallest total, checked here), so the SQL
// of the two scenarios differs only by the keyset predicate:
//   - first page: min_total=K (K in 0..keys-1) × limit=L, no cursor;
//   - deep: min_total=0 × limit=L × a cursor at each depth
//     depth-keys+1..depth (the cursor is bound to min_total=0).
//
// The cursors come from walking the list with limit=100 down to the
// block starts, then walking each block of 100 with limit=1. None of
// these preparation URLs is in a pool (their limits are 1 and 100).
func (c *client) keysetPools(ctx context.Context, depth, keys int) (first, deep []string, info KeysetInfo, err error) {
	info = KeysetInfo{Keys: keys, MinLimit: minLimit, MaxLimit: maxLimit, DepthFrom: depth - keys + 1, DepthTo: depth}
	var smallest cursorPage
	if err := c.getJSON(ctx, "/api/orders?limit=1&sort=total", &smallest); err != nil {
		return nil, nil, info, err
	}
	if len(smallest.Items) == 0 {
		return nil, nil, info, errors.New("the server lists no orders (seed first)")
	}
	info.SmallestTotal = smallest.Items[0].Total
	if int64(keys-1) > info.SmallestTotal {
		return nil, nil, info, fmt.Errorf("min_total up to %d would hide orders (smallest total %d); lower -keyset-keys",
			keys-1, info.SmallestTotal)
	}
	var count struct {
		Total int64 `json:"total"`
	}
	if err := c.getJSON(ctx, "/api/orders?page=1&page_size=1", &count); err != nil {
		return nil, nil, info, err
	}
	info.Orders = count.Total
	if info.Orders < int64(depth+100) {
		return nil, nil, info, fmt.Errorf("the server lists %d orders; depth %d needs at least %d", info.Orders, depth, depth+100)
	}

	const walk = "/api/orders?min_total=0"
	// starts[j] is the cursor at depth depth-keys + 100*j
	var starts []string
	cursor := ""
	for pos := 0; pos < depth-100; pos += 100 {
		path := walk + "&limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var p cursorPage
		if err := c.getJSON(ctx, path, &p); err != nil {
			return nil, nil, info, err
		}
		if p.NextCursor == nil {
			return nil, nil, info, fmt.Errorf("the list ended at depth %d", pos+len(p.Items))
		}
		cursor = *p.NextCursor
		if pos+100 >= depth-keys {
			starts = append(starts, cursor)
		}
	}
	cursors := make([]string, keys)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(setupParallelism)
	for j, start := range starts {
		g.Go(func() error {
			cur := start
			for k := range 100 {
				var p cursorPage
				if err := c.getJSON(gctx, walk+"&limit=1&cursor="+url.QueryEscape(cur), &p); err != nil {
					return err
				}
				if p.NextCursor == nil {
					return errors.New("the list ended during the cursor walk")
				}
				cur = *p.NextCursor
				cursors[j*100+k] = cur
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, info, err
	}
	// every deep page is full: even the deepest cursor has 100 orders after it
	var last cursorPage
	if err := c.getJSON(ctx, walk+"&limit=100&cursor="+url.QueryEscape(cursors[keys-1]), &last); err != nil {
		return nil, nil, info, err
	}
	if len(last.Items) != 100 {
		return nil, nil, info, fmt.Errorf("only %d orders after depth %d", len(last.Items), depth)
	}

	for i := range keys {
		for l := minLimit; l <= maxLimit; l++ {
			first = append(first, fmt.Sprintf("/api/orders?min_total=%d&limit=%d", i, l))
			deep = append(deep, fmt.Sprintf("%s&limit=%d&cursor=%s", walk, l, url.QueryEscape(cursors[i])))
		}
	}
	r := rand.New(rand.NewPCG(1, 2)) // fixed: every run sends the same order
	r.Shuffle(len(first), func(i, j int) { first[i], first[j] = first[j], first[i] })
	r.Shuffle(len(deep), func(i, j int) { deep[i], deep[j] = deep[j], deep[i] })
	return first, deep, info, nil
}

// tally is one worker's share of a window.
type tally struct {
	lat      []time.Duration
	errors   int
	firstErr string
	cache    CacheCounts
}

// measure runs sc on conns workers, each sending its next request as soon
// as the previous one is answered, for warmup+window. A request counts in
// the window when it completes inside it; no request starts after the
// window, and each is bounded by requestTimeout. It snapshots procs' CPU
// time when the window opens and when it closes.
func (c *client) measure(sc scenario, warmup, window time.Duration, procs []process) Result {
	ctx := context.Background()
	start := time.Now()
	windowStart := start.Add(warmup)
	end := windowStart.Add(window)
	cpuDone := make(chan [2]cpuSnapshot, 1)
	go func() {
		time.Sleep(time.Until(windowStart))
		a := snapshot(procs)
		time.Sleep(time.Until(end))
		cpuDone <- [2]cpuSnapshot{a, snapshot(procs)}
	}()
	var seq atomic.Uint64
	tallies := make([]tally, c.conns)
	var wg sync.WaitGroup
	for w := range tallies {
		t := &tallies[w]
		t.lat = make([]time.Duration, 0, 1<<14)
		wg.Go(func() {
			for time.Now().Before(end) {
				path := sc.path(seq.Add(1) - 1)
				t0 := time.Now()
				status, cacheStatus, err := c.get(ctx, path, sc.auth)
				t1 := time.Now()
				if t1.Before(windowStart) || !t1.Before(end) {
					continue
				}
				t.lat = append(t.lat, t1.Sub(t0))
				switch {
				case err != nil:
					t.errors++
					if t.firstErr == "" {
						t.firstErr = err.Error()
					}
				case status < 200 || status > 299:
					t.errors++
					if t.firstErr == "" {
						t.firstErr = fmt.Sprintf("GET %s: status %d", path, status)
					}
				default:
					t.cache.add(cacheStatus)
				}
			}
		})
	}
	wg.Wait()

	r := Result{ID: sc.id, Name: sc.name, Request: sc.request, Expect: sc.expect, DistinctURLs: sc.distinct}
	var all []time.Duration
	for _, t := range tallies {
		all = append(all, t.lat...)
		r.Errors += t.errors
		if r.FirstError == "" {
			r.FirstError = t.firstErr
		}
		r.Cache.Hit += t.cache.Hit
		r.Cache.Miss += t.cache.Miss
		r.Cache.Bypass += t.cache.Bypass
		r.Cache.None += t.cache.None
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.RPS = float64(len(all)) / window.Seconds()
	r.P50Ms = ms(percentile(all, 50))
	r.P99Ms = ms(percentile(all, 99))
	snaps := <-cpuDone
	r.CPU, r.MachineBusy = cpuUse(procs, snaps[0], snaps[1], window, r.Requests)
	return r
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ---- report ----

func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "results JSON written by `run -out`")
	seedOrders := fs.Int("seed-orders", 1_000_000, "how many orders the timed seed inserted")
	seedSeconds := fs.Float64("seed-seconds", 0, "wall-clock seconds of the timed `pishkhan seed` (0: not measured)")
	seedOK := fs.Bool("seed-ok", true, "whether the timed seed succeeded")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || fs.NArg() > 0 {
		return errors.New("give -in results.json and no other arguments")
	}
	b, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	var run Run
	if err := json.Unmarshal(b, &run); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	fmt.Print(report(run, seed{orders: *seedOrders, seconds: *seedSeconds, ok: *seedOK}))
	return nil
}

// seed is the script's timing of `pishkhan seed`.
type seed struct {
	orders  int
	seconds float64
	ok      bool
}

// table renders the results as a Markdown table.
func table(run Run) string {
	var b strings.Builder
	b.WriteString("| Scenario | Requests | req/s | p50 | p99 | Errors | Cache-Status |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range run.Scenarios {
		cache := "n/a (not cached)"
		if r.Expect != "" {
			cache = fmt.Sprintf("%.1f%% %s", 100*r.Cache.share(r.Expect), r.Expect)
			for _, o := range []struct {
				name string
				n    int
			}{{"hit", r.Cache.Hit}, {"miss", r.Cache.Miss}, {"bypass", r.Cache.Bypass}, {"no header", r.Cache.None}} {
				if o.name != r.Expect && o.n > 0 {
					cache += fmt.Sprintf("; %s %s", group(int64(o.n)), o.name)
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f ms | %.2f ms | %s | %s |\n", r.Name, group(int64(r.Requests)),
			group(int64(math.Round(r.RPS))), r.P50Ms, r.P99Ms, group(int64(r.Errors)), cache)
	}
	return b.String()
}

// cpuTable renders each window's CPU time per request, or "" when the
// run recorded none.
func cpuTable(run Run) string {
	var names []string
	for _, r := range run.Scenarios {
		for _, u := range r.CPU {
			if !slices.Contains(names, u.Name) {
				names = append(names, u.Name)
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("CPU time per request in each measured window (user + system, from `/proc`; the machine's busy share " +
		"covers every process, PostgreSQL's included):\n\n| Scenario |")
	for _, n := range names {
		fmt.Fprintf(&b, " %s |", n)
	}
	b.WriteString(" machine busy |\n|---|")
	b.WriteString(strings.Repeat("---:|", len(names)+1) + "\n")
	for _, r := range run.Scenarios {
		fmt.Fprintf(&b, "| %s |", r.Name)
		for _, n := range names {
			cell := "–"
			for _, u := range r.CPU {
				if u.Name == n {
					cell = fmt.Sprintf("%.0f µs (%.2f cores)", u.MicrosPerRequest, u.Cores)
				}
			}
			b.WriteString(" " + cell + " |")
		}
		fmt.Fprintf(&b, " %.0f%% |\n", 100*r.MachineBusy)
	}
	b.WriteString("\n")
	return b.String()
}

// keysetRatio compares the deep keyset scenario with the first page, or
// returns "" when the run lacks either.
func keysetRatio(run Run) string {
	first, okF := run.scenario(idKeysetFirst)
	deep, okD := run.scenario(idKeysetDeep)
	if !okF || !okD || first.P50Ms <= 0 || deep.RPS <= 0 {
		return ""
	}
	return fmt.Sprintf("Keyset depth %s–%s ÷ first page: p50 latency %.2f×, time per request (first page req/s ÷ deep req/s) %.2f×.\n",
		group(int64(run.Keyset.DepthFrom)), group(int64(run.Keyset.DepthTo)), deep.P50Ms/first.P50Ms, first.RPS/deep.RPS)
}

// verdict is one target's outcome; evaluated is false when the run cannot
// tell (a scenario missing, failing or not served as intended).
type verdict struct {
	target    string
	evaluated bool
	met       bool
	detail    string
}

func (v verdict) String() string {
	outcome := "not evaluated"
	if v.evaluated && v.met {
		outcome = "met"
	} else if v.evaluated {
		outcome = "MISSED"
	}
	return fmt.Sprintf("- %s: **%s** (%s)\n", v.target, outcome, v.detail)
}

func (run Run) scenario(id string) (Result, bool) {
	for _, r := range run.Scenarios {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// valid reports why the scenarios cannot back a verdict, or "" when they
// can: each must be present, error-free and, when cached, served with the
// Cache-Status it was built for at least 99% of the time.
func (run Run) valid(ids ...string) string {
	for _, id := range ids {
		r, ok := run.scenario(id)
		switch {
		case !ok:
			return "scenario " + id + " was not run"
		case r.Requests == 0:
			return r.Name + " completed no request"
		case r.Errors > 0:
			return fmt.Sprintf("%s had %d errors", r.Name, r.Errors)
		case r.Expect != "" && r.Cache.share(r.Expect) < 0.99:
			return fmt.Sprintf("%s was a cache %s only %.1f%% of the time", r.Name, r.Expect, 100*r.Cache.share(r.Expect))
		}
	}
	return ""
}

// targets computes the verdict of every target of docs/benchmarks.md.
func targets(run Run, s seed) []verdict {
	var out []verdict
	ceil, _ := run.scenario(idCeiling)
	list, _ := run.scenario(idCachedList)
	first, _ := run.scenario(idKeysetFirst)
	deep, _ := run.scenario(idKeysetDeep)

	v := verdict{target: "Cached list page ≥ 70% of the ceiling's req/s in the same run"}
	if why := run.valid(idCeiling, idCachedList); why != "" {
		v.detail = why
	} else {
		share := list.RPS / ceil.RPS
		v.evaluated, v.met = true, share >= 0.70
		v.detail = fmt.Sprintf("%s / %s req/s = %.1f%%", group(int64(math.Round(list.RPS))), group(int64(math.Round(ceil.RPS))), 100*share)
	}
	out = append(out, v)

	v = verdict{target: "Cached list page p99 < 10 ms at 64 connections"}
	if why := run.valid(idCachedList); why != "" {
		v.detail = why
	} else if run.Connections != 64 {
		v.detail = fmt.Sprintf("this run used %d connections", run.Connections)
	} else {
		v.evaluated, v.met = true, list.P99Ms < 10
		v.detail = fmt.Sprintf("p99 %.2f ms", list.P99Ms)
	}
	out = append(out, v)

	v = verdict{target: "Keyset page at depth ~100k within 2× of the first page (p50 latency and req/s, both uncached)"}
	if why := run.valid(idKeysetFirst, idKeysetDeep); why != "" {
		v.detail = why
	} else {
		lat, thr := deep.P50Ms/first.P50Ms, first.RPS/deep.RPS
		v.evaluated, v.met = true, lat <= 2 && thr <= 2
		v.detail = fmt.Sprintf("p50 %.2f ms vs %.2f ms = %.2f×; req/s %s vs %s = %.2f×", deep.P50Ms, first.P50Ms, lat,
			group(int64(math.Round(deep.RPS))), group(int64(math.Round(first.RPS))), thr)
	}
	out = append(out, v, pageTarget(run))

	v = verdict{target: fmt.Sprintf("`pishkhan seed --orders %s` < 60 s", group(int64(s.orders)))}
	switch {
	case !s.ok:
		v.evaluated, v.detail = true, fmt.Sprintf("the seed failed after %.1f s", s.seconds)
	case s.seconds <= 0:
		v.detail = "not timed in this run"
	default:
		v.evaluated, v.met = true, s.seconds < 60
		v.detail = fmt.Sprintf("%.1f s", s.seconds)
	}
	return append(out, v)
}

// report renders the body of docs/benchmarks.md: results table, what each
// scenario sent, the keyset comparison, the seed timing and the targets.
func report(run Run, s seed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Results\n\n%d connections, %g s warm-up then a %g s measured window per scenario, run one after the other; started %s.\n\n",
		run.Connections, run.WarmupSeconds, run.DurationSeconds, run.Started.Format(time.RFC3339))
	b.WriteString(table(run))
	b.WriteString("\nreq/s is the requests completed in the measured window divided by its length; p50 and p99 are exact " +
		"(nearest rank over every request of the window, failures included); errors are transport failures and non-2xx answers; " +
		"Cache-Status is the share of 2xx answers whose `Cache-Status` header said what the scenario was built to get.\n\n")
	b.WriteString(cpuTable(run))
	b.WriteString("What each scenario sends:\n\n")
	for _, r := range run.Scenarios {
		urls := "distinct URLs"
		if r.DistinctURLs == 1 {
			urls = "distinct URL"
		}
		fmt.Fprintf(&b, "- **%s**: %s (%s %s).\n", r.Name, r.Request, group(int64(r.DistinctURLs)), urls)
	}

	if k := run.Keyset; k.Keys > 0 {
		b.WriteString("\n### Keyset pagination: first page vs depth\n\n")
		fmt.Fprintf(&b, "The server listed %s orders (newest first). Each request of the two keyset scenarios has a URL of its own, "+
			"so each is a cache key of its own and a miss: the database is queried every time (the Cache-Status column shows it). "+
			"Both carry `min_total`, which matches every order (every value sent is at most %s, the smallest order total), "+
			"so their SQL differs only by the keyset condition. The limits %d..%d are the same in both. "+
			"The deep cursors (depths %s–%s) were collected by following `next_cursor`.\n\n",
			group(k.Orders), group(k.SmallestTotal), k.MinLimit, k.MaxLimit, group(int64(k.DepthFrom)), group(int64(k.DepthTo)))
	}
	if line := keysetRatio(run); line != "" {
		b.WriteString(line + "\n")
	}
	if sec := pageSection(run); sec != "" {
		b.WriteString(sec + "\n")
	}

	b.WriteString("## Seeding\n\n")
	switch {
	case !s.ok:
		fmt.Fprintf(&b, "`pishkhan seed --orders %d` on a fresh, migrated database **failed** after %.1f s.\n\n", s.orders, s.seconds)
	case s.seconds > 0:
		fmt.Fprintf(&b, "`pishkhan seed --orders %d` on a fresh, migrated database took **%.1f s** (wall clock of the whole command, "+
			"the benchmark server stopped).\n\n", s.orders, s.seconds)
	default:
		b.WriteString("Not timed in this run.\n\n")
	}

	b.WriteString("## Targets\n\nComputed by `pishkhan-bench report` from the numbers above.\n\n")
	for _, v := range targets(run, s) {
		b.WriteString(v.String())
	}
	return b.String()
}

// group renders n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
