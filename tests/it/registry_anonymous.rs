//! skopos against an anonymous distribution registry, compared with skopeo byte for byte.

use crate::common;

use common::*;

const TLS: &str = "--tls-verify=false";

/// The read-only command lines every seeded image is checked with (inspect family).
fn inspect_variants(image: &str) -> Vec<Vec<String>> {
    let lines: Vec<Vec<&str>> = vec![
        vec!["inspect", TLS, image],
        vec!["inspect", TLS, "--raw", image],
        vec!["inspect", TLS, "--config", image],
        vec!["inspect", TLS, "--config", "--raw", image],
        vec!["inspect", TLS, "-n", image],
        vec!["inspect", TLS, "--no-tags", image],
        vec!["inspect", TLS, "--format", "{{.Digest}}", image],
        vec!["inspect", TLS, "-f", "{{.Name}} {{.Os}}/{{.Architecture}} {{.Created}}", image],
    ];
    lines.into_iter().map(|l| l.into_iter().map(String::from).collect()).collect()
}

/// Asserts every inspect variant and list-tags of `seeded` print what skopeo prints.
fn assert_image_matches_skopeo(reg: &Registry, seeded: &Seeded) {
    let image = reg.docker_ref(&seeded.name);
    for args in inspect_variants(&image) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if args.contains(&"--raw") || args.contains(&"--config") || args.contains(&"--format") || args.contains(&"-f") {
            assert_same_output(&args);
        } else {
            assert_same_inspect(&args);
        }
    }
    assert_same_output(&["list-tags", TLS, &reg.docker_ref(&seeded.repo)]);
}

#[test]
fn harness_seeds_images() {
    let reg = Registry::anonymous();
    let images = [
        seed_oci_image(&reg, "single/oci", "1.0"),
        seed_oci_index(&reg, "multi/oci", "latest"),
        seed_docker_image(&reg, "docker/v2s2", "v1"),
    ];
    for seeded in &images {
        let out = skopeo(&["inspect", TLS, &reg.docker_ref(&seeded.name)]).ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v["Architecture"], "amd64", "{}", seeded.name);
        assert_eq!(v["Labels"]["org.example.unicode"], "héllo wörld ✓ 日本語");
    }
    let raw = skopeo(&["inspect", TLS, "--raw", &reg.docker_ref("docker/v2s2:v1")]).ok();
    assert!(raw.stdout.contains(common::image::DOCKER_MANIFEST), "v2s2 conversion: {}", raw.stdout);
    let raw = skopeo(&["inspect", TLS, "--raw", &reg.docker_ref("multi/oci:latest")]).ok();
    let index: serde_json::Value = serde_json::from_str(&raw.stdout).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 3);
    assert_eq!(index["manifests"][2]["annotations"]["vnd.docker.reference.type"], "attestation-manifest");
    assert_eq!(index["manifests"][2]["annotations"]["vnd.docker.reference.digest"], index["manifests"][0]["digest"]);
    let tags = seed_many_tags(&reg, "many/tags", 120);
    let out = skopeo(&["list-tags", TLS, &reg.docker_ref("many/tags")]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut listed: Vec<String> = serde_json::from_value(v["Tags"].clone()).unwrap();
    listed.sort();
    let mut expected = tags.clone();
    expected.sort();
    assert_eq!(listed, expected);
}

/// distribution 2.8 ignores `?n=` on tags/list: one page, no `Link` header. If this ever fails,
/// the registry paginates and skopos must follow `Link` (see `paginated_tags_are_all_listed`
/// in protocol_corners.rs for the client side).
#[test]
fn harness_registry_does_not_paginate_tags() {
    let reg = Registry::anonymous();
    let tags = seed_many_tags(&reg, "many/tags", 12);
    let resp = common::http::get(&format!("{}/v2/many/tags/tags/list?n=5", reg.base_url()), &[]).unwrap();
    assert_eq!(resp.status, 200);
    assert!(resp.header("link").is_none(), "registry sent Link: {:?}", resp.header("link"));
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(v["tags"].as_array().unwrap().len(), tags.len());
}

#[test]
fn oci_image_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "single/oci", "1.0");
    seed_oci_image(&reg, "single/oci", "second");
    assert_image_matches_skopeo(&reg, &seeded);
}

#[test]
fn oci_index_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_index(&reg, "multi/oci", "latest");
    assert_image_matches_skopeo(&reg, &seeded);
}

#[test]
fn oci_index_platform_override_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_index(&reg, "multi/oci", "latest");
    let image = reg.docker_ref(&seeded.name);
    let over = ["--override-arch", "arm64", "--override-variant", "v8"];
    let inspect = [&["inspect", TLS][..], &over, &[&image]].concat();
    assert_same_inspect(&inspect);
    let out = skopos(&inspect).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["Architecture"], "arm64");
    assert_same_output(&[&["inspect", TLS, "--config"][..], &over, &[&image]].concat());
    assert_same_inspect(
        &[&["inspect", TLS, "--override-os", "linux", "--override-arch", "amd64"][..], &[&image]].concat(),
    );
}

