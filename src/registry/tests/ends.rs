//! The registry as a copy's source and destination: mount decisions, upload modes, and the
//! proxy's `?ns=` naming, over the scripted transport.

use std::sync::Arc;

use super::*;
use crate::copy::{copy_image, CopyOptions, Progress, Silent};
use crate::image::{BlobInfo, ImageDestination, MountOrigin, RegistryDestination, RegistrySource};
use crate::registry::upload::UploadMode;
use crate::testing::{DestCall, MemoryDestination, MemorySource};

fn silent() -> Arc<dyn Progress> {
    Arc::new(Silent)
}

fn destination(t: &FakeTransport, repository: &str) -> RegistryDestination<FakeTransport> {
    RegistryDestination::new(client(t), repository, "v1", &format!("{REGISTRY}/{repository}:v1"))
}

#[test]
fn try_mount_only_within_the_same_registry_and_from_another_repository() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.add(Route::new(Method::Post, &url("/v2/dst/blobs/uploads/?mount="), Reply::status(201)).prefix());
    let dest = destination(&t, "dst");
    let blob = BlobInfo { digest, size: Some(1), media_type: "application/octet-stream".into() };
    let origin =
        |registry: &str, repository: &str| MountOrigin { registry: registry.into(), repository: repository.into() };
    assert!(!block_on(dest.try_mount(&blob, &origin("other.example", "src"))).unwrap());
    assert!(!block_on(dest.try_mount(&blob, &origin(REGISTRY, "dst"))).unwrap());
    assert!(t.requests().is_empty(), "no request for a mount that cannot work");
    assert!(block_on(dest.try_mount(&blob, &origin(REGISTRY, "src"))).unwrap());
    assert!(t.lines().last().unwrap().ends_with("&from=src"));
}

#[test]
fn copy_within_a_registry_mounts_before_it_uploads() {
    let image = TestImage::oci("amd64", &[b"layer one", b"layer two"]);
    let source = MemorySource::image(&image).with_mount_origin(REGISTRY, "src");
    let t = FakeTransport::new();
    anonymous(&t);
    t.add(Route::new(Method::Head, &url("/v2/dst/blobs/"), Reply::status(404)).prefix());
    t.add(Route::new(Method::Post, &url("/v2/dst/blobs/uploads/?mount="), Reply::status(201)).prefix());
    t.on(Method::Put, &url("/v2/dst/manifests/v1"), Reply::status(201));
    let report = block_on(copy_image(&source, &destination(&t, "dst"), &CopyOptions::default(), &silent())).unwrap();
    assert_eq!(report.digest, image.digest);
    assert!(source.blob_reads().is_empty(), "mounted blobs are never read");
    let mounts = t.requests().iter().filter(|s| s.method == Method::Post).count();
    assert_eq!(mounts, 3, "config and two layers");
    assert!(t.requests().iter().all(|s| s.method != Method::Post || s.url.contains("?mount=")), "no upload session");
    assert!(t.requests().iter().all(|s| s.method != Method::Patch));
    assert_eq!(t.requests().last().unwrap().body, image.manifest);
}

#[test]
fn copy_to_a_registry_skips_what_it_has_and_uploads_the_rest() {
    let image = TestImage::oci("amd64", &[b"layer"]);
    let source = MemorySource::image(&image);
    let t = FakeTransport::new();
    anonymous(&t);
    let [config, layer] = [image.config_digest(), image.layer_digests()[0].clone()];
    t.on(Method::Head, &blob_url("dst", &config), Reply::ok());
    t.on(Method::Head, &blob_url("dst", &layer), Reply::status(404));
    t.on(Method::Post, &url("/v2/dst/blobs/uploads/"), Reply::status(202).header("Location", "/up/1"));
    t.add(Route::new(Method::Put, &url("/up/1?digest="), Reply::status(201)).prefix());
    t.on(Method::Put, &url("/v2/dst/manifests/v1"), Reply::status(201));
    block_on(copy_image(&source, &destination(&t, "dst"), &CopyOptions::default(), &silent())).unwrap();
    assert_eq!(source.blob_reads(), std::slice::from_ref(&layer));
    let upload = t.requests_to(&url("/up/1"));
    assert_eq!(upload.len(), 1);
    assert_eq!(upload[0].body, b"layer");
    assert_eq!(t.lines().last().unwrap(), &format!("PUT {}", url("/v2/dst/manifests/v1")));
}

