//! `oci-archive:` and `docker-archive:`: skopos writes archives that skopeo and umoci read, reads
//! archives skopeo wrote, keeps digests as skopeo does, and fails cleanly on bad archives.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::image::{gzip, sha256, ImageSpec, OciLayout};
use common::*;

const TLS_OFF: [&str; 2] = ["--src-tls-verify=false", "--dest-tls-verify=false"];

/// `skopos copy --quiet` with TLS verification off on both sides.
fn skopos_copy(src: &str, dest: &str) -> Run {
    let mut args = vec!["copy", "--quiet"];
    args.extend(TLS_OFF);
    args.extend([src, dest]);
    skopos(&args)
}

/// `skopeo copy --quiet` with TLS verification off on both sides and `extra` flags.
fn skopeo_copy_with(extra: &[&str], src: &str, dest: &str) -> Run {
    let mut args = vec!["copy", "--quiet"];
    args.extend(TLS_OFF);
    args.extend(extra);
    args.extend([src, dest]);
    skopeo(&args)
}

/// The manifest digest skopeo sees for `image`.
fn skopeo_digest(image: &str) -> String {
    let r = skopeo(&["inspect", "--tls-verify=false", "--format", "{{.Digest}}", image]).ok();
    r.stdout.trim().to_string()
}

/// `skopeo inspect --config` of `image`.
fn skopeo_config(image: &str) -> String {
    skopeo(&["inspect", "--tls-verify=false", "--config", image]).ok().stdout
}

fn tmp() -> tempfile::TempDir {
    tempfile::TempDir::new().unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The data offset and size of member `name` in the tar at `path`.
fn member_span(path: &Path, name: &str) -> (u64, u64) {
    let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some(name) {
            return (entry.raw_file_position(), entry.size());
        }
    }
    panic!("no member {name} in {}", path.display());
}

/// Flips one byte in the middle of member `name`'s data.
fn corrupt_member(path: &Path, name: &str) {
    let (offset, size) = member_span(path, name);
    let mut bytes = std::fs::read(path).unwrap();
    let at = (offset + size / 2) as usize;
    bytes[at] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

/// The name of the first layer member in a docker-archive's manifest.json.
fn first_docker_layer(path: &Path) -> String {
    let manifest: serde_json::Value = serde_json::from_slice(&read_member(path, "manifest.json")).unwrap();
    manifest[0]["Layers"][0].as_str().unwrap().to_string()
}

fn read_member(path: &Path, name: &str) -> Vec<u8> {
    let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some(name) {
            let mut out = Vec::new();
            entry.read_to_end(&mut out).unwrap();
            return out;
        }
    }
    panic!("no member {name} in {}", path.display());
}

/// The blob member of the first layer of the image tagged `tag` in an oci-archive.
fn first_oci_layer(path: &Path, tag: &str) -> String {
    let index: serde_json::Value = serde_json::from_slice(&read_member(path, "index.json")).unwrap();
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .expect("tag in index.json");
    let blob = |digest: &str| format!("blobs/sha256/{}", digest.strip_prefix("sha256:").unwrap());
    let manifest: serde_json::Value =
        serde_json::from_slice(&read_member(path, &blob(entry["digest"].as_str().unwrap()))).unwrap();
    blob(manifest["layers"][0]["digest"].as_str().unwrap())
}

