#!/usr/bin/env bash
# Installs what building and testing skopos needs on a Debian machine:
# the CNCF distribution registry, skopeo, umoci, GnuPG and openssl (test peers; gpg also signs
# for --sign-by), htpasswd from
# apache2-utils (bcrypt htpasswd files for the basic-auth registries of the package and Worker
# tests), the wasm32 target, wasm-bindgen-cli at the version Cargo.lock pins (runs the wasm tests
# under Node and builds pkg/), make (make pkg), npm
# (packs and installs the package in tests/node/run.sh), Chromium with chromedriver
# (tests/browser/run.sh runs the JS API in headless Chromium), and Python's cryptography and pynacl
# (the sigstore oracle).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pair in docker-registry:docker-registry skopeo:skopeo umoci:umoci gpg:gnupg gpg-agent:gpg-agent openssl:openssl htpasswd:apache2-utils curl:curl /usr/bin/time:time make:make python3:python3 gzip:gzip \
    chromium:chromium chromedriver:chromium-driver; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need_apt+=("${pair##*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing Debian packages: ${need_apt[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The sigstore oracle (src/sigstore/testdata/oracle.py, run by tests/it/sigstore_keys.rs): Python's
# cryptography and pynacl.
if ! python3 -c 'import cryptography, nacl' >/dev/null 2>&1; then
    echo "installing Python packages: cryptography pynacl" >&2
    python3 -m pip install -q cryptography pynacl 2>/dev/null \
        || python3 -m pip install -q --break-system-packages cryptography pynacl 2>/dev/null \
        || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
             DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-cryptography python3-nacl >/dev/null; }
fi

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wasm_bindgen_version}\$"; then
    echo "installing wasm-bindgen-cli ${wasm_bindgen_version} (a few minutes)" >&2
    cargo install -q wasm-bindgen-cli --version "${wasm_bindgen_version}"
fi
command -v node >/dev/null 2>&1 || { echo "Node.js (20 or later) is needed for the wasm tests" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "Node.js 20 or later is needed (found $(node --version))" >&2; exit 1; }
# npm packs and installs the npm package in tests/node/run.sh; Node builds from nodejs.org include it.
command -v npm >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"; $SUDO apt-get install -y -qq npm >/dev/null; }
# The JavaScript tools the build and the tests use, pinned by package-lock.json: wasm-opt
# (binaryen), playwright-core (drives Debian's Chromium; it never downloads a browser) and
# miniflare with its workerd binary.
if [ ! -x node_modules/.bin/workerd ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --silent --no-audit --no-fund
fi
