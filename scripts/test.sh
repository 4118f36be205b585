#!/usr/bin/env bash
# Everything `make test` runs: services check, formatting, vet, lint, then
# every Go test with the race detector against real PostgreSQL, Redis and
# SQLite. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/services.sh
make --no-print-directory lint
go test -race -count=1 -timeout 15m ./...