fn archive(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn oci_archive_written_by_skopos_is_read_by_skopeo_and_umoci() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    let src = reg.docker_ref(&seeded.name);
    let source_digest = skopeo_digest(&src);
    let dir = tmp();
    let path = archive(dir.path(), "ours.tar");
    let image = format!("oci-archive:{}:v1", path.display());
    skopos_copy(&src, &image).ok();
    assert_eq!(files_in(dir.path()), vec!["ours.tar"], "no temporary files are left beside the archive");

    // skopeo reads it: same digest as the registry image, and skopos's inspect agrees with skopeo's.
    assert_eq!(skopeo_digest(&image), source_digest);
    assert_same_inspect(&["inspect", &image]);
    assert_same_output(&["inspect", "--raw", &image]);
    assert_same_output(&["inspect", "--config", &image]);

    // Onward to the registry, by skopos and by skopeo: the digest is kept both ways.
    let ours = reg.docker_ref("dst/oci-skopos:v1");
    skopos_copy(&image, &ours).ok();
    let theirs = reg.docker_ref("dst/oci-skopeo:v1");
    skopeo_copy_with(&[], &image, &theirs).ok();
    assert_eq!(skopeo_digest(&ours), source_digest);
    assert_eq!(skopeo_digest(&theirs), source_digest);

    // The same copy done by skopeo gives an archive with the same image.
    let skopeo_path = archive(dir.path(), "theirs.tar");
    skopeo_copy_with(&[], &src, &format!("oci-archive:{}:v1", skopeo_path.display())).ok();
    assert_eq!(skopeo_digest(&format!("oci-archive:{}:v1", skopeo_path.display())), source_digest);

    // umoci unpacks the layout inside.
    let layout = dir.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    tar::Archive::new(std::fs::File::open(&path).unwrap()).unpack(&layout).unwrap();
    let bundle = dir.path().join("bundle");
    let out = std::process::Command::new("umoci")
        .args(["unpack", "--rootless", "--image", &format!("{}:v1", layout.display()), bundle.to_str().unwrap()])
        .output()
        .expect("run umoci");
    assert!(out.status.success(), "umoci unpack failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(bundle.join("rootfs/etc/hello.txt")).unwrap(), "hello from skopos tests\n");
    assert_eq!(std::fs::read_to_string(bundle.join("rootfs/app/data.json")).unwrap(), r#"{"answer": 42}"#);
}

#[test]
fn oci_archive_replaces_the_previous_archive_like_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("v1", &desc);
    let dir = tmp();
    let path = archive(dir.path(), "a.tar");
    skopos(&["copy", "--quiet", &layout.reference("v1"), &format!("oci-archive:{}:first", path.display())]).ok();
    skopos(&["copy", "--quiet", &layout.reference("v1"), &format!("oci-archive:{}:second", path.display())]).ok();
    // Like skopeo, the archive holds only the image just written.
    let first = skopeo(&["inspect", &format!("oci-archive:{}:first", path.display())]);
    assert_ne!(first.code, 0, "the first tag should be gone");
    assert_eq!(skopeo_digest(&format!("oci-archive:{}:second", path.display())), desc["digest"].as_str().unwrap());
}

#[test]
fn docker_archive_written_by_skopos_is_byte_identical_to_skopeos() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/docker", "v1");
    let src = reg.docker_ref(&seeded.name);
    let dir = tmp();
    let ours_path = archive(dir.path(), "ours.tar");
    let theirs_path = archive(dir.path(), "theirs.tar");
    let ours = format!("docker-archive:{}:example.com/team/app:v1", ours_path.display());
    let theirs = format!("docker-archive:{}:example.com/team/app:v1", theirs_path.display());
    skopos_copy(&src, &ours).ok();
    skopeo_copy_with(&[], &src, &theirs).ok();
    assert_eq!(files_in(dir.path()), vec!["ours.tar", "theirs.tar"], "no temporary files are left beside the archive");
    assert!(
        std::fs::read(&ours_path).unwrap() == std::fs::read(&theirs_path).unwrap(),
        "skopos's docker-archive differs from skopeo's"
    );

    // Without a name: RepoTags is empty, still identical.
    let (ours_bare, theirs_bare) = (archive(dir.path(), "ours-bare.tar"), archive(dir.path(), "theirs-bare.tar"));
    skopos_copy(&src, &format!("docker-archive:{}", ours_bare.display())).ok();
    skopeo_copy_with(&[], &src, &format!("docker-archive:{}", theirs_bare.display())).ok();
    assert!(
        std::fs::read(&ours_bare).unwrap() == std::fs::read(&theirs_bare).unwrap(),
        "unnamed docker-archive differs from skopeo's"
    );

    // skopeo and skopos read it the same way, in every form of the name.
    for image in [
        ours.clone(),
        format!("docker-archive:{}", ours_path.display()),
        format!("docker-archive:{}:@0", ours_path.display()),
    ] {
        assert_same_inspect(&["inspect", &image]);
        assert_same_output(&["inspect", "--raw", &image]);
        assert_same_output(&["inspect", "--config", &image]);
    }
}

