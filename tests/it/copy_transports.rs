//! `skopos copy` between docker://, dir: and oci:, held to skopeo: skopeo reads what skopos
//! wrote (and copies it onward), skopos reads what skopeo wrote, and where both write the same
//! thing (dir: files, converted manifests, digest files) the bytes must be equal.

use crate::common;

use common::copy::*;
use common::fault_proxy::FaultProxy;
use common::image::sha256;
use common::*;
use tempfile::TempDir;

/// The three kinds of place an image can be in these tests.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Registry,
    Dir,
    Oci,
}

const KINDS: [Kind; 3] = [Kind::Registry, Kind::Dir, Kind::Oci];

/// A fresh destination of `kind` (a new repository `repo` in `reg`, or a path in `tmp`).
fn destination(kind: Kind, reg: &Registry, tmp: &TempDir, name: &str) -> String {
    match kind {
        Kind::Registry => reg.docker_ref(&format!("{name}:t")),
        Kind::Dir => format!("dir:{}", tmp.path().join(name).display()),
        Kind::Oci => format!("oci:{}:t", tmp.path().join(name).display()),
    }
}

/// skopeo reads `image` (raw and decoded) and copies it onward to the registry; the onward
/// copy must keep `digest`.
fn assert_skopeo_reads_and_forwards(reg: &Registry, image: &str, digest: &str, onward: &str) {
    assert_eq!(skopeo_digest(image), digest, "digest of {image} as skopeo reads it");
    let doc = skopeo_inspect(&[], image);
    assert_eq!(doc["Digest"], digest, "skopeo inspect Digest of {image}");
    let target = reg.docker_ref(onward);
    skopeo_copy_ok(&["--quiet", "--preserve-digests"], image, &target);
    assert_eq!(skopeo_digest(&target), digest, "digest after skopeo copied {image} onward");
}

/// Every ordered pair among registry, dir: and oci:. The dir: and oci: sources are written by
/// skopeo, so this is also "skopos reads and copies what skopeo wrote".
#[test]
fn round_trips_between_registry_dir_and_oci() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let tmp = TempDir::new().unwrap();
    let registry_source = reg.docker_ref(&seeded.name);
    let digest = skopeo_digest(&registry_source);
    let dir_source = format!("dir:{}", tmp.path().join("skopeo-dir").display());
    let oci_source = format!("oci:{}:src", tmp.path().join("skopeo-oci").display());
    skopeo_copy_ok(&["--quiet"], &registry_source, &dir_source);
    skopeo_copy_ok(&["--quiet"], &registry_source, &oci_source);
    for (source, source_kind) in
        [(&registry_source, Kind::Registry), (&dir_source, Kind::Dir), (&oci_source, Kind::Oci)]
    {
        assert_eq!(skopeo_digest(source), digest, "skopeo kept the digest in {source}");
        for kind in KINDS {
            let name = format!("rt-{source_kind:?}-{kind:?}").to_lowercase();
            let dst = destination(kind, &reg, &tmp, &name);
            let r = skopos_copy(&[], &[], source, &dst);
            assert_copied(&r, &format!("{source} -> {dst}"));
            assert_skopeo_reads_and_forwards(&reg, &dst, &digest, &format!("onward/{name}:t"));
        }
    }
}

/// The same for a Docker schema 2 image between registry and dir: (oci: needs OCI manifests).
#[test]
fn docker_v2s2_round_trips_registry_and_dir() {
    let reg = Registry::anonymous();
    let seeded = seed_docker_image(&reg, "src/docker", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);
    let digest = skopeo_digest(&source);
    let skopeo_dir = format!("dir:{}", tmp.path().join("skopeo-dir").display());
    skopeo_copy_ok(&["--quiet"], &source, &skopeo_dir);
    let ours_dir = format!("dir:{}", tmp.path().join("ours").display());
    assert_copied(&skopos_copy(&[], &[], &source, &ours_dir), "registry -> dir");
    assert_skopeo_reads_and_forwards(&reg, &ours_dir, &digest, "onward/v2s2-dir:t");
    let back = reg.docker_ref("back/v2s2:t");
    assert_copied(&skopos_copy(&[], &[], &skopeo_dir, &back), "skopeo's dir -> registry");
    assert_skopeo_reads_and_forwards(&reg, &back, &digest, "onward/v2s2-back:t");
}

