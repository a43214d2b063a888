#!/usr/bin/env bash
# Builds and starts the dashboard at http://127.0.0.1:3000, on the embedded demo upstream unless
# CC_API_URL is set. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
exec cargo leptos serve "$@"
