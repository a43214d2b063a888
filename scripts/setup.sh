#!/usr/bin/env bash
# Installs what building and testing the dashboard needs, from the package registries only.
# Idempotent: every step checks first and does nothing when the pinned version is present.
# Pitfalls behind these choices: ../shared/TOOLCHAIN.md (section 7).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 does not build on rustc 1.95
BINARYEN_VERSION=132.0.0      # Debian's binaryen 108 breaks the release wasm
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}

log() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

APT_UPDATED=
apt_update() { [ -n "$APT_UPDATED" ] || { apt-get update -qq; APT_UPDATED=1; }; }

if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Redis for the shared-session tests: the tests start their own redis-server on a free
# loopback port and stop it; no system service is started or needed.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  log "installing Debian's redis-server (the tests start their own, on a free port)"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  # Debian's package may start its own service where systemd or init runs: stop it, nothing
  # here relies on it.
  (service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "installing wasm-opt (npm binaryen@${BINARYEN_VERSION})"
  npm install -g --no-audit --no-fund "binaryen@${BINARYEN_VERSION}" >/dev/null
fi

if ! cargo leptos --version 2>/dev/null | grep -q "${CARGO_LEPTOS_VERSION}"; then
  log "building cargo-leptos ${CARGO_LEPTOS_VERSION} without its downloader (about 12 minutes on 2 cores)"
  cargo install --locked --features no_downloads "cargo-leptos@${CARGO_LEPTOS_VERSION}"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "${WASM_BINDGEN_VERSION}"; then
  log "building wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about 2 minutes)"
  # Not --locked: its lock pins a webpki-roots the registry mirror does not serve.
  cargo install --force "wasm-bindgen-cli@${WASM_BINDGEN_VERSION}"
fi

if [ -f end2end/package-lock.json ]; then
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/axe-core ]; then
    log "installing the Playwright test runner (no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
fi
log "ready"
