#!/usr/bin/env bash
# First-load benchmark (issue 14): per page, bytes on the wire by type, DOMContentLoaded and
# time to interactive in Chromium on an emulated 10 Mbit/s, 40 ms RTT link with a cold cache,
# for this build and for a baseline commit (default: the last commit before islands), in one
# run, with the ratios. Release builds with --precompress: this tree's in target/, the
# baseline's in its own git worktree under target/bench-baseline (built once, then reused).
# Usage: bash bench/first_load.sh            (BASELINE=<commit>, or BASELINE= to skip it)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
BASELINE=${BASELINE-d973a65}
PORT=${PORT:-38391}
BIN=${BIN:-target/release/server}
# Always (incremental): a debug build in between leaves its own files in target/site.
cargo leptos build --release --precompress >/dev/null

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start() { # root binary port
  (cd "$1" && DASHBOARD_DEMO=1 DASHBOARD_LISTEN=127.0.0.1:$3 DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn \
    LEPTOS_SITE_ROOT=target/site exec "$2") & PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && return; sleep 0.1; done
  echo "the dashboard on port $3 did not start" >&2; exit 1
}

ARGS=()
if [ -n "$BASELINE" ]; then
  WT=target/bench-baseline
  if [ "$(git -C "$WT" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$BASELINE^{commit}")" ]; then
    git worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
    git worktree add --detach "$WT" "$BASELINE" >/dev/null
  fi
  if [ ! -x "$WT/target/release/server" ]; then
    echo "building the baseline $BASELINE (release, once)…"
    (cd "$WT" && cargo leptos build --release --precompress >/dev/null)
  fi
  start "$WT" target/release/server $((PORT + 1))
  ARGS+=("before=http://127.0.0.1:$((PORT + 1))")
fi
start . "$BIN" "$PORT"
ARGS+=("after=http://127.0.0.1:$PORT")
node bench/first_load.mjs "${ARGS[@]}"
node bench/log_append.mjs "${ARGS[@]}"
