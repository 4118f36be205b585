#!/usr/bin/env bash
# Writes the secret files deploy/compose.yaml reads, with fresh random
# values, readable only by you: pishkhan.env, s3.env,
# secrets/postgres_password, secrets/redis.conf. Refuses to overwrite any of
# them (SECRET_KEY must never change by accident: see README, SECRET_KEY).
set -euo pipefail
cd "$(dirname "$0")"
umask 077

for f in pishkhan.env s3.env secrets/postgres_password secrets/redis.conf; do
	if [[ -e $f ]]; then echo "deploy/$f exists: not overwriting any secret" >&2; exit 1; fi
done
rand() { openssl rand -hex "$1"; }
pg=$(rand 24) redis=$(rand 24) s3key=$(rand 10) s3secret=$(rand 24)

# Compose bind-mounts file secrets as they are: the containers' own users
# (postgres, redis) must read them, so the files are 0644 in a 0700 folder.
mkdir -p secrets && chmod 700 secrets
printf '%s\n' "$pg" >secrets/postgres_password
printf 'requirepass %s\nappendonly yes\n' "$redis" >secrets/redis.conf
chmod 644 secrets/postgres_password secrets/redis.conf
printf 'ROOT_ACCESS_KEY=%s\nROOT_SECRET_KEY=%s\n' "$s3key" "$s3secret" >s3.env
cat >pishkhan.env <<ENV
DATABASE_URL=postgres://pishkhan:$pg@postgres:5432/pishkhan?sslmode=disable
REDIS_URL=redis://:$redis@redis:6379/0
SECRET_KEY=$(rand 32)
S3_ENDPOINT=http://s3.pishkhan.localhost:7070
S3_ACCESS_KEY=$s3key
S3_SECRET_KEY=$s3secret
METRICS_TOKEN=$(rand 24)
ADMIN_EMAIL=admin@example.com
ENV
echo "wrote deploy/pishkhan.env, deploy/s3.env and deploy/secrets/ (the secrets/ folder 0700); back up SECRET_KEY"
