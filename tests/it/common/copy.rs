//! Helpers for `copy` tests: run copies with TLS off on both sides, read results back with
//! skopeo, and check what a layout directory holds.

use super::image::{gzip, sha256, tar_of, ImageSpec, OciLayout};
use super::{skopeo, skopeo_cmd, skopos, Run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `skopos copy --src-tls-verify=false --dest-tls-verify=false EXTRA... SRC DST` (global flags
/// such as `--debug` go in `global`, before `copy`).
pub fn skopos_copy(global: &[&str], extra: &[&str], src: &str, dst: &str) -> Run {
    let mut args: Vec<&str> = global.to_vec();
    args.extend(["copy", "--src-tls-verify=false", "--dest-tls-verify=false"]);
    args.extend(extra);
    args.extend([src, dst]);
    skopos(&args)
}

/// The same command line for skopeo (with `--quiet` unless `extra` says otherwise).
pub fn skopeo_copy_run(global: &[&str], extra: &[&str], src: &str, dst: &str) -> Run {
    let mut args: Vec<&str> = global.to_vec();
    args.extend(["copy", "--src-tls-verify=false", "--dest-tls-verify=false"]);
    args.extend(extra);
    args.extend([src, dst]);
    skopeo(&args)
}

/// Like [`skopeo_copy_run`] but panics unless skopeo succeeded.
pub fn skopeo_copy_ok(extra: &[&str], src: &str, dst: &str) {
    let r = skopeo_copy_run(&[], extra, src, dst);
    assert_eq!(r.code, 0, "skopeo copy {extra:?} {src} {dst} failed: {}", r.stderr);
}

/// `skopeo inspect --raw` of `image` (TLS off; `global` before `inspect`); panics on failure.
pub fn skopeo_raw(global: &[&str], image: &str) -> Vec<u8> {
    let mut args: Vec<&str> = global.to_vec();
    args.extend(["inspect", "--raw", "--tls-verify=false", image]);
    let out = skopeo_cmd(&args).output().unwrap();
    assert!(out.status.success(), "skopeo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The digest of the top-level manifest of `image`, as skopeo reads it.
pub fn skopeo_digest(image: &str) -> String {
    sha256(&skopeo_raw(&[], image))
}

/// `skopeo inspect` (not raw) of `image` with `global` flags; returns the parsed document.
pub fn skopeo_inspect(global: &[&str], image: &str) -> serde_json::Value {
    let mut args: Vec<&str> = global.to_vec();
    args.extend(["inspect", "--tls-verify=false", image]);
    let r = skopeo(&args);
    assert_eq!(r.code, 0, "skopeo {args:?} failed: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// Whether skopeo can read `image` at all (exit 0 of `inspect --raw`).
pub fn skopeo_can_read(image: &str) -> bool {
    skopeo(&["inspect", "--raw", "--tls-verify=false", image]).code == 0
}

/// Every regular file under `root` (recursively) with its bytes, keyed by relative path.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    walk(root, root, &mut files);
    files
}

/// Sorted relative paths of every file under `root`.
pub fn listing(root: &Path) -> Vec<String> {
    snapshot(root).keys().map(|p| p.display().to_string()).collect()
}

/// Whether `name` is a bare sha256 hex string.
pub fn is_hex64(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Files under an OCI layout's `blobs/` that do not hash to their name (temp files included).
pub fn unverified_oci_blobs(root: &Path) -> Vec<String> {
    snapshot(&root.join("blobs"))
        .into_iter()
        .filter(|(path, bytes)| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let alg = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
            !(alg == "sha256" && is_hex64(&name) && sha256(bytes) == format!("sha256:{name}"))
        })
        .map(|(path, _)| path.display().to_string())
        .collect()
}

/// Files in a `dir:` directory that are neither `version`, `manifest.json`, a blob that hashes
/// to its name, nor a `<hex>.manifest.json` that hashes to its name.
pub fn unverified_dir_files(root: &Path) -> Vec<String> {
    snapshot(root)
        .into_iter()
        .filter(|(path, bytes)| {
            let name = path.display().to_string();
            if name == "version" || name == "manifest.json" {
                return false;
            }
            let hex = name.strip_suffix(".manifest.json").unwrap_or(&name);
            !(is_hex64(hex) && sha256(bytes) == format!("sha256:{hex}"))
        })
        .map(|(path, _)| path.display().to_string())
        .collect()
}

/// Lines of `stderr` that report a blob or config ("Copying blob …", "Copying config …").
pub fn blob_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("Copying blob ") || l.starts_with("Copying config ")).collect()
}

/// Bytes from a xorshift generator (incompressible, reproducible from `seed`).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// An OCI layout holding one linux/amd64 image (tagged `tag`) with a layer of `size`
/// incompressible bytes besides the usual small layers. Returns the layout and the big layer's
/// digest.
pub fn big_image_layout(tag: &str, size: usize) -> (OciLayout, String) {
    let mut layout = OciLayout::new();
    let mut spec = ImageSpec::linux("amd64", None);
    spec.layers.push(vec![("data/big.bin".into(), noise(size, 0x5eed))]);
    let desc = layout.add_image(&spec);
    layout.tag(tag, &desc);
    let big = gzip(&tar_of(&spec.layers[2]));
    (layout, sha256(&big))
}

/// Asserts `r` succeeded with nothing on stdout.
pub fn assert_copied(r: &Run, what: &str) {
    assert_eq!(r.code, 0, "{what}: skopos copy failed:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "{what}: copy wrote to stdout: {:?}", r.stdout);
}
