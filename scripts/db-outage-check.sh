#!/usr/bin/env bash
# Stops PostgreSQL under a running server and times the answers: a throwaway cluster on its own
# port is created, served, stopped, started again and dropped (the machine's main cluster is
# never touched). Prints the status and time of the home page, /healthz and /readyz before,
# during and after the outage. Needs pg_createcluster (Debian's postgresql-common) and a built
# binary.
# Usage: scripts/db-outage-check.sh [PORT]   (default 5499, which must be free; the binary from
#        $TOASOAN_BIN, or debug/toasoan in Cargo's target directory, see scripts/target-dir.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

port=${1:-5499}
version=$(ls /etc/postgresql | head -n1)
cluster="outage$port"
bin=${TOASOAN_BIN:-$(scripts/target-dir.sh)/debug/toasoan}
app_port=$((port + 1000))
base="http://127.0.0.1:$app_port"
media=$(mktemp -d)
server=""

cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop -m immediate 2>/dev/null || true
  pg_dropcluster "$version" "$cluster" 2>/dev/null || true
  rm -rf "$media"
}
# Only ever a cluster of our own: never one that exists already, nor a port in use.
if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" -v p="$port" '$1 == v && ($2 == c || $3 == p) { found = 1 } END { exit !found }' \
  || pg_isready -h 127.0.0.1 -p "$port" -q; then
  echo "port $port or cluster $cluster is in use: pass another port" >&2
  exit 1
fi
trap cleanup EXIT

pg_createcluster "$version" "$cluster" -p "$port" -- --auth=trust >/dev/null
pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 0.5; done

DATABASE_URL="postgres://postgres@127.0.0.1:$port/toasoan" TOASOAN_ADDR="127.0.0.1:$app_port" \
  TOASOAN_MEDIA_DIR="$media" RUST_LOG=warn "$bin" &
server=$!
for _ in $(seq 60); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.5; done

page() { curl -s -o /dev/null -w "%{http_code} in %{time_total}s" "$base$1"; }
echo "before:         / -> $(page /)   /healthz -> $(page /healthz)   /readyz -> $(page /readyz)"
pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop -m fast
echo "database down:  / -> $(page /)   /healthz -> $(page /healthz)   /readyz -> $(page /readyz)"
sleep 2
echo "two s later:    / -> $(page /)   /healthz -> $(page /healthz)   /readyz -> $(page /readyz)"
pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 0.5; done
sleep 1.5
echo "database back:  / -> $(page /)   /healthz -> $(page /healthz)   /readyz -> $(page /readyz)"