/// A Docker schema 2 image copied to oci: is stored as skopeo stores it (skopeo converts it to
/// an OCI manifest, since an OCI layout holds OCI manifests); digests must agree.
#[test]
fn docker_v2s2_to_oci_layout_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_docker_image(&reg, "src/docker", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);
    let theirs = format!("oci:{}:t", tmp.path().join("skopeo").display());
    let ours = format!("oci:{}:t", tmp.path().join("ours").display());
    skopeo_copy_ok(&["--quiet"], &source, &theirs);
    assert_copied(&skopos_copy(&[], &[], &source, &ours), "v2s2 -> oci:");
    let expected = skopeo_digest(&theirs);
    assert_ne!(expected, skopeo_digest(&source), "skopeo converted the manifest");
    assert_eq!(skopeo_digest(&ours), expected, "skopos wrote a different manifest into the OCI layout than skopeo");
}

/// `umoci unpack` accepts a layout skopos wrote, and the seeded layer's file is in the rootfs.
#[test]
fn umoci_unpacks_skopos_oci_layout() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let tmp = TempDir::new().unwrap();
    let layout = tmp.path().join("layout");
    let r = skopos_copy(&[], &[], &reg.docker_ref(&seeded.name), &format!("oci:{}:t", layout.display()));
    assert_copied(&r, "registry -> oci:");
    let bundle = tmp.path().join("bundle");
    let out = std::process::Command::new("umoci")
        .args(["unpack", "--rootless", "--image", &format!("{}:t", layout.display())])
        .arg(&bundle)
        .output()
        .expect("run umoci");
    assert!(out.status.success(), "umoci unpack failed: {}", String::from_utf8_lossy(&out.stderr));
    let hello = std::fs::read(bundle.join("rootfs/etc/hello.txt")).expect("etc/hello.txt in the rootfs");
    assert_eq!(hello, b"hello from skopos tests\n");
    let data = std::fs::read(bundle.join("rootfs/app/data.json")).expect("app/data.json in the rootfs");
    assert_eq!(data, br#"{"answer": 42}"#);
}

