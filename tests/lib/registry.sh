# Shell helpers shared by the test launchers (tests/node/run.sh, tests/browser/run.sh, tests/worker/run.sh):
# start a CNCF distribution registry on a free loopback port and seed it with an image built by
# umoci and pushed with skopeo. Source this file; it defines functions only.
#
# The caller owns cleanup: every started registry's pid is appended to the array `registry_pids`,
# which the caller's EXIT trap should kill (see stop_registries).

registry_pids=()

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

# start_registry_basic_auth DIR PORT USER PASSWORD
# Like start_registry, but the registry asks for HTTP basic credentials (an htpasswd file with
# one bcrypt entry; needs htpasswd from apache2-utils). Waits until /v2/ answers 401.
start_registry_basic_auth() {
    local dir=$1 port=$2 user=$3 password=$4
    mkdir -p "$dir"
    htpasswd -Bbn "$user" "$password" >"$dir/htpasswd"
    {
        echo "version: 0.1"
        echo "log: {level: error, accesslog: {disabled: true}}"
        echo "storage: {filesystem: {rootdirectory: $dir/storage}, delete: {enabled: true}}"
        echo "auth: {htpasswd: {realm: skopos-test, path: $dir/htpasswd}}"
        echo "http:"
        echo "  addr: 127.0.0.1:$port"
    } >"$dir/registry.yml"
    docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
    registry_pids+=($!)
    local status
    for _ in $(seq 100); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
        [ "$status" = 401 ] && return 0
        sleep 0.1
    done
    cat "$dir/registry.log" >&2
    return 1
}
