#!/usr/bin/env python3
"""Side-by-side benchmark of skopos and skopeo copy and sync on the same local images.

Builds an OCI layout in Python (an image of 8 gzip layers of 32 MiB of random data each, and 10
small images sharing one base layer), seeds a local CNCF distribution registry with skopeo, and
PUTs the small images' manifests under 120 tags of one repository. Then it runs, with both tools
alternating (the first tool swaps every round) after one untimed warm-up round:

  - copy registry -> oci: and registry -> dir: into a directory deleted before and after each run;
  - copy oci: -> registry into a registry started empty for each run (a fresh registry, not just a
    fresh repository: skopeo remembers where it pushed blobs and would mount them from earlier
    repositories of the same registry instead of uploading them);
  - the same copies again when the destination already holds the image (registry -> oci:,
    oci: -> registry), the warm-up round filling the destination;
  - sync of the 120-tag repository to an empty registry, and again to an already synced one.

After each command it checks the destination, untimed (files written, tags pushed or synced), so
a tool that copied nothing cannot look fast. It prints the median wall time and median peak RSS
of the whole process, with skopos/skopeo ratios (lower is better). The sync rows show only skopeo while `skopos sync --help` fails.
Every registry listens on 127.0.0.1 and is stopped at the end; the temporary directory is removed.

Usage: bench/copy_commands.py [--runs N] [--skopos PATH]   (defaults: 5, target/release/skopos)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from benchlib import Layout, Registry, check_tools, default_skopos, header, measure, print_row, print_table_header

BIG_LAYERS, BIG_LAYER_MIB = 8, 32
SMALL_IMAGES, SYNC_TAGS = 10, 120
WIDTH = 34


def config_for(diff_ids, name):
    return {
        "created": "2024-05-01T12:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"], "Labels": {"org.example.name": name}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"step {i}"} for i in range(len(diff_ids))],
    }


def make_layout(path):
    """Writes the big image as `big` and the small ones as `small0`..; returns the small
    images' manifests."""
    layout = Layout(path)
    layers, diff_ids = [], []
    for n in range(BIG_LAYERS):
        # Random data does not compress: the fastest gzip level gives the same size, sooner.
        desc, diff_id = layout.put_layer({f"data/big{n}.bin": os.urandom(BIG_LAYER_MIB << 20)}, compresslevel=1)
        layers.append(desc)
        diff_ids.append(diff_id)
    layout.put_image(config_for(diff_ids, "big"), layers, "big")
    base, base_diff_id = layout.put_layer({"base/base.bin": os.urandom(256 * 1024)})
    small = []
    for i in range(SMALL_IMAGES):
        own, own_diff_id = layout.put_layer({f"app/app{i}.bin": os.urandom(64 * 1024)})
        small.append(layout.put_image(config_for([base_diff_id, own_diff_id], f"small{i}"), [base, own], f"small{i}"))
    layout.save_index()
    return small


def seed(work, registry):
    layout = os.path.join(work, "layout")
    small = make_layout(layout)
    host = registry.host
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:big",
                    f"docker://{host}/bench/big:v1"], check=True)
    for i in range(SMALL_IMAGES):
        subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:small{i}",
                        f"docker://{host}/bench/many:tag{i:03d}"], check=True)
    for i in range(SMALL_IMAGES, SYNC_TAGS):
        registry.put_manifest("bench/many", f"tag{i:03d}", small[i % SMALL_IMAGES])
    return layout


def tag_count(host, repo):
    try:
        with urllib.request.urlopen(f"http://{host}/v2/{repo}/tags/list") as resp:
            return len(json.load(resp).get("tags") or [])
    except urllib.error.HTTPError:
        return 0


