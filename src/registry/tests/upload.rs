//! Blob uploads (monolithic, chunked, digest unknown), `Location` handling, mounts, manifest writes.

use bytes::Bytes;

use super::*;
use crate::registry::upload::UploadMode;
use crate::registry::url::with_query;
use crate::Error;

const START: &str = "/v2/app/blobs/uploads/";

fn stream(chunks: &[&'static str]) -> ByteStream {
    let items: Vec<crate::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c.as_bytes()))).collect();
    Box::pin(futures_util::stream::iter(items))
}

fn finish_url(session: &str, digest: &Digest) -> String {
    with_query(session, &[("digest", &digest.to_string())])
}

#[test]
fn monolithic_upload_streams_the_blob_to_the_relative_location() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"hello world");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/v2/app/blobs/uploads/u1?_state=s"));
    let finish = finish_url(&url("/v2/app/blobs/uploads/u1?_state=s"), &digest);
    t.on(Method::Put, &finish, Reply::status(201).header("Docker-Content-Digest", digest.to_string()));
    block_on(client(&t).upload_blob("app", &digest, 11, stream(&["hello ", "world"]), UploadMode::Monolithic)).unwrap();
    let seen = t.requests();
    assert_eq!(t.lines()[1..], [format!("POST {}", url(START)), format!("PUT {finish}")]);
    assert_eq!(seen[1].headers.get("content-length"), Some("0"));
    let put = &seen[2];
    assert!(finish.contains("?_state=s&digest=sha256%3A"), "{finish}");
    assert_eq!((put.body.as_slice(), put.streamed, put.declared_length), (&b"hello world"[..], true, Some(11)));
    assert_eq!(put.headers.get("content-type"), Some("application/octet-stream"));
}

#[test]
fn chunked_upload_sends_ranges_and_follows_each_location() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"0123456789");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.on(Method::Patch, &url("/up/a"), Reply::status(202).header("Location", "/up/b"));
    t.on(Method::Patch, &url("/up/b"), Reply::status(202).header("Location", url("/up/c")));
    t.on(Method::Patch, &url("/up/c"), Reply::status(202).header("Location", "d"));
    t.on(Method::Put, &finish_url(&url("/up/d"), &digest), Reply::status(201));
    // Source chunks of 3 bytes, PATCHes of 4.
    let body = stream(&["012", "345", "678", "9"]);
    block_on(client(&t).upload_blob("app", &digest, 10, body, UploadMode::Chunked(4))).unwrap();
    let patches: Vec<_> = t.requests().into_iter().filter(|s| s.method == Method::Patch).collect();
    let ranges: Vec<_> = patches.iter().map(|p| p.headers.get("content-range").unwrap().to_string()).collect();
    assert_eq!(ranges, ["0-3", "4-7", "8-9"]);
    let bodies: Vec<_> = patches.iter().map(|p| String::from_utf8(p.body.clone()).unwrap()).collect();
    assert_eq!(bodies, ["0123", "4567", "89"]);
    let put = t.requests().pop().unwrap();
    assert_eq!(put.method, Method::Put);
    assert!(put.body.is_empty());
    assert_eq!(put.headers.get("content-length"), Some("0"));
    assert!(t.unanswered().is_empty(), "{:?}", t.unanswered());
}

#[test]
fn chunked_upload_of_an_empty_blob_only_closes_the_session() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.on(Method::Put, &finish_url(&url("/up/a"), &digest), Reply::status(201));
    block_on(client(&t).upload_blob("app", &digest, 0, stream(&[]), UploadMode::Chunked(4))).unwrap();
    assert!(t.requests().iter().all(|s| s.method != Method::Patch));
    assert_eq!(t.requests().len(), 3);
}

#[test]
fn an_upload_answer_without_location_is_a_protocol_error() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Post, &url(START), Reply::status(202));
    let digest = Digest::sha256(b"x");
    let err = block_on(client(&t).upload_blob("app", &digest, 1, stream(&["x"]), UploadMode::Monolithic)).unwrap_err();
    assert!(matches!(&err, Error::Protocol { reason, .. } if reason.contains("no Location")), "{err:?}");
    assert_eq!(t.requests().len(), 2, "nothing is sent without a session");
}

