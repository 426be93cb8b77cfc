"""Shared helpers of the side-by-side benchmarks (bench/read_commands.py, bench/copy_commands.py).

Local CNCF distribution registries on free loopback ports, OCI layouts built in Python, one
command run under GNU time for its wall time and peak RSS, alternating measurement of skopeo and
skopos, and the result table.
"""
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

TOOLS = ("skopeo", "skopos")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def default_skopos():
    return os.path.join(os.path.dirname(__file__), "..", "target", "release", "skopos")


def check_tools(skopos):
    for tool in ("skopeo", "docker-registry", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    if not os.path.exists(skopos):
        sys.exit(f"{skopos} not found: run `cargo build --release` first")


def skopeo_version():
    return subprocess.run(["skopeo", "--version"], capture_output=True, text=True).stdout.strip()


def header(skopos, detail):
    """The first line of a benchmark's output: both tools, `detail`, and the core count."""
    return f"{skopeo_version()} vs skopos ({os.path.abspath(skopos)}); {detail}; {os.cpu_count()} cores"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """A CNCF distribution registry on 127.0.0.1 keeping its config and storage under `root`."""

    def __init__(self, root):
        os.makedirs(root, exist_ok=True)
        self.root = root
        port = free_port()
        config = os.path.join(root, "registry.yml")
        with open(config, "w") as f:
            f.write(
                "version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\n"
                f"storage: {{filesystem: {{rootdirectory: {root}/storage}}}}\nhttp: {{addr: 127.0.0.1:{port}}}\n"
            )
        self.proc = subprocess.Popen(["docker-registry", "serve", config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.host = f"127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit("registry did not start")

    def stop(self, remove=False):
        """Stops the registry (idempotent); with `remove`, deletes its directory as well."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def put_manifest(self, repo, tag, manifest, media_type=OCI_MANIFEST):
        req = urllib.request.Request(f"http://{self.host}/v2/{repo}/manifests/{tag}", data=manifest, method="PUT",
                                     headers={"Content-Type": media_type})
        urllib.request.urlopen(req).read()


class Layout:
    """An OCI image layout written blob by blob; `save_index` writes index.json."""

    def __init__(self, path):
        self.path = path
        self.manifests = []
        os.makedirs(os.path.join(path, "blobs", "sha256"))
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def put_blob(self, data, media_type=None):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.path, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        desc = {"digest": "sha256:" + digest, "size": len(data)}
        if media_type:
            desc["mediaType"] = media_type
        return desc

    def put_layer(self, files, compresslevel=9):
        """Writes a gzip layer holding `files` ({path: bytes}); returns (descriptor, diff ID)."""
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for name, payload in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
        diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
        return self.put_blob(gzip.compress(raw.getvalue(), compresslevel=compresslevel, mtime=0), OCI_LAYER_GZIP), diff_id

    def put_image(self, config, layers, ref_name):
        """Writes `config` and a manifest over `layers` (descriptors), tagged `ref_name` in the
        index; returns the manifest bytes."""
        config_desc = self.put_blob(json.dumps(config).encode(), OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": layers}
        manifest_bytes = json.dumps(manifest).encode()
        desc = self.put_blob(manifest_bytes, OCI_MANIFEST)
        desc["annotations"] = {"org.opencontainers.image.ref.name": ref_name}
        self.manifests.append(desc)
        return manifest_bytes

    def save_index(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": self.manifests}, f)


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


def measure(command, runs, warmups, tools=TOOLS, before=None, after=None, swap_order=False):
    """Runs `command(tool, run)` (a full argv) for each tool, alternating, `warmups` untimed
    rounds (run < 0) then `runs` timed ones; `before` and `after(tool, run)` run untimed around each
    command. With `swap_order`, every other round starts with the other tool. Returns
    {tool: (median ms, median peak RSS MiB)}."""
    results = {tool: [] for tool in tools}
    for run in range(-warmups, runs):
        order = list(tools)
        if swap_order and run % 2:
            order.reverse()
        for tool in order:
            if before:
                before(tool, run)
            sample = run_once(command(tool, run))
            if after:
                after(tool, run)
            if run >= 0:
                results[tool].append(sample)
    return {k: (statistics.median(t for t, _ in v) * 1000, statistics.median(m for _, m in v))
            for k, v in results.items()}


def print_table_header(first="command", width=24):
    print(f"{first:{width}} {'skopeo ms':>10} {'skopos ms':>10} {'time ratio':>10} "
          f"{'skopeo MiB':>11} {'skopos MiB':>11} {'mem ratio':>10}")


def print_row(label, med, width=24, missing="skopos not available"):
    """One table row from measure()'s result; without a skopos result, prints skopeo's numbers
    and `missing` in place of skopos's."""
    skopeo = med["skopeo"]
    skopos = med.get("skopos")
    if skopos is None:
        print(f"{label:{width}} {skopeo[0]:10.1f} {'-':>10} {'-':>10} {skopeo[1]:11.1f} {'-':>11} {'-':>10}  {missing}")
        return
    print(f"{label:{width}} {skopeo[0]:10.1f} {skopos[0]:10.1f} {skopos[0] / skopeo[0]:10.2f} "
          f"{skopeo[1]:11.1f} {skopos[1]:11.1f} {skopos[1] / skopeo[1]:10.2f}")
