#!/usr/bin/env python3
"""What pulling through the skopos edge Worker costs: skopeo copies one image from a local CNCF
distribution registry, directly and through the Worker (dist/worker in workerd via miniflare,
bench/serve_worker.mjs), which verifies every manifest and blob against its digest as it streams.

The image has 8 gzip layers of 32 MiB of random data (built in Python, seeded with skopeo).
Three ways, alternating after one untimed warm-up round, each into a `dir:` deleted before and
after each run:

  - direct: skopeo from the registry;
  - through the Worker with the Workers cache off: every byte crosses workerd and the wasm verifier;
  - through the Worker with the cache on: digest-addressed responses come from the Workers cache
    after the warm-up round (blobs up to 64 MiB are cached).

After each copy it checks that the layers were written and hash to their digests (skopeo checks
too), so a failed pull cannot look fast. It prints the median wall time and peak RSS of skopeo,
the throughput, and the time ratio to the direct copy (lower is better). The Worker's own memory
is workerd's, not measured here.

Usage: bench/worker_proxy.py [--runs N]   (default 5; needs `make worker` and `npm ci`)
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import Layout, Registry, measure

LAYERS, LAYER_MIB = 8, 32
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def seed(work, registry):
    layout = Layout(os.path.join(work, "layout"))
    layers, diff_ids = [], []
    for n in range(LAYERS):
        desc, diff_id = layout.put_layer({f"data/big{n}.bin": os.urandom(LAYER_MIB << 20)}, compresslevel=1)
        layers.append(desc)
        diff_ids.append(diff_id)
    config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    layout.put_image(config, layers, "big")
    layout.save_index()
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout.path}:big",
                    f"docker://{registry.host}/bench/big:v1"], check=True)
    return sum(layer["size"] for layer in layers)


class Worker:
    """bench/serve_worker.mjs in front of `registry`, with or without the Workers cache."""

    def __init__(self, work, registry, cache):
        port_file = os.path.join(work, f"worker-{'cache' if cache else 'nocache'}.port")
        argv = ["node", os.path.join(ROOT, "bench", "serve_worker.mjs"), "--registry", registry.host, "--port-file", port_file]
        if not cache:
            argv.append("--no-cache")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            if os.path.exists(port_file) and os.path.getsize(port_file):
                self.host = open(port_file).read().strip()
                return
            if self.proc.poll() is not None:
                sys.exit("bench/serve_worker.mjs failed to start (run `make worker` and `npm ci`)")
            time.sleep(0.1)
        self.stop()
        sys.exit("the Worker did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def check_pulled(path):
    """The copied image's layers are all there and hash to their digests."""
    manifest = json.load(open(os.path.join(path, "manifest.json")))
    for layer in manifest["layers"]:
        digest = layer["digest"].split(":", 1)[1]
        with open(os.path.join(path, digest), "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != digest:
                sys.exit(f"layer {digest} of {path} does not match its digest")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for need in ("skopeo", "docker-registry", "node", "/usr/bin/time"):
        if not shutil.which(need):
            sys.exit(f"{need} is not installed (scripts/install-deps.sh installs it)")
    if not os.path.exists(os.path.join(ROOT, "dist", "worker", "index.js")):
        sys.exit("dist/worker is missing: run `make worker` first")

    work = tempfile.mkdtemp(prefix="skopos-bench-worker-")
    registry = workers = None
    try:
        registry = Registry(os.path.join(work, "registry"))
        total = seed(work, registry)
        workers = {"worker": Worker(work, registry, cache=False), "worker+cache": Worker(work, registry, cache=True)}
        source = {"direct": registry.host, **{name: w.host for name, w in workers.items()}}
        ways = tuple(source)

        def out(way):
            return os.path.join(work, f"out-{way}")

        def command(way, _run):
            return ["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{source[way]}/bench/big:v1", f"dir:{out(way)}"]

        def clear(way, _run):
            shutil.rmtree(out(way), ignore_errors=True)

        def check(way, run):
            check_pulled(out(way))
            clear(way, run)

        med = measure(command, args.runs, 1, tools=ways, before=clear, after=check, swap_order=True)
        print(f"# skopeo {subprocess.run(['skopeo', '--version'], capture_output=True, text=True).stdout.split()[-1]}; "
              f"{LAYERS} layers x {LAYER_MIB} MiB ({total / 2**20:.0f} MiB); {args.runs} runs, medians")
        print(f"{'pull':24} {'ms':>8} {'MiB/s':>8} {'ratio':>7} {'skopeo MiB':>11}")
        for way in ways:
            ms, rss = med[way]
            print(f"{way:24} {ms:8.0f} {total / 2**20 / (ms / 1000):8.0f} {ms / med['direct'][0]:7.2f} {rss:11.1f}")
    finally:
        for worker in (workers or {}).values():
            worker.stop()
        if registry:
            registry.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