#[test]
fn a_chunk_answer_without_location_stops_the_upload() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.on(Method::Patch, &url("/up/a"), Reply::status(202));
    let digest = Digest::sha256(b"0123456789");
    let err = block_on(client(&t).upload_blob("app", &digest, 10, stream(&["0123456789"]), UploadMode::Chunked(4)))
        .unwrap_err();
    assert_eq!(err.code(), "PROTOCOL");
    assert_eq!(t.requests().iter().filter(|s| s.method == Method::Patch).count(), 1);
    assert!(t.requests().iter().all(|s| s.method != Method::Put));
}

#[test]
fn a_different_stored_digest_is_a_mismatch() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    let other = Digest::sha256(b"y");
    t.on(
        Method::Put,
        &finish_url(&url("/up/a"), &digest),
        Reply::status(201).header("Docker-Content-Digest", other.to_string()),
    );
    let err = block_on(client(&t).upload_blob("app", &digest, 1, stream(&["x"]), UploadMode::Monolithic)).unwrap_err();
    assert!(matches!(&err, Error::DigestMismatch { actual, .. } if *actual == other.to_string()), "{err:?}");
}

#[test]
fn a_refused_upload_is_the_registry_error() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    let body = r#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}"#;
    t.on(Method::Put, &finish_url(&url("/up/a"), &digest), Reply::status(400).body(body));
    let err = block_on(client(&t).upload_blob("app", &digest, 1, stream(&["x"]), UploadMode::Monolithic)).unwrap_err();
    assert_eq!(err.code(), "DIGEST_INVALID");
}

fn failing_source() -> ByteStream {
    let items: Vec<crate::Result<Bytes>> = vec![
        Ok(Bytes::from_static(b"01234")),
        Err(Error::DigestMismatch { what: "source blob".into(), expected: "a".into(), actual: "b".into() }),
    ];
    Box::pin(futures_util::stream::iter(items))
}

#[test]
fn a_source_failure_is_reported_as_itself_monolithic() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"0123456789");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.on(Method::Put, &finish_url(&url("/up/a"), &digest), Reply::status(201));
    let err =
        block_on(client(&t).upload_blob("app", &digest, 10, failing_source(), UploadMode::Monolithic)).unwrap_err();
    assert!(matches!(&err, Error::DigestMismatch { what, .. } if what == "source blob"), "{err:?}");
}

#[test]
fn a_source_failure_is_reported_as_itself_chunked() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"0123456789");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.add(Route::new(Method::Patch, &url("/up/"), Reply::status(202).header("Location", "/up/a")).prefix());
    let err =
        block_on(client(&t).upload_blob("app", &digest, 10, failing_source(), UploadMode::Chunked(4))).unwrap_err();
    assert!(matches!(&err, Error::DigestMismatch { what, .. } if what == "source blob"), "{err:?}");
    assert!(t.requests().iter().all(|s| s.method != Method::Put), "the session is never closed with a digest");
}

#[test]
fn a_blob_of_unknown_digest_is_hashed_on_the_way() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"new bytes");
    t.on(Method::Post, &url(START), Reply::status(202).header("Location", "/up/a"));
    t.on(Method::Patch, &url("/up/a"), Reply::status(202).header("Location", "/up/b"));
    t.on(Method::Put, &finish_url(&url("/up/b"), &digest), Reply::status(201));
    let (got, size) = block_on(client(&t).upload_new_blob("app", stream(&["new ", "bytes"]))).unwrap();
    assert_eq!((got, size), (digest, 9));
    let patch = &t.requests()[2];
    assert_eq!((patch.body.as_slice(), patch.streamed, patch.declared_length), (&b"new bytes"[..], true, None));
    assert!(t.unanswered().is_empty());
}

#[test]
fn a_mount_that_works_needs_no_upload() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    let mount = with_query(&url(START), &[("mount", &digest.to_string()), ("from", "base")]);
    t.on(Method::Post, &mount, Reply::status(201));
    assert!(block_on(client(&t).mount_blob("app", &digest, "base")).unwrap());
    assert_eq!(t.requests().len(), 2);
}

#[test]
fn a_mount_answered_with_a_session_closes_it() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    let mount = with_query(&url(START), &[("mount", &digest.to_string()), ("from", "base")]);
    t.on(Method::Post, &mount, Reply::status(202).header("Location", "/up/s"));
    t.on(Method::Delete, &url("/up/s"), Reply::status(204));
    assert!(!block_on(client(&t).mount_blob("app", &digest, "base")).unwrap());
    assert_eq!(t.lines().last().unwrap(), &format!("DELETE {}", url("/up/s")));
}

