#!/usr/bin/env bash
# Benchmark (not a test): N readers (default 200) post a comment at the same moment, with the
# test captcha and the per-IP limit raised; then checks that every one was stored exactly once.
# Usage: scripts/bench-comments.sh [N]    Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-200}
server=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
db=toasoan_bench_comments
port=${BENCH_PORT:-3902}
export DATABASE_URL="$server/$db" TOASOAN_ADDR="127.0.0.1:$port" TOASOAN_MEDIA_DIR="$(mktemp -d)"
export TOASOAN_INSECURE_CAPTCHA=bench TOASOAN_COMMENT_LIMIT=100000 RUST_LOG=error

cargo build --release --quiet
psql "$server/postgres" -qXc "drop database if exists $db with (force)"
"$(scripts/target-dir.sh)/release/toasoan" serve &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

slug=bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len
python3 scripts/bench_comments.py "127.0.0.1:$port" "$slug" "$n" bench
psql "$DATABASE_URL" -AtXc "select 'stored: ' || count(*) || ', distinct: ' || count(distinct body) || ', pending: ' || count(*) filter (where status = 'pending') from comment"
