#!/usr/bin/env bash
# End-to-end tests of the image inspector page (dist/www, built by `make www`) in headless
# Chromium: starts two CNCF distribution registries on free loopback ports, one sending CORS
# headers and one without; seeds them with skopeo and umoci (an OCI image with a known file, a
# two-platform index, a Docker v2s2 copy, a layer that inflates to 2 GiB of zeros); reads the
# expected digests with skopeo; then runs tests/www/page.test.mjs (node:test + playwright-core),
# which serves dist/www itself and saves screenshots under
# ${SKOPOS_TEST_OUTPUT:-target/test-output}/www/.
#
# Needs: make www, docker-registry, skopeo, umoci, python3, node, /usr/bin/chromium and
# node_modules/playwright-core (npm ci).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ -f dist/www/skopos_bg.wasm ] || { echo "dist/www is missing: run make www" >&2; exit 1; }
source tests/lib/registry.sh

make_workdir

start_cors_pair "$work"
reg="127.0.0.1:$port"
reg_no_cors="127.0.0.1:$port_no_cors"

greeting="hello from the inspector page test"
seed_image "$work" "$reg/www/hello" "$greeting" www-test
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$reg/www/hello:v1" "docker://$reg_no_cors/www/hello:v1"
# The same image as Docker v2 schema 2.
skopeo copy -q --format v2s2 --src-tls-verify=false --dest-tls-verify=false \
    "docker://$reg/www/hello:v1" "docker://$reg/www/hello-docker:v1"

# A repository of 75 tags (more than one page of the Tags section): one image pushed with skopeo,
# its manifest PUT under the other tags.
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$reg/www/hello:v1" "docker://$reg/www/many:t000"
many_type=$(curl -fsI -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$reg/v2/www/many/manifests/t000" \
    | tr -d '\r' | awk 'tolower($1) == "content-type:" {print $2}')
curl -fs -H "Accept: $many_type" "http://$reg/v2/www/many/manifests/t000" >"$work/many.manifest"
for i in $(seq -w 1 74); do
    curl -fs -X PUT -H "Content-Type: $many_type" --data-binary @"$work/many.manifest" \
        "http://$reg/v2/www/many/manifests/t0$i" >/dev/null
done

# A two-platform index (amd64 and arm64).
seed_index "$work" "$reg/www/multi"

# A gzip bomb: one layer whose tar holds a 2 GiB file of zeros (about 2 MiB compressed), in an OCI
# layout written by hand and pushed with skopeo.
python3 - "$work/bomb" <<'PY'
import hashlib, json, os, sys, tarfile, zlib
layout = sys.argv[1]
os.makedirs(f"{layout}/blobs/sha256")
def put(data):
    digest = hashlib.sha256(data).hexdigest()
    open(f"{layout}/blobs/sha256/{digest}", "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
size = 2 << 30
info = tarfile.TarInfo("zeros"); info.size = size; info.mode = 0o644
header = info.tobuf(format=tarfile.GNU_FORMAT)
gz = zlib.compressobj(9, zlib.DEFLATED, 31)
raw = hashlib.sha256()
parts = []
def feed(data):
    raw.update(data)
    parts.append(gz.compress(data))
feed(header)
zeros = bytes(1 << 20)
for _ in range(size >> 20):
    feed(zeros)
feed(bytes(1024))
parts.append(gz.flush())
layer = put(b"".join(parts))
config = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + raw.hexdigest()]}}).encode())
manifest = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}]}).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    **manifest, "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, open(f"{layout}/index.json", "w"))
open(f"{layout}/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
skopeo copy -q --dest-tls-verify=false "oci:$work/bomb:v1" "docker://$reg/www/bomb:v1"

raw_digest() { echo "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1)"; }
json_field() { python3 -c "import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
index_entry() {
    skopeo inspect --raw --tls-verify=false "docker://$reg/www/multi:v1" \
        | json_field "next(m['digest'] for m in d['manifests'] if m['platform']['architecture'] == '$1')"
}

export SKOPOS_WWW_REGISTRY="$reg"
export SKOPOS_WWW_REGISTRY_NO_CORS="$reg_no_cors"
export SKOPOS_WWW_GREETING="$greeting"
export SKOPOS_WWW_OCI_DIGEST=$(raw_digest "$reg/www/hello:v1")
# The media type as the registry serves it (umoci's manifests carry no mediaType field).
export SKOPOS_WWW_OCI_MEDIA_TYPE=$(curl -fsI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$reg/v2/www/hello/manifests/v1" | sed -n 's/^content-type: *\([^;[:space:]]*\).*/\1/Ip')
export SKOPOS_WWW_OCI_LAYER=$(skopeo inspect --tls-verify=false --format '{{index .Layers 0}}' "docker://$reg/www/hello:v1")
export SKOPOS_WWW_OCI_LAYER_TYPE=$(skopeo inspect --raw --tls-verify=false "docker://$reg/www/hello:v1" | json_field "d['layers'][0]['mediaType']")
export SKOPOS_WWW_OCI_LAYER_SIZE=$(skopeo inspect --raw --tls-verify=false "docker://$reg/www/hello:v1" | json_field "d['layers'][0]['size']")
export SKOPOS_WWW_ARCH=$(skopeo inspect --tls-verify=false --format '{{.Architecture}}' "docker://$reg/www/hello:v1")
export SKOPOS_WWW_DOCKER_DIGEST=$(raw_digest "$reg/www/hello-docker:v1")
export SKOPOS_WWW_DOCKER_MEDIA_TYPE=$(skopeo inspect --raw --tls-verify=false "docker://$reg/www/hello-docker:v1" | json_field "d['mediaType']")
export SKOPOS_WWW_INDEX_DIGEST=$(raw_digest "$reg/www/multi:v1")
export SKOPOS_WWW_INDEX_AMD64=$(index_entry amd64)
export SKOPOS_WWW_INDEX_ARM64=$(index_entry arm64)
export SKOPOS_WWW_BOMB_LAYER=$(skopeo inspect --tls-verify=false --format '{{index .Layers 0}}' "docker://$reg/www/bomb:v1")
export SKOPOS_WWW_MANY_TAGS=$(skopeo list-tags --tls-verify=false "docker://$reg/www/many" | json_field "' '.join(d['Tags'])")
export SKOPOS_WWW_TAGS=$(skopeo list-tags --tls-verify=false "docker://$reg/www/hello" | json_field "' '.join(sorted(d['Tags']))")
export SKOPOS_TEST_OUTPUT=${SKOPOS_TEST_OUTPUT:-$root/target/test-output}
mkdir -p "$SKOPOS_TEST_OUTPUT/www"
node --test --test-reporter=spec "$@" tests/www/page.test.mjs
