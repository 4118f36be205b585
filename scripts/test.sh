#!/usr/bin/env bash
# Everything `make test` runs, in order, stopping at the first failure:
# services check, Go formatting/vet/lint, the deploy artefacts' checks, the web app's build, lint,
# types and component tests, the API types drift check, the OpenAPI lint, every Go test with
# the race detector against real PostgreSQL, Redis and SQLite, and the
# topology test (three instances behind nginx on a Redis Cluster) and the
# end-to-end tests in Debian's Chromium against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/services.sh
make --no-print-directory lint
./scripts/deploy-check.sh
./scripts/web.sh

echo "== web: API types are generated from web/openapi.json"
(cd web && npx openapi-typescript openapi.json -o /tmp/pishkhan-schema.d.ts >/dev/null &&
	diff -q src/lib/api/schema.d.ts /tmp/pishkhan-schema.d.ts >/dev/null) ||
	{ echo "web/src/lib/api/schema.d.ts is out of date: run 'make api' and commit" >&2; exit 1; }
echo "== web: redocly lint of web/openapi.json (recommended rules, 0 warnings, 0 errors)"
# redocly exits 0 on warnings: count them from its JSON report instead.
(cd web && npx redocly lint --format=json openapi.json 2>/dev/null | node -e '
	let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
		const r = JSON.parse(s.slice(s.indexOf("{")));
		for (const p of r.problems) console.error(p.severity, p.ruleId, p.message, p.location?.[0]?.pointer ?? "");
		process.exit(r.totals.errors + r.totals.warnings === 0 ? 0 : 1);
	});') ||
	{ echo "web/openapi.json fails redocly lint: fix the generator (internal/platform/httpapi/openapi.go), run 'make api'" >&2; exit 1; }
echo "== web: eslint, tsc, vitest"
(cd web && npx eslint . --max-warnings 0 && npx tsc --noEmit && npx vitest run)

./scripts/observability.sh
echo "== go test"
go test -race -count=1 -timeout 15m ./cmd/... ./internal/...

echo "== topology: nginx, three instances, a worker, a 3+3 Redis Cluster (scripts/topology.sh)"
# brought up, tested through nginx and brought down within 5 minutes; a
# part that is missing fails the step
topology_state="$(mktemp -d /tmp/pishkhan-topology-test.XXXXXX)"
rmdir "$topology_state"
export TOPOLOGY_STATE="$topology_state" TOPOLOGY_BASE="${TOPOLOGY_BASE:-19500}"
trap './scripts/topology.sh down >/dev/null 2>&1 || true' EXIT
timeout 120 ./scripts/topology.sh up >"$topology_state.env"
(set -a && . "$topology_state.env" && set +a &&
	go test -tags topology -count=1 -timeout 3m ./internal/topology/)
./scripts/topology.sh down
rm -f "$topology_state.env"
trap - EXIT

echo "== e2e"
make --no-print-directory build
(cd web && node e2e/run.mjs ../bin/pishkhan)
