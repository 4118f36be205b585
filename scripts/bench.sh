#!/usr/bin/env bash
# `make bench`: measures Pishkhan on PostgreSQL + Redis on this machine and
# rewrites docs/benchmarks.md with the numbers and the target verdicts.
#
# It builds bin/pishkhan and bin/pishkhan-bench; creates a fresh database
# pishkhan_bench on 127.0.0.1:5432, migrates and seeds it; serves it on a
# loopback port and load-tests it with pishkhan-bench; then times
# `seed --orders 1000000` on another fresh database, pishkhan_bench_seed,
# and serves that one to time the statistics overview (365 days) uncached
# and cached with `pishkhan-bench stats`.
# It drops both databases and deletes its Redis keys (every key under its
# CACHE_PREFIX, never FLUSHALL) at the end, whether it succeeds or not.
# Everything it talks to is on 127.0.0.1.
#
# On the same seeded database it also measures capacity: SSE_CLIENTS event
# streams held on one instance (users sse1..N@bench.local created in the
# database for it, 32 streams each: the per-user limit), and the cached
# list through nginx in front of one instance and then of three.
#
# Settings (environment):
#   BENCH_ADDR         where the server listens   (127.0.0.1:18080; must be 127.x.x.x)
#   BENCH_CONNECTIONS  concurrent connections     (64)
#   BENCH_DURATION     measured window/scenario   (10s)
#   BENCH_WARMUP       warm-up before each window (2s)
#   BENCH_ORDERS       orders seeded for the load (100000)
#   SEED_ORDERS        orders of the timed seed   (1000000)
#   SSE_CLIENTS        event streams on one instance (10000)
#   BENCH_POSTS        posts seeded for the public read API scenarios (2000)
#   BENCH_PROJECTS     projects seeded beside them (50)
#   SEARCH_DOCS        documents of the search index timing (10000)
#
# Last, it times the search index (no server: `pishkhan-bench search` calls
# it in process) on a fresh PostgreSQL database, pishkhan_bench_search, and
# on a fresh SQLite file, SEARCH_DOCS documents each.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_ADDR="${BENCH_ADDR:-127.0.0.1:18080}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-64}"
BENCH_DURATION="${BENCH_DURATION:-10s}"
BENCH_WARMUP="${BENCH_WARMUP:-2s}"
BENCH_ORDERS="${BENCH_ORDERS:-100000}"
BENCH_POSTS="${BENCH_POSTS:-2000}"
BENCH_PROJECTS="${BENCH_PROJECTS:-50}"
SEED_ORDERS="${SEED_ORDERS:-1000000}"
SSE_CLIENTS="${SSE_CLIENTS:-10000}"
SEARCH_DOCS="${SEARCH_DOCS:-10000}"
# thousands of streams are thousands of open files, on both ends
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

PG="postgres://postgres@127.0.0.1:5432"
PG_ADMIN="$PG/test?sslmode=disable"
BENCH_DB=pishkhan_bench
SEED_DB=pishkhan_bench_seed
SEARCH_DB=pishkhan_bench_search
PREFIX="pkbench:"
OUT=docs/benchmarks.md

if [[ ! $BENCH_ADDR =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]]; then
	echo "BENCH_ADDR must be 127.x.x.x:PORT (loopback), not $BENCH_ADDR" >&2
	exit 2
fi
for tool in go psql redis-cli curl; do
	command -v "$tool" >/dev/null || { echo "bench needs $tool" >&2; exit 1; }
