#!/usr/bin/env bash
# scripts/topology.sh up|down: the scale-out topology on 127.0.0.1, from
# Debian packages and the project's binaries, no containers:
#
#   nginx (port BASE) ──► three `pishkhan serve` (BASE+1..BASE+3)
#   one `pishkhan worker` (jobs only)
#   PostgreSQL: a fresh database topology_<id> on the shared server at
#     127.0.0.1:5432, or with TOPOLOGY_PG=private a private server of its
#     own (initdb, port BASE+30) that may be restarted (make chaos does)
#   a Redis Cluster, three masters and three replicas (BASE+10..BASE+15)
#   versitygw (S3, BASE+20) over STATE/s3, clamd (BASE+21) with the EICAR
#     test signature only
#
# `up` prints shell assignments for other tools (and keeps them in
# STATE/env): PISHKHAN_URL (nginx), PISHKHAN_INSTANCE_URLS (space-separated),
# PISHKHAN_ADMIN_EMAIL, PISHKHAN_ADMIN_PASSWORD (a superuser it created),
# plus PISHKHAN_REDIS_NODES, PISHKHAN_STATE and PISHKHAN_DATABASE_URL.
# `down` stops everything it started (pid files in STATE/pids) and drops the
# database; `respawn NAME` starts one of its processes again as `up` did
# (make chaos kills them). Logs are in STATE/logs.
#
# Settings (environment):
#   TOPOLOGY_STATE  state directory          (/tmp/pishkhan-topology)
#   TOPOLOGY_BASE   first port               (19400; uses BASE..BASE+30 and +10000 for the cluster bus)
#   TOPOLOGY_PG     shared | private         (shared)
#   TOPOLOGY_MEDIA_DIR  versitygw's data dir (STATE/s3; make chaos puts it on a small tmpfs)
#   TOPOLOGY_BUILD  0: run bin/pishkhan as it is instead of building it first
#   TOPOLOGY_JOB_RESCUE_AFTER  JOB_RESCUE_AFTER of every process (15m)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

STATE="${TOPOLOGY_STATE:-/tmp/pishkhan-topology}"
BASE="${TOPOLOGY_BASE:-19400}"
PG_MODE="${TOPOLOGY_PG:-shared}"
PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
PGBIN=/usr/lib/postgresql/15/bin

NGINX_PORT=$BASE
INSTANCE_PORTS=($((BASE + 1)) $((BASE + 2)) $((BASE + 3)))
REDIS_PORTS=($((BASE + 10)) $((BASE + 11)) $((BASE + 12)) $((BASE + 13)) $((BASE + 14)) $((BASE + 15)))
S3_PORT=$((BASE + 20))
CLAMD_PORT=$((BASE + 21))
PG_PORT=$((BASE + 30))
WORKER_METRICS_PORT=$((BASE + 22))

log() { echo "topology: $*" >&2; }
die() { log "$*"; exit 1; }

# start NAME CMD...: runs CMD in the background with its output in
# STATE/logs/NAME.log and its pid in STATE/pids/NAME.pid.
start() {
	local name=$1
	shift
	mkdir -p "$STATE/cmds"
	printf '%q ' "$@" >"$STATE/cmds/$name"
	"$@" >>"$STATE/logs/$name.log" 2>&1 &
	echo $! >"$STATE/pids/$name.pid"
}

# respawn NAME: starts NAME again as up started it (after a fault killed it).
respawn() {
	local name=$1 cmd
	[[ -f $STATE/cmds/$name ]] || die "no process $name in $STATE"
	cmd="$(cat "$STATE/cmds/$name")"
	(eval "exec $cmd") >>"$STATE/logs/$name.log" 2>&1 &
	echo $! >"$STATE/pids/$name.pid"
}

