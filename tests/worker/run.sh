#!/usr/bin/env bash
# Tests the edge Worker (dist/worker, built by `make worker`) in workerd through miniflare,
# against real CNCF distribution registries on free loopback ports: one anonymous, one asking for
# basic credentials (which the Worker gets as its REGISTRY_AUTH_<HOST> secret). The images are
# built by umoci and pushed by skopeo; expected values come from skopeo, the registries and the
# native CLI (SKOPOS_BIN, default target/debug/skopos). tests/worker/worker.test.mjs starts the
# Worker and checks the API, the /v2/ proxy with skopeo as a real client (inspect, copy, a
# corrupted blob that must fail), the allow-list, CORS, caching headers and the npm package using
# the Worker as its proxy.
#
# Builds nothing itself: needs `make worker` (dist/worker) and `make pkg` (pkg/), plus
# docker-registry, skopeo, umoci, htpasswd, node and node_modules/miniflare (npm ci).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ -f dist/worker/index.js ] && [ -f dist/worker/skopos_bg.wasm ] || { echo "dist/worker is missing: run make worker" >&2; exit 1; }
[ -f pkg/skopos_bg.wasm ] || { echo "pkg/skopos_bg.wasm is missing: run make pkg" >&2; exit 1; }
[ -d node_modules/miniflare ] || { echo "node_modules/miniflare is missing: run npm ci" >&2; exit 1; }

# The choice of upstream, the settings and the CORS answers, as plain functions (no registry needed).
node --test "$@" tests/worker/routing.test.mjs tests/worker/cors.test.mjs

source tests/lib/registry.sh
find_skopos_bin
source tests/lib/servers.sh

make_workdir

port=$(free_port)
start_registry "$work/open" "$port"
auth_port=$(free_port)
auth_user=worker-test
auth_password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_htpasswd_registry "$work/auth" "$auth_port" "$auth_user" "$auth_password"
# A port nothing listens on: a registry that is not on the Worker's allow-list.
denied_port=$(free_port)

registry="127.0.0.1:$port"
auth_registry="127.0.0.1:$auth_port"

# The anonymous registry: an image with two tags, more tags for pagination, a two-platform index.
mkdir -p "$work/seed-hello" "$work/seed-private" "$work/seed-corrupt"
seed_image "$work/seed-hello" "$registry/worker/hello" "hello from the worker test" worker-test
for tag in v2 v3 v4; do
    skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$registry/worker/hello:v1" "docker://$registry/worker/hello:$tag"
done
seed_index "$work" "$registry/worker/multi"

# The basic-auth registry: an image seeded through the anonymous one, copied with credentials.
seed_image "$work/seed-private" "$registry/staging/private" "hello from the private registry" private-test
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false --dest-creds "$auth_user:$auth_password" \
    "docker://$registry/staging/private:v1" "docker://$auth_registry/team/private:v1"

# A front for the basic-auth registry that redirects blob downloads to a storage listener of its
# own, as registries backed by object storage do; its log shows who sent credentials where.
start_node_server "$work/redirect.port" tests/lib/redirecting-proxy.mjs --target "http://$auth_registry" \
    --creds "$auth_user:$auth_password" --log "$work/redirect.log"
redirect_registry="127.0.0.1:$(cat "$work/redirect.port")"

# A registry stand-in that paginates tag lists (distribution 2.8 does not) and reports a rate limit.
start_node_server "$work/tags.port" tests/lib/tags-server.mjs --tags "$(echo t{01..10} | tr ' ' ,)" \
    --page-size 3 --log "$work/tags.log"
tags_registry="127.0.0.1:$(cat "$work/tags.port")"

