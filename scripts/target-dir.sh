#!/bin/sh
# Prints Cargo's target directory for this repository: $CARGO_TARGET_DIR, a configured
# build.target-dir, or ./target, as Cargo itself resolves it. For scripts that run the built
# binary: "$(scripts/target-dir.sh)/debug/toasoan".
set -eu
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
