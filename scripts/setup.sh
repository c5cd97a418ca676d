#!/usr/bin/env bash
# Installs what building and testing SSPR Insights needs on a fresh Debian 12 + rustup machine,
# pinned and idempotent: a second run installs nothing. Never downloads a release binary
# (GitHub is not reachable here): every tool comes from crates.io, npm or Debian.
#
#   scripts/setup.sh          everything (wasm target, Trunk, wasm-bindgen-cli, npm tools, Chromium)
#   scripts/setup.sh host     nothing beyond cargo (host tests only)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen that Cargo.lock resolved.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

say() { printf '[setup] %s\n' "$*"; }

[ "${1:-all}" = host ] && exit 0

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes on 2 cores)"
  # LTO off for this one build halves the time; the tool is no slower for it in practice.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
  || CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm tools (binaryen's wasm-opt 132, playwright-core and @playwright/test's expect), pinned by
# e2e/package-lock.json.
stamp=e2e/node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s e2e/package-lock.json "$stamp"; then
  say "installing npm tools from e2e/package-lock.json"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp e2e/package-lock.json "$stamp"
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(e2e/node_modules/.bin/wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null)"
