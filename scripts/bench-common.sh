# What the benchmark scripts share; sourced (`. scripts/bench-common.sh`) from the repository's
# root by scripts/bench-vs-static.sh and scripts/bench-instances.sh.
#
# Sets: $work (a scratch directory, removed at exit), $pids (processes to stop at exit: add
# every one started), $bin (the release binary, built), $nginx; defines wait_up, measure,
# nginx_conf and start_nginx.

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

# wait_up PORT: until the server on PORT answers /healthz.
wait_up() {
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server on port $1 did not start" >&2
  exit 1
}

# measure THREADS CONNECTIONS DURATION URL: wrk's summary as "req/s p50_ms p99_ms non_2xx".
measure() {
  wrk -t"$1" -c"$2" -d"$3" --latency "$4" | python3 scripts/wrk_summary.py
}

# nginx_conf FILE HTTP_DIRECTIVES: a main nginx.conf that runs as this user out of $work
# (pid, logs, temporary files), without an access log, with HTTP_DIRECTIVES in `http { }`.
nginx_conf() {
  mkdir -p "$work/tmp"
  cat >"$1" <<CONF
worker_processes auto;
pid $1.pid;
error_log $1.error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
$2
}
CONF
}

# start_nginx FILE PORT: runs nginx with FILE until exit; returns once PORT answers.
start_nginx() {
  chmod -R a+rX "$work" # nginx's workers run as another user
  "$nginx" -c "$1" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && return; sleep 0.1; done
  echo "nginx ($1) did not start: $(cat "$1.error.log" 2>/dev/null)" >&2
  exit 1
}