#[test]
fn docker_archive_onward_to_registry_keeps_skopeos_digests() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/onward", "v1");
    let src = reg.docker_ref(&seeded.name);
    let dir = tmp();
    let ours_path = archive(dir.path(), "ours.tar");
    let ours = format!("docker-archive:{}:onward:v1", ours_path.display());
    skopos_copy(&src, &ours).ok();
    let theirs_path = archive(dir.path(), "theirs.tar");
    let theirs = format!("docker-archive:{}:onward:v1", theirs_path.display());
    skopeo_copy_with(&[], &src, &theirs).ok();

    // The manifest containers/image synthesizes for the archive, as skopeo sees it.
    let archive_digest = skopeo_digest(&theirs);
    assert_eq!(skopeo_digest(&ours), archive_digest);

    // skopeo --preserve-digests pushes the archive's manifest and layers as they are; skopos
    // (which does not recompress layers) pushes the same image.
    let by_skopeo = reg.docker_ref("dst/da-skopeo:v1");
    skopeo_copy_with(&["--preserve-digests"], &theirs, &by_skopeo).ok();
    let by_skopos = reg.docker_ref("dst/da-skopos:v1");
    skopos_copy(&ours, &by_skopos).ok();
    assert_eq!(skopeo_digest(&by_skopeo), archive_digest);
    assert_eq!(skopeo_digest(&by_skopos), archive_digest);
    assert_same_output(&["inspect", "--tls-verify=false", "--raw", &by_skopos]);
    // skopeo's own round trip (which recompresses layers) keeps the config.
    let recompressed = reg.docker_ref("dst/da-skopeo-gzip:v1");
    skopeo_copy_with(&[], &theirs, &recompressed).ok();
    assert_eq!(skopeo_config(&by_skopos), skopeo_config(&recompressed));
    assert_eq!(skopeo_config(&by_skopos), skopeo_config(&src));

    // skopeo copies the skopos-written archive onward too.
    let onward = reg.docker_ref("dst/da-from-ours:v1");
    skopeo_copy_with(&["--preserve-digests"], &ours, &onward).ok();
    assert_eq!(skopeo_digest(&onward), archive_digest);
}

#[test]
fn reads_archives_written_by_skopeo() {
    let mut layout = OciLayout::new();
    let amd64 = layout.add_image(&ImageSpec::linux("amd64", None));
    let arm64 = layout.add_image(&ImageSpec::linux("arm64", Some("v8")));
    let index = layout.add_index(vec![amd64, arm64]);
    layout.tag("multi", &index);
    let dir = tmp();

    // An oci-archive holding a whole index.
    let oci = format!("oci-archive:{}:multi", archive(dir.path(), "index.tar").display());
    skopeo(&["copy", "--quiet", "--all", "--preserve-digests", &layout.reference("multi"), &oci]).ok();
    assert_same_inspect(&["inspect", &oci]);
    assert_same_inspect(&["inspect", "--override-arch", "arm64", "--override-variant", "v8", &oci]);
    assert_same_output(&["inspect", "--raw", &oci]);
    assert_same_output(&["inspect", "--config", &oci]);

    // A docker-archive, by name, by index and alone.
    let path = archive(dir.path(), "docker.tar");
    let named = format!("docker-archive:{}:registry.example/app:2.0", path.display());
    skopeo(&["copy", "--quiet", &layout.reference("multi"), &named]).ok();
    for image in
        [named.clone(), format!("docker-archive:{}", path.display()), format!("docker-archive:{}:@0", path.display())]
    {
        assert_same_inspect(&["inspect", &image]);
        assert_same_output(&["inspect", "--raw", &image]);
        assert_same_output(&["inspect", "--config", &image]);
        assert_same_output(&["inspect", "--format", "{{.Digest}}", &image]);
    }
    // A name the archive does not have.
    let missing = format!("docker-archive:{}:registry.example/app:9.9", path.display());
    assert_ne!(skopeo(&["inspect", &missing]).code, 0);
    assert_clean_failure(&skopos(&["inspect", &missing]), 2);
}

