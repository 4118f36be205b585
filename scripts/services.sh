#!/usr/bin/env bash
# Makes sure the parts tests run against are here: PostgreSQL and Redis
# answering on loopback, and the binaries tests start privately
# (redis-server, versitygw), and pgvector in PostgreSQL.
# Installs Debian packages that are missing; fails loudly, never skips.
set -euo pipefail

PGURL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v psql >/dev/null || need_apt+=(postgresql-client)
command -v chromium >/dev/null || need_apt+=(chromium)
# clamd lives in /usr/sbin, not on an ordinary user's PATH
command -v clamd >/dev/null || [[ -x /usr/sbin/clamd ]] || need_apt+=(clamav-daemon)
command -v node >/dev/null || need_apt+=(nodejs npm)
if ((${#need_apt[@]})); then
	echo "installing ${need_apt[*]}"
	if [[ $(id -u) -ne 0 ]]; then echo "need root to apt-get install ${need_apt[*]}" >&2; exit 1; fi
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# versitygw: the S3-compatible server storage tests start privately
# (Apache-2.0), pinned, built into bin/ from the Go module proxy.
VERSITYGW_VERSION=v1.8.0
if [[ ! -x bin/versitygw ]] || [[ "$(cat bin/.versitygw-version 2>/dev/null)" != "$VERSITYGW_VERSION" ]]; then
	echo "installing versitygw $VERSITYGW_VERSION into bin/"
	GOBIN="$PWD/bin" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	echo "$VERSITYGW_VERSION" >bin/.versitygw-version
fi

if ! psql "$PGURL" -Atc 'select 1' >/dev/null 2>&1; then
	if [[ -d /etc/postgresql ]] && command -v pg_ctlcluster >/dev/null; then
		echo "starting PostgreSQL"
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
		sleep 2
	fi
fi
psql "$PGURL" -Atc 'select 1' >/dev/null 2>&1 || { echo "PostgreSQL is not reachable at $PGURL (set TEST_DATABASE_URL)" >&2; exit 1; }

# pgvector: vector search on PostgreSQL (search.Index.Nearest). Debian 12
# has no package of it, so the pinned release's source comes from the Go
# module proxy (verified against the Go checksum database) and is built
# against PostgreSQL's server headers (postgresql-server-dev-N, Debian).
PGVECTOR_VERSION=v0.8.0
pg_major="$(psql "$PGURL" -Atc 'show server_version_num')"
pg_major="${pg_major:0:${#pg_major}-4}"
pgvector_control="/usr/share/postgresql/$pg_major/extension/vector.control"
if ! grep -qs "default_version = '${PGVECTOR_VERSION#v}'" "$pgvector_control"; then
	echo "installing pgvector $PGVECTOR_VERSION into PostgreSQL $pg_major"
	if [[ $(id -u) -ne 0 ]]; then echo "need root to install pgvector into PostgreSQL $pg_major" >&2; exit 1; fi
	if [[ ! -x /usr/lib/postgresql/$pg_major/bin/pg_config ]] || ! command -v make >/dev/null || ! command -v gcc >/dev/null; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$pg_major" make gcc >/dev/null
	fi
	build="$(mktemp -d)"
	src="$(cd "$build" && go mod download -json "github.com/pgvector/pgvector@$PGVECTOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	cp -r "$src/." "$build/src" && chmod -R u+w "$build/src"
	make -C "$build/src" -s PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" OPTFLAGS="" >/dev/null
	make -C "$build/src" -s PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" install >/dev/null
	rm -rf "$build"
fi
grep -qs "default_version = '${PGVECTOR_VERSION#v}'" "$pgvector_control" || { echo "pgvector $PGVECTOR_VERSION is not installed in PostgreSQL $pg_major" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	echo "starting Redis on 127.0.0.1:6379"
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
	sleep 1
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable at 127.0.0.1:6379" >&2; exit 1; }
echo "services: $(chromium --version 2>/dev/null | head -1), node $(node --version), PostgreSQL $(psql "$PGURL" -Atc 'show server_version') with pgvector $PGVECTOR_VERSION, $(redis-server --version | cut -d' ' -f3), redis-server binary $(command -v redis-server), $("$(command -v clamd || echo /usr/sbin/clamd)" --version)"
