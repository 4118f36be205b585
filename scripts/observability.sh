#!/usr/bin/env bash
# The observability checks of `make test`: promtool (pinned, built into
# bin/ from the Go module proxy) checks the alert rules and runs their unit
# tests, then lints a real /metrics scrape of an embedded instance.
set -euo pipefail
cd "$(dirname "$0")/.."

PROMTOOL_VERSION=v0.316.0
if [[ ! -x bin/promtool ]] || [[ "$(cat bin/.promtool-version 2>/dev/null)" != "$PROMTOOL_VERSION" ]]; then
	echo "installing promtool $PROMTOOL_VERSION into bin/"
	GOBIN="$PWD/bin" go install "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_VERSION"
	echo "$PROMTOOL_VERSION" >bin/.promtool-version
fi

echo "== observability: promtool check rules, test rules"
bin/promtool check rules deploy/prometheus/alerts.yaml
bin/promtool test rules deploy/prometheus/alerts_test.yaml

echo "== observability: promtool check metrics over a real /metrics scrape"
tmp=$(mktemp -d)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/pishkhan" ./cmd/pishkhan
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	DATA_DIR="$tmp/data" ADDR="127.0.0.1:$port" ADMIN_PASSWORD=observability-check \
		"$tmp/pishkhan" serve >"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
done
[[ -n $pid ]] || { cat "$tmp/log" >&2; echo "pishkhan serve did not start" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$port/api/ping" >/dev/null
curl -fsS "http://127.0.0.1:$port/metrics" >"$tmp/metrics"
grep -q '^pishkhan_http_request_duration_seconds_count' "$tmp/metrics" ||
	{ echo "the scrape lacks pishkhan's request metrics" >&2; exit 1; }
bin/promtool check metrics <"$tmp/metrics"