def has_sync(skopos):
    return subprocess.run([skopos, "sync", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skopos", default=default_skopos())
    args = parser.parse_args()
    check_tools(args.skopos)
    exe = {"skopeo": "skopeo", "skopos": args.skopos}

    work = tempfile.mkdtemp(prefix="skopos-bench-copy-")
    registries = []

    def start(name):
        registry = Registry(os.path.join(work, name))
        registries.append(registry)
        return registry

    try:
        source = start("source")
        mirror = start("mirror")  # destination of the "already there" sync
        layout = seed(work, source)
        host = source.host
        big, many = f"docker://{host}/bench/big:v1", f"{host}/bench/many"
        copy = {tool: [exe[tool], "copy", "-q"] for tool in exe}
        sync = {tool: [exe[tool], "sync", "--src", "docker", "--dest", "docker",
                       "--src-tls-verify=false", "--dest-tls-verify=false"] for tool in exe}
        fresh = {}  # the per-run registry of the "fresh registry" scenarios

        def out(tool, kind):
            return os.path.join(work, f"{kind}-{tool}")

        def clear_out(tool, _run):
            remove(out(tool, "out"))

        def check_copied(tool, run):
            # 8 layers, the config and (in oci:) the manifest: a tool that copied nothing would look fast.
            path = out(tool, "out")
            blobs = os.path.join(path, "blobs", "sha256")
            count = len(os.listdir(blobs if os.path.isdir(blobs) else path)) if os.path.isdir(path) else 0
            if count < BIG_LAYERS + 1:
                sys.exit(f"{tool} left {count} files in {path}")
            clear_out(tool, run)

        def start_fresh(tool, run):
            fresh[tool] = start(f"fresh-{tool}-{run}")

        def stop_fresh(tool, _run):
            registry = fresh.pop(tool)
            registry.stop(remove=True)
            registries.remove(registry)

        def check_synced(host_, repo):
            count = tag_count(host_, repo)
            if count != SYNC_TAGS:
                sys.exit(f"sync left {count} tags in {host_}/{repo}, expected {SYNC_TAGS}")

        def stop_fresh_pushed(tool, run):
            if tag_count(fresh[tool].host, f"bench/push-{tool}-{run}") != 1:
                sys.exit(f"{tool} did not push bench/push-{tool}-{run}:v1")
            stop_fresh(tool, run)

        def stop_fresh_synced(tool, run):
            check_synced(fresh[tool].host, "mirror/many")
            stop_fresh(tool, run)

        scenarios = [
            ("copy registry -> oci: (fresh)", dict(
                command=lambda tool, _run: copy[tool] + ["--src-tls-verify=false", big, f"oci:{out(tool, 'out')}:v1"],
                before=clear_out, after=check_copied)),
            ("copy registry -> dir: (fresh)", dict(
                command=lambda tool, _run: copy[tool] + ["--src-tls-verify=false", big, f"dir:{out(tool, 'out')}"],
                before=clear_out, after=check_copied)),
            ("copy oci: -> registry (fresh)", dict(
                command=lambda tool, run: copy[tool] + ["--dest-tls-verify=false", f"oci:{layout}:big",
                                                        f"docker://{fresh[tool].host}/bench/push-{tool}-{run}:v1"],
                before=start_fresh, after=stop_fresh_pushed)),
            ("copy registry -> oci: (existing)", dict(
                command=lambda tool, _run: copy[tool] + ["--src-tls-verify=false", big, f"oci:{out(tool, 'again')}:v1"])),
            ("copy oci: -> registry (existing)", dict(
                command=lambda tool, _run: copy[tool] + ["--dest-tls-verify=false", f"oci:{layout}:big",
                                                        f"docker://{host}/bench/again-{tool}:v1"])),
            (f"sync {SYNC_TAGS} tags (fresh registry)", dict(
                command=lambda tool, _run: sync[tool] + [many, f"{fresh[tool].host}/mirror"],
                before=start_fresh, after=stop_fresh_synced, sync=True)),
            (f"sync {SYNC_TAGS} tags (already synced)", dict(
                command=lambda tool, _run: sync[tool] + [many, f"{mirror.host}/mirror-{tool}"],
                after=lambda tool, _run: check_synced(mirror.host, f"mirror-{tool}/many"), sync=True)),
        ]

        skopos_sync = has_sync(args.skopos)
        print(header(args.skopos, f"{args.runs} runs each after 1 warm-up, medians, tools alternating; "
                                  f"source registry on {host}"))
        print(f"big image: {BIG_LAYERS} gzip layers x {BIG_LAYER_MIB} MiB random; sync: {SYNC_TAGS} tags over "
              f"{SMALL_IMAGES} images of 2 small layers (one shared)"
              + ("" if skopos_sync else "; skopos sync not available"))
        print_table_header("scenario", WIDTH)
        for label, scenario in scenarios:
            tools = ("skopeo", "skopos") if skopos_sync or not scenario.get("sync") else ("skopeo",)
            med = measure(scenario["command"], args.runs, warmups=1, tools=tools, before=scenario.get("before"),
                          after=scenario.get("after"), swap_order=True)
            print_row(label, med, WIDTH, missing="skopos sync not available")
            sys.stdout.flush()
    finally:
        for registry in registries:
            registry.stop()
        remove(work)


if __name__ == "__main__":
    main()
