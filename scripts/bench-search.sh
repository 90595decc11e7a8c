#!/usr/bin/env bash
# Benchmark (not a test): search ("Tìm kiếm") response times with N generated articles (default
# 100,000), measured from a client on loopback against a release build: two-word queries with
# and without accents, quoted phrases (one of two common words never adjacent), a category
# filter and a date range, and a deep page.
# Usage: scripts/bench-search.sh [N]   Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${1:-100000}
server=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
db=toasoan_bench_$articles
port=${BENCH_PORT:-3902}

# Built before DATABASE_URL names the benchmark database (which may not exist yet).
cargo build --release --quiet
bin=$(scripts/target-dir.sh)/release/toasoan

export DATABASE_URL="$server/$db" TOASOAN_ADDR="127.0.0.1:$port" TOASOAN_MEDIA_DIR="$(mktemp -d)"
export RUST_LOG=warn
if [ "$(psql "$server/postgres" -AtXc "select count(*) from pg_database where datname = '$db'")" = 0 ]; then
  TOASOAN_DEMO=off "$bin" generate --articles "$articles"
  psql "$DATABASE_URL" -qXc "vacuum analyze"
else
  TOASOAN_DEMO=off "$bin" migrate # an older benchmark database gets the search column and index
  psql "$DATABASE_URL" -qXc "vacuum analyze article"
fi

# Page cache off: every request runs the search (a repeated query would be a cache hit).
TOASOAN_DEMO=off TOASOAN_PAGE_CACHE_MB=0 "$bin" serve &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# How many articles each query finds (the work grows with it).
psql "$DATABASE_URL" -AtXF ' ' <<'SQL'
select 'matches', q, count(*) from article,
  (values ('nong & thon'), ('doan & ket'), ('doan <-> ket'), ('thuy & loi')) v(q)
where status = 'published' and search_vector @@ to_tsquery('simple', q) group by q order by q;
SQL

week_ago=$(date -d '7 days ago' +%F)
today=$(date +%F)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1]))' "$1"; }
python3 scripts/bench_http.py "127.0.0.1:$port" \
  "/tim-kiem?q=$(enc 'nong thon')" \
  "/tim-kiem?q=$(enc 'nông thôn')" \
  "/tim-kiem?q=$(enc 'doan ket')" \
  "/tim-kiem?q=$(enc 'Đoàn Kết')" \
  "/tim-kiem?q=$(enc '"doan ket"')" \
  "/tim-kiem?q=$(enc '"phat trien"')" \
  "/tim-kiem?q=$(enc '"ket doan"')" \
  "/tim-kiem?q=$(enc 'thuy loi')" \
  "/tim-kiem?q=$(enc 'doan ket')&chuyen-muc=tin-tuc" \
  "/tim-kiem?q=$(enc 'doan ket')&tu=$week_ago&den=$today" \
  "/tim-kiem?q=$(enc 'nong thon')&trang=100"
