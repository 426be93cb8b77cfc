#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against a real registry with skopeo as the
# oracle, the wasm32 build, the wasm tests under Node, and the npm package (make pkg) installed
# from its tarball and tested in Node (anonymous, htpasswd and token registries), the JS API in
# headless Chromium against registries with and without CORS headers, the built package in
# Chromium (auth through a CORS proxy, tag pagination, a module Web Worker) and in workerd,
# the image inspector page (make www) in headless Chromium, and the edge Worker (make worker) in
# workerd through miniflare.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== native: unit and integration tests" >&2
cargo test --locked --all-targets

echo "== wasm32: library build and tests under Node" >&2
cargo build --locked --lib --target wasm32-unknown-unknown
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --locked --target wasm32-unknown-unknown --test wasm_fetch --test wasm_api

echo "== npm package: make pkg (wasm-release build, wasm-bindgen, size budget)" >&2
make pkg

echo "== npm package: packed, installed in an empty project, tested in Node against anonymous, htpasswd and token registries" >&2
tests/node/run.sh

echo "== browser: the JS API in headless Chromium against a registry with and one without CORS headers" >&2
tests/browser/run.sh

echo "== inspector page: make www, then the page in headless Chromium against registries with and without CORS" >&2
make www
tests/www/run.sh

echo "== browser: the built package in headless Chromium: basic and token auth, tag pages, a module Web Worker" >&2
tests/browser/package.sh

echo "== workerd: pkg/README.md's worker example in miniflare" >&2
tests/workerd/run.sh

echo "== edge worker: make worker, then the Worker in workerd (miniflare) with skopeo pulling through it" >&2
make worker
tests/worker/run.sh