#[test]
fn blobs_of_unknown_size_are_sent_in_chunks() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"abc");
    t.on(Method::Post, &url("/v2/dst/blobs/uploads/"), Reply::status(202).header("Location", "/up/1"));
    t.on(Method::Patch, &url("/up/1"), Reply::status(202).header("Location", "/up/2"));
    t.add(Route::new(Method::Put, &url("/up/2?digest="), Reply::status(201)).prefix());
    let dest = destination(&t, "dst").with_upload_mode(UploadMode::Monolithic);
    let blob = BlobInfo { digest, size: None, media_type: "x".into() };
    let body: ByteStream = Box::pin(futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"abc"))]));
    block_on(dest.put_blob(&blob, body)).unwrap();
    assert_eq!(t.requests_to(&url("/up/1"))[0].headers.get("content-range"), Some("0-2"));
}

#[test]
fn a_registry_source_reads_verified_manifest_and_blobs() {
    let image = TestImage::docker("amd64", &[b"layer"]);
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &url("/v2/src/manifests/v1"), manifest_reply(&image));
    for (digest, bytes) in image.blob_digests().iter().zip(image.blobs()) {
        t.on(Method::Get, &blob_url("src", digest), Reply::ok().body(bytes));
    }
    let source = RegistrySource::new(client(&t), "src", "v1", "reg.example/src:v1");
    let dest = MemoryDestination::new();
    let report = block_on(copy_image(&source, &dest, &CopyOptions::default(), &silent())).unwrap();
    assert_eq!(report.digest, image.digest);
    assert_eq!(dest.committed().unwrap().raw, image.manifest);
    assert_eq!(dest.blob(&image.layer_digests()[0]).unwrap(), b"layer");
    let origin = MountOrigin { registry: REGISTRY.into(), repository: "src".into() };
    let tried: Vec<_> = dest.calls().into_iter().filter(|c| matches!(c, DestCall::TryMount(..))).collect();
    assert_eq!(tried.len(), 2);
    for digest in image.blob_digests() {
        assert!(tried.contains(&DestCall::TryMount(digest, origin.clone())), "the destination decides about mounts");
    }
    assert_eq!(t.requests().iter().filter(|s| s.url.contains("/blobs/")).count(), 2, "each blob read once");
}

#[test]
fn a_proxy_base_url_names_the_registry_once() {
    let t = FakeTransport::new();
    let proxy = "https://proxy.example";
    t.on(Method::Get, &format!("{proxy}/v2/?ns={REGISTRY}"), Reply::ok());
    t.on(
        Method::Get,
        &format!("{proxy}/v2/app/tags/list?ns={REGISTRY}"),
        Reply::json(r#"{"tags":["a"]}"#)
            .header("Link", format!("</v2/app/tags/list?last=a&ns={REGISTRY}>; rel=\"next\"")),
    );
    t.on(Method::Get, &format!("{proxy}/v2/app/tags/list?last=a&ns={REGISTRY}"), Reply::json(r#"{"tags":["b"]}"#));
    let options = ClientOptions { base_url: Some(format!("{proxy}/")), ..Default::default() };
    let c = RegistryClient::new(t.clone(), REGISTRY, options);
    assert_eq!(block_on(c.list_tags("app")).unwrap(), ["a", "b"]);
    assert!(t.unanswered().is_empty(), "{:?}", t.unanswered());
    assert!(t.requests().iter().all(|s| s.url.matches("ns=").count() == 1));
}
