#!/usr/bin/env bash
# Regenerates the committed sqlx query cache (.sqlx/) after a query or a migration changes:
# applies migrations/*.sql to a scratch database with psql, then lets the query macros write
# the cache while `cargo check` compiles against it. Needs PostgreSQL on localhost, no sqlx-cli.
# CI runs it and fails when the committed cache differs.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${PREPARE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
# A scratch database of this run only: concurrent runs on one server never meet.
scratch=toasoan_sqlx_prepare_$$_$RANDOM
psql "$server/postgres" -qX -v ON_ERROR_STOP=1 -c "create database $scratch"
trap 'psql "$server/postgres" -qX -c "drop database if exists $scratch with (force)"' EXIT
for file in migrations/*.sql; do
  psql "$server/$scratch" -qX -v ON_ERROR_STOP=1 -f "$file" >/dev/null
done

rm -rf .sqlx && mkdir .sqlx
# Every query lives in the library (src/db/): touching its root recompiles it and so reruns
# every query macro, which writes the cache.
touch src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$server/$scratch" \
  cargo check --all-targets --quiet
echo "sqlx query cache: $(ls .sqlx | wc -l) queries in .sqlx/"
