#!/usr/bin/env bash
# Everything `make test` runs, in order, stopping at the first failure:
# services check, Go formatting/vet/lint, the web app's build, lint,
# types and component tests, the API types drift check, every Go test with
# the race detector against real PostgreSQL, Redis and SQLite, and the
# end-to-end tests in Debian's Chromium against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/services.sh
make --no-print-directory lint
./scripts/web.sh

echo "== web: API types are generated from web/openapi.json"
(cd web && npx openapi-typescript openapi.json -o /tmp/pishkhan-schema.d.ts >/dev/null &&
	diff -q src/lib/api/schema.d.ts /tmp/pishkhan-schema.d.ts >/dev/null) ||
	{ echo "web/src/lib/api/schema.d.ts is out of date: run 'make api' and commit" >&2; exit 1; }
echo "== web: eslint, tsc, vitest"
(cd web && npx eslint . --max-warnings 0 && npx tsc --noEmit && npx vitest run)

echo "== go test"
go test -race -count=1 -timeout 15m ./cmd/... ./internal/...

echo "== e2e"
make --no-print-directory build
(cd web && node e2e/run.mjs ../bin/pishkhan)