#[test]
fn docker_v2s2_image_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_docker_image(&reg, "docker/v2s2", "v1");
    assert_image_matches_skopeo(&reg, &seeded);
}

#[test]
fn inspect_by_digest_matches_skopeo() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "single/oci", "1.0");
    let digest = skopeo(&["inspect", TLS, "--format", "{{.Digest}}", &reg.docker_ref(&seeded.name)]).ok().stdout;
    let by_digest = reg.docker_ref(&format!("single/oci@{}", digest.trim()));
    assert_same_inspect(&["inspect", TLS, &by_digest]);
    assert_same_output(&["inspect", TLS, "--raw", &by_digest]);
}

#[test]
fn many_tags_list_matches_skopeo_in_order() {
    let reg = Registry::anonymous();
    let tags = seed_many_tags(&reg, "many/tags", 120);
    let out = assert_same_output(&["list-tags", TLS, &reg.docker_ref("many/tags")]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Tags"].as_array().unwrap().len(), tags.len());
    assert_eq!(v["Repository"], format!("{}/many/tags", reg.host()));
}

#[test]
fn manifest_digest_matches_skopeo() {
    let reg = Registry::anonymous();
    let images = [
        seed_oci_image(&reg, "single/oci", "1.0"),
        seed_oci_index(&reg, "multi/oci", "latest"),
        seed_docker_image(&reg, "docker/v2s2", "v1"),
    ];
    let dir = tempfile::TempDir::new().unwrap();
    for seeded in &images {
        let (code, raw) = run_bytes(&mut skopeo_cmd(&["inspect", TLS, "--raw", &reg.docker_ref(&seeded.name)]));
        assert_eq!(code, 0);
        let file = dir.path().join(seeded.repo.replace('/', "_"));
        std::fs::write(&file, &raw).unwrap();
        let out = assert_same_output(&["manifest-digest", file.to_str().unwrap()]);
        let digest = skopeo(&["inspect", TLS, "--format", "{{.Digest}}", &reg.docker_ref(&seeded.name)]).ok();
        assert_eq!(out, digest.stdout, "manifest-digest of {} is its registry digest", seeded.name);
    }
}

#[test]
fn raw_manifest_is_byte_exact() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_index(&reg, "multi/oci", "latest");
    let url = format!("{}/v2/{}/manifests/{}", reg.base_url(), seeded.repo, seeded.tag);
    let served = common::http::get(&url, &[("Accept", common::image::OCI_INDEX)]).unwrap();
    assert_eq!(served.status, 200);
    let (code, ours) = run_bytes(&mut skopos_cmd(&["inspect", TLS, "--raw", &reg.docker_ref(&seeded.name)]));
    assert_eq!(code, 0);
    let (_, theirs) = run_bytes(&mut skopeo_cmd(&["inspect", TLS, "--raw", &reg.docker_ref(&seeded.name)]));
    assert_eq!(ours, theirs, "--raw output differs from skopeo's");
    assert_eq!(ours, served.body, "--raw output is not the manifest as served");
}

#[test]
fn missing_tag_exits_2() {
    let reg = Registry::anonymous();
    seed_oci_image(&reg, "single/oci", "1.0");
    let image = reg.docker_ref("single/oci:no-such-tag");
    assert_ne!(skopeo(&["inspect", TLS, &image]).code, 0);
    let line = assert_clean_failure(&skopos(&["inspect", TLS, &image]), 2);
    assert!(line.contains("no-such-tag") || line.to_lowercase().contains("manifest unknown"), "{line}");
    assert_clean_failure(&skopos(&["inspect", TLS, "--raw", &image]), 2);
}

#[test]
fn missing_repository_exits_2() {
    let reg = Registry::anonymous();
    seed_oci_image(&reg, "single/oci", "1.0");
    assert_ne!(skopeo(&["inspect", TLS, &reg.docker_ref("no/such-repo:1.0")]).code, 0);
    assert_clean_failure(&skopos(&["inspect", TLS, &reg.docker_ref("no/such-repo:1.0")]), 2);
    assert_ne!(skopeo(&["list-tags", TLS, &reg.docker_ref("no/such-repo")]).code, 0);
    assert_clean_failure(&skopos(&["list-tags", TLS, &reg.docker_ref("no/such-repo")]), 2);
}

#[test]
fn missing_digest_exits_2() {
    let reg = Registry::anonymous();
    seed_oci_image(&reg, "single/oci", "1.0");
    let digest = format!("sha256:{}", "0".repeat(64));
    let image = reg.docker_ref(&format!("single/oci@{digest}"));
    assert_ne!(skopeo(&["inspect", TLS, &image]).code, 0);
    assert_clean_failure(&skopos(&["inspect", TLS, &image]), 2);
}
