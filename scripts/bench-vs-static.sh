#!/usr/bin/env bash
# Benchmark (not a test): the app's cached public pages against nginx serving the very same
# bytes from disk, in one interleaved run, then the figures at 100,000 articles.
#
#   scripts/bench-vs-static.sh [ROUNDS]        (default 3 rounds; figures go to docs/PERFORMANCE.md)
#
# 1. Builds the release binary; serves a fresh demo database (page cache on, the default).
# 2. Saves the exact bytes the app sends for an article, the home page and a category page,
#    and serves them with nginx (installed with apt-get if missing) on loopback.
# 3. For each round and each page: wrk -t2 -c64 against the app, then against nginx; then
#    wrk -t1 -c1 for single-request latency. Prints req/s, p50, p99 and the ratios.
# 4. With 100,000 generated articles (database reused between runs) and the page cache off,
#    so every request reaches PostgreSQL: category pages 1, 500 and the last one, the home
#    page, searches, their database time; then, cache on, the 50,000-URL sitemap under 64
#    connections (failures, RSS after).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
server=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
app_port=${BENCH_PORT:-3921}
nginx_port=$((app_port + 1))
big_port=$((app_port + 2))
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --quiet
bin=$(scripts/target-dir.sh)/release/toasoan
export RUST_LOG=warn TOASOAN_MEDIA_DIR="$work/media"

wait_up() {
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server on port $1 did not start" >&2
  exit 1
}

# -- the demo site, and the same bytes on disk for nginx
demo=toasoan_bench_static
psql "$server/postgres" -qXc "drop database if exists $demo" -c "create database $demo"
DATABASE_URL="$server/$demo" TOASOAN_ADDR="127.0.0.1:$app_port" "$bin" serve &
pids+=($!)
wait_up "$app_port"

article=$(psql "$server/$demo" -AtXc "select slug from article where status = 'published' order by published_at desc limit 1")
category=$(psql "$server/$demo" -AtXc "select slug from category where parent_id is null order by position limit 1")
declare -A pages=([article]="/bai-viet/$article" [home]="/" [category]="/chuyen-muc/$category")
mkdir -p "$work/www/bai-viet" "$work/www/chuyen-muc"
for name in article home category; do
  path=${pages[$name]}
  file="$work/www$path"
  [ "$path" = / ] && file="$work/www/index.html"
  curl -fsS -o "$file" "http://127.0.0.1:$app_port$path"
done

cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type "text/html; charset=utf-8";
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    index index.html;
    etag on;
  }
}
EOF
mkdir -p "$work/tmp"
chmod -R a+rX "$work" # nginx's workers run as another user
"$nginx" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$nginx_port/" >/dev/null && break; sleep 0.1; done

for name in article home category; do
  path=${pages[$name]}
  cmp <(curl -fsS "http://127.0.0.1:$app_port$path") <(curl -fsS "http://127.0.0.1:$nginx_port$path") \
    || { echo "$name: nginx does not serve the app's bytes" >&2; exit 1; }
done

# wrk's summary as "req/s p50_ms p99_ms"
measure() {
  wrk -t"$1" -c"$2" -d"$3" --latency "$4" | python3 scripts/wrk_summary.py
}

echo
echo "== cached pages against nginx (wrk -t2 -c64 -d$duration, $rounds interleaved rounds)"
for round in $(seq "$rounds"); do
  for name in article home category; do
    path=${pages[$name]}
    read -r a_rps a_p50 a_p99 a_err < <(measure 2 64 "$duration" "http://127.0.0.1:$app_port$path")
    read -r n_rps n_p50 n_p99 _ < <(measure 2 64 "$duration" "http://127.0.0.1:$nginx_port$path")
    read -r _ a_c1 _ _ < <(measure 1 1 5s "http://127.0.0.1:$app_port$path")
    read -r _ n_c1 _ _ < <(measure 1 1 5s "http://127.0.0.1:$nginx_port$path")
    echo "$name $round $a_rps $a_p50 $a_p99 $a_err $n_rps $n_p50 $n_p99 $a_c1 $n_c1" >>"$work/results"
  done
done
python3 - "$work/results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, _round, *values = line.split()
    rows.setdefault(name, []).append([float(v) for v in values])
print(f"{'page':<9} {'app req/s':>10} {'nginx req/s':>11} {'ratio':>6} {'app p50':>8} {'nginx p50':>9} "
      f"{'app p99':>8} {'nginx p99':>9} {'app c1 p50':>10} {'nginx c1 p50':>12} {'app errors':>10}")
for name, runs in rows.items():
    med = [statistics.median(column) for column in zip(*runs)]
    a_rps, a_p50, a_p99, a_err, n_rps, n_p50, n_p99, a_c1, n_c1 = med
    ratios = ", ".join(f"{r[0] / r[4]:.2f}" for r in runs)
    print(f"{name:<9} {a_rps:>10.0f} {n_rps:>11.0f} {a_rps / n_rps:>6.2f} {a_p50:>7.2f}ms {n_p50:>8.2f}ms "
          f"{a_p99:>7.2f}ms {n_p99:>8.2f}ms {a_c1:>9.3f}ms {n_c1:>11.3f}ms {sum(r[3] for r in runs):>10.0f}"
          f"   (ratio per round: {ratios})")
