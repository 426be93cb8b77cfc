#!/usr/bin/env python3
"""Side-by-side benchmark of skopos and skopeo read commands on the same local images.

Starts a CNCF distribution registry on a free loopback port, seeds an image (3 layers, labels,
env) and a repository of 200 tags with skopeo, then runs `inspect`, `inspect --raw`,
`inspect --config` and `list-tags` with both tools, alternating, and prints the median wall time
and median peak RSS of the whole process, with skopos/skopeo ratios (lower is better).

Usage: bench/read_commands.py [--runs N] [--skopos PATH]   (default: target/release/skopos)
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_registry(work):
    port = free_port()
    config = os.path.join(work, "registry.yml")
    with open(config, "w") as f:
        f.write(
            "version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\n"
            f"storage: {{filesystem: {{rootdirectory: {work}/storage}}}}\nhttp: {{addr: 127.0.0.1:{port}}}\n"
        )
    proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("registry did not start")


def put_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def make_layout(layout):
    os.makedirs(os.path.join(layout, "blobs", "sha256"))
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    layers, diff_ids = [], []
    for n in range(3):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            payload = os.urandom(256 * 1024)
            info = tarfile.TarInfo(f"data/layer{n}.bin")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        diff_ids.append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
        desc = put_blob(layout, gzip.compress(raw.getvalue(), mtime=0))
        desc["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        layers.append(desc)
    config = {
        "created": "2024-05-01T12:00:00.123456789Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["/bin/sh"],
                   "Labels": {f"org.example.label{i}": f"value {i}" for i in range(20)}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"step {i}"} for i in range(3)],
    }
    config_desc = put_blob(layout, json.dumps(config).encode())
    config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_desc, "layers": layers}
    manifest_bytes = json.dumps(manifest).encode()
    manifest_desc = put_blob(layout, manifest_bytes)
    manifest_desc["mediaType"] = manifest["mediaType"]
    manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": "v1"}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [manifest_desc]}, f)
    return manifest_bytes


def seed(work, host):
    layout = os.path.join(work, "layout")
    manifest = make_layout(layout)
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:v1",
                    f"docker://{host}/bench/image:v1"], check=True)
    for i in range(200):
        req = urllib.request.Request(f"http://{host}/v2/bench/image/manifests/tag{i:03d}", data=manifest, method="PUT",
                                     headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        urllib.request.urlopen(req).read()


def run_once(argv):
    """Runs a command under GNU time; returns (wall seconds, peak RSS MiB) of that process alone.

    GNU time forks the command from its own small process, so the peak RSS is the command's, not
    inherited from this (larger) Python process as `wait4` on a direct child would report.
    """
    with tempfile.NamedTemporaryFile(mode="r") as report:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
        return elapsed, int(report.read().split()[-1]) / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skopos", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "skopos"))
    args = parser.parse_args()
    for tool in ("skopeo", "docker-registry", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    if not os.path.exists(args.skopos):
        sys.exit(f"{args.skopos} not found: run `cargo build --release` first")

    work = tempfile.mkdtemp(prefix="skopos-bench-")
    registry, host = start_registry(work)
    try:
        seed(work, host)
        image, repo = f"docker://{host}/bench/image:v1", f"docker://{host}/bench/image"
        commands = {
            "inspect": ["inspect", "--tls-verify=false", image],
            "inspect --no-tags": ["inspect", "--tls-verify=false", "--no-tags", image],
            "inspect --raw": ["inspect", "--tls-verify=false", "--raw", image],
            "inspect --config": ["inspect", "--tls-verify=false", "--config", image],
            "list-tags (200 tags)": ["list-tags", "--tls-verify=false", repo],
        }
        skopeo_version = subprocess.run(["skopeo", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{skopeo_version} vs skopos ({os.path.abspath(args.skopos)}); {args.runs} runs each, medians; "
              f"registry on {host}; {os.cpu_count()} cores")
        print(f"{'command':24} {'skopeo ms':>10} {'skopos ms':>10} {'time ratio':>10} "
              f"{'skopeo MiB':>11} {'skopos MiB':>11} {'mem ratio':>10}")
        for label, cmd in commands.items():
            results = {"skopeo": [], "skopos": []}
            for _ in range(3):
                run_once(["skopeo"] + cmd)
                run_once([args.skopos] + cmd)
            for _ in range(args.runs):
                results["skopeo"].append(run_once(["skopeo"] + cmd))
                results["skopos"].append(run_once([args.skopos] + cmd))
            med = {k: (statistics.median(t for t, _ in v) * 1000, statistics.median(m for _, m in v)) for k, v in results.items()}
            print(f"{label:24} {med['skopeo'][0]:10.1f} {med['skopos'][0]:10.1f} {med['skopos'][0] / med['skopeo'][0]:10.2f} "
                  f"{med['skopeo'][1]:11.1f} {med['skopos'][1]:11.1f} {med['skopos'][1] / med['skopeo'][1]:10.2f}")
    finally:
        registry.kill()
        registry.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
