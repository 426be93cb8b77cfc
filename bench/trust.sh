#!/usr/bin/env bash
# Side-by-side benchmark of skopos and skopeo on the trust layer, in one run:
#
#   - `standalone-verify` of one simple signature (a GnuPG keyring with one RSA 2048 key made for
#     the run, `GNUPGHOME` in the temp directory);
#   - `copy` registry -> dir: of a small signed image (one 1 MiB layer) under a `signedBy` policy,
#     the signature read from a lookaside served over HTTP by a small Python server that logs
#     every request it answers.
#
# The image is signed by skopeo (`copy --sign-by` into a local CNCF distribution registry, its
# registries.d staging the signature into the directory the HTTP server serves). Each command
# runs N times per tool, alternating, after one untimed warm-up; each copy goes to a directory
# deleted before and after the run and is checked (manifest.json and signature-1 written), so a
# tool that copied nothing cannot look fast. Prints the median wall time (ms) and median peak RSS
# (MiB, from /usr/bin/time -f %M) with skopos/skopeo ratios (lower is better), and the lookaside
# requests each tool made per copy (a policy check should cost one request per signature plus the
# 404 that ends the list: 2 here).
#
# Everything listens on 127.0.0.1 and is stopped at the end; the temp directory is removed.
#
# Usage: bench/trust.sh [--runs N] [--skopos PATH]   (defaults: 10, target/release/skopos)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=10
skopos="$here/../target/release/skopos"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --skopos) skopos=$2; shift 2 ;;
        *) echo "usage: $0 [--runs N] [--skopos PATH]" >&2; exit 2 ;;
    esac
done
for tool in skopeo docker-registry gpg gpgconf python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[ -x "$skopos" ] || { echo "$skopos not found: run \`cargo build --release\` first" >&2; exit 1; }
skopos=$(cd "$(dirname "$skopos")" && pwd)/$(basename "$skopos")

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    GNUPGHOME="$work/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # URL: polls until anything answers
    for _ in $(seq 100); do
        python3 -c 'import sys,urllib.request,urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError: pass' "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "$1 did not answer" >&2; exit 1
}

# A GnuPG keyring with one unprotected key.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
cat >"$work/key.params" <<EOF
%no-protection
Key-Type: RSA
Key-Length: 2048
Name-Real: Skopos Bench
Name-Email: bench@skopos.test
Expire-Date: 0
%commit
EOF
gpg --batch --gen-key "$work/key.params" 2>/dev/null
fpr=$(gpg --batch --with-colons --fingerprint bench@skopos.test 2>/dev/null | awk -F: '$1 == "fpr" {print $10; exit}')
gpg --batch --export "$fpr" >"$work/key.pub.gpg"

# The registry.
reg_port=$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$reg_port}
EOF
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
pids+=($!)
host="127.0.0.1:$reg_port"
wait_http "http://$host/v2/"

# The lookaside: $work/sigstore served over HTTP, each request path appended to a log.
mkdir -p "$work/sigstore" "$work/registries.d"
lookaside_port=$(free_port)
python3 - "$work/sigstore" "$lookaside_port" "$work/lookaside.log" <<'EOF' &
import functools, http.server, sys
root, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        super().do_GET()
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root)).serve_forever()
EOF
pids+=($!)
wait_http "http://127.0.0.1:$lookaside_port/"
cat >"$work/registries.d/bench.yaml" <<EOF
docker:
  $host:
    lookaside: http://127.0.0.1:$lookaside_port
    lookaside-staging: file://$work/sigstore
EOF
cat >"$work/policy.json" <<EOF
{"default": [{"type": "reject"}],
 "transports": {"docker": {"$host": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "$work/key.pub.gpg"}]}}}
EOF

# A small image, signed into the registry by skopeo; its manifest and signature for verify.
python3 - "$here" "$work/layout" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[1])
from benchlib import Layout
layout = Layout(sys.argv[2])
layer, diff_id = layout.put_layer({"data/blob.bin": os.urandom(1 << 20)}, compresslevel=1)
config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
layout.put_image(config, [layer], "signed")
layout.save_index()
EOF
image="$host/bench/signed:1"
skopeo --registries.d "$work/registries.d" --insecure-policy copy -q --dest-tls-verify=false \
    --sign-by "$fpr" "oci:$work/layout:signed" "docker://$image"