done
psql "$PG_ADMIN" -Atc 'select 1' >/dev/null || { echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable at 127.0.0.1:6379" >&2; exit 1; }
if (exec 3<>"/dev/tcp/${BENCH_ADDR%:*}/${BENCH_ADDR##*:}") 2>/dev/null; then
	echo "something already listens on $BENCH_ADDR; set BENCH_ADDR to a free loopback port" >&2
	exit 1
fi

# Lighthouse, pinned, installed from npm into bin/ (it runs on the Node.js here and
# drives Debian's Chromium: no browser download)
LIGHTHOUSE_VERSION=12.2.3
lighthouse="$PWD/bin/lighthouse-$LIGHTHOUSE_VERSION/node_modules/.bin/lighthouse"
if [[ ! -x $lighthouse ]]; then
	echo "installing lighthouse $LIGHTHOUSE_VERSION into bin/"
	npm install --no-audit --no-fund --no-save --prefix "bin/lighthouse-$LIGHTHOUSE_VERSION" "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

work="$(mktemp -d)"
server_pid=""
extra_pids=()

# Run a pishkhan command as "${BENCH[@]}" CMD... (on the benchmark database)
# or "${SEED[@]}" CMD... (on the seed-timing one). env(1) execs CMD, so after
# `"${BENCH[@]}" CMD &`, $! is CMD's own pid.
# production refuses to start without PUBLIC_URL and SECRET_KEY
common=("REDIS_URL=redis://127.0.0.1:6379/0" "CACHE_PREFIX=$PREFIX" "ADDR=$BENCH_ADDR" "MEDIA_DIR=$work/media"
	"PUBLIC_URL=http://$BENCH_ADDR" "PUBLIC_RATE_LIMIT=100000000/min" "SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")")
BENCH=(env "DATABASE_URL=$PG/$BENCH_DB?sslmode=disable" "${common[@]}")
SEED=(env "DATABASE_URL=$PG/$SEED_DB?sslmode=disable" "${common[@]}")

# clear_redis deletes every key under PREFIX (SCAN + UNLINK; never FLUSHALL).
clear_redis() {
	redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${PREFIX}*" |
		xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 unlink >/dev/null
}

recreate_db() {
	psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}

drop_db() { psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true; }

# start_server LOG ENV... serves with env(1) prefix ENV and waits until ready.
start_server() {
	local log=$1
	shift
	"$@" bin/pishkhan serve >"$log" 2>&1 &
	server_pid=$!
	for ((i = 0; ; i++)); do
		if curl -fsS --max-time 2 "http://$BENCH_ADDR/readyz" >/dev/null 2>&1; then
			return
		fi
		if ! kill -0 "$server_pid" 2>/dev/null || ((i >= 60)); then
			echo "the server did not become ready" >&2
			exit 1
		fi
		sleep 0.5
	done
}

# scaleout starts two more instances beside the running one and nginx
# with two fronts, one over the first instance and one over all three, and
# prints a table row of the cached list through each.
scaleout() {
	local host=${BENCH_ADDR%:*} port=${BENCH_ADDR##*:} ngx
	ngx="$(command -v nginx || echo /usr/sbin/nginx)"
	if [[ ! -x $ngx ]]; then
		[[ $(id -u) -eq 0 ]] || { echo "nginx is missing (Debian package nginx)" >&2; return 1; }
		apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
	fi
	for i in 1 2; do
		"${BENCH[@]}" ADDR="$host:$((port + i))" bin/pishkhan serve >"$work/server-$i.log" 2>&1 &
		extra_pids+=($!)
	done
	for i in 1 2; do
		for ((n = 0; n < 60; n++)); do
			curl -fsS --max-time 2 "http://$host:$((port + i))/readyz" >/dev/null 2>&1 && break
			sleep 0.5
		done
	done
	mkdir -p "$work/nginx"
	cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream one { server $BENCH_ADDR; keepalive 128; }
    upstream three { server $BENCH_ADDR; server $host:$((port + 1)); server $host:$((port + 2)); keepalive 128; }
    server {
        listen $host:$((port + 10));
        location / { proxy_pass http://one; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$http_host; }
    }
    server {
        listen $host:$((port + 11));
        location / { proxy_pass http://three; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$http_host; }
    }
}
EOF
	"$ngx" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
	extra_pids+=($!)
	sleep 1
	for front in "one instance:$((port + 10))" "three instances:$((port + 11))"; do
		local label=${front%%:*} p=${front##*:} row
		row="$(PISHKHAN_BENCH_EMAIL="$email" PISHKHAN_BENCH_PASSWORD="$password" bin/pishkhan-bench run \
			-url "http://$host:$p" -connections "$BENCH_CONNECTIONS" -duration "$BENCH_DURATION" \
			-warmup "$BENCH_WARMUP" -scenarios cached-list 2>/dev/null | grep '^| ' | grep -v '^| Scenario' | head -1)"
		echo "| nginx → $label ${row#| }"
	done
	stop_scaleout
}

stop_scaleout() {
	for pid in "${extra_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	extra_pids=()
}

stop_server() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}

cleanup() {
	local rc=$?
	stop_scaleout
	stop_server
	clear_redis || echo "could not delete the Redis keys under $PREFIX" >&2
	drop_db "$BENCH_DB"
	drop_db "$SEED_DB"
	drop_db "$SEARCH_DB"
	if ((rc != 0)) && [[ -s $work/server.log ]]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 20 "$work/server.log" >&2
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building"
./scripts/web.sh >/dev/null
go build -o bin/pishkhan ./cmd/pishkhan
go build -o bin/pishkhan-bench ./cmd/pishkhan-bench

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
email="bench@pishkhan.local"
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

echo "preparing $BENCH_DB with $BENCH_ORDERS orders"
recreate_db "$BENCH_DB"
clear_redis
"${BENCH[@]}" bin/pishkhan migrate
"${BENCH[@]}" bin/pishkhan seed --orders "$BENCH_ORDERS"
"${BENCH[@]}" PISHKHAN_EMAIL="$email" PISHKHAN_PASSWORD="$password" bin/pishkhan createsuperuser >/dev/null
# posts are written through the posts service, by a user (about half go live)
"${BENCH[@]}" bin/pishkhan seed --posts "$BENCH_POSTS" --projects "$BENCH_PROJECTS"
psql "$PG/$BENCH_DB?sslmode=disable" -q -c 'VACUUM ANALYZE'

echo "starting the server on $BENCH_ADDR (log: $work/server.log)"
start_server "$work/server.log" "${BENCH[@]}"

redis_pid="$(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')"
PISHKHAN_BENCH_EMAIL="$email" PISHKHAN_BENCH_PASSWORD="$password" bin/pishkhan-bench run \
	-url "http://$BENCH_ADDR" -connections "$BENCH_CONNECTIONS" -duration "$BENCH_DURATION" \
	-warmup "$BENCH_WARMUP" -cpu "server=$server_pid,redis=$redis_pid" -out "$work/results.json"
echo "measuring the media pipeline"
PISHKHAN_BENCH_EMAIL="$email" PISHKHAN_BENCH_PASSWORD="$password" bin/pishkhan-bench media \
	-url "http://$BENCH_ADDR" -pid "$server_pid" >"$work/media.md"
echo "measuring $SSE_CLIENTS event streams on one instance"
users=$(((SSE_CLIENTS + 31) / 32))
psql "$PG/$BENCH_DB?sslmode=disable" -q -v ON_ERROR_STOP=1 <<EOF
INSERT INTO users (email, email_lower, name, password_hash, created_at, updated_at)
SELECT 'sse' || g || '@bench.local', 'sse' || g || '@bench.local', 'SSE ' || g,
	(SELECT password_hash FROM users WHERE email_lower = '$email'), now(), now()
FROM generate_series(1, $users) g ON CONFLICT (email_lower) DO NOTHING;
INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r
WHERE u.email_lower LIKE 'sse%@bench.local' AND r.name = 'Viewer' ON CONFLICT DO NOTHING;
EOF
PISHKHAN_BENCH_EMAIL="$email" PISHKHAN_BENCH_PASSWORD="$password" timeout 300 bin/pishkhan-bench sse \
	-url "http://$BENCH_ADDR" -clients "$SSE_CLIENTS" -pid "$server_pid" >"$work/sse.md"
echo "measuring the cached list through nginx: one instance, then three"
scaleout >"$work/scaleout.md"
echo "measuring the web app"
(cd web && node e2e/webperf.mjs "http://$BENCH_ADDR" "$email" "$password" 20) >"$work/web.md"
echo "scoring every screen with Lighthouse $LIGHTHOUSE_VERSION"
lighthouse_load="$(cut -d' ' -f1-3 /proc/loadavg)"
(cd web && LIGHTHOUSE="$lighthouse" node e2e/lighthouse.mjs "http://$BENCH_ADDR" "$email" "$password") >"$work/lighthouse.md"
stop_server
# the server's warnings and errors during the whole run, by message
server_warnings="$({ grep -E '"level":"(WARN|ERROR)"' "$work/server.log" || true; } | { grep -o '"msg":"[^"]*"' || true; } | cut -d'"' -f4 |
	sort | uniq -c | sort -rn | awk '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "%s%d × \"%s\"", sep, n, $0; sep = ", " }')"
clear_redis
drop_db "$BENCH_DB"

echo "timing seed --orders $SEED_ORDERS on a fresh $SEED_DB"
load_seed="$(cut -d' ' -f1-3 /proc/loadavg)"
load_stats="n/a"
recreate_db "$SEED_DB"
"${SEED[@]}" bin/pishkhan migrate
seed_ok=true
t0=$EPOCHREALTIME
if ! "${SEED[@]}" timeout 600 bin/pishkhan seed --orders "$SEED_ORDERS"; then
	seed_ok=false
fi
t1=$EPOCHREALTIME
seed_seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
echo "seed took $seed_seconds s (ok: $seed_ok)"

echo "timing the statistics overview on those $SEED_ORDERS orders"
: >"$work/stats.md"
if $seed_ok; then
	clear_redis
	"${SEED[@]}" PISHKHAN_EMAIL="$email" PISHKHAN_PASSWORD="$password" bin/pishkhan createsuperuser >/dev/null
	# as for the load test's database: no autovacuum or checkpoint of the
	# million fresh rows runs during the timing
	psql "$PG/$SEED_DB?sslmode=disable" -q -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
	load_stats="$(cut -d' ' -f1-3 /proc/loadavg)"
	start_server "$work/server-stats.log" "${SEED[@]}"
	PISHKHAN_BENCH_EMAIL="$email" PISHKHAN_BENCH_PASSWORD="$password" bin/pishkhan-bench stats \
		-url "http://$BENCH_ADDR" -redis "redis://127.0.0.1:6379/0" -prefix "$PREFIX" -range 365d \
		-orders "$SEED_ORDERS" >"$work/stats.md"
	stop_server
	clear_redis
fi
drop_db "$SEED_DB"

echo "timing search over $SEARCH_DOCS documents on PostgreSQL, then SQLite"
load_search="$(cut -d' ' -f1-3 /proc/loadavg)"
recreate_db "$SEARCH_DB"
bin/pishkhan-bench search -database "$PG/$SEARCH_DB?sslmode=disable" -docs "$SEARCH_DOCS" >"$work/search.md"
drop_db "$SEARCH_DB"
bin/pishkhan-bench search -database "$work/search.db" -docs "$SEARCH_DOCS" >>"$work/search.md"

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
pg_version="$(psql "$PG_ADMIN" -Atc 'show server_version')"
redis_version="$(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | awk -F: '/^redis_version:/ { print $2 }')"
code="$(git describe --always --dirty 2>/dev/null || echo unknown)"

{
	cat <<EOF
# Benchmarks

Generated by \`make bench\` (\`scripts/bench.sh\`, \`cmd/pishkhan-bench\`); do not edit by hand, rerun it.

## How these numbers were taken

- Date: $started; code: \`$code\`.
- Machine: $(nproc) CPUs ($cpu_model), $mem memory, $(uname -sr). Load average (1, 5, 15 min) before
  the load test: $load_before; before the seed timing: $load_seed (the latter includes the load test's tail); before the statistics
  timing: $load_stats.
  Other processes on the machine were not stopped.
- $(go env GOVERSION), PostgreSQL $pg_version, Redis $redis_version, all on this machine, talking over loopback.
- Server: \`bin/pishkhan serve\` with default settings on PostgreSQL (a fresh database: \`migrate\`,
  \`seed --orders $BENCH_ORDERS\`, \`VACUUM ANALYZE\`) and Redis (keys under \`$PREFIX\`). It logs one JSON
  line per request (LOG_LEVEL=info), to a file. Its warnings and errors during the run:
  ${server_warnings:-none}.
- Load: \`bin/pishkhan-bench run\`, a Go net/http client logged in with a session cookie, keeping
  $BENCH_CONNECTIONS connections with one request in flight on each (closed loop). Each scenario runs for
  $BENCH_WARMUP of warm-up and then a $BENCH_DURATION measured window; the scenarios run one after the other.
- **The load generator runs on the same $(nproc)-core machine** and competes with the server, PostgreSQL and
  Redis for CPU, so absolute numbers are below what a dedicated server would do; the targets compare
  scenarios of the same run.
- The seed timing ran afterwards, with the benchmark server stopped, on another fresh database.

EOF
	bin/pishkhan-bench report -in "$work/results.json" -seed-orders "$SEED_ORDERS" \
		-seed-seconds "$seed_seconds" -seed-ok="$seed_ok"
	if [[ -s $work/media.md ]]; then
		echo
		cat "$work/media.md"
	fi
	if [[ -s $work/stats.md ]]; then
		echo
		cat "$work/stats.md"
	fi
	if [[ -s $work/search.md ]]; then
		cat <<EOF

## Search

\`pishkhan-bench search\` on a fresh database of each engine (no server, no cache: it calls the search
index in process, as the public search and the admin lists do before caching their answers): it
rebuilds the index with $SEARCH_DOCS documents of \`internal/platform/search/corpus\` (Persian and
English blog posts and projects, 150–600 words each, a 30,000-word vocabulary per language with
natural word frequencies, Persian written with and without ZWNJ and now and then with Arabic letters
and digits), runs \`ANALYZE\`, then 400 warm-up and 4,000 measured searches one at a time, limit 20,
each answer with its snippets; the queries cycle through the kinds below. CPU is per query: the
tool's process and, on PostgreSQL, the backend serving its one connection. Load average (1, 5, 15 min)
before: $load_search.

| Engine, queries | Documents | Rebuild | p50 | p90 | p99 | max | CPU/query | Target / hits |
|---|---:|---:|---:|---:|---:|---:|---:|---|
$(cat "$work/search.md")
EOF
	fi
	if [[ -s $work/sse.md ]]; then
		cat <<EOF

## Event streams on one instance

\`pishkhan-bench sse\` against the load test's server after its run: $SSE_CLIENTS streams on
\`/api/events\` from one client process (users \`sse1..N@bench.local\`, 32 streams each, the server's
per-user limit), then a few order writes, one at a time, each timed from sending the write until every
stream got its \`orders\` event (each stream's credential is checked again for every event). Memory is
the server's resident set growth while the streams are open, divided by their number.

| What | Value |
|---|---|
$(cat "$work/sse.md")
EOF
	fi
	if [[ -s $work/scaleout.md ]]; then
		cat <<EOF

## Cached list: three instances against one

The cached list scenario of the load test, through nginx (two workers, keep-alive to the instances)
in front of the same first instance alone, then of three instances on the same database and Redis,
all on this $(nproc)-core machine with the load generator: more instances add no CPU here, so this
shows what the balancer and the shared Redis cost, not what three machines would do.

| Front | Requests | req/s | p50 | p99 | Errors | Cache-Status |
|---|---:|---:|---:|---:|---:|---|
$(cat "$work/scaleout.md")
EOF
	fi
	cat <<EOF

## Web app

Measured by \`web/e2e/webperf.mjs\` in Debian's Chromium (headless, via playwright-core) against the same
server after the load test, logged in, in Persian. First-load JavaScript is every script the orders
page downloads in a fresh browser context, in bytes on the wire (the server gzips static files;
Chromium fetches no \`nomodule\` polyfills). The navigation time runs from \`page.goto\` to the first
rendered row of the orders table, with the static files in the browser's HTTP cache (a returning
user), over loopback, while the server's caches are warm.

| What | Value | Target |
|---|---:|---|
$(cat "$work/web.md")
EOF
	cat <<EOF

## Lighthouse

Lighthouse $LIGHTHOUSE_VERSION (\`web/e2e/lighthouse.mjs\`), its default mobile profile (a mid-range phone
on slow 4G, simulated), in Debian's Chromium against the same server, logged in (the session cookie
sent as an extra header), in Persian, light theme. Targets: performance ≥ 95, accessibility and best
practices ≥ 98, CLS < 0.05, TBT < 150 ms. Load average when it ran: $lighthouse_load on $(nproc) cores
(Lighthouse's simulated CPU slow-down multiplies the script time it measures: a busy machine lowers
performance and raises TBT).

$(cat "$work/lighthouse.md")
EOF
} >"$work/benchmarks.md"
mkdir -p docs
mv "$work/benchmarks.md" "$OUT"
echo "wrote $OUT"
