#!/usr/bin/env bash
# Runs tests/wasm_browser.rs in headless Chromium (wasm-bindgen-test-runner + chromedriver, with
# the Chromium flags of webdriver.json): starts two CNCF distribution registries on free loopback
# ports, one sending CORS headers and one without, seeds an image with umoci and skopeo, and hands
# their addresses and the expected digest and architecture to the test at compile time
# (SKOPOS_TEST_* environment variables read with option_env!).
#
# Needs: docker-registry, skopeo, umoci, chromium, chromedriver (CHROMEDRIVER, default
# /usr/bin/chromedriver), wasm-bindgen-test-runner and the wasm32 target.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/registry.sh

work=$(mktemp -d)
cleanup() {
    stop_registries
    rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
start_registry "$work/cors" "$port" cors
port_no_cors=$(free_port)
start_registry "$work/no-cors" "$port_no_cors"

seed_image "$work" "127.0.0.1:$port/browser/hello" "hello from the browser test" browser-test
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://127.0.0.1:$port/browser/hello:v1" "docker://127.0.0.1:$port_no_cors/browser/hello:v1"

# The CORS test below is only meaningful if the headers really differ between the two.
curl -fsI "http://127.0.0.1:$port/v2/" | grep -qi '^Access-Control-Allow-Origin: \*' \
    || { echo "the CORS registry does not send Access-Control-Allow-Origin" >&2; exit 1; }
if curl -fsI "http://127.0.0.1:$port_no_cors/v2/" | grep -qi '^Access-Control-'; then
    echo "the no-CORS registry sends CORS headers" >&2; exit 1
fi

image="docker://127.0.0.1:$port/browser/hello:v1"
digest="sha256:$(skopeo inspect --raw --tls-verify=false "$image" | sha256sum | cut -d' ' -f1)"
arch=$(skopeo inspect --tls-verify=false --format '{{.Architecture}}' "$image")

export SKOPOS_TEST_REGISTRY="127.0.0.1:$port"
export SKOPOS_TEST_REGISTRY_NO_CORS="127.0.0.1:$port_no_cors"
export SKOPOS_TEST_DIGEST="$digest"
export SKOPOS_TEST_ARCH="$arch"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --locked --target wasm32-unknown-unknown --test wasm_browser
