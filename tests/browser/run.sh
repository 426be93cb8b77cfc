#!/usr/bin/env bash
# Runs tests/wasm_browser.rs in headless Chromium (wasm-bindgen-test-runner + chromedriver, with
# the Chromium flags of webdriver.json): starts two CNCF distribution registries on free loopback
# ports, one sending CORS headers and one without; seeds images with umoci and skopeo (a single
# image, a two-platform index, and an image whose config blob is then corrupted in storage), and
# hands their addresses and the expected digests and architecture to the test at compile time
# (SKOPOS_TEST_* environment variables read with option_env!).
#
# Needs: docker-registry, skopeo, umoci, python3, chromium, chromedriver (CHROMEDRIVER, default
# /usr/bin/chromedriver), wasm-bindgen-test-runner and the wasm32 target.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/registry.sh

make_workdir

start_cors_pair "$work"

seed_image "$work" "127.0.0.1:$port/browser/hello" "hello from the browser test" browser-test
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://127.0.0.1:$port/browser/hello:v1" "docker://127.0.0.1:$port_no_cors/browser/hello:v1"

# A two-platform index (amd64 and arm64) in the CORS registry: two umoci images in one layout,
# an OCI index listing both written by hand, copied with --all.
seed_index "$work" "127.0.0.1:$port/browser/multi"
multi_digest() {
    skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/browser/multi:v1" | python3 -c \
        'import json, sys; print(next(m["digest"] for m in json.load(sys.stdin)["manifests"] if m["platform"]["architecture"] == sys.argv[1]))' "$1"
}

# An image whose config blob is corrupted in the registry's storage: same length, other bytes.
mkdir -p "$work/seed-corrupt"
seed_image "$work/seed-corrupt" "127.0.0.1:$port/browser/corrupt" "these bytes will be damaged" corrupt-test
corrupt_config=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/browser/corrupt:v1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["config"]["digest"])')
damage_blob "$work/cors" "$corrupt_config"

image="docker://127.0.0.1:$port/browser/hello:v1"
digest="sha256:$(skopeo inspect --raw --tls-verify=false "$image" | sha256sum | cut -d' ' -f1)"
arch=$(skopeo inspect --tls-verify=false --format '{{.Architecture}}' "$image")

export SKOPOS_TEST_REGISTRY="127.0.0.1:$port"
export SKOPOS_TEST_REGISTRY_NO_CORS="127.0.0.1:$port_no_cors"
export SKOPOS_TEST_DIGEST="$digest"
export SKOPOS_TEST_ARCH="$arch"
export SKOPOS_TEST_MULTI_INDEX="sha256:$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/browser/multi:v1" | sha256sum | cut -d' ' -f1)"
export SKOPOS_TEST_MULTI_AMD64="$(multi_digest amd64)"
export SKOPOS_TEST_MULTI_ARM64="$(multi_digest arm64)"
export SKOPOS_TEST_CORRUPT_BLOB="$corrupt_config"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --locked --target wasm32-unknown-unknown --test wasm_browser "$@"
