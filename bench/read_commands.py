#!/usr/bin/env python3
"""Side-by-side benchmark of skopos and skopeo read commands on the same local images.

Starts a CNCF distribution registry on a free loopback port, seeds an image (3 layers, labels,
env) and a repository of 200 tags with skopeo, then runs `inspect`, `inspect --raw`,
`inspect --config` and `list-tags` with both tools, alternating, and prints the median wall time
and median peak RSS of the whole process, with skopos/skopeo ratios (lower is better).

Usage: bench/read_commands.py [--runs N] [--skopos PATH]   (default: target/release/skopos)
"""
import argparse
import os
import shutil
import subprocess
import tempfile

from benchlib import Layout, Registry, check_tools, default_skopos, header, measure, print_row, print_table_header


def make_layout(path):
    layout = Layout(path)
    layers, diff_ids = [], []
    for n in range(3):
        desc, diff_id = layout.put_layer({f"data/layer{n}.bin": os.urandom(256 * 1024)})
        layers.append(desc)
        diff_ids.append(diff_id)
    config = {
        "created": "2024-05-01T12:00:00.123456789Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["/bin/sh"],
                   "Labels": {f"org.example.label{i}": f"value {i}" for i in range(20)}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"step {i}"} for i in range(3)],
    }
    manifest = layout.put_image(config, layers, "v1")
    layout.save_index()
    return manifest


def seed(work, registry):
    layout = os.path.join(work, "layout")
    manifest = make_layout(layout)
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:v1",
                    f"docker://{registry.host}/bench/image:v1"], check=True)
    for i in range(200):
        registry.put_manifest("bench/image", f"tag{i:03d}", manifest)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skopos", default=default_skopos())
    args = parser.parse_args()
    check_tools(args.skopos)

    work = tempfile.mkdtemp(prefix="skopos-bench-")
    registry = Registry(os.path.join(work, "registry"))
    try:
        seed(work, registry)
        host = registry.host
        image, repo = f"docker://{host}/bench/image:v1", f"docker://{host}/bench/image"
        commands = {
            "inspect": ["inspect", "--tls-verify=false", image],
            "inspect --no-tags": ["inspect", "--tls-verify=false", "--no-tags", image],
            "inspect --raw": ["inspect", "--tls-verify=false", "--raw", image],
            "inspect --config": ["inspect", "--tls-verify=false", "--config", image],
            "list-tags (200 tags)": ["list-tags", "--tls-verify=false", repo],
        }
        exe = {"skopeo": "skopeo", "skopos": args.skopos}
        print(header(args.skopos, f"{args.runs} runs each, medians; registry on {host}"))
        print_table_header()
        for label, cmd in commands.items():
            med = measure(lambda tool, _run: [exe[tool]] + cmd, args.runs, warmups=3)
            print_row(label, med)
    finally:
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
