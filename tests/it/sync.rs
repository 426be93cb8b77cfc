//! `skopos sync` against real registries, with `skopeo sync` (1.9.3) as the oracle: the same
//! images land under the same names. Where skopos goes further (skipping images already at the
//! destination, re-syncing a `dir:` tree) the tests check what it does on its own.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use common::{seed_docker_image, seed_many_tags, seed_oci_image, seed_oci_index, skopeo, skopos, Registry, Run};

const INSECURE: [&str; 2] = ["--src-tls-verify=false", "--dest-tls-verify=false"];

/// A source registry with `ns/app` at three tags: an OCI image, a Docker v2s2 image and a
/// multi-platform index.
fn source_registry() -> Registry {
    let src = Registry::anonymous();
    seed_oci_image(&src, "ns/app", "1.0.0");
    seed_docker_image(&src, "ns/app", "v1.2.0");
    seed_oci_index(&src, "ns/app", "2.0.0");
    src
}

fn sync_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sync"];
    args.extend(INSECURE);
    args.extend(extra);
    args
}

fn skopos_sync(extra: &[&str]) -> Run {
    skopos(&sync_args(extra))
}

fn skopeo_sync(extra: &[&str]) -> Run {
    skopeo(&sync_args(extra))
}

/// The sorted tags of `host/repo`, or None if the repository does not exist.
fn tags(host: &str, repo: &str) -> Option<Vec<String>> {
    let r = skopeo(&["list-tags", "--tls-verify=false", &format!("docker://{host}/{repo}")]);
    if r.code != 0 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mut tags: Vec<String> = v["Tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    tags.sort();
    Some(tags)
}

/// The manifest digest of `image` (`docker://…` or `dir:…`) as skopeo reports it.
fn digest(image: &str) -> String {
    let mut args = vec!["inspect", "--format", "{{.Digest}}"];
    if image.starts_with("docker://") {
        args.push("--tls-verify=false");
    }
    args.push(image);
    let r = skopeo(&args).ok();
    r.stdout.trim().to_string()
}

/// Every file under `root` with its modification time and inode.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (i64, i64, u64)> {
    let mut out = BTreeMap::new();
    if !root.exists() {
        return out;
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(entry.path(), (meta.mtime(), meta.mtime_nsec(), meta.ino()));
            }
        }
    }
    out
}

/// The `(from, to)` pairs of skopeo's `Copying image ref` / `Would have copied` log lines.
fn logged_pairs(stderr: &str, message: &str) -> Vec<(String, String)> {
    let field = |line: &str, key: &str| -> String {
        let start = line.find(&format!(" {key}=\"")).unwrap_or_else(|| panic!("no {key} in {line}")) + key.len() + 3;
        let end = line[start..].find('"').unwrap() + start;
        line[start..end].to_string()
    };
    let mut pairs: Vec<(String, String)> = stderr
        .lines()
        .filter(|l| l.contains(&format!("msg=\"{message}")))
        .map(|l| (field(l, "from"), field(l, "to")))
        .collect();
    pairs.sort();
    pairs
}