print("medians over the rounds; ms are wrk's latency percentiles")
EOF

# -- 100,000 articles, every request reaching PostgreSQL
big=toasoan_bench_100000
export DATABASE_URL="$server/$big"
if [ "$(psql "$server/postgres" -AtXc "select count(*) from pg_database where datname = '$big'")" = 0 ]; then
  TOASOAN_DEMO=off "$bin" generate --articles 100000
else
  TOASOAN_DEMO=off "$bin" migrate
fi
psql "$DATABASE_URL" -qXc "vacuum analyze"
TOASOAN_DEMO=off TOASOAN_PAGE_CACHE_MB=0 TOASOAN_ADDR="127.0.0.1:$big_port" "$bin" serve &
big_pid=$!
pids+=("$big_pid")
wait_up "$big_port"

last=$(curl -fsS "http://127.0.0.1:$big_port/chuyen-muc/tin-tuc" | grep -o 'trang=[0-9]*' | sed 's/trang=//' | sort -n | tail -1)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1]))' "$1"; }
echo
echo "== 100,000 articles, page cache off: sequential requests over one connection"
python3 scripts/bench_http.py "127.0.0.1:$big_port" \
  "/" "/chuyen-muc/tin-tuc" "/chuyen-muc/tin-tuc?trang=500" "/chuyen-muc/tin-tuc?trang=$last" \
  "/tim-kiem?q=$(enc 'nong thon')" "/tim-kiem?q=$(enc 'doan ket')" "/tim-kiem?q=$(enc 'thuy loi')" \
  "/tim-kiem?q=$(enc '"doan ket"')" "/tim-kiem?q=$(enc '"phat trien"')"

# Database time of the queries behind those pages (EXPLAIN ANALYZE without per-row timing;
# the page start of a deep page is what the app remembers between changes).
db_ms() { psql "$DATABASE_URL" -AtXc "explain (analyze, timing off) $1" | sed -n 's/Execution Time: //p'; }
echo
echo "== 100,000 articles: database time per page (ms, execution of each query)"
news=$(psql "$DATABASE_URL" -AtXc "select category_id from category where slug = 'tin-tuc'")
tops=$(psql "$DATABASE_URL" -AtXc "select array_agg(category_id) from category where parent_id is null")
card="a.article_id, a.slug, a.title, a.sapo, a.cover_image, a.cover_widths, a.cover_alt, a.category_id, a.published_at"
for page in 1 500 $(((last + 1) / 2)) "$last"; do
  IFS='|' read -r at id < <(psql "$DATABASE_URL" -AtX -c "select published_at, article_id from (
    select published_at, article_id, row_number() over (order by published_at desc, article_id desc) n
    from category_listing where category_id = $news) s where n = $(((page - 1) * 10 + 1))")
  count=$(db_ms "select published from category_count where category_id = $news")
  list=$(db_ms "with page as (select article_id from category_listing where category_id = $news
    and (published_at, article_id) <= ('$at', $id) order by published_at desc, article_id desc limit 10)
    select $card from page join article a using (article_id) order by a.published_at desc, a.article_id desc")
  echo "/chuyen-muc/tin-tuc?trang=$page: count $count + page $list"
done
latest=$(db_ms "select $card from article a where status = 'published' order by published_at desc, article_id desc limit 9")
blocks=$(db_ms "select g.group_id, $card from unnest('$tops'::bigint[]) g(group_id) cross join lateral (
  select l.article_id from category_listing l where l.category_id = g.group_id
  order by l.published_at desc, l.article_id desc limit 5) p join article a using (article_id)")
featured=$(db_ms "select $card from article a where featured_rank is not null and status = 'published'
  and (featured_until is null or featured_until > now()) order by featured_rank, published_at desc, article_id desc limit 5")
# "Đọc nhiều" is ranked at most once a minute per instance (not per page), then read by id.
most_read=$(db_ms "select article_id from article_daily_view
  where day > (now() at time zone 'Asia/Ho_Chi_Minh')::date - 7 group by article_id
  order by sum(views) desc, article_id desc limit 30")
echo "/ (home): featured $featured + latest $latest + blocks $blocks (+ most read ranking $most_read once a minute)"

# The sitemap as served: page cache on (the default).
kill "$big_pid"
wait "$big_pid" 2>/dev/null || true
TOASOAN_DEMO=off TOASOAN_ADDR="127.0.0.1:$big_port" "$bin" serve &
big_pid=$!
pids+=("$big_pid")
wait_up "$big_port"
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$big_pid/status"; }
echo
echo "== /sitemap-1.xml (50,000 URLs) under 64 connections (wrk -t2 -c64), page cache on"
echo "RSS before: $(rss)"
wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$big_port/sitemap-1.xml" | grep -E 'Requests/sec|Non-2xx|Socket errors|50%|99%|requests in'
echo "RSS after: $(rss)"
sleep 5
echo "RSS 5 s later: $(rss)"
