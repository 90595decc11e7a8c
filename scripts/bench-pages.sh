#!/usr/bin/env bash
# Benchmark (not a test): render times of the home page, category page 500 and an article page
# with N generated articles (default 10,000), measured from a client on loopback against a
# release build. Usage: scripts/bench-pages.sh [N]   Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${1:-10000}
server=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
db=toasoan_bench_$articles
port=${BENCH_PORT:-3901}
export DATABASE_URL="$server/$db" TOASOAN_ADDR="127.0.0.1:$port" TOASOAN_MEDIA_DIR="$(mktemp -d)"
export RUST_LOG=warn

cargo build --release --quiet
bin=$(scripts/target-dir.sh)/release/toasoan
if [ "$(psql "$server/postgres" -AtXc "select count(*) from pg_database where datname = '$db'")" = 0 ]; then
  TOASOAN_DEMO=off "$bin" generate --articles "$articles"
  psql "$DATABASE_URL" -qXc "vacuum analyze"
fi

# Page cache off: every request renders from the database (a repeat would be a cache hit).
TOASOAN_DEMO=off TOASOAN_PAGE_CACHE_MB=0 "$bin" serve &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

article=$(psql "$DATABASE_URL" -AtXc "select slug from article where status = 'published' order by article_id limit 1 offset $((articles / 2))")
python3 scripts/bench_http.py "127.0.0.1:$port" \
  "/" "/chuyen-muc/tin-tuc?trang=500" "/bai-viet/$article"