/// The image directories (holding `manifest.json`) under `root`, relative and sorted.
fn dir_images(root: &Path) -> Vec<String> {
    let mut found: Vec<String> = snapshot(root)
        .keys()
        .filter(|p| p.file_name().is_some_and(|n| n == "manifest.json"))
        .map(|p| p.parent().unwrap().strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

#[test]
fn sync_repository_registry_to_registry_matches_skopeo_and_second_run_copies_nothing() {
    let src = source_registry();
    let dst = Registry::anonymous();
    let oracle = Registry::anonymous();
    let source = format!("{}/ns/app", src.host());

    let ours =
        skopos_sync(&["--all", "--src", "docker", "--dest", "docker", &source, &format!("{}/mirror", dst.host())]);
    assert_eq!(ours.code, 0, "skopos sync failed: {}", ours.stderr);
    assert_eq!(ours.stdout, "", "sync prints nothing on stdout");
    skopeo_sync(&["--all", "--src", "docker", "--dest", "docker", &source, &format!("{}/mirror", oracle.host())]).ok();

    let expected = vec!["1.0.0".to_string(), "2.0.0".into(), "v1.2.0".into()];
    assert_eq!(tags(&dst.host(), "mirror/app"), Some(expected.clone()));
    assert_eq!(tags(&oracle.host(), "mirror/app"), Some(expected.clone()), "skopeo's result");
    for tag in &expected {
        let source_digest = digest(&src.docker_ref(&format!("ns/app:{tag}")));
        assert!(source_digest.starts_with("sha256:"));
        assert_eq!(digest(&dst.docker_ref(&format!("mirror/app:{tag}"))), source_digest, "digest of {tag}");
        assert_eq!(digest(&oracle.docker_ref(&format!("mirror/app:{tag}"))), source_digest, "skopeo's digest of {tag}");
    }
    // The index's platform images came along with --all.
    let index_raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &dst.docker_ref("mirror/app:2.0.0")]).ok();
    let index: serde_json::Value = serde_json::from_str(&index_raw.stdout).unwrap();
    for entry in index["manifests"].as_array().unwrap() {
        let d = entry["digest"].as_str().unwrap();
        skopeo(&["inspect", "--raw", "--tls-verify=false", &dst.docker_ref(&format!("mirror/app@{d}"))]).ok();
    }
    let copied = logged_pairs(&ours.stderr, "Copying image ref");
    assert_eq!(
        copied,
        logged_pairs(
            &skopeo_sync(&[
                "--dry-run",
                "--all",
                "--src",
                "docker",
                "--dest",
                "docker",
                &source,
                &format!("{}/mirror", dst.host())
            ])
            .stderr,
            "Would have copied"
        )
    );

    // Again: every image is already there, so nothing at all is written to the destination.
    let before = snapshot(&dst.storage_dir());
    let again =
        skopos_sync(&["--all", "--src", "docker", "--dest", "docker", &source, &format!("{}/mirror", dst.host())]);
    assert_eq!(again.code, 0, "second sync failed: {}", again.stderr);
    assert_eq!(again.stderr.matches("Skipping: image already present at destination").count(), 3, "{}", again.stderr);
    assert!(!again.stderr.contains("Copying blob"), "{}", again.stderr);
    assert_eq!(snapshot(&dst.storage_dir()), before, "the destination's storage changed");
}