/// The docker platform name of the machine running the tests.
fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `--all` keeps the index digest at every destination and every instance is readable by
/// skopeo; without it only the host platform's image is copied.
#[test]
fn all_keeps_the_index_and_system_copies_one_platform() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_index(&reg, "src/index", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);
    let index_raw = skopeo_raw(&[], &source);
    let index_digest = sha256(&index_raw);
    let index: serde_json::Value = serde_json::from_slice(&index_raw).unwrap();
    let instances: Vec<(String, String)> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (m["digest"].as_str().unwrap().to_string(), m["platform"]["architecture"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(instances.len(), 3);
    for kind in KINDS {
        let name = format!("all-{kind:?}").to_lowercase();
        let dst = destination(kind, &reg, &tmp, &name);
        assert_copied(&skopos_copy(&[], &["--all"], &source, &dst), &format!("--all -> {dst}"));
        assert_eq!(skopeo_digest(&dst), index_digest, "index digest at {dst}");
        for (digest, arch) in &instances {
            match (kind, arch.as_str()) {
                (_, "amd64") | (_, "arm64") => {
                    let mut global = vec!["--override-arch", arch.as_str()];
                    if arch == "arm64" {
                        global.extend(["--override-variant", "v8"]);
                    }
                    // skopeo's inspect "Digest" is the index's; the rest describes the instance.
                    let mut doc = skopeo_inspect(&global, &dst);
                    let mut expected = skopeo_inspect(&global, &source);
                    assert_eq!(doc["Digest"], index_digest.as_str(), "{arch} at {dst}");
                    assert_eq!(doc["Architecture"], arch.as_str());
                    for d in [&mut doc, &mut expected] {
                        d.as_object_mut().unwrap().remove("Name");
                        d.as_object_mut().unwrap().remove("RepoTags");
                    }
                    assert_eq!(doc, expected, "{arch} instance at {dst} as skopeo inspects it");
                    assert_eq!(sha256(&skopeo_raw(&global, &dst)), index_digest, "--raw still gives the index");
                }
                _ => {}
            }
            // Every instance (the attestation too) is stored under its digest.
            let hex = digest.strip_prefix("sha256:").unwrap();
            match kind {
                Kind::Registry => assert_eq!(skopeo_digest(&reg.docker_ref(&format!("{name}@{digest}"))), *digest),
                Kind::Dir => {
                    let file = tmp.path().join(&name).join(format!("{hex}.manifest.json"));
                    assert_eq!(sha256(&std::fs::read(&file).unwrap()), *digest, "{}", file.display());
                }
                Kind::Oci => {
                    let file = tmp.path().join(&name).join("blobs/sha256").join(hex);
                    assert_eq!(sha256(&std::fs::read(&file).unwrap()), *digest, "{}", file.display());
                }
            }
        }
        if let Kind::Oci = kind {
            assert!(unverified_oci_blobs(&tmp.path().join(&name)).is_empty());
        }
        if let Kind::Dir = kind {
            assert!(unverified_dir_files(&tmp.path().join(&name)).is_empty());
        }
    }
    // Without --all: the host platform's image only.
    let host_digest = &instances.iter().find(|(_, a)| a == host_arch()).expect("host platform in the index").0;
    for kind in KINDS {
        let name = format!("system-{kind:?}").to_lowercase();
        let dst = destination(kind, &reg, &tmp, &name);
        assert_copied(&skopos_copy(&[], &[], &source, &dst), &format!("system -> {dst}"));
        assert_eq!(skopeo_digest(&dst), *host_digest, "only the host image at {dst}");
        let theirs = destination(kind, &reg, &tmp, &format!("{name}-skopeo"));
        skopeo_copy_ok(&["--quiet"], &source, &theirs);
        assert_eq!(skopeo_digest(&theirs), *host_digest, "skopeo copies the same instance");
    }
    let dir_files = listing(&tmp.path().join("system-dir"));
    assert!(!dir_files.iter().any(|f| f.ends_with(".manifest.json")), "no instance manifests: {dir_files:?}");
}

/// Adding a second tag to an oci: layout keeps the first image; re-tagging moves the tag.
#[test]
fn oci_layout_second_tag_and_retag() {
    let reg = Registry::anonymous();
    let one = seed_oci_image(&reg, "src/oci", "v1");
    let multi = seed_oci_index(&reg, "src/index", "v1");
    let tmp = TempDir::new().unwrap();
    let layout = tmp.path().join("layout");
    let first = format!("oci:{}:first", layout.display());
    let second = format!("oci:{}:second", layout.display());
    let amd64 = skopeo_digest(&reg.docker_ref(&one.name));
    assert_copied(&skopos_copy(&[], &[], &reg.docker_ref(&one.name), &first), "first tag");
    let arm = ["--override-arch", "arm64", "--override-variant", "v8"];
    assert_copied(&skopos_copy(&arm, &[], &reg.docker_ref(&multi.name), &second), "second tag");
    let index: serde_json::Value = serde_json::from_slice(&skopeo_raw(&[], &reg.docker_ref(&multi.name))).unwrap();
    let arm64 =
        index["manifests"].as_array().unwrap().iter().find(|m| m["platform"]["architecture"] == "arm64").unwrap()
            ["digest"]
            .as_str()
            .unwrap()
            .to_string();
    assert_ne!(amd64, arm64);
    assert_eq!(skopeo_digest(&first), amd64, "first image kept");
    assert_eq!(skopeo_digest(&second), arm64, "second image added");
    assert_eq!(skopeo_inspect(&[], &first)["Architecture"], "amd64");
    assert_eq!(skopeo_inspect(&[], &second)["Architecture"], "arm64");
    // Re-tag: "first" now names the arm64 image; "second" is untouched; two entries remain.
    assert_copied(&skopos_copy(&arm, &[], &reg.docker_ref(&multi.name), &first), "re-tag");
    assert_eq!(skopeo_digest(&first), arm64, "tag moved");
    assert_eq!(skopeo_digest(&second), arm64);
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let names: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["first", "second"], "one entry per tag: {names:?}");
    assert!(unverified_oci_blobs(&layout).is_empty());
}

