#!/usr/bin/env bash
# Tests the npm package as a user gets it: starts a CNCF distribution registry on a free loopback
# port, seeds an image with umoci and skopeo, packs pkg/ with `npm pack`, installs the tarball
# into an empty project, and runs tests/node/package.test.mjs there with node:test. The test
# compares the package's answers with the native CLI (`skopos inspect`) and skopeo
# (`skopeo inspect --raw`, `--config --raw`, `list-tags`).
# tests/node/auth.test.mjs runs against two more registries holding the same image: one with
# htpasswd Basic auth and one with token auth, whose token server (tests/lib/token-server.mjs)
# lets the user pull auth/hello but not auth/private; a recording proxy (tests/lib/cors-proxy.mjs)
# in front of the token registry logs which Authorization scheme reaches it.
#
# Needs: make pkg (pkg/skopos_bg.wasm), the native binary (SKOPOS_BIN, default target/debug/skopos),
# docker-registry, skopeo, umoci, htpasswd (apache2-utils), openssl, node and npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ -f pkg/skopos_bg.wasm ] || { echo "pkg/skopos_bg.wasm is missing: run make pkg" >&2; exit 1; }

source tests/lib/registry.sh
find_skopos_bin
source tests/lib/servers.sh

make_workdir

port=$(free_port)
start_registry "$work/registry" "$port"

# A small image built with umoci, pushed under two tags.
seed_image "$work" "127.0.0.1:$port/node/hello" "hello from the npm package test" node-test

image="docker://127.0.0.1:$port/node/hello:v1"
"$skopos_bin" inspect --tls-verify=false "$image" >"$work/inspect.json"
skopeo inspect --raw --tls-verify=false "$image" >"$work/manifest.raw"
skopeo inspect --config --raw --tls-verify=false "$image" >"$work/config.raw"
skopeo list-tags --tls-verify=false "docker://127.0.0.1:$port/node/hello" >"$work/tags.json"

# A layer with every kind of entry (tests/lib/layer-fixture.py), and the listing Python's tarfile
# reads from the blob the registry serves; and another image whose layer is then damaged in the
# registry's storage (same length, other bytes).
mkdir "$work/seed-layers" "$work/seed-corrupt"
(
    cd "$work/seed-layers"
    python3 "$root/tests/lib/layer-fixture.py" make layer.tar
    umoci init --layout layout
    umoci new --image layout:v1
    umoci raw add-layer --image layout:v1 layer.tar
    skopeo copy -q --dest-tls-verify=false oci:layout:v1 "docker://127.0.0.1:$port/node/layers:v1"
    skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/node/layers:v1" dir:pulled
) >/dev/null
layer=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' "$work/seed-layers/pulled/manifest.json")
python3 tests/lib/layer-fixture.py list "$work/seed-layers/pulled/${layer#sha256:}" >"$work/layer-listing.json"
seed_image "$work/seed-corrupt" "127.0.0.1:$port/node/corrupt" "these bytes will be damaged" corrupt-test
corrupt_layer=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/node/corrupt:v1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
damage_blob "$work/registry" "$corrupt_layer"

# The authenticated registries. `admin` seeds them; `tester` is the user the tests log in as.
user=tester password=tester-pw-$RANDOM
start_auth_registries "$work" "$image" "$user" "$password"
"$skopos_bin" inspect --tls-verify=false --creds "$user:$password" \
    "docker://127.0.0.1:$basic_registry_port/auth/hello:v1" >"$work/inspect-basic.json"
"$skopos_bin" inspect --tls-verify=false --creds "$user:$password" \
    "docker://127.0.0.1:$token_registry_port/auth/hello:v1" >"$work/inspect-token.json"
start_node_server "$work/proxy.port" tests/lib/cors-proxy.mjs \
    --target "http://127.0.0.1:$token_registry_port" --log "$work/proxy.log"

# npm pack, then install the tarball into an empty project (no network: no dependencies).
mkdir "$work/packed" "$work/project"
(cd pkg && npm pack --silent --pack-destination "$work/packed" >/dev/null)
tarball=$(ls "$work"/packed/skopos-*.tgz)
(
    cd "$work/project"
    echo '{"name": "skopos-user", "version": "1.0.0", "private": true, "type": "module"}' >package.json
    npm install --silent --no-audit --no-fund --offline "$tarball"
)
cp tests/node/package.test.mjs tests/node/auth.test.mjs tests/node/layer.test.mjs "$work/project/"

cd "$work/project"
SKOPOS_TEST_REGISTRY="127.0.0.1:$port" \
SKOPOS_TEST_INSPECT="$work/inspect.json" \
SKOPOS_TEST_MANIFEST="$work/manifest.raw" \
SKOPOS_TEST_TAGS="$work/tags.json" \
SKOPOS_TEST_CONFIG="$work/config.raw" \
SKOPOS_TEST_BASIC_REGISTRY="127.0.0.1:$basic_registry_port" \
SKOPOS_TEST_TOKEN_REGISTRY="127.0.0.1:$token_registry_port" \
SKOPOS_TEST_TOKEN_PROXY="127.0.0.1:$(cat "$work/proxy.port")" \
SKOPOS_TEST_USER="$user" \
SKOPOS_TEST_PASSWORD="$password" \
SKOPOS_TEST_TOKEN_REALM="http://127.0.0.1:$token_port/token" \
SKOPOS_TEST_TOKEN_SERVICE=skopos-test-registry \
SKOPOS_TEST_TOKEN_LOG="$work/token/token.log" \
SKOPOS_TEST_PROXY_LOG="$work/proxy.log" \
SKOPOS_TEST_BASIC_INSPECT="$work/inspect-basic.json" \
SKOPOS_TEST_TOKEN_INSPECT="$work/inspect-token.json" \
SKOPOS_TEST_LAYER="$layer" \
SKOPOS_TEST_LAYER_LISTING="$work/layer-listing.json" \
SKOPOS_TEST_CORRUPT_LAYER="$corrupt_layer" \
    node --test "$@" package.test.mjs auth.test.mjs layer.test.mjs
