//! Manifest and blob reads: digests checked, sizes limited before reading, types sniffed.

use super::*;
use crate::digest::Algorithm;
use crate::manifest::{media_type, ManifestKind, MAX_MANIFEST_SIZE};
use crate::Error;

fn image() -> TestImage {
    TestImage::oci("amd64", &[b"layer"])
}

fn get(t: &FakeTransport, reference: &str) -> crate::Result<crate::registry::FetchedManifest> {
    block_on(client(t).get_manifest("app", reference))
}

#[test]
fn by_digest_the_bytes_must_match_that_digest() {
    let (wanted, served) = (image(), TestImage::oci("arm64", &[b"other"]));
    let t = FakeTransport::new();
    anonymous(&t);
    // The header claims the served bytes' digest; the reference is what counts.
    t.on(Method::Get, &url(&format!("/v2/app/manifests/{}", wanted.digest)), manifest_reply(&served));
    let err = get(&t, &wanted.digest.to_string()).unwrap_err();
    assert!(
        matches!(&err, Error::DigestMismatch { expected, actual, .. } if *expected == wanted.digest.to_string() && *actual == served.digest.to_string()),
        "{err:?}"
    );
}

#[test]
fn by_digest_matching_bytes_are_accepted() {
    let image = image();
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &url(&format!("/v2/app/manifests/{}", image.digest)), manifest_reply(&image));
    let fetched = get(&t, &image.digest.to_string()).unwrap();
    assert_eq!(fetched.digest, image.digest);
    assert_eq!(fetched.manifest.raw(), image.manifest.as_slice());
    assert_eq!(t.requests()[1].headers.get("accept"), Some(media_type::ACCEPT_ALL));
}

#[test]
fn by_sha512_digest_the_bytes_are_hashed_with_sha512() {
    let image = image();
    let digest = Digest::of(Algorithm::Sha512, &image.manifest);
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &url(&format!("/v2/app/manifests/{digest}")), manifest_reply(&image));
    assert_eq!(get(&t, &digest.to_string()).unwrap().digest, digest);
    let wrong = Digest::of(Algorithm::Sha512, b"other");
    t.on(Method::Get, &url(&format!("/v2/app/manifests/{wrong}")), manifest_reply(&image));
    assert!(matches!(get(&t, &wrong.to_string()), Err(Error::DigestMismatch { .. })));
}

#[test]
fn by_tag_the_bytes_must_match_docker_content_digest() {
    let image = image();
    let t = FakeTransport::new();
    anonymous(&t);
    let wrong = Digest::sha256(b"something else");
    t.on(
        Method::Get,
        &url("/v2/app/manifests/latest"),
        Reply::ok()
            .header("Content-Type", image.media_type)
            .header("Docker-Content-Digest", wrong.to_string())
            .body(image.manifest.clone()),
    );
    let err = get(&t, "latest").unwrap_err();
    assert!(matches!(&err, Error::DigestMismatch { what, .. } if what.contains("reg.example/app:latest")), "{err:?}");
}

#[test]
fn by_tag_without_a_header_the_digest_is_computed() {
    let image = image();
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(
        Method::Get,
        &url("/v2/app/manifests/latest"),
        Reply::ok().header("Content-Type", image.media_type).body(image.manifest.clone()),
    );
    assert_eq!(get(&t, "latest").unwrap().digest, image.digest);
}

#[test]
fn an_oversized_manifest_is_refused_before_it_is_read() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(
        Method::Get,
        &url("/v2/app/manifests/latest"),
        Reply::ok().header("Content-Length", (MAX_MANIFEST_SIZE + 1).to_string()).body("{}"),
    );
    let err = get(&t, "latest").unwrap_err();
    assert!(
        matches!(err, Error::ManifestTooLarge { size, limit } if size == MAX_MANIFEST_SIZE + 1 && limit == MAX_MANIFEST_SIZE)
    );
    assert_eq!(t.requests()[1].body_items_read(), 0);
}

#[test]
fn an_oversized_manifest_without_length_stops_being_read_at_the_limit() {
    let t = FakeTransport::new();
    anonymous(&t);
    let mib = bytes::Bytes::from(vec![b' '; 1 << 20]);
    t.on(Method::Get, &url("/v2/app/manifests/latest"), Reply::ok().chunks(vec![mib; 8]));
    let err = get(&t, "latest").unwrap_err();
    assert_eq!(err.code(), "MANIFEST_INVALID");
    assert!(matches!(err, Error::ManifestTooLarge { .. }), "{err:?}");
    assert_eq!(t.requests()[1].body_items_read(), 5, "the fifth MiB crosses 4 MiB; the rest is never read");
}

