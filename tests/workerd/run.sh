#!/usr/bin/env bash
# Runs tests/workerd/worker.test.mjs: the npm package (pkg/, from make pkg) in workerd through
# miniflare, with the worker example of pkg/README.md. Starts a CNCF distribution registry on a
# free loopback port, seeds an image with umoci and skopeo, and passes the expected document
# (`skopos inspect`) and the manifest bytes (`skopeo inspect --raw`) to the test.
#
# Needs: make pkg, the native binary (SKOPOS_BIN, default target/debug/skopos), docker-registry,
# skopeo, umoci, node and miniflare with workerd in node_modules (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f pkg/skopos_bg.wasm ] || { echo "pkg/skopos_bg.wasm is missing: run make pkg" >&2; exit 1; }
[ -x node_modules/.bin/workerd ] || { echo "node_modules/.bin/workerd is missing: run scripts/install-deps.sh" >&2; exit 1; }

source tests/lib/registry.sh
find_skopos_bin

make_workdir

port=$(free_port)
start_registry "$work/registry" "$port"
seed_image "$work" "127.0.0.1:$port/workerd/hello" "hello from the workerd test" workerd-test
image="docker://127.0.0.1:$port/workerd/hello:v1"
"$skopos_bin" inspect --tls-verify=false "$image" >"$work/inspect.json"
skopeo inspect --raw --tls-verify=false "$image" >"$work/manifest.raw"

SKOPOS_TEST_REGISTRY="127.0.0.1:$port" \
SKOPOS_TEST_INSPECT="$work/inspect.json" \
SKOPOS_TEST_MANIFEST="$work/manifest.raw" \
    node --test "$@" tests/workerd/worker.test.mjs
