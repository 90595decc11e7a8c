#!/usr/bin/env bash
# A throwaway single-node Garage (S3-compatible) server on free loopback ports, for the tests
# and for trying TOASOAN_MEDIA_STORE=s3 by hand.
#
#   scripts/s3-server.sh start DIR [OWNER_PID]   configure and start it under DIR; prints the
#                                                TOASOAN_S3_* variables (also in DIR/env);
#                                                with OWNER_PID it stops when that process ends
#   scripts/s3-server.sh stop DIR                stop it (DIR can then be deleted)
#
# Needs `garage` 2.x on the PATH (cargo install --locked garage --version 2.5.0
# --no-default-features --features bundled-libs,lmdb).
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [OWNER_PID] | stop DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
command=$1
dir=$2
bucket=toasoan-media

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
start)
  command -v garage >/dev/null || {
    echo "error: garage is not installed (cargo install --locked garage --version 2.5.0 --no-default-features --features bundled-libs,lmdb)" >&2
    exit 1
  }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  config=$dir/garage.toml
  rpc_port=$(free_port)
  s3_port=$(free_port)
  admin_port=$(free_port)
  cat >"$config" <<EOF
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "lmdb"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(openssl rand -hex 32 2>/dev/null || python3 -c 'import secrets; print(secrets.token_hex(32))')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3_port"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
EOF
  garage -c "$config" server >"$dir/garage.log" 2>&1 &
  echo $! >"$dir/garage.pid"
  if [ -n "${3:-}" ]; then
    # Stop with the process that started it (a test binary cannot clean up at exit).
    owner=$3
    garage_pid=$(cat "$dir/garage.pid")
    (
      while kill -0 "$owner" 2>/dev/null && kill -0 "$garage_pid" 2>/dev/null; do sleep 1; done
      kill "$garage_pid" 2>/dev/null || true
    ) >/dev/null 2>&1 </dev/null &
    disown
  fi
  g() { garage -c "$config" "$@"; }
  for _ in $(seq 100); do
    g status >/dev/null 2>&1 && break
    sleep 0.1
  done
  g status >/dev/null || {
    echo "error: garage did not start; its log:" >&2
    cat "$dir/garage.log" >&2
    exit 1
  }
  node=$(g node id -q | cut -d@ -f1)
  g layout assign -z dc1 -c 1G "$node" >/dev/null
  g layout apply --version 1 >/dev/null
  key_output=$(g key create toasoan)
  key_id=$(echo "$key_output" | awk -F': *' '/Key ID/ {print $2; exit}')
  secret=$(echo "$key_output" | awk -F': *' '/Secret key/ {print $2; exit}')
  [ -n "$key_id" ] && [ -n "$secret" ] || {
    echo "error: cannot read the key from: $key_output" >&2
    exit 1
  }
  g bucket create "$bucket" >/dev/null
  g bucket allow --read --write --owner "$bucket" --key toasoan >/dev/null
  cat >"$dir/env" <<EOF
TOASOAN_S3_ENDPOINT=http://127.0.0.1:$s3_port
TOASOAN_S3_REGION=garage
TOASOAN_S3_BUCKET=$bucket
TOASOAN_S3_ACCESS_KEY_ID=$key_id
TOASOAN_S3_SECRET_ACCESS_KEY=$secret
TOASOAN_S3_PATH_STYLE=on
EOF
  cat "$dir/env"
  ;;
stop)
  if [ -f "$dir/garage.pid" ]; then
    pid=$(cat "$dir/garage.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/garage.pid"
  fi
  ;;
*)
  usage
  ;;
esac
