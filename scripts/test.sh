#!/usr/bin/env bash
# Runs every test: formatting, unit and integration tests, then end-to-end tests in Chromium.
# Installs what is missing first (scripts/setup.sh), so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

# cargo-leptos builds debug code with --cfg erase_components; the tests use the same flag so
# they reuse its artifacts instead of rebuilding the whole tree.
export RUSTFLAGS="--cfg erase_components"

echo "== clippy: server (ssr) and browser (hydrate, wasm32)"
cargo clippy -p app -p server --features app/ssr --tests -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

echo "== unit and integration tests"
cargo test -p app -p server --features app/ssr

echo "== end-to-end tests (Chromium, hydrated and without JavaScript)"
# Port 3000 must be free: cargo leptos end-to-end starts the server there.
cargo leptos end-to-end
