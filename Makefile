# SSPR Insights — the commands a person needs:
#   make serve   install what is missing, build, serve on http://127.0.0.1:8080 (rebuilds on change;
#                reload the page by hand)
#   make test    everything CI checks (see `test` below); prints the release download size
#   make build   the release build in dist/ (static files for any host; see "Build settings")
#   make bench   the model's benchmarks
#   make fuzz    fuzz the importers, 10 minutes each (FUZZ_SECONDS=60 for less; FUZZING.md)
#   make screenshots   docs/screenshots/*.png of every screen (after `make build`)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := serve
# Run recipes in the order written, also under `make -j`.
.NOTPARALLEL:

# npm's binaryen (wasm-opt 132) must come before any other wasm-opt; cargo-installed tools next.
export PATH := $(CURDIR)/e2e/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

WASM_TARGET := wasm32-unknown-unknown
SIZE_BUDGET_KB := 450
# The page and its ingest worker together (the worker loads on the first load of data).
TOTAL_SIZE_BUDGET_KB := 750
SAMPLE := public/sample/userRegistrationDetails.json public/sample/userEventsSummary.json public/sample/directoryAudits.json

.PHONY: setup serve build test fmt-check lint test-host test-browser size e2e screenshots bench bench-browser stats sample serve-backend fuzz

setup:
	scripts/setup.sh

# The dev server's policy also lets the app fetch from `make serve-backend`.
serve: setup
	REPORT_BACKENDS="$(or $(REPORT_BACKENDS),https://graph.microsoft.com) http://127.0.0.1:8081" \
	  trunk serve --address 127.0.0.1 --port 8080

# Build settings, given on the command line (they reach scripts/dist-hook.mjs, Trunk's hook):
#   PUBLIC_URL=/tools/sspr/   the path the app is served under (default /, Trunk.toml)
#   REPORT_BACKENDS="https://graph.microsoft.com https://reports.example.com"   the report backends
#       the Content-Security-Policy lets the app fetch from (default Microsoft Graph, scripts/csp.mjs;
#       REPORT_BACKENDS= for none: offline analysis only)
build: setup
	trunk build --release $(if $(PUBLIC_URL),--public-url $(PUBLIC_URL))

# Order: quick checks first, the slow browser journeys last (their TAP summary ends the output).
test: setup fmt-check lint test-host test-browser build size e2e

fmt-check:
	cargo fmt --all --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib --bins --test browser -- -D warnings

test-host:
	cargo test --workspace

# Component tests in headless Chromium (the runner adds --headless and --no-sandbox itself).
test-browser:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=/usr/bin/chromedriver \
	  cargo test --target $(WASM_TARGET) --test browser

size:
	scripts/size-check.sh dist $(SIZE_BUDGET_KB) $(TOTAL_SIZE_BUDGET_KB)

# Journeys against dist/ (build first), served by e2e/serve.mjs with SPA fallback and the policy
# the build wrote. The sub-path journeys need the same sources built for a sub-path: cargo has
# nothing to do after `make build`, wasm-bindgen and wasm-opt run once more, into target/ so that
# dist/ stays the build to deploy. They write nothing into the repository.
E2E_SUBPATH := /tools/sspr/
E2E_SUBPATH_DIST := target/e2e-dist-subpath
e2e:
	trunk build --release --public-url $(E2E_SUBPATH) --dist $(E2E_SUBPATH_DIST)
	SSPR_SUBPATH=$(E2E_SUBPATH) SSPR_SUBPATH_DIST=$(E2E_SUBPATH_DIST) node --test --test-reporter=tap e2e/

# docs/screenshots/*.png: every screen, light and dark, desktop (1440 px) and phone (390 px), of
# dist/ with the sample (build first: `make build screenshots`); the README shows them.
screenshots:
	node e2e/screenshots.mjs

bench:
	cargo bench --bench model

# The browser benchmark (not part of `make test`): a release build, 1,000,000 events (one Graph
# page) and 200,000 users in a temporary folder, headless Chromium through the upload path beside
# plain JavaScript on the same File; one table, non-zero when a figure misses its budget by > 25 %.
BENCH_DIR := $(or $(BENCH_DIR),$(shell mktemp -d -u /tmp/sspr-bench.XXXXXX))
bench-browser: build
	cargo run --quiet --release --bin sspr-sample -- write $(BENCH_DIR) --users 200000 --events 1000000 --days 30
	node e2e/bench-browser.mjs $(BENCH_DIR); status=$$?; rm -rf $(BENCH_DIR); exit $$status

# Coverage-guided fuzzing of the importers with AFL++ (FUZZING.md): installs cargo-afl and builds
# AFL++ when missing, then runs each target in fuzz/ for FUZZ_SECONDS, one after the other (one
# core each). Not part of `make test`. Fails when a run found a crash or a hang.
FUZZ_SECONDS ?= 600
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The local reference report backend (backend/README.md) beside `make serve`: the sample tenant
# on http://127.0.0.1:8081 (base URL http://127.0.0.1:8081/beta, token dev-token).
serve-backend:
	cargo run -p sspr-backend -- --port 8081

# What the model computes for the bundled sample (the journeys' expected numbers).
stats:
	cargo run --quiet --bin sspr-sample -- stats $(SAMPLE)

# Regenerates the bundled sample tenant (deterministic: the same bytes every time).
sample:
	cargo run --quiet --release --bin sspr-sample -- write public/sample
