#!/usr/bin/env bash
# Benchmark (not a test): one app instance against two, both behind nginx configured by
# deploy/nginx.conf itself, on the home page and an article page.
#
#   scripts/bench-instances.sh [ROUNDS]       (default 3 rounds; figures go to docs/PERFORMANCE.md)
#
# 1. Builds the release binary; serves a fresh demo database with two instances (A and B:
#    same database, same media directory, TOASOAN_TRUST_PROXY=on; page cache on, the default).
# 2. Runs two nginx, each with deploy/nginx.conf where only the upstream servers and the
#    listen line are replaced: "one" sends everything to A, "two" shares between A and B
#    (least_conn, as committed).
# 3. For each round and each page, interleaved so that a noisy machine affects all alike:
#    wrk -t2 -c64 straight at A (what nginx costs), through "one", through "two". Prints
#    req/s, p50, p99 and the two/one ratio (medians over the rounds).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
server=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
port_a=${BENCH_PORT:-3931}
port_b=$((port_a + 1))
port_one=$((port_a + 2))
port_two=$((port_a + 3))
duration=${BENCH_DURATION:-10s}
. scripts/bench-common.sh
export RUST_LOG=warn TOASOAN_MEDIA_DIR="$work/media" TOASOAN_TRUST_PROXY=on

demo=toasoan_bench_instances
psql "$server/postgres" -qXc "drop database if exists $demo" -c "create database $demo"
export DATABASE_URL="$server/$demo"
# A creates the schema and seeds the demo; B starts on the finished database.
for port in "$port_a" "$port_b"; do
  TOASOAN_ADDR="127.0.0.1:$port" "$bin" serve &
  pids+=($!)
  wait_up "$port"
done

# proxy PORT INSTANCE_PORT...: deploy/nginx.conf listening on PORT, with these upstream servers.
proxy() {
  local port=$1 a=$2 b=${3:-} conf="$work/nginx-$1.conf" site
  local edits=(-e "s/^( *listen) 80;/\1 127.0.0.1:$port;/" -e "s/^( *server) app1:3000/\1 127.0.0.1:$a/")
  if [ -n "$b" ]; then
    edits+=(-e "s/^( *server) app2:3000/\1 127.0.0.1:$b/")
  else
    edits+=(-e "/^ *server app2:3000/d")
  fi
  site=$(sed -E "${edits[@]}" deploy/nginx.conf)
  if grep -q 'app[12]:3000' <<<"$site" || ! grep -q "listen 127.0.0.1:$port;" <<<"$site"; then
    echo "deploy/nginx.conf changed shape: update the substitutions in $0" >&2
    exit 1
  fi
  nginx_conf "$conf" "$site"
  start_nginx "$conf" "$port"
}
proxy "$port_one" "$port_a"
proxy "$port_two" "$port_a" "$port_b"

article=$(psql "$DATABASE_URL" -AtXc "select slug from article where status = 'published' order by published_at desc limit 1")
declare -A pages=([home]="/" [article]="/bai-viet/$article")
declare -A targets=([direct]="$port_a" [one]="$port_one" [two]="$port_two")
# Every page from every instance once, so that each has it in its page cache.
for path in "${pages[@]}"; do
  for port in "$port_a" "$port_b"; do curl -fsS -o /dev/null "http://127.0.0.1:$port$path"; done
done

echo
echo "== one instance against two behind nginx (wrk -t2 -c64 -d$duration, $rounds interleaved rounds, $(nproc) CPUs)"
for round in $(seq "$rounds"); do
  for name in home article; do
    for target in direct one two; do
      read -r rps p50 p99 errors < <(measure 2 64 "$duration" "http://127.0.0.1:${targets[$target]}${pages[$name]}")
      echo "$name $target $round $rps $p50 $p99 $errors" >>"$work/results"
    done
  done
done
python3 - "$work/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    page, target, _round, *values = line.split()
    runs.setdefault(page, {}).setdefault(target, []).append([float(v) for v in values])
print(f"{'page':<8} {'target':<8} {'req/s':>7} {'p50':>8} {'p99':>8} {'errors':>6}")
for page, targets in runs.items():
    for target, rows in targets.items():
        rps, p50, p99, _ = (statistics.median(column) for column in zip(*rows))
        errors = sum(row[3] for row in rows)
        print(f"{page:<8} {target:<8} {rps:>7.0f} {p50:>6.2f}ms {p99:>6.2f}ms {errors:>6.0f}")
    ratios = [two[0] / one[0] for one, two in zip(targets["one"], targets["two"])]
    print(f"{page:<8} two/one: {statistics.median(ratios):.2f} (per round: "
          + ", ".join(f"{r:.2f}" for r in ratios) + ")")
print("direct = instance A without nginx; one/two = through deploy/nginx.conf to A / to A and B;")
print("medians over the rounds; ms are wrk's latency percentiles; errors = non-2xx/3xx answers")
PY
