# Sourced by the benchmarks of record: builds this tree and a baseline commit (release, with
# --precompress) so one script run measures both and reports ratios on this machine.
# - this tree: target/release/server and target/site (always rebuilt, incrementally: a debug
#   build in between leaves its own files in target/site);
# - BASELINE (default: 6add1ec, the commit before issue 30's work; BASELINE= skips it): a git
#   worktree under target/bench-baseline, built once and reused while it is at that commit.
# NO_BUILD=1 skips building this tree. After `builds`, BASE_DIR is the baseline's tree (empty when skipped).
export PATH="$HOME/.cargo/bin:$PATH"
BASELINE=${BASELINE-6add1ec}
BASE_DIR=

builds() {
  # NO_BUILD=1: take target/release as it is (a build made just before, by hand).
  [ -n "${NO_BUILD:-}" ] || cargo leptos build --release --precompress --split >/dev/null 2>&1 || cargo leptos build --release --precompress --split
  [ -n "$BASELINE" ] || return 0
  BASE_DIR=target/bench-baseline
  if [ "$(git -C "$BASE_DIR" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$BASELINE^{commit}")" ]; then
    git worktree remove --force "$BASE_DIR" 2>/dev/null || rm -rf "$BASE_DIR"
    git worktree add --detach "$BASE_DIR" "$BASELINE" >/dev/null
  fi
  if [ ! -x "$BASE_DIR/target/release/server" ]; then
    echo "building the baseline $BASELINE (release, once)…" >&2
    (cd "$BASE_DIR" && cargo leptos build --release --precompress >/dev/null)
  fi
}

# Waits for http://127.0.0.1:$1/readyz to answer 2xx (or for $2 to answer at all).
wait_ready() {
  local ok=(-sf)
  [ -z "${2:-}" ] || ok=(-s)
  for _ in $(seq 150); do curl "${ok[@]}" -o /dev/null "http://127.0.0.1:$1${2:-/readyz}" && return; sleep 0.1; done
  echo "nothing answered on port $1" >&2
  return 1
}

# Starts the demo upstream alone on port $1 (appends its pid to PIDS; DEMO_PID is it).
start_demo() {
  DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$1 RUST_LOG=warn target/release/server & DEMO_PID=$!
  PIDS+=("$DEMO_PID")
  wait_ready "$1" /
}

# Starts the dashboard of tree $1 on port $2, on the demo at $DEMO_PORT, with the settings
# given after them (NAME=value…), and waits for it (appends its pid to PIDS).
start_dashboard() {
  local dir=$1 port=$2
  shift 2
  (cd "$dir" && exec env "$@" CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$port \
    DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn LEPTOS_SITE_ROOT=target/site target/release/server) & PIDS+=($!)
  wait_ready "$port"
}