/// `docker save` archives may carry gzip layers (containers/image reads them decompressed, with
/// the uncompressed size); skopos reads them as skopeo does, and copies them onward verified.
#[test]
fn docker_archive_with_gzip_layers_matches_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("v1", &desc);
    let dir = tmp();
    let plain = archive(dir.path(), "plain.tar");
    skopeo(&["copy", "--quiet", &layout.reference("v1"), &format!("docker-archive:{}:app:v1", plain.display())]).ok();
    // Rewrite it with every layer member gzip-compressed.
    let layers: Vec<String> = serde_json::from_slice::<serde_json::Value>(&read_member(&plain, "manifest.json"))
        .unwrap()[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    let gz = archive(dir.path(), "gz.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&gz).unwrap());
    let mut input = tar::Archive::new(std::fs::File::open(&plain).unwrap());
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut header = entry.header().clone();
        if header.entry_type() == tar::EntryType::Symlink {
            builder.append(&header, std::io::empty()).unwrap();
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if layers.contains(&name) {
            data = gzip(&data);
        }
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data.as_slice()).unwrap();
    }
    builder.finish().unwrap();
    drop(builder);
    assert_ne!(sha256(&std::fs::read(&gz).unwrap()), sha256(&std::fs::read(&plain).unwrap()));
    let image = format!("docker-archive:{}", gz.display());
    assert_same_inspect(&["inspect", &image]);
    assert_same_output(&["inspect", "--raw", &image]);
    assert_eq!(skopeo_digest(&image), skopeo_digest(&format!("docker-archive:{}", plain.display())));
    // Copied out, the layers are the decompressed bytes, as skopeo gives them.
    let ours = dir.path().join("ours-dir");
    let theirs = dir.path().join("theirs-dir");
    skopos(&["copy", "--quiet", "--preserve-digests", &image, &format!("dir:{}", ours.display())]).ok();
    skopeo(&["copy", "--quiet", "--preserve-digests", &image, &format!("dir:{}", theirs.display())]).ok();
    for name in files_in(&theirs) {
        assert!(
            std::fs::read(ours.join(&name)).unwrap() == std::fs::read(theirs.join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn failed_copy_leaves_the_existing_archive_untouched() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/keep", "v1");
    let src = reg.docker_ref(&seeded.name);
    let dir = tmp();

    // oci-archive: a missing source tag, then a source whose layer is corrupt (the copy fails
    // after blobs were being written).
    let path = archive(dir.path(), "keep.tar");
    let dest = format!("oci-archive:{}:v2", path.display());
    skopos_copy(&src, &format!("oci-archive:{}:v1", path.display())).ok();
    let before = std::fs::read(&path).unwrap();
    assert_clean_failure(&skopos_copy(&reg.docker_ref("src/keep:no-such-tag"), &dest), 2);
    assert!(std::fs::read(&path).unwrap() == before, "oci-archive changed by a failed copy");
    let bad_source = archive(dir.path(), "bad-source.tar");
    skopos_copy(&src, &format!("docker-archive:{}", bad_source.display())).ok();
    corrupt_member(&bad_source, &first_docker_layer(&bad_source));
    let r = skopos_copy(&format!("docker-archive:{}", bad_source.display()), &dest);
    let line = assert_clean_failure(&r, 1);
    assert!(line.contains("digest"), "expected a digest mismatch, got {line:?}");
    assert!(std::fs::read(&path).unwrap() == before, "oci-archive changed by a failed copy");
    assert_eq!(files_in(dir.path()), vec!["bad-source.tar", "keep.tar"], "temporary files left behind");

    // docker-archive: like skopeo, an existing archive is refused and left as it is.
    let docker = archive(dir.path(), "keep-docker.tar");
    let docker_dest = format!("docker-archive:{}:keep:v2", docker.display());
    skopos_copy(&src, &format!("docker-archive:{}:keep:v1", docker.display())).ok();
    let before = std::fs::read(&docker).unwrap();
    assert_ne!(skopeo_copy_with(&[], &src, &docker_dest).code, 0);
    assert_eq!(std::fs::read(&docker).unwrap(), before);
    let line = assert_clean_failure(&skopos_copy(&src, &docker_dest), 1);
    assert!(line.contains("doesn't support modifying existing images"), "{line}");
    // (the destination is checked first, so this fails on the existing archive, not the tag)
    let r = skopos_copy(&reg.docker_ref("src/keep:no-such-tag"), &docker_dest);
    assert_ne!(r.code, 0);
    assert_clean_failure(&r, r.code);
    assert!(std::fs::read(&docker).unwrap() == before, "docker-archive changed by a failed copy");
}

#[test]
fn corrupt_archives_fail_with_one_line() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("v1", &desc);
    let dir = tmp();
    let oci_path = archive(dir.path(), "oci.tar");
    let docker_path = archive(dir.path(), "docker.tar");
    skopos(&["copy", "--quiet", &layout.reference("v1"), &format!("oci-archive:{}:v1", oci_path.display())]).ok();
    skopos(&["copy", "--quiet", &layout.reference("v1"), &format!("docker-archive:{}", docker_path.display())]).ok();

    // Truncated archives (cut inside a block, as a partial download would be).
    for (path, transport) in [(&oci_path, "oci-archive"), (&docker_path, "docker-archive")] {
        let bytes = std::fs::read(path).unwrap();
        let cut = archive(dir.path(), &format!("cut-{transport}.tar"));
        std::fs::write(&cut, &bytes[..bytes.len() / 2 + 7]).unwrap();
        let image = format!("{transport}:{}", cut.display());
        assert_ne!(skopeo(&["inspect", &image]).code, 0, "skopeo accepted truncated {image}");
        assert_clean_failure(&skopos(&["inspect", &image]), 1);
        let out = dir.path().join(format!("out-{transport}"));
        assert_clean_failure(&skopos(&["copy", "--quiet", &image, &format!("oci:{}", out.display())]), 1);
    }

    // A layer's bytes changed: inspect does not read layers, copy does and refuses.
    corrupt_member(&oci_path, &first_oci_layer(&oci_path, "v1"));
    corrupt_member(&docker_path, &first_docker_layer(&docker_path));
    for image in [format!("oci-archive:{}:v1", oci_path.display()), format!("docker-archive:{}", docker_path.display())]
    {
        let out = dir.path().join("out-corrupt");
        let r = skopos(&["copy", "--quiet", &image, &format!("oci:{}:v1", out.display())]);
        let line = assert_clean_failure(&r, 1);
        assert!(
            line.contains("digest") || line.contains("gzip") || line.contains("corrupt"),
            "unclear error for {image}: {line:?}"
        );
        assert_ne!(
            skopeo(&["copy", "--quiet", &image, &format!("oci:{}:v2", dir.path().join("skopeo-out").display())]).code,
            0
        );
    }

    // Not an archive at all.
    let junk = archive(dir.path(), "junk.tar");
    std::fs::write(&junk, vec![b'x'; 3000]).unwrap();
    for transport in ["oci-archive", "docker-archive"] {
        assert_clean_failure(&skopos(&["inspect", &format!("{transport}:{}", junk.display())]), 1);
    }
}

#[test]
fn copy_of_an_index_into_docker_archive_is_refused_cleanly() {
    let mut layout = OciLayout::new();
    let amd64 = layout.add_image(&ImageSpec::linux("amd64", None));
    let index = layout.add_index(vec![amd64]);
    layout.tag("multi", &index);
    let dir = tmp();
    let path = archive(dir.path(), "d.tar");
    let r = skopos(&[
        "copy",
        "--quiet",
        "--all",
        &layout.reference("multi"),
        &format!("docker-archive:{}", path.display()),
    ]);
    assert_clean_failure(&r, 1);
    assert!(!path.exists());
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
    // Without --all, the one platform is converted to Docker schema 2 and stored.
    skopos(&[
        "copy",
        "--quiet",
        "--override-arch",
        "amd64",
        &layout.reference("multi"),
        &format!("docker-archive:{}", path.display()),
    ])
    .ok();
    let raw = skopeo(&["inspect", "--raw", &format!("docker-archive:{}", path.display())]).ok().stdout;
    assert!(raw.contains("application/vnd.docker.distribution.manifest.v2+json"), "{raw}");
}