wait_tcp() { # NAME PORT
	for ((i = 0; i < 300; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	die "$1 did not listen on 127.0.0.1:$2 (log: $STATE/logs/$1.log)"
}

wait_http() { # NAME URL
	for ((i = 0; i < 300; i++)); do
		if curl -fsS --max-time 2 "$2" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	tail -n 20 "$STATE/logs/$1.log" >&2 || true
	die "$1 did not answer $2"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_packages() {
	local missing=()
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
	command -v redis-server >/dev/null || missing+=(redis-server)
	command -v psql >/dev/null || missing+=(postgresql-client)
	[[ -x /usr/sbin/clamd ]] || command -v clamd >/dev/null || missing+=(clamav-daemon)
	if [[ $PG_MODE == private && ! -x $PGBIN/postgres ]]; then missing+=(postgresql-15); fi
	if ((${#missing[@]})); then
		[[ $(id -u) -eq 0 ]] || die "need root to apt-get install ${missing[*]}"
		log "installing ${missing[*]}"
		# RUNLEVEL=1: Debian's maintainer scripts do not start the packages' own daemons
		apt-get update -qq
		RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

redis_cluster_up() {
	local addrs=()
	for p in "${REDIS_PORTS[@]}"; do
		mkdir -p "$STATE/redis/$p"
		start "redis-$p" redis-server --port "$p" --bind 127.0.0.1 --protected-mode no --save "" --appendonly no \
			--dir "$STATE/redis/$p" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000
		addrs+=("127.0.0.1:$p")
	done
	for p in "${REDIS_PORTS[@]}"; do wait_tcp "redis-$p" "$p"; done
	redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$STATE/logs/redis-cluster-create.log" 2>&1 ||
		die "redis-cli --cluster create failed (log: $STATE/logs/redis-cluster-create.log)"
	for ((i = 0; i < 300; i++)); do
		local ok=1
		for p in "${REDIS_PORTS[@]}"; do
			redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || ok=0
		done
		((ok)) && return 0
		sleep 0.1
	done
	die "the Redis Cluster did not reach cluster_state:ok"
}

postgres_up() {
	if [[ $PG_MODE == private ]]; then
		local data="$STATE/pg"
		mkdir -p "$data" && chown postgres: "$data" "$STATE/logs" && chmod 755 "$STATE"
		runuser -u postgres -- "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >"$STATE/logs/initdb.log" 2>&1 ||
			die "initdb failed (log: $STATE/logs/initdb.log)"
		cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$data'
max_connections = 300
fsync = on
EOF
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data" -l "$STATE/logs/postgres.log" -w start >/dev/null ||
			die "the private PostgreSQL did not start (log: $STATE/logs/postgres.log)"
		echo private >"$STATE/pg-mode"
		PG_URL_BASE="postgres://postgres@127.0.0.1:$PG_PORT"
		PG_ADMIN="$PG_URL_BASE/postgres?sslmode=disable"
	else
		psql "$PG_ADMIN" -Atc 'select 1' >/dev/null || die "PostgreSQL is not reachable at $PG_ADMIN"
		echo shared >"$STATE/pg-mode"
		PG_URL_BASE="${PG_ADMIN%/*}"
	fi
	DB_NAME="topology_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
	psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $DB_NAME"
	echo "$DB_NAME" >"$STATE/db-name"
	echo "$PG_ADMIN" >"$STATE/pg-admin"
	DATABASE_URL="$PG_URL_BASE/$DB_NAME?sslmode=disable"
}

s3_up() {
	local bin
	bin="$(command -v versitygw || echo "$ROOT/bin/versitygw")"
	[[ -x $bin ]] || die "versitygw is missing: run scripts/services.sh (it installs bin/versitygw)"
	S3_DIR="${TOPOLOGY_MEDIA_DIR:-$STATE/s3}"
	mkdir -p "$S3_DIR"
	S3_ACCESS=topologyaccess
	S3_SECRET="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	VGW_QUIET=true start versitygw "$bin" --access "$S3_ACCESS" --secret "$S3_SECRET" --port "127.0.0.1:$S3_PORT" \
		--cors-allow-origin "*" posix "$S3_DIR"
	wait_tcp versitygw "$S3_PORT"
}

clamd_up() {
	local bin dir="$STATE/clamd"
	bin="$(command -v clamd || echo /usr/sbin/clamd)"
	mkdir -p "$dir/db"
	echo "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test" >"$dir/db/eicar.hdb"
	cat >"$dir/clamd.conf" <<EOF
Foreground yes
DatabaseDirectory $dir/db
TemporaryDirectory $dir
LogFile $STATE/logs/clamd-own.log
TCPAddr 127.0.0.1
TCPSocket $CLAMD_PORT
StreamMaxLength 134217728
MaxFileSize 134217728
MaxScanSize 134217728
SelfCheck 0
EOF
	start clamd "$bin" --config-file="$dir/clamd.conf"
	wait_tcp clamd "$CLAMD_PORT"
}

nginx_up() {
	local bin servers=""
	bin="$(command -v nginx || echo /usr/sbin/nginx)"
	for p in "${INSTANCE_PORTS[@]}"; do
		servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"$'\n'
	done
	mkdir -p "$STATE/nginx/tmp"
	cat >"$STATE/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $STATE/nginx/nginx.pid;
error_log $STATE/logs/nginx-error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 30000; }
http {
    access_log off;
    client_body_temp_path $STATE/nginx/tmp/body;
    proxy_temp_path $STATE/nginx/tmp/proxy;
    fastcgi_temp_path $STATE/nginx/tmp/fastcgi;
    uwsgi_temp_path $STATE/nginx/tmp/uwsgi;
    scgi_temp_path $STATE/nginx/tmp/scgi;
    client_max_body_size 200m;

    upstream pishkhan {
$servers        keepalive 64;
    }

    server {
        listen 127.0.0.1:$NGINX_PORT;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_connect_timeout 1s;
        proxy_read_timeout 60s;
        # a request nginx could not hand to any instance (all down, or one
        # died mid-request) is the contract's 503 with Retry-After, not a
        # bare 502/504; idempotent requests are retried on the next
        # instance first
        proxy_next_upstream error timeout http_502;
        proxy_intercept_errors off;
        error_page 502 504 = @unavailable;

        location / {
            proxy_pass http://pishkhan;
        }

        # Server-Sent Events: no buffering, long reads (heartbeats every 15s)
        location /api/events {
            proxy_pass http://pishkhan;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
        }

        location @unavailable {
            default_type application/json;
            add_header Retry-After 1 always;
            add_header Cache-Control no-store always;
            return 503 '{"status":"error","code":"UNAVAILABLE","message":"the service is briefly unavailable; retry shortly","request_id":"\$request_id"}';
        }
    }
}
EOF
	start nginx "$bin" -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx"
	wait_tcp nginx "$NGINX_PORT"
}

# pishkhan_env prints the environment every Pishkhan process shares.
pishkhan_env() {
	local redis_url="redis+cluster://127.0.0.1:${REDIS_PORTS[0]}?addr=127.0.0.1:${REDIS_PORTS[1]}&addr=127.0.0.1:${REDIS_PORTS[2]}"
	cat <<EOF
DATABASE_URL=$DATABASE_URL
REDIS_URL=$redis_url
PUBLIC_URL=http://127.0.0.1:$NGINX_PORT
SECRET_KEY=$SECRET_KEY
TRUSTED_PROXIES=127.0.0.1/32
S3_ENDPOINT=http://127.0.0.1:$S3_PORT
S3_BUCKET=media
S3_ACCESS_KEY=$S3_ACCESS
S3_SECRET_KEY=$S3_SECRET
CLAMAV_ADDR=127.0.0.1:$CLAMD_PORT
METRICS_TOKEN=$METRICS_TOKEN
DATA_DIR=$STATE/data
JOB_POLL_INTERVAL=200ms
JOB_RESCUE_AFTER=${TOPOLOGY_JOB_RESCUE_AFTER:-15m}
LOG_LEVEL=${TOPOLOGY_LOG_LEVEL:-warn}
EOF
}

up() {
	[[ ! -e $STATE/pids ]] || die "$STATE holds a running topology: run '$0 down' first"
	for p in "$NGINX_PORT" "${INSTANCE_PORTS[@]}" "${REDIS_PORTS[@]}" "$S3_PORT" "$CLAMD_PORT" "$PG_PORT" "$WORKER_METRICS_PORT"; do
		port_free "$p" || die "port $p is in use: set TOPOLOGY_BASE"
	done
	need_packages
	mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/data"
	trap 'log "up failed; stopping what it started"; down >/dev/null 2>&1 || true' ERR

	if [[ ${TOPOLOGY_BUILD:-1} != 0 || ! -x bin/pishkhan ]]; then
		log "building bin/pishkhan"
		go build -o bin/pishkhan ./cmd/pishkhan
	fi
	cp bin/pishkhan "$STATE/pishkhan" # the binary this topology runs, whatever is rebuilt meanwhile

	postgres_up
	redis_cluster_up
	s3_up
	clamd_up
	SECRET_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
	METRICS_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	pishkhan_env >"$STATE/pishkhan.env"
	local envs
	mapfile -t envs <"$STATE/pishkhan.env"

	env "${envs[@]}" "$STATE/pishkhan" migrate >"$STATE/logs/migrate.log" 2>&1 || die "migrate failed (log: $STATE/logs/migrate.log)"
	ADMIN_EMAIL="admin@topology.local"
	ADMIN_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	env "${envs[@]}" PISHKHAN_EMAIL="$ADMIN_EMAIL" PISHKHAN_PASSWORD="$ADMIN_PASSWORD" "$STATE/pishkhan" createsuperuser \
		>"$STATE/logs/createsuperuser.log" 2>&1 || die "createsuperuser failed (log: $STATE/logs/createsuperuser.log)"

	local urls=()
	for i in 0 1 2; do
		local p=${INSTANCE_PORTS[$i]}
		start "serve-$((i + 1))" env "${envs[@]}" ADDR="127.0.0.1:$p" JOB_WORKERS=0 "$STATE/pishkhan" serve
		urls+=("http://127.0.0.1:$p")
	done
	start worker env "${envs[@]}" JOB_WORKERS=4 METRICS_ADDR="127.0.0.1:$WORKER_METRICS_PORT" "$STATE/pishkhan" worker
	for i in 0 1 2; do wait_http "serve-$((i + 1))" "${urls[$i]}/readyz"; done
	nginx_up
	wait_http nginx "http://127.0.0.1:$NGINX_PORT/readyz"
	kill -0 "$(cat "$STATE/pids/worker.pid")" 2>/dev/null || die "the worker exited (log: $STATE/logs/worker.log)"
	trap - ERR

	local nodes=()
	for p in "${REDIS_PORTS[@]}"; do nodes+=("127.0.0.1:$p"); done
	cat >"$STATE/env" <<EOF
PISHKHAN_URL=http://127.0.0.1:$NGINX_PORT
PISHKHAN_INSTANCE_URLS='${urls[*]}'
PISHKHAN_ADMIN_EMAIL=$ADMIN_EMAIL
PISHKHAN_ADMIN_PASSWORD=$ADMIN_PASSWORD
PISHKHAN_REDIS_NODES='${nodes[*]}'
PISHKHAN_DATABASE_URL='$DATABASE_URL'
PISHKHAN_STATE=$STATE
EOF
	cat "$STATE/env"
}

# stop NAME: TERM, then KILL after 10 s; a stopped (SIGSTOP) process is
# continued first so that it can die.
stop() {
	local f="$STATE/pids/$1.pid" pid
	[[ -f $f ]] || return 0
	pid="$(cat "$f")"
	if kill -0 "$pid" 2>/dev/null; then
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

down() {
	[[ -d $STATE ]] || { log "nothing to stop in $STATE"; return 0; }
	stop nginx
	for f in "$STATE"/pids/serve-*.pid "$STATE/pids/worker.pid"; do
		[[ -e $f ]] && stop "$(basename "$f" .pid)"
	done
	for f in "$STATE"/pids/*.pid; do
		[[ -e $f ]] && stop "$(basename "$f" .pid)"
	done
	if [[ -f $STATE/db-name ]]; then
		psql "$(cat "$STATE/pg-admin")" -q -c "DROP DATABASE IF EXISTS $(cat "$STATE/db-name") WITH (FORCE)" >/dev/null 2>&1 || true
	fi
	if [[ $(cat "$STATE/pg-mode" 2>/dev/null) == private && -d $STATE/pg ]]; then
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$STATE/pg" -m immediate stop >/dev/null 2>&1 || true
	fi
	rm -rf "$STATE"
	log "stopped"
}

case "${1:-}" in
up) up ;;
down) down ;;
respawn)
	[[ -n ${2:-} ]] || die "usage: $0 respawn NAME (serve-1, worker, redis-PORT, …)"
	respawn "$2"
	;;
*)
	echo "usage: $0 up|down|respawn NAME" >&2
	exit 2
	;;
esac
