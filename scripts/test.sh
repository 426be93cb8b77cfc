#!/usr/bin/env bash
# The whole test suite (what CI runs), or one stage of it:
#
#   scripts/test.sh                 every stage below, in order
#   scripts/test.sh STAGE [ARGS…]   one stage; ARGS go to its test runner (cargo test's filter
#                                   and flags, or node --test's, e.g. --test-name-pattern=…)
#
# Stages:
#   lint    rustfmt --check, clippy -D warnings (native, all targets; wasm32 library), and the
#           JavaScript of www/: prettier --check and tsc --checkJs against pkg/skopos.d.ts
#           (builds the package first)
#   unit    cargo test --lib: the core's unit tests (no process, no socket)
#   native  the integration tests (tests/it) against real registries, with skopeo, umoci and
#           openssl as peers and oracles
#   wasm    the wasm32 build; wasm-bindgen tests under Node and in headless Chromium
#   pkg     make pkg; the packed npm package in Node (anonymous, htpasswd and token registries),
#           in headless Chromium (auth through a CORS proxy, tag pages, a module Web Worker) and
#           in workerd (pkg/README.md's worker example)
#   www     make www; the inspector page in headless Chromium
#   worker  make worker; the edge Worker in workerd (miniflare), with skopeo pulling through it
set -euo pipefail
cd "$(dirname "$0")/.."

stage_lint() {
    echo "== lint: rustfmt, clippy (native and wasm32), prettier and tsc over www/" >&2
    cargo fmt --check
    cargo clippy --locked --all-targets -- -D warnings
    cargo clippy --locked --lib --target wasm32-unknown-unknown -- -D warnings
    make pkg
    scripts/check-js.sh
}

stage_unit() {
    echo "== unit: the core's unit tests" >&2
    cargo test --locked --lib "$@"
}

stage_native() {
    echo "== native: integration tests against real registries, skopeo as the oracle" >&2
    cargo test --locked --bins --test it "$@"
}

stage_wasm() {
    echo "== wasm32: library build, tests under Node and in headless Chromium" >&2
    cargo build --locked --lib --target wasm32-unknown-unknown
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test --locked --target wasm32-unknown-unknown --test wasm_fetch --test wasm_api "$@"
    tests/browser/run.sh "$@"
}

stage_pkg() {
    echo "== npm package: make pkg, then the packed package in Node, Chromium and workerd" >&2
    make pkg
    tests/node/run.sh "$@"
    tests/browser/package.sh "$@"
    tests/workerd/run.sh "$@"
}

stage_www() {
    echo "== inspector page: make www, then the page in headless Chromium" >&2
    make www
    tests/www/run.sh "$@"
}

stage_worker() {
    echo "== edge worker: make worker, then the Worker in workerd with skopeo pulling through it" >&2
    make worker
    tests/worker/run.sh "$@"
}

stages=(lint unit native wasm pkg www worker)
scripts/install-deps.sh
if [ $# -eq 0 ]; then
    for stage in "${stages[@]}"; do "stage_$stage"; done
else
    stage=$1
    shift
    case " ${stages[*]} " in
    *" $stage "*) "stage_$stage" "$@" ;;
    *) echo "unknown stage '$stage': one of ${stages[*]}" >&2; exit 2 ;;
    esac
fi
