#!/usr/bin/env bash
# `make chaos`: brings up the topology (scripts/topology.sh) with a private
# PostgreSQL it may restart and the media storage on a 64 MiB tmpfs it may
# fill, runs cmd/pishkhan-chaos (each fault under load through nginx) and
# writes docs/resilience.md; brings everything down, whatever happens.
# Needs root (tmpfs mount, a PostgreSQL run as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $(id -u) -eq 0 ]] || { echo "make chaos needs root (it mounts a tmpfs and runs a private PostgreSQL)" >&2; exit 1; }
state="$(mktemp -d /tmp/pishkhan-chaos.XXXXXX)"
media="$state-media"
mkdir -p "$media"
chmod 755 "$state" # the private PostgreSQL runs as postgres under it
mount -t tmpfs -o size=64m tmpfs "$media"
export TOPOLOGY_STATE="$state/topology" TOPOLOGY_BASE="${TOPOLOGY_BASE:-19600}" TOPOLOGY_PG=private \
	TOPOLOGY_MEDIA_DIR="$media" TOPOLOGY_JOB_RESCUE_AFTER=10s
cleanup() {
	local rc=$?
	rm -rf /tmp/pishkhan-chaos-logs && cp -r "$TOPOLOGY_STATE/logs" /tmp/pishkhan-chaos-logs 2>/dev/null &&
		echo "the topology's logs are in /tmp/pishkhan-chaos-logs" >&2
	./scripts/topology.sh down >/dev/null 2>&1 || true
	umount "$media" 2>/dev/null || true
	rm -rf "$state" "$media"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o bin/pishkhan-chaos ./cmd/pishkhan-chaos
timeout 180 ./scripts/topology.sh up >"$state/env"
set -a
. "$state/env"
set +a
timeout 600 bin/pishkhan-chaos -out docs/resilience.md "$@"
echo "wrote docs/resilience.md"