#[test]
fn a_generic_or_wrong_content_type_is_sniffed() {
    let oci = image();
    let docker = TestImage::docker("amd64", &[b"layer"]);
    for (content_type, image, kind) in [
        (Some("application/json"), &oci, ManifestKind::OciManifest),
        (Some("text/plain; charset=utf-8"), &docker, ManifestKind::DockerV2S2),
        (Some("text/html"), &oci, ManifestKind::OciManifest),
        (None, &docker, ManifestKind::DockerV2S2),
    ] {
        let t = FakeTransport::new();
        anonymous(&t);
        let mut reply = Reply::ok().body(image.manifest.clone());
        if let Some(ct) = content_type {
            reply = reply.header("Content-Type", ct);
        }
        t.on(Method::Get, &url("/v2/app/manifests/latest"), reply);
        let fetched = get(&t, "latest").unwrap();
        assert_eq!(fetched.manifest.kind(), kind, "{content_type:?}");
        assert_eq!(fetched.digest, image.digest);
    }
}

#[test]
fn a_specific_content_type_wins_over_the_bytes() {
    let index = crate::testing::TestIndex::new(ManifestKind::OciIndex, vec![image()]);
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(
        Method::Get,
        &url("/v2/app/manifests/latest"),
        Reply::ok().header("Content-Type", media_type::DOCKER_V2S2).body(index.manifest.clone()),
    );
    let err = get(&t, "latest").unwrap_err();
    assert!(
        matches!(&err, Error::InvalidManifest(m) if m.contains("(from https://reg.example/v2/app/manifests/latest)")),
        "{err:?}"
    );
}

#[test]
fn an_html_page_is_not_a_manifest() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &url("/v2/app/manifests/latest"), Reply::ok().header("Content-Type", "text/html").body("<html>"));
    let err = get(&t, "latest").unwrap_err();
    assert!(matches!(&err, Error::InvalidManifest(m) if m.contains("not JSON")), "{err:?}");
}

#[test]
fn head_manifest_reports_digest_type_and_size() {
    let image = image();
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(
        Method::Head,
        &url("/v2/app/manifests/latest"),
        Reply::ok()
            .header("Docker-Content-Digest", image.digest.to_string())
            .header("Content-Type", format!("{}; charset=utf-8", image.media_type))
            .header("Content-Length", "123"),
    );
    t.on(Method::Head, &url("/v2/app/manifests/gone"), Reply::status(404));
    let head = block_on(client(&t).head_manifest("app", "latest")).unwrap().unwrap();
    assert_eq!(head.digest, Some(image.digest));
    assert_eq!(head.media_type.as_deref(), Some(image.media_type));
    assert_eq!(head.size, Some(123));
    assert_eq!(block_on(client(&t).head_manifest("app", "gone")).unwrap(), None);
}

#[test]
fn blob_streams_fail_at_their_end_on_wrong_bytes() {
    let digest = Digest::sha256(b"layer");
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &blob_url("app", &digest), Reply::ok().chunks(["lay", "ex"]));
    let err = read(block_on(client(&t).get_blob("app", &digest, None)).unwrap()).unwrap_err();
    assert!(matches!(&err, Error::DigestMismatch { what, .. } if what.contains("from reg.example/app")), "{err:?}");
}

#[test]
fn blob_streams_check_the_size_and_pass_a_cut_on() {
    let digest = Digest::sha256(b"layer");
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &blob_url("app", &digest), Reply::ok().chunks(["layer", "!"]));
    let err = read(block_on(client(&t).get_blob("app", &digest, Some(5))).unwrap()).unwrap_err();
    assert!(matches!(err, Error::SizeMismatch { expected: 5, actual: 6, .. }), "{err:?}");
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &blob_url("app", &digest), Reply::ok().chunks(["lay"]).then_fail("connection reset"));
    let err = read(block_on(client(&t).get_blob("app", &digest, Some(5))).unwrap()).unwrap_err();
    assert!(matches!(&err, Error::Network(m) if m == "connection reset"), "{err:?}");
}

#[test]
fn get_blob_bytes_refuses_more_than_its_limit() {
    let digest = Digest::sha256(b"0123456789");
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &blob_url("app", &digest), Reply::ok().chunks(["01234", "56789"]));
    assert_eq!(block_on(client(&t).get_blob_bytes("app", &digest, 10)).unwrap(), b"0123456789");
    assert!(block_on(client(&t).get_blob_bytes("app", &digest, 9)).is_err());
}