# An image whose layer blob is then corrupted in storage: same length, other bytes.
seed_image "$work/seed-corrupt" "$registry/worker/corrupt" "these bytes will be damaged" corrupt-test
corrupt_layer=$(skopeo inspect --raw --tls-verify=false "docker://$registry/worker/corrupt:v1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
damage_blob "$work/open" "$corrupt_layer"

# An image whose manifest is then altered in storage: one hex digit of its config digest changed,
# so the bytes stay valid JSON and only their digest tells.
mkdir -p "$work/seed-badmanifest"
seed_image "$work/seed-badmanifest" "$registry/worker/badmanifest" "this manifest will be altered" badmanifest-test
bad_manifest="sha256:$(skopeo inspect --raw --tls-verify=false "docker://$registry/worker/badmanifest:v1" | sha256sum | cut -d' ' -f1)"
data="$work/open/storage/docker/registry/v2/blobs/sha256/${bad_manifest:7:2}/${bad_manifest#sha256:}/data"
python3 - "$data" <<'PY'
import json, sys
path = sys.argv[1]
text = open(path).read()
digest = json.loads(text)["config"]["digest"]
altered = digest[:-1] + ("0" if digest[-1] != "0" else "1")
open(path, "w").write(text.replace(digest, altered))
PY
[ "sha256:$(sha256sum <"$data" | cut -d' ' -f1)" != "$bad_manifest" ] || { echo "the manifest was not altered" >&2; exit 1; }

# Expected values, from skopeo and the native CLI.
expected="$work/expected"
mkdir "$expected"
"$skopos_bin" inspect --tls-verify=false "docker://$registry/worker/hello:v1" >"$expected/inspect.json"
"$skopos_bin" inspect --tls-verify=false --creds "$auth_user:$auth_password" \
    "docker://$auth_registry/team/private:v1" >"$expected/inspect-private.json"
skopeo inspect --raw --tls-verify=false "docker://$registry/worker/hello:v1" >"$expected/manifest.raw"
skopeo inspect --raw --tls-verify=false "docker://$registry/worker/multi:v1" >"$expected/multi.raw"
amd64=$(python3 -c 'import json, sys; print(next(m["digest"] for m in json.load(open(sys.argv[1]))["manifests"] if m["platform"]["architecture"] == "amd64"))' "$expected/multi.raw")
skopeo inspect --raw --tls-verify=false "docker://$registry/worker/multi@$amd64" >"$expected/multi-amd64.raw"
skopeo list-tags --tls-verify=false "docker://$registry/worker/hello" >"$expected/tags.json"
skopeo list-tags --tls-verify=false "docker://$tags_registry/paged/repo" >"$expected/paged-tags.json"
# The media type the registry serves the manifest with.
curl -fsI -H "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" \
    "http://$registry/v2/worker/hello/manifests/v1" | tr -d '\r' \
    | awk 'tolower($1) == "content-type:" {print $2}' >"$expected/manifest.type"
# What the registry itself answers for a tag it does not have.
curl -s "http://$registry/v2/worker/hello/manifests/no-such-tag" >"$expected/missing.json"

export SKOPOS_TEST_REGISTRY="$registry"
export SKOPOS_TEST_AUTH_REGISTRY="$auth_registry"
export SKOPOS_TEST_AUTH_CREDENTIALS="$auth_user:$auth_password"
export SKOPOS_TEST_REDIRECT_REGISTRY="$redirect_registry"
export SKOPOS_TEST_REDIRECT_LOG="$work/redirect.log"
export SKOPOS_TEST_TAGS_REGISTRY="$tags_registry"
export SKOPOS_TEST_DENIED_REGISTRY="127.0.0.1:$denied_port"
export SKOPOS_TEST_CORRUPT_LAYER="$corrupt_layer"
export SKOPOS_TEST_BAD_MANIFEST="$bad_manifest"
export SKOPOS_TEST_EXPECTED="$expected"
export SKOPOS_TEST_WORK="$work"
export SKOPOS_TEST_ROOT="$root"
# The Worker serves https, as Workers do, with a throwaway certificate for 127.0.0.1 and
# localhost that Node trusts (NODE_EXTRA_CA_CERTS). Over plain http, skopeo's first https attempt
# would hang for its 10 s TLS handshake timeout on every command.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/worker-key.pem" -out "$work/worker-cert.pem" 2>/dev/null
export SKOPOS_TEST_WORKER_KEY="$work/worker-key.pem"
export SKOPOS_TEST_WORKER_CERT="$work/worker-cert.pem"
export NODE_EXTRA_CA_CERTS="$work/worker-cert.pem"
node --test --test-concurrency=1 "$@" tests/worker/worker.test.mjs