#[test]
fn names_scoped_and_not_match_skopeo() {
    let src = source_registry();
    let work = tempfile::TempDir::new().unwrap();
    let image = format!("{}/ns/app:1.0.0", src.host());

    for scoped in [false, true] {
        let flag: &[&str] = if scoped { &["--scoped"] } else { &[] };
        let ours_dir = work.path().join(format!("ours-{scoped}"));
        let theirs_dir = work.path().join(format!("theirs-{scoped}"));
        let args = |dir: &Path| -> Vec<String> {
            let mut a: Vec<String> = flag.iter().map(|s| s.to_string()).collect();
            a.extend(["--src", "docker", "--dest", "dir", &image, dir.to_str().unwrap()].map(String::from));
            a
        };
        let ours = args(&ours_dir);
        skopos_sync(&ours.iter().map(String::as_str).collect::<Vec<_>>()).ok();
        let theirs = args(&theirs_dir);
        skopeo_sync(&theirs.iter().map(String::as_str).collect::<Vec<_>>()).ok();
        let expected =
            if scoped { vec![format!("{}/ns/app:1.0.0", src.host())] } else { vec!["app:1.0.0".to_string()] };
        assert_eq!(dir_images(&theirs_dir), expected, "skopeo's naming");
        assert_eq!(dir_images(&ours_dir), expected, "scoped={scoped}");
    }

    // dir → docker, from the scoped tree: the destination is named from the last component.
    let dst = Registry::anonymous();
    let oracle = Registry::anonymous();
    let tree = work.path().join("ours-true");
    let tree = tree.to_str().unwrap();
    let ours = skopos_sync(&["--src", "dir", "--dest", "docker", tree, &format!("{}/fromdir", dst.host())]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    skopeo_sync(&["--src", "dir", "--dest", "docker", tree, &format!("{}/fromdir", oracle.host())]).ok();
    assert_eq!(tags(&oracle.host(), "fromdir/app"), Some(vec!["1.0.0".to_string()]));
    assert_eq!(tags(&dst.host(), "fromdir/app"), Some(vec!["1.0.0".to_string()]));
    assert_eq!(digest(&dst.docker_ref("fromdir/app:1.0.0")), digest(&src.docker_ref("ns/app:1.0.0")));

    // --scoped to a registry: `host:port` inside a repository path is not a valid reference,
    // so both refuse, and skopos before copying anything.
    let scoped_dest = format!("{}/scoped", dst.host());
    let theirs = skopeo_sync(&["--scoped", "--src", "docker", "--dest", "docker", &image, &scoped_dest]);
    assert_ne!(theirs.code, 0);
    let ours = skopos_sync(&["--scoped", "--src", "docker", "--dest", "docker", &image, &scoped_dest]);
    assert_eq!(ours.code, 1, "{}", ours.stderr);
    assert!(ours.stderr.contains("Cannot obtain a valid image reference"), "{}", ours.stderr);
    assert!(!ours.stderr.contains("Copying image ref"), "{}", ours.stderr);
}

#[test]
fn yaml_source_selects_what_skopeo_selects_and_semver_tags() {
    let src = source_registry();
    let tag_names = seed_many_tags(&src, "ns/tags", 8); // v0 1.1.0 build-0002 Release_3 v4 1.5.0 build-0006 Release_7
    assert_eq!(tag_names.len(), 8);
    let work = tempfile::TempDir::new().unwrap();
    let yaml = work.path().join("sync.yml");
    std::fs::write(
        &yaml,
        format!(
            "{}:\n  tls-verify: false\n  images:\n    ns/app: [\"1.0.0\", v1.2.0]\n  images-by-tag-regex:\n    ns/tags: ^build-\n",
            src.host()
        ),
    )
    .unwrap();
    let yaml = yaml.to_str().unwrap();
    let dst = Registry::anonymous();
    let oracle = Registry::anonymous();

    let dry_ours = skopos_sync(&["--dry-run", "--src", "yaml", "--dest", "docker", yaml, &format!("{}/m", dst.host())]);
    assert_eq!(dry_ours.code, 0, "{}", dry_ours.stderr);
    let dry_theirs =
        skopeo_sync(&["--dry-run", "--src", "yaml", "--dest", "docker", yaml, &format!("{}/m", dst.host())]).ok();
    let pairs = logged_pairs(&dry_ours.stderr, "Would have copied");
    assert_eq!(pairs.len(), 4, "{pairs:?}");
    assert_eq!(pairs, logged_pairs(&dry_theirs.stderr, "Would have copied"));

    skopos_sync(&["--src", "yaml", "--dest", "docker", yaml, &format!("{}/m", dst.host())]).ok();
    skopeo_sync(&["--src", "yaml", "--dest", "docker", yaml, &format!("{}/m", oracle.host())]).ok();
    for repo in ["m/app", "m/tags"] {
        assert_eq!(tags(&dst.host(), repo), tags(&oracle.host(), repo), "{repo}");
    }
    assert_eq!(tags(&dst.host(), "m/tags"), Some(vec!["build-0002".to_string(), "build-0006".into()]));

    // images-by-semver came after skopeo 1.9.3 (which ignores the key); skopos follows the
    // later skopeo's Masterminds/semver rules: a leading `v` is accepted, `latest`-style tags
    // and prereleases are left out.
    let semver_yaml = work.path().join("semver.yml");
    std::fs::write(
        &semver_yaml,
        format!("{}:\n  tls-verify: false\n  images-by-semver:\n    ns/tags: \">= 1.1.0\"\n", src.host()),
    )
    .unwrap();
    let r = skopos_sync(&[
        "--dry-run",
        "--src",
        "yaml",
        "--dest",
        "docker",
        semver_yaml.to_str().unwrap(),
        &format!("{}/s", dst.host()),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut selected: Vec<String> = logged_pairs(&r.stderr, "Would have copied")
        .into_iter()
        .map(|(from, _)| from.rsplit(':').next().unwrap().to_string())
        .collect();
    selected.sort();
    assert_eq!(selected, vec!["1.1.0", "1.5.0", "v4"]);
    assert_eq!(tags(&dst.host(), "s/tags"), None, "dry-run copied something");
}

#[test]
fn dry_run_copies_nothing() {
    let src = source_registry();
    let dst = Registry::anonymous();
    let source = format!("{}/ns/app", src.host());
    let before = snapshot(&dst.storage_dir());
    let ours =
        skopos_sync(&["--dry-run", "--src", "docker", "--dest", "docker", &source, &format!("{}/mirror", dst.host())]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert_eq!(ours.stdout, "");
    assert!(ours.stderr.contains("Would have synced 3 images from 1 sources"), "{}", ours.stderr);
    let theirs =
        skopeo_sync(&["--dry-run", "--src", "docker", "--dest", "docker", &source, &format!("{}/mirror", dst.host())])
            .ok();
    assert_eq!(logged_pairs(&ours.stderr, "Would have copied"), logged_pairs(&theirs.stderr, "Would have copied"));
    assert_eq!(tags(&dst.host(), "mirror/app"), None);
    assert_eq!(snapshot(&dst.storage_dir()), before);

    let work = tempfile::TempDir::new().unwrap();
    let target = work.path().join("out");
    skopos_sync(&["--dry-run", "--src", "docker", "--dest", "dir", &source, target.to_str().unwrap()]).ok();
    assert!(!target.exists(), "dry-run created the destination directory");
}

#[test]
fn dir_destination_syncs_again_incrementally() {
    let src = source_registry();
    let work = tempfile::TempDir::new().unwrap();
    let target = work.path().join("mirror");
    let target_str = target.to_str().unwrap();
    let source = format!("{}/ns/app", src.host());

    skopos_sync(&["--src", "docker", "--dest", "dir", &source, target_str]).ok();
    assert_eq!(dir_images(&target), vec!["app:1.0.0", "app:2.0.0", "app:v1.2.0"]);
    let blobs = |snap: &BTreeMap<PathBuf, (i64, i64, u64)>| -> BTreeMap<PathBuf, (i64, i64, u64)> {
        snap.iter().filter(|(p, _)| p.file_name().unwrap().len() == 64).map(|(p, m)| (p.clone(), *m)).collect()
    };
    let first = blobs(&snapshot(&target));
    assert!(first.len() >= 6, "{first:?}");

    // skopeo refuses to write into an existing image directory; skopos updates it.
    let theirs = skopeo_sync(&["--src", "docker", "--dest", "dir", &source, target_str]);
    assert_eq!(theirs.code, 1);
    let again = skopos_sync(&["--src", "docker", "--dest", "dir", &source, target_str]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("skipped: already exists"), "{}", again.stderr);
    assert_eq!(blobs(&snapshot(&target)), first, "existing blobs were rewritten");
    for tag in ["1.0.0", "v1.2.0"] {
        assert_eq!(digest(&format!("dir:{}/app:{tag}", target_str)), digest(&src.docker_ref(&format!("ns/app:{tag}"))));
    }
}

#[test]
fn keep_going_copies_the_others_and_exits_1() {
    let src = source_registry();
    let work = tempfile::TempDir::new().unwrap();
    let yaml = work.path().join("sync.yml");
    std::fs::write(
        &yaml,
        format!("{}:\n  tls-verify: false\n  images:\n    ns/app: [\"1.0.0\", nope, v1.2.0]\n", src.host()),
    )
    .unwrap();
    let yaml = yaml.to_str().unwrap();
    let dst = Registry::anonymous();
    let oracle = Registry::anonymous();

    let ours = skopos_sync(&["--keep-going", "--src", "yaml", "--dest", "docker", yaml, &format!("{}/kg", dst.host())]);
    assert_eq!(ours.code, 1, "{}", ours.stderr);
    assert!(
        ours.stderr.contains("Error copying ref \\\"docker://") && ours.stderr.contains("ns/app:nope"),
        "{}",
        ours.stderr
    );
    assert!(
        ours.stderr.contains("Sync failed due to previous reported error(s) for one or more images"),
        "{}",
        ours.stderr
    );
    let theirs =
        skopeo_sync(&["--keep-going", "--src", "yaml", "--dest", "docker", yaml, &format!("{}/kg", oracle.host())]);
    assert_eq!(theirs.code, 1);
    assert_eq!(tags(&dst.host(), "kg/app"), Some(vec!["1.0.0".to_string(), "v1.2.0".into()]));
    assert_eq!(tags(&dst.host(), "kg/app"), tags(&oracle.host(), "kg/app"));

    // Without --keep-going the sync stops with exit 1.
    let stop = skopos_sync(&["--src", "yaml", "--dest", "docker", yaml, &format!("{}/stop", dst.host())]);
    assert_eq!(stop.code, 1, "{}", stop.stderr);
    assert!(stop.stderr.contains("Error copying ref"), "{}", stop.stderr);
}

/// skopeo 1.9.3 has no `sync --digestfile`; later skopeo writes `DIGEST IMAGE-NAME` lines (one
/// space, the destination as `transports.ImageName`), one per image copied. Checked here against
/// the digests skopeo reads back.
#[test]
fn digestfile_lists_digest_and_destination_per_image() {
    let src = source_registry();
    let dst = Registry::anonymous();
    let work = tempfile::TempDir::new().unwrap();
    let file = work.path().join("digests");
    let source = format!("{}/ns/app", src.host());
    for round in 0..2 {
        let r = skopos_sync(&[
            "--all",
            "--digestfile",
            file.to_str().unwrap(),
            "--src",
            "docker",
            "--dest",
            "docker",
            &source,
            &format!("{}/d", dst.host()),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.ends_with('\n'));
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort();
        let mut expected: Vec<String> = ["1.0.0", "2.0.0", "v1.2.0"]
            .iter()
            .map(|tag| {
                let image = dst.docker_ref(&format!("d/app:{tag}"));
                format!("{} {image}", digest(&image))
            })
            .collect();
        expected.sort();
        assert_eq!(lines, expected, "round {round} (the second one skips every image)");
    }
}
