#!/usr/bin/env bash
# An offline end-to-end demo: starts a local CNCF distribution registry, seeds a sample image
# into it with skopeo (built with umoci), inspects it with skopos, and copies it to an oci:
# layout and back with skopos while skopeo checks the digests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cargo build --locked --release -q
skopos="$PWD/target/release/skopos"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

echo "## building a sample image with umoci and pushing it with skopeo to 127.0.0.1:$port"
cd "$work"
umoci init --layout layout
umoci new --image layout:v1
mkdir -p rootfs/etc && echo "hello from skopos" > rootfs/etc/greeting
umoci insert --image layout:v1 rootfs/etc/greeting /etc/greeting
umoci config --image layout:v1 --config.label org.opencontainers.image.title=demo \
    --config.env GREETING=hello --config.cmd /bin/sh --config.workingdir /srv
skopeo copy -q --dest-tls-verify=false oci:layout:v1 "docker://127.0.0.1:$port/demo/hello:v1"
skopeo copy -q --dest-tls-verify=false "docker://127.0.0.1:$port/demo/hello:v1" "docker://127.0.0.1:$port/demo/hello:latest" --src-tls-verify=false

echo
echo "## skopos inspect --tls-verify=false docker://127.0.0.1:$port/demo/hello:v1"
"$skopos" inspect --tls-verify=false "docker://127.0.0.1:$port/demo/hello:v1"
echo
echo "## skopos inspect --config (OCI configuration)"
"$skopos" inspect --tls-verify=false --config "docker://127.0.0.1:$port/demo/hello:v1"
echo
echo "## skopos list-tags"
"$skopos" list-tags --tls-verify=false "docker://127.0.0.1:$port/demo/hello"
echo
echo "## skopos inspect --format '{{.Digest}} {{.Labels}}'"
"$skopos" inspect --tls-verify=false --format '{{.Digest}} {{.Labels}}' "docker://127.0.0.1:$port/demo/hello:v1"
echo
echo "## the same digest, computed by skopeo"
skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$port/demo/hello:v1"

echo
echo "## skopos copy docker://127.0.0.1:$port/demo/hello:v1 oci:$work/copy:v1, then back to the registry"
"$skopos" copy --src-tls-verify=false "docker://127.0.0.1:$port/demo/hello:v1" "oci:$work/copy:v1"
"$skopos" copy --dest-tls-verify=false "oci:$work/copy:v1" "docker://127.0.0.1:$port/demo/copied:v1"
echo "## digests as skopeo reads them: the source, the oci: layout and the copy back"
skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$port/demo/hello:v1"
skopeo inspect --format '{{.Digest}}' "oci:$work/copy:v1"
skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$port/demo/copied:v1"