/// A dir: directory written by skopos has the files skopeo writes for the same image, with
/// the same `version` and `manifest.json` bytes.
#[test]
fn dir_layout_matches_skopeo() {
    let reg = Registry::anonymous();
    let oci = seed_oci_image(&reg, "src/oci", "v1");
    let docker = seed_docker_image(&reg, "src/docker", "v1");
    let tmp = TempDir::new().unwrap();
    for (i, seeded) in [oci, docker].iter().enumerate() {
        let source = reg.docker_ref(&seeded.name);
        let ours = tmp.path().join(format!("ours-{i}"));
        let theirs = tmp.path().join(format!("theirs-{i}"));
        assert_copied(&skopos_copy(&[], &[], &source, &format!("dir:{}", ours.display())), "to dir:");
        skopeo_copy_ok(&["--quiet"], &source, &format!("dir:{}", theirs.display()));
        assert_eq!(listing(&ours), listing(&theirs), "file names in dir: for {}", seeded.name);
        assert_eq!(std::fs::read(ours.join("version")).unwrap(), std::fs::read(theirs.join("version")).unwrap());
        assert_eq!(snapshot(&ours), snapshot(&theirs), "file contents in dir: for {}", seeded.name);
    }
}

/// `--format v2s2` from an OCI image and `--format oci` from a v2s2 image give the manifest
/// skopeo's `--format` gives, byte for byte; `--format` with `--preserve-digests` is refused.
#[test]
fn format_conversion_matches_skopeo() {
    let reg = Registry::anonymous();
    let oci = seed_oci_image(&reg, "src/oci", "v1");
    let docker = seed_docker_image(&reg, "src/docker", "v1");
    let tmp = TempDir::new().unwrap();
    for (seeded, format) in [(&oci, "v2s2"), (&docker, "oci")] {
        let source = reg.docker_ref(&seeded.name);
        let ours = tmp.path().join(format!("ours-{format}"));
        let theirs = tmp.path().join(format!("theirs-{format}"));
        let r = skopos_copy(&[], &["--format", format], &source, &format!("dir:{}", ours.display()));
        assert_copied(&r, &format!("--format {format}"));
        skopeo_copy_ok(&["--quiet", "--format", format], &source, &format!("dir:{}", theirs.display()));
        let ours_manifest = std::fs::read(ours.join("manifest.json")).unwrap();
        let theirs_manifest = std::fs::read(theirs.join("manifest.json")).unwrap();
        assert_ne!(sha256(&theirs_manifest), skopeo_digest(&source), "skopeo converted");
        assert_eq!(
            String::from_utf8_lossy(&ours_manifest),
            String::from_utf8_lossy(&theirs_manifest),
            "--format {format} manifest"
        );
        assert_eq!(snapshot(&ours), snapshot(&theirs), "--format {format}: every file (config included)");
        // To a registry: the stored digest is the same.
        let pushed = reg.docker_ref(&format!("conv/{format}:t"));
        assert_copied(&skopos_copy(&[], &["--format", format], &source, &pushed), "--format to registry");
        assert_eq!(skopeo_digest(&pushed), sha256(&theirs_manifest), "--format {format} to a registry");
        // Refused with --preserve-digests, and nothing written.
        let refused = tmp.path().join(format!("refused-{format}"));
        let r = skopos_copy(
            &[],
            &["--format", format, "--preserve-digests"],
            &source,
            &format!("dir:{}", refused.display()),
        );
        assert_clean_failure(&r, 1);
        assert!(!refused.join("manifest.json").exists());
    }
}

