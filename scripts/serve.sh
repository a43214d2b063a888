#!/usr/bin/env bash
# Builds and starts the dashboard at http://127.0.0.1:3000, on the embedded demo upstream unless
# CC_API_URL is set. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
# One local process behind no load balancer: no shutdown grace, so restarts are immediate.
export DASHBOARD_SHUTDOWN_GRACE_SECS=${DASHBOARD_SHUTDOWN_GRACE_SECS:-0}
# The demo only when no upstream is configured (the server refuses to guess).
if [ -z "${CC_API_URL:-}" ]; then export DASHBOARD_DEMO=${DASHBOARD_DEMO:-1}; fi
exec cargo leptos serve --split "$@"