#[test]
fn a_refused_mount_is_an_error() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    let mount = with_query(&url(START), &[("mount", &digest.to_string()), ("from", "base")]);
    t.on(Method::Post, &mount, Reply::status(403));
    assert_eq!(block_on(client(&t).mount_blob("app", &digest, "base")).unwrap_err().code(), "DENIED");
}

#[test]
fn blob_exists_reads_the_head_status() {
    let t = FakeTransport::new();
    anonymous(&t);
    let (present, absent, denied) = (Digest::sha256(b"a"), Digest::sha256(b"b"), Digest::sha256(b"c"));
    t.on(Method::Head, &blob_url("app", &present), Reply::ok());
    t.on(Method::Head, &blob_url("app", &absent), Reply::status(404));
    t.on(Method::Head, &blob_url("app", &denied), Reply::status(401));
    let c = client(&t);
    assert!(block_on(c.blob_exists("app", &present)).unwrap());
    assert!(!block_on(c.blob_exists("app", &absent)).unwrap());
    assert_eq!(block_on(c.blob_exists("app", &denied)).unwrap_err().code(), "UNAUTHORIZED");
}

#[test]
fn put_manifest_checks_the_stored_digest_of_the_same_algorithm() {
    let image = TestImage::oci("amd64", &[b"l"]);
    let target = url("/v2/app/manifests/v1");
    for (header, ok) in [
        (image.digest.to_string(), true),
        (Digest::sha256(b"other").to_string(), false),
        (Digest::of(crate::digest::Algorithm::Sha512, b"other").to_string(), true),
    ] {
        let t = FakeTransport::new();
        anonymous(&t);
        t.on(Method::Put, &target, Reply::status(201).header("Docker-Content-Digest", header.clone()));
        let result = block_on(client(&t).put_manifest("app", "v1", &image.manifest, image.media_type, &image.digest));
        assert_eq!(result.is_ok(), ok, "{header}: {result:?}");
        assert_eq!(t.requests()[1].body, image.manifest);
    }
}

#[test]
fn delete_manifest_asks_for_every_action_on_the_repository() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["del"]);
    let digest = Digest::sha256(b"m");
    t.add(with_auth(Method::Delete, &url(&format!("/v2/app/manifests/{digest}")), "Bearer del", Reply::status(202)));
    block_on(client_with(&t, alice()).delete_manifest("app", &digest)).unwrap();
    assert_eq!(t.requests_to(REALM)[0].url, token_url(&["repository:app:*"]));
}

#[test]
fn a_manifest_put_redirected_with_307_is_sent_again_with_its_body() {
    let image = TestImage::oci("amd64", &[b"l"]);
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Put, &url("/v2/app/manifests/v1"), Reply::redirect(307, "/v2/app/manifests/v1/primary"));
    t.on(Method::Put, &url("/v2/app/manifests/v1/primary"), Reply::status(201));
    block_on(client(&t).put_manifest("app", "v1", &image.manifest, image.media_type, &image.digest)).unwrap();
    let puts: Vec<_> = t.requests().into_iter().filter(|s| s.method == Method::Put).collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[1].body, image.manifest, "307 keeps the method and the body");
    assert_eq!(puts[1].headers.get("content-type"), Some(image.media_type));
}

#[test]
fn a_manifest_put_redirected_elsewhere_keeps_its_body_but_not_the_credentials() {
    let image = TestImage::oci("amd64", &[b"l"]);
    let t = FakeTransport::new();
    basic_registry(&t);
    t.on(
        Method::Put,
        &url("/v2/app/manifests/v1"),
        Reply::redirect(308, "https://primary.example/v2/app/manifests/v1"),
    );
    t.on(Method::Put, "https://primary.example/v2/app/manifests/v1", Reply::status(201));
    block_on(client_with(&t, alice()).put_manifest("app", "v1", &image.manifest, image.media_type, &image.digest))
        .unwrap();
    let elsewhere = t.requests_to("https://primary.example");
    assert_eq!(elsewhere.len(), 1);
    assert_eq!(elsewhere[0].body, image.manifest);
    assert_eq!(elsewhere[0].authorization(), None);
}