/// A copy between two repositories of one registry mounts the blobs: the proxy in front of the
/// registry sees `POST …/blobs/uploads/?mount=…&from=…` answered 201 and no blob upload, and
/// `--debug` shows the 201s and no PUT/PATCH.
#[test]
fn same_registry_copy_mounts_blobs() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let proxy = FaultProxy::start(&reg.host());
    let source = proxy.docker_ref(&seeded.name);
    let dst = proxy.docker_ref("mounted/img:v1");
    let r = skopos_copy(&["--debug"], &[], &source, &dst);
    assert_copied(&r, "same-registry copy");
    let log = proxy.log();
    let mounts: Vec<&String> =
        log.iter().filter(|l| l.starts_with("POST /v2/mounted/img/blobs/uploads/?") && l.contains("mount=")).collect();
    assert_eq!(mounts.len(), 3, "config and two layers mounted: {log:#?}");
    assert!(mounts.iter().all(|l| l.contains("from=src%2Foci") || l.contains("from=src/oci")), "{mounts:?}");
    assert!(mounts.iter().all(|l| l.ends_with("-> 201")), "{mounts:?}");
    assert!(
        !log.iter().any(|l| l.starts_with("PUT /v2/mounted/img/blobs/") || l.starts_with("PATCH ")),
        "blob upload: {log:#?}"
    );
    let debug_mounts = r
        .stderr
        .lines()
        .filter(|l| {
            l.starts_with("DEBUG POST") && l.contains("/v2/mounted/img/blobs/uploads/") && l.ends_with("-> 201")
        })
        .count();
    assert_eq!(debug_mounts, 3, "--debug log: {}", r.stderr);
    assert!(
        !r.stderr.lines().any(|l| l.starts_with("DEBUG PUT") && l.contains("/blobs/")),
        "--debug shows a blob PUT: {}",
        r.stderr
    );
    assert_eq!(
        blob_lines(&r.stderr).iter().filter(|l| l.ends_with("skipped: mounted from another repository")).count(),
        3,
        "{}",
        r.stderr
    );
    assert_eq!(skopeo_digest(&reg.docker_ref("mounted/img:v1")), skopeo_digest(&reg.docker_ref(&seeded.name)));
}

/// A second copy to a destination that has everything skips every blob.
#[test]
fn second_copy_skips_existing_blobs() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);
    for kind in KINDS {
        let dst = destination(kind, &reg, &tmp, &format!("twice-{kind:?}").to_lowercase());
        let first = skopos_copy(&[], &[], &source, &dst);
        assert_copied(&first, "first copy");
        assert_eq!(blob_lines(&first.stderr).len(), 3, "{}", first.stderr);
        // (The registry destination is the source's registry, so its first copy mounts.)
        assert!(blob_lines(&first.stderr).iter().all(|l| !l.contains("already exists")), "{}", first.stderr);
        let second = skopos_copy(&[], &[], &source, &dst);
        assert_copied(&second, "second copy");
        let lines = blob_lines(&second.stderr);
        assert_eq!(lines.len(), 3, "{}", second.stderr);
        assert!(lines.iter().all(|l| l.ends_with("skipped: already exists")), "{kind:?}: {}", second.stderr);
        assert_eq!(skopeo_digest(&dst), skopeo_digest(&source));
    }
}

