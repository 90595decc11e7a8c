#!/usr/bin/env bash
# Manual check (it stops the local PostgreSQL cluster!): with a server running, stop
# PostgreSQL, time a page (expect 503 in under 2 s), start PostgreSQL again, and see the page
# come back without restarting the server. The automated equivalent, which cuts a proxy
# instead of the real cluster, is the test
# `resilience::pages_answer_503_quickly_while_the_database_is_gone_and_recover_by_themselves`.
# Usage: scripts/db-outage-check.sh [BASE_URL]   (default http://127.0.0.1:3000)
set -euo pipefail
base=${1:-http://127.0.0.1:3000}
cluster=$(ls /etc/postgresql | head -n1)
page() { curl -s -o /dev/null -w "%{http_code} in %{time_total}s" "$base$1"; }

echo "before:         / -> $(page /)"
pg_ctlcluster --skip-systemctl-redirect "$cluster" main stop
echo "database down:  / -> $(page /)   /healthz -> $(page /healthz)"
pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
for _ in $(seq 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
echo "database back:  / -> $(page /)   /healthz -> $(page /healthz)"
