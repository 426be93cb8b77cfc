# Shell helpers for the npm package's tests (tests/node/run.sh, tests/browser/package.sh,
# tests/workerd/run.sh): a CNCF distribution registry with htpasswd (bcrypt, made by
# apache2-utils' htpasswd) or with token auth, the Node token server (tests/lib/token-server.mjs)
# that signs its tokens, and the Node helper servers (CORS proxy, static files, tag pages).
# Source tests/lib/registry.sh first, then this file; it defines functions only.
#
# Started processes are appended to `registry_pids`, so the caller's stop_registries stops them.

# registry_config DIR PORT
# Prints the common part of a registry config: storage under DIR, quiet logs, 127.0.0.1:PORT.
registry_config() {
    echo "version: 0.1"
    echo "log: {level: error, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $1/storage}, delete: {enabled: true}}"
    echo "http: {addr: 127.0.0.1:$2}"
}

# launch_registry DIR PORT: serves DIR/registry.yml and waits until /v2/ answers (401 counts).
launch_registry() {
    local dir=$1 port=$2 status=""
    docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
    registry_pids+=($!)
    for _ in $(seq 100); do
        status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
        [ "$status" = 401 ] && return 0
        sleep 0.1
    done
    echo "the registry on port $port did not come up (last status: $status)" >&2
    cat "$dir/registry.log" >&2
    return 1
}

# start_htpasswd_registry DIR PORT USER PASSWORD
# A registry on 127.0.0.1:PORT that lets USER in with PASSWORD (Basic auth, bcrypt htpasswd).
start_htpasswd_registry() {
    local dir=$1 port=$2 user=$3 password=$4
    mkdir -p "$dir"
    htpasswd -Bbn "$user" "$password" >"$dir/htpasswd"
    {
        registry_config "$dir" "$port"
        echo "auth: {htpasswd: {realm: skopos-test, path: $dir/htpasswd}}"
    } >"$dir/registry.yml"
    launch_registry "$dir" "$port"
}

# start_token_server DIR POLICY_JSON
# Makes a throwaway RSA key and certificate in DIR, starts tests/lib/token-server.mjs with the
# policy (see that file) and sets `token_port`. Requests are logged to DIR/token.log.
start_token_server() {
    local dir=$1 policy=$2
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=skopos-test-token -days 1 \
        -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null
    echo "$policy" >"$dir/policy.json"
    rm -f "$dir/token.port"
    : >"$dir/token.log"
    start_node_server "$dir/token.port" "$(dirname "${BASH_SOURCE[0]}")/token-server.mjs" \
        --key "$dir/token.key" --cert "$dir/token.crt" --policy "$dir/policy.json" --log "$dir/token.log"
    token_port=$(cat "$dir/token.port")
}

# start_token_registry DIR PORT TOKEN_DIR
# A registry on 127.0.0.1:PORT with token auth, trusting the token server started in TOKEN_DIR.
start_token_registry() {
    local dir=$1 port=$2 token_dir=$3
    mkdir -p "$dir"
    {
        registry_config "$dir" "$port"
        echo "auth:"
        echo "  token:"
        echo "    realm: http://127.0.0.1:$(cat "$token_dir/token.port")/token"
        echo "    service: skopos-test-registry"
        echo "    issuer: skopos-test-issuer"
        echo "    rootcertbundle: $token_dir/token.crt"
    } >"$dir/registry.yml"
    launch_registry "$dir" "$port"
}

# start_node_server PORT_FILE SCRIPT [ARGS...]
# Starts a Node helper server that listens on a free loopback port and writes it to the file
# given as --port-file (token-server.mjs, cors-proxy.mjs, tests/browser/*-server.mjs), and waits
# for that file. The port is then in PORT_FILE; the server's output goes to PORT_FILE.out.
start_node_server() {
    local port_file=$1 script=$2
    shift 2
    rm -f "$port_file"
    node "$script" --port-file "$port_file" "$@" >"$port_file.out" 2>&1 &
    registry_pids+=($!)
    for _ in $(seq 100); do [ -s "$port_file" ] && return 0; sleep 0.1; done
    echo "$script did not start:" >&2
    cat "$port_file.out" >&2
    return 1
}

# start_auth_registries WORK SOURCE_IMAGE USER PASSWORD
# Starts an htpasswd registry and a token server with its token registry, and copies
# SOURCE_IMAGE (a docker:// reference on a plain-HTTP anonymous registry) into both as
# auth/hello:v1, and into the token registry as auth/private:v1 too. USER may pull auth/hello
# (and, on the htpasswd registry, anything); the token server grants USER nothing on
# auth/private. The user `admin` (password admin-pw) seeds the token registry. Sets
# basic_registry_port, token_registry_port and token_port; the token server logs to
# WORK/token/token.log.
start_auth_registries() {
    local work=$1 source=$2 user=$3 password=$4
    start_token_server "$work/token" "{\"users\": {\"$user\": \"$password\", \"admin\": \"admin-pw\"},
        \"grants\": {\"admin\": {\"*\": [\"pull\", \"push\"]}, \"$user\": {\"auth/hello\": [\"pull\"]}}}"
    token_registry_port=$(free_port)
    start_token_registry "$work/token-registry" "$token_registry_port" "$work/token"
    basic_registry_port=$(free_port)
    start_htpasswd_registry "$work/basic-registry" "$basic_registry_port" "$user" "$password"
    local creds destination creds_destination
    for creds_destination in "$user:$password 127.0.0.1:$basic_registry_port/auth/hello:v1" \
        "admin:admin-pw 127.0.0.1:$token_registry_port/auth/hello:v1" \
        "admin:admin-pw 127.0.0.1:$token_registry_port/auth/private:v1"; do
        read -r creds destination <<<"$creds_destination"
        skopeo copy -q --src-tls-verify=false --dest-tls-verify=false --dest-creds "$creds" \
            "$source" "docker://$destination"
    done
}