skopeo inspect --raw --tls-verify=false "docker://$image" >"$work/manifest.json"
sig=$(find "$work/sigstore" -name signature-1)
[ -n "$sig" ] || { echo "skopeo staged no signature" >&2; exit 1; }

# run_once TOOL ARGS...: runs one command, prints "WALL_MS RSS_KIB" (exit status checked).
run_once() {
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>"$work/stderr" || {
        echo "failed: $*" >&2; cat "$work/stderr" >&2; exit 1
    }
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 )) $(tail -1 "$work/rss")"
}
tool_path() { if [ "$1" = skopos ]; then echo "$skopos"; else echo skopeo; fi; }
verify_cmd() { echo "$(tool_path "$1") standalone-verify $work/manifest.json $image $fpr $sig"; }
copy_cmd() {
    echo "$(tool_path "$1") --registries.d $work/registries.d --policy $work/policy.json copy -q --src-tls-verify=false docker://$image dir:$work/out"
}
check_copy() {
    [ -f "$work/out/manifest.json" ] && cmp -s "$work/out/signature-1" "$sig" || {
        echo "$1 copy did not write the image and its signature" >&2; exit 1
    }
}

# measure NAME CMD_FN [CHECK_FN]: N alternating runs per tool after a warm-up; fills $work/NAME.TOOL
measure() {
    local name=$1 cmd_fn=$2 check_fn=${3:-} round tool
    for tool in skopeo skopos; do : >"$work/$name.$tool"; : >"$work/$name.$tool.requests"; done
    for round in $(seq 0 "$runs"); do
        for tool in skopeo skopos; do
            rm -rf "$work/out"
            : >"$work/lookaside.log"
            local result
            # shellcheck disable=SC2046
            result=$(run_once $($cmd_fn "$tool"))
            [ -z "$check_fn" ] || $check_fn "$tool"
            rm -rf "$work/out"
            if [ "$round" -gt 0 ]; then
                echo "$result" >>"$work/$name.$tool"
                wc -l <"$work/lookaside.log" >>"$work/$name.$tool.requests"
            fi
        done
    done
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

row() { # NAME LABEL
    local name=$1 label=$2 w_eo w_os r_eo r_os q_eo q_os
    w_eo=$(cut -d' ' -f1 "$work/$name.skopeo" | median)
    w_os=$(cut -d' ' -f1 "$work/$name.skopos" | median)
    r_eo=$(cut -d' ' -f2 "$work/$name.skopeo" | median)
    r_os=$(cut -d' ' -f2 "$work/$name.skopos" | median)
    q_eo=$(median <"$work/$name.skopeo.requests")
    q_os=$(median <"$work/$name.skopos.requests")
    awk -v l="$label" -v we="$w_eo" -v wo="$w_os" -v re="$r_eo" -v ro="$r_os" -v qe="$q_eo" -v qo="$q_os" 'BEGIN {
        printf "%-34s %9.1f %9.1f %6.2fx %8.1f %8.1f %6.2fx %5s %5s\n", l, we / 1000, wo / 1000, wo / we, re / 1024, ro / 1024, ro / re, qe, qo
    }'
}

echo "$(skopeo --version) vs skopos ($skopos); $runs runs per tool after a warm-up, alternating; $(nproc) cores"
measure verify verify_cmd
measure copy copy_cmd check_copy
printf "%-34s %9s %9s %7s %8s %8s %7s %5s %5s\n" "command" "skopeo" "skopos" "ratio" "skopeo" "skopos" "ratio" "reqs" "reqs"
printf "%-34s %9s %9s %7s %8s %8s %7s %5s %5s\n" "" "ms" "ms" "" "MiB" "MiB" "" "eo" "os"
row verify "standalone-verify"
row copy "copy registry->dir: (signedBy)"
echo "reqs: lookaside HTTP requests per run (median); the copy reads signature-1 and the 404 of signature-2"
