//! `429 Too Many Requests` is waited out (`Retry-After`, a limited number of times); other
//! failures come back at once for the caller's `--retry-times` to decide.

use std::time::Duration;

use super::*;
use crate::registry::client::MAX_429_RETRIES;
use crate::registry::upload::UploadMode;

fn manifest_url() -> String {
    url("/v2/app/manifests/latest")
}

#[test]
fn retry_after_is_honoured_in_seconds() {
    let t = FakeTransport::new();
    anonymous(&t);
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(Route::sequence(
        Method::Get,
        &manifest_url(),
        vec![
            Reply::status(429).header("Retry-After", "7"),
            Reply::status(429).header("Retry-After", " 2 "),
            manifest_reply(&image),
        ],
    ));
    let fetched = block_on(client(&t).get_manifest("app", "latest")).unwrap();
    assert_eq!(fetched.digest, image.digest);
    assert_eq!(t.sleeps(), [Duration::from_secs(7), Duration::from_secs(2)]);
    assert_eq!(t.requests_to(&manifest_url()).len(), 3);
}

#[test]
fn gives_up_after_its_limit_with_too_many_requests() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &manifest_url(), Reply::status(429).header("Retry-After", "2"));
    let err = block_on(client(&t).get_manifest("app", "latest")).unwrap_err();
    assert_eq!(err.code(), "TOO_MANY_REQUESTS");
    assert!(
        matches!(&err, crate::Error::TooManyRequests { retry_after_secs: 2, url } if *url == manifest_url()),
        "{err:?}"
    );
    assert_eq!(MAX_429_RETRIES, 3);
    assert_eq!(t.sleeps(), vec![Duration::from_secs(2); MAX_429_RETRIES as usize]);
    assert_eq!(t.requests_to(&manifest_url()).len(), MAX_429_RETRIES as usize + 1);
    assert!(err.is_retryable());
}

#[test]
fn retry_after_missing_or_a_date_waits_one_second_and_long_waits_are_capped() {
    let t = FakeTransport::new();
    anonymous(&t);
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(Route::sequence(
        Method::Get,
        &manifest_url(),
        vec![
            Reply::status(429),
            Reply::status(429).header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
            Reply::status(429).header("Retry-After", "3600"),
            manifest_reply(&image),
        ],
    ));
    block_on(client(&t).get_manifest("app", "latest")).unwrap();
    assert_eq!(t.sleeps(), [Duration::from_secs(1), Duration::from_secs(1), Duration::from_secs(60)]);
}

#[test]
fn server_errors_are_not_retried_here() {
    for status in [500, 502, 503, 504] {
        let t = FakeTransport::new();
        anonymous(&t);
        t.on(Method::Get, &manifest_url(), Reply::status(status).header("Retry-After", "1").body("busy"));
        let err = block_on(client(&t).get_manifest("app", "latest")).unwrap_err();
        assert!(matches!(err, crate::Error::Registry { status: s, .. } if s == status), "{err:?}");
        assert_eq!(err.code(), "REGISTRY_ERROR");
        assert!(err.is_retryable(), "the caller's --retry-times may try again");
        assert_eq!(t.requests_to(&manifest_url()).len(), 1);
        assert!(t.sleeps().is_empty());
    }
}

#[test]
fn client_errors_are_neither_retried_nor_retryable() {
    let t = FakeTransport::new();
    anonymous(&t);
    let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
    t.on(Method::Get, &manifest_url(), Reply::status(404).body(body));
    let err = block_on(client(&t).get_manifest("app", "latest")).unwrap_err();
    assert!(err.is_not_found());
    assert!(!err.is_retryable());
    assert_eq!(err.code(), "MANIFEST_UNKNOWN");
    assert_eq!(t.requests_to(&manifest_url()).len(), 1);
}

#[test]
fn network_failures_are_not_retried_here() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Get, &manifest_url(), Reply::network_error("connection reset"));
    let err = block_on(client(&t).get_manifest("app", "latest")).unwrap_err();
    assert!(matches!(err, crate::Error::Network(_)));
    assert_eq!(t.requests_to(&manifest_url()).len(), 1);
}

#[test]
fn a_429_on_a_repeatable_write_resends_the_same_body() {
    let t = FakeTransport::new();
    anonymous(&t);
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(Route::sequence(
        Method::Put,
        &url("/v2/app/manifests/v1"),
        vec![Reply::status(429).header("Retry-After", "4"), Reply::status(201)],
    ));
    block_on(client(&t).put_manifest("app", "v1", &image.manifest, image.media_type, &image.digest)).unwrap();
    let puts = t.requests_to(&url("/v2/app/manifests/v1"));
    assert_eq!(puts.len(), 2);
    assert!(puts.iter().all(|p| p.body == image.manifest && p.headers.get("content-type") == Some(image.media_type)));
    assert_eq!(t.sleeps(), [Duration::from_secs(4)]);
}

#[test]
fn a_429_on_a_blob_head_is_waited_out() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.add(Route::sequence(Method::Head, &blob_url("app", &digest), vec![Reply::status(429), Reply::ok()]));
    assert!(block_on(client(&t).blob_exists("app", &digest)).unwrap());
    assert_eq!(t.sleeps().len(), 1);
}

#[test]
fn a_429_on_a_streamed_upload_is_not_repeated() {
    let t = FakeTransport::new();
    anonymous(&t);
    t.on(Method::Post, &url("/v2/app/blobs/uploads/"), Reply::status(202).header("Location", "/up/1"));
    t.add(Route::new(Method::Put, &url("/up/1"), Reply::status(429).header("Retry-After", "1")).prefix());
    let digest = Digest::sha256(b"blob");
    let body: ByteStream = Box::pin(futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"blob"))]));
    let err = block_on(client(&t).upload_blob("app", &digest, 4, body, UploadMode::Monolithic)).unwrap_err();
    assert_eq!(err.code(), "TOO_MANY_REQUESTS");
    assert_eq!(t.requests_to(&url("/up/1")).len(), 1, "a stream cannot be sent twice");
    assert!(t.sleeps().is_empty());
}

#[test]
fn a_failing_ping_is_an_error_at_once() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::status(503));
    let err = block_on(client(&t).get_manifest("app", "latest")).unwrap_err();
    assert!(matches!(&err, crate::Error::Protocol { reason, .. } if reason.contains("HTTP 503")), "{err:?}");
    assert_eq!(t.requests().len(), 1);
}
