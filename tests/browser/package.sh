#!/usr/bin/env bash
# Runs tests/browser/package.test.mjs (node:test + playwright-core) against the built npm package
# (pkg/, from make pkg) in headless Chromium. Starts, on free loopback ports:
# - a CNCF distribution registry with CORS headers, seeded with an image (for the Web Worker test);
# - an htpasswd registry and a token-auth registry with its token server (tests/lib/servers.sh),
#   each behind tests/lib/cors-proxy.mjs, which answers the CORS preflights distribution refuses;
# - tests/lib/tags-server.mjs, which paginates a tag list, and
# - tests/browser/static-server.mjs, serving pkg/ and tests/browser/page/ to Chromium.
# Expected documents come from the native CLI (`skopos inspect` through the same proxies) and from
# skopeo (`skopeo list-tags` across the tag pages).
#
# Needs: make pkg, the native binary (SKOPOS_BIN, default target/debug/skopos), docker-registry,
# skopeo, umoci, htpasswd (apache2-utils), openssl, node, chromium (CHROMIUM, default
# /usr/bin/chromium) and playwright-core in node_modules (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
[ -f pkg/skopos_bg.wasm ] || { echo "pkg/skopos_bg.wasm is missing: run make pkg" >&2; exit 1; }
[ -d node_modules/playwright-core ] || { echo "node_modules/playwright-core is missing: run scripts/install-deps.sh" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "${CHROMIUM:-/usr/bin/chromium} is missing: run scripts/install-deps.sh" >&2; exit 1; }

source tests/lib/registry.sh
find_skopos_bin
source tests/lib/servers.sh

make_workdir

port=$(free_port)
start_registry "$work/cors" "$port" cors
seed_image "$work" "127.0.0.1:$port/browser/hello" "hello from the package browser test" package-browser-test
image="docker://127.0.0.1:$port/browser/hello:v1"
"$skopos_bin" inspect --tls-verify=false "$image" >"$work/inspect.json"

user=tester password=tester-pw-$RANDOM
start_auth_registries "$work" "$image" "$user" "$password"
start_node_server "$work/basic-proxy.port" tests/lib/cors-proxy.mjs --target "http://127.0.0.1:$basic_registry_port"
start_node_server "$work/token-proxy.port" tests/lib/cors-proxy.mjs --target "http://127.0.0.1:$token_registry_port"
basic_proxy="127.0.0.1:$(cat "$work/basic-proxy.port")"
token_proxy="127.0.0.1:$(cat "$work/token-proxy.port")"
"$skopos_bin" inspect --tls-verify=false --creds "$user:$password" "docker://$basic_proxy/auth/hello:v1" >"$work/inspect-basic.json"
"$skopos_bin" inspect --tls-verify=false --creds "$user:$password" "docker://$token_proxy/auth/hello:v1" >"$work/inspect-token.json"

# The proxies are what make these registries reachable: the registries themselves refuse preflights.
status=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: http://example.test' \
    -H 'Access-Control-Request-Method: GET' "http://127.0.0.1:$basic_registry_port/v2/")
[ "$status" = 401 ] || { echo "expected the htpasswd registry to refuse a preflight with 401, got $status" >&2; exit 1; }

# Eleven tags, four per page, in the registry's (lexical) order; skopeo reads them across pages.
tags_page_size=4
tags=$(printf 'v1.%02d,' $(seq 0 10)); tags=${tags%,}
start_node_server "$work/tags.port" tests/lib/tags-server.mjs --tags "$tags" --page-size "$tags_page_size" --log "$work/tags.log" \
    --retry-after 0
tags_server="127.0.0.1:$(cat "$work/tags.port")"
skopeo list-tags --tls-verify=false "docker://$tags_server/paged/repo" >"$work/tags.json"

start_node_server "$work/static.port" tests/browser/static-server.mjs --pkg "$root/pkg" --page "$root/tests/browser/page"

SKOPOS_TEST_PAGE="http://127.0.0.1:$(cat "$work/static.port")" \
SKOPOS_TEST_REGISTRY="127.0.0.1:$port" \
SKOPOS_TEST_INSPECT="$work/inspect.json" \
SKOPOS_TEST_USER="$user" \
SKOPOS_TEST_PASSWORD="$password" \
SKOPOS_TEST_BASIC_PROXY="$basic_proxy" \
SKOPOS_TEST_BASIC_REGISTRY="127.0.0.1:$basic_registry_port" \
SKOPOS_TEST_BASIC_INSPECT="$work/inspect-basic.json" \
SKOPOS_TEST_TOKEN_PROXY="$token_proxy" \
SKOPOS_TEST_TOKEN_INSPECT="$work/inspect-token.json" \
SKOPOS_TEST_TOKEN_LOG="$work/token/token.log" \
SKOPOS_TEST_TAGS_SERVER="$tags_server" \
SKOPOS_TEST_TAGS="$work/tags.json" \
SKOPOS_TEST_TAGS_PAGE_SIZE="$tags_page_size" \
SKOPOS_TEST_TAGS_LOG="$work/tags.log" \
    node --test "$@" tests/browser/package.test.mjs