/// Progress goes to stderr in skopeo's words; stdout stays empty; `-q` silences stderr.
#[test]
fn progress_on_stderr_and_quiet() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);
    let r = skopos_copy(&[], &[], &source, &format!("oci:{}:t", tmp.path().join("a").display()));
    assert_copied(&r, "copy");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.first(), Some(&"Getting image source signatures"), "{}", r.stderr);
    assert_eq!(lines.last(), Some(&"Writing manifest to image destination"), "{}", r.stderr);
    for q in ["-q", "--quiet"] {
        let r = skopos_copy(&[], &[q], &source, &format!("oci:{}:t", tmp.path().join(q).display()));
        assert_copied(&r, q);
        assert_eq!(r.stderr, "", "{q} leaves stderr empty");
    }
}

/// `--digestfile` holds what skopeo's holds, byte for byte.
#[test]
fn digestfile_matches_skopeo() {
    let reg = Registry::anonymous();
    let one = seed_oci_image(&reg, "src/oci", "v1");
    let multi = seed_oci_index(&reg, "src/index", "v1");
    let tmp = TempDir::new().unwrap();
    for (i, (seeded, extra)) in [(&one, vec![]), (&multi, vec!["--all"]), (&multi, vec![])].into_iter().enumerate() {
        let source = reg.docker_ref(&seeded.name);
        let ours = tmp.path().join(format!("ours-{i}"));
        let theirs = tmp.path().join(format!("theirs-{i}"));
        let mut args = extra.clone();
        let ours_s = ours.display().to_string();
        args.extend(["--digestfile", &ours_s]);
        assert_copied(
            &skopos_copy(&[], &args, &source, &reg.docker_ref(&format!("df/ours-{i}:t"))),
            "with --digestfile",
        );
        let mut args = extra.clone();
        let theirs_s = theirs.display().to_string();
        args.extend(["--quiet", "--digestfile", &theirs_s]);
        skopeo_copy_ok(&args, &source, &reg.docker_ref(&format!("df/theirs-{i}:t")));
        let expected = std::fs::read(&theirs).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(&ours).unwrap()),
            String::from_utf8_lossy(&expected),
            "{extra:?}"
        );
    }
}

/// Copies between a Basic-auth registry and a token-auth registry with --src-creds/--dest-creds.
#[test]
fn copy_between_basic_and_token_registries() {
    let basic = Registry::basic();
    let token = Registry::token();
    let seeded = seed_oci_image(&basic, "src/oci", "v1");
    let creds = format!("{USER}:{PASSWORD}");
    let digest = sha256(&{
        let out =
            skopeo_cmd(&["inspect", "--raw", "--tls-verify=false", "--creds", &creds, &basic.docker_ref(&seeded.name)])
                .output()
                .unwrap();
        assert!(out.status.success());
        out.stdout
    });
    let to_token = token.docker_ref("copied/img:t");
    let with_creds = ["--src-creds", creds.as_str(), "--dest-creds", creds.as_str()];
    assert_copied(&skopos_copy(&[], &with_creds, &basic.docker_ref(&seeded.name), &to_token), "basic -> token");
    let read = |image: &str| {
        let out = skopeo_cmd(&["inspect", "--raw", "--tls-verify=false", "--creds", &creds, image]).output().unwrap();
        assert!(out.status.success(), "skopeo inspect {image}: {}", String::from_utf8_lossy(&out.stderr));
        sha256(&out.stdout)
    };
    assert_eq!(read(&to_token), digest);
    let back = basic.docker_ref("back/img:t");
    assert_copied(&skopos_copy(&[], &with_creds, &to_token, &back), "token -> basic");
    assert_eq!(read(&back), digest);
    // Without destination credentials the push is refused, and nothing is tagged.
    let refused = token.docker_ref("refused/img:t");
    let r = skopos_copy(&[], &["-q", "--src-creds", &creds], &basic.docker_ref(&seeded.name), &refused);
    assert_clean_failure(&r, 1);
    let out = skopeo_cmd(&["inspect", "--raw", "--tls-verify=false", "--creds", &creds, &refused]).output().unwrap();
    assert!(!out.status.success(), "the tag exists after a refused push");
}
