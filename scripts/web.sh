#!/usr/bin/env bash
# Builds the web app (Next.js static export) and copies it where the Go
# binary embeds it (internal/webui/dist). npm packages are installed from
# the lock file when they changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
export NEXT_TELEMETRY_DISABLED=1

stamp=node_modules/.lock-stamp
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
	npm ci --no-audit --no-fund
	cp package-lock.json "$stamp"
fi
npx next build
dist=../internal/webui/dist
find "$dist" -mindepth 1 ! -name .gitkeep -delete
cp -R out/. "$dist/"
echo "web app built into internal/webui/dist ($(du -sh out | cut -f1))"
