# Shell helpers shared by the test launchers (tests/node/run.sh, tests/browser/run.sh, tests/worker/run.sh):
# start a CNCF distribution registry on a free loopback port and seed it with an image built by
# umoci and pushed with skopeo. Source this file; it defines functions only.
#
# The caller owns cleanup: every started registry's pid is appended to the array `registry_pids`,
# which the caller's EXIT trap should kill (see stop_registries).

registry_pids=()

# Makes a temporary directory, `work`, and an EXIT trap that stops every server started through
# these helpers and removes the directory.
make_workdir() {
    work=$(mktemp -d)
    trap 'stop_registries; rm -rf "$work"' EXIT
}

# Sets `skopos_bin` to the native CLI the tests compare with (SKOPOS_BIN, default
# target/debug/skopos), building it when it is missing.
find_skopos_bin() {
    skopos_bin=${SKOPOS_BIN:-$PWD/target/debug/skopos}
    [ -x "$skopos_bin" ] || cargo build --locked -q --bin skopos
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_registry DIR PORT [cors]
# Serves a registry from DIR/storage on 127.0.0.1:PORT, with the CORS headers a page on another
# origin needs when the third argument is `cors`. Waits until /v2/ answers.
start_registry() {
    local dir=$1 port=$2 cors=${3:-}
    mkdir -p "$dir"
    {
        echo "version: 0.1"
        echo "log: {level: error, accesslog: {disabled: true}}"
        echo "storage: {filesystem: {rootdirectory: $dir/storage}, delete: {enabled: true}}"
        echo "http:"
        echo "  addr: 127.0.0.1:$port"
        if [ "$cors" = cors ]; then
            echo "  headers:"
            echo "    Access-Control-Allow-Origin: ['*']"
            echo "    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'DELETE']"
            echo "    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Range']"
            echo "    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate', 'Link', 'Content-Length']"
        fi
    } >"$dir/registry.yml"
    docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
    registry_pids+=($!)
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null || { cat "$dir/registry.log" >&2; return 1; }
}

# start_cors_pair WORKDIR
# Starts two registries, one sending CORS headers (WORKDIR/cors, port in `port`) and one without
# (WORKDIR/no-cors, port in `port_no_cors`), and checks that their headers really differ, since
# the browser tests that use them mean nothing otherwise.
start_cors_pair() {
    local work=$1
    port=$(free_port)
    start_registry "$work/cors" "$port" cors
    port_no_cors=$(free_port)
    start_registry "$work/no-cors" "$port_no_cors"
    curl -fsI "http://127.0.0.1:$port/v2/" | grep -qi '^Access-Control-Allow-Origin: \*' \
        || { echo "the CORS registry does not send Access-Control-Allow-Origin" >&2; return 1; }
    if curl -fsI "http://127.0.0.1:$port_no_cors/v2/" | grep -qi '^Access-Control-'; then
        echo "the no-CORS registry sends CORS headers" >&2; return 1
    fi
}

# Kills the registries started by start_registry.
stop_registries() {
    local pid
    for pid in "${registry_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    registry_pids=()
}

# seed_image WORKDIR REGISTRY/REPO GREETING TITLE
# (WORKDIR must not hold a layout from an earlier call: give each image its own directory.)
# Builds a small image with umoci in WORKDIR and pushes it as REGISTRY/REPO:v1 and :latest.
seed_image() {
    local work=$1 target=$2 greeting=$3 title=$4
    (
        cd "$work"
        umoci init --layout layout
        umoci new --image layout:v1
        mkdir -p rootfs/etc && echo "$greeting" > rootfs/etc/greeting
        umoci insert --image layout:v1 rootfs/etc/greeting /etc/greeting
        umoci config --image layout:v1 --config.label org.opencontainers.image.title="$title" \
            --config.env GREETING=hello --config.cmd /bin/sh
        skopeo copy -q --dest-tls-verify=false oci:layout:v1 "docker://$target:v1"
        skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
            "docker://$target:v1" "docker://$target:latest"
    ) >/dev/null
}

# seed_index WORKDIR REGISTRY/REPO
# Pushes a two-platform OCI index (linux/amd64 and linux/arm64, empty images built with umoci,
# each config labelled arch=ARCH) as REGISTRY/REPO:v1, with skopeo copy --all.
seed_index() {
    local work=$1 target=$2
    (
        cd "$work"
        umoci init --layout multi
        for a in amd64 arm64; do
            umoci new --image "multi:$a"
            umoci config --image "multi:$a" --architecture "$a" --os linux --config.label "arch=$a"
        done
        python3 - multi <<'PY'
import hashlib, json, sys
layout = sys.argv[1]
top = json.load(open(f"{layout}/index.json"))
entries = []
for d in top["manifests"]:
    arch = d["annotations"]["org.opencontainers.image.ref.name"]
    entries.append({"mediaType": d["mediaType"], "digest": d["digest"], "size": d["size"],
                    "platform": {"architecture": arch, "os": "linux"}})
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": entries}).encode()
digest = hashlib.sha256(index).hexdigest()
open(f"{layout}/blobs/sha256/{digest}", "wb").write(index)
top["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                         "digest": "sha256:" + digest, "size": len(index),
                         "annotations": {"org.opencontainers.image.ref.name": "index"}})
json.dump(top, open(f"{layout}/index.json", "w"))
PY
        skopeo copy -q --all --dest-tls-verify=false oci:multi:index "docker://$target:v1"
    ) >/dev/null
}

# damage_blob DIR DIGEST
# Changes the bytes of blob DIGEST in the storage of the registry started from DIR (same length,
# the second half XORed with 0x55), so that the registry serves them as a success under a digest
# they no longer have; fails if the bytes still hash to DIGEST.
damage_blob() {
    local dir=$1 digest=$2
    local data="$dir/storage/docker/registry/v2/blobs/sha256/${digest:7:2}/${digest#sha256:}/data"
    python3 - "$data" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
for i in range(len(data) // 2, len(data)):
    data[i] ^= 0x55
open(path, "wb").write(bytes(data))
PY
    [ "sha256:$(sha256sum <"$data" | cut -d' ' -f1)" != "$digest" ] || { echo "blob $digest was not damaged" >&2; return 1; }
}
