//! Credentials stay with their registry: redirects, upload `Location`s and the token realm.

use super::*;
use crate::registry::upload::UploadMode;

const CDN: &str = "https://cdn.example";

fn stream_of(bytes: &'static [u8]) -> ByteStream {
    Box::pin(futures_util::stream::iter([Ok(bytes::Bytes::from_static(bytes))]))
}

#[test]
fn blob_redirect_to_another_host_goes_without_authorization() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let digest = Digest::sha256(b"layer");
    t.add(with_auth(
        Method::Get,
        &blob_url("app", &digest),
        ALICE_BASIC,
        Reply::redirect(307, &format!("{CDN}/b?sig=1")),
    ));
    t.on(Method::Get, &format!("{CDN}/b?sig=1"), Reply::ok().body(b"layer".to_vec()));
    let bytes = read(block_on(client_with(&t, alice()).get_blob("app", &digest, Some(5))).unwrap()).unwrap();
    assert_eq!(bytes, b"layer");
    let cdn = t.requests_to(CDN);
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].authorization(), None);
}

#[test]
fn hops_after_leaving_the_registry_stay_without_authorization_even_back_on_it() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let digest = Digest::sha256(b"layer");
    t.on(Method::Get, &blob_url("app", &digest), Reply::redirect(302, &format!("{CDN}/hop")));
    t.on(Method::Get, &format!("{CDN}/hop"), Reply::redirect(302, &url("/storage/layer")));
    t.on(Method::Get, &url("/storage/layer"), Reply::ok().body(b"layer".to_vec()));
    let bytes = read(block_on(client_with(&t, alice()).get_blob("app", &digest, None)).unwrap()).unwrap();
    assert_eq!(bytes, b"layer");
    let seen = t.requests();
    let lines = t.lines();
    assert_eq!(
        lines[1..],
        [format!("GET {}", blob_url("app", &digest)), format!("GET {CDN}/hop"), format!("GET {BASE}/storage/layer"),]
    );
    assert_eq!(seen[1].authorization(), Some(ALICE_BASIC));
    assert_eq!(seen[2].authorization(), None);
    assert_eq!(seen[3].authorization(), None, "a hop back to the registry after leaving it gets no credentials");
}

#[test]
fn same_origin_redirect_keeps_authorization() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let digest = Digest::sha256(b"layer");
    t.on(Method::Get, &blob_url("app", &digest), Reply::redirect(307, "/storage/layer"));
    t.add(with_auth(Method::Get, &url("/storage/layer"), ALICE_BASIC, Reply::ok().body(b"layer".to_vec())));
    let bytes = read(block_on(client_with(&t, alice()).get_blob("app", &digest, None)).unwrap()).unwrap();
    assert_eq!(bytes, b"layer");
    assert!(t.unanswered().is_empty());
}

#[test]
fn bearer_token_is_not_sent_to_blob_storage() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["tok"]);
    let digest = Digest::sha256(b"layer");
    t.add(with_auth(Method::Get, &blob_url("app", &digest), "Bearer tok", Reply::redirect(307, &format!("{CDN}/b"))));
    t.on(Method::Get, &format!("{CDN}/b"), Reply::ok().body(b"layer".to_vec()));
    read(block_on(client_with(&t, alice()).get_blob("app", &digest, None)).unwrap()).unwrap();
    assert_eq!(t.requests_to(CDN)[0].authorization(), None);
}

#[test]
fn relayed_redirects_also_drop_authorization_on_other_origins() {
    let t = FakeTransport::new();
    basic_registry(&t);
    t.on(Method::Get, &url("/v2/app/blobs/x"), Reply::redirect(307, &format!("{CDN}/x")));
    t.on(Method::Get, &format!("{CDN}/x"), Reply::status(200));
    let c = client_with(&t, alice());
    let request = crate::http::Request::new(Method::Get, url("/v2/app/blobs/x"));
    let response = block_on(c.send_following_redirects(request, "repository:app:pull")).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(t.requests()[1].authorization(), Some(ALICE_BASIC));
    assert_eq!(t.requests_to(CDN)[0].authorization(), None);
}

#[test]
fn upload_location_on_another_origin_gets_no_credentials() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let upload = "https://uploads.example/session/1";
    t.add(with_auth(
        Method::Post,
        &url("/v2/app/blobs/uploads/"),
        ALICE_BASIC,
        Reply::status(202).header("Location", upload),
    ));
    t.add(Route::new(Method::Put, upload, Reply::status(201)).prefix());
    let digest = Digest::sha256(b"blob");
    block_on(client_with(&t, alice()).upload_blob("app", &digest, 4, stream_of(b"blob"), UploadMode::Monolithic))
        .unwrap();
    let put = t.requests_to(upload);
    assert_eq!(put.len(), 1);
    assert_eq!(put[0].authorization(), None);
    assert_eq!(put[0].body, b"blob");
}

#[test]
fn chunked_upload_to_another_origin_sends_every_chunk_without_credentials() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let upload = "https://uploads.example/s";
    t.on(Method::Post, &url("/v2/app/blobs/uploads/"), Reply::status(202).header("Location", upload));
    t.add(Route::new(Method::Patch, upload, Reply::status(202).header("Location", upload)));
    t.add(Route::new(Method::Put, upload, Reply::status(201)).prefix());
    let digest = Digest::sha256(b"0123456789");
    block_on(client_with(&t, alice()).upload_blob(
        "app",
        &digest,
        10,
        stream_of(b"0123456789"),
        UploadMode::Chunked(4),
    ))
    .unwrap();
    let to_upload_host = t.requests_to("https://uploads.example");
    assert_eq!(to_upload_host.len(), 4, "three PATCHes and the closing PUT");
    assert!(to_upload_host.iter().all(|s| s.authorization().is_none()));
    assert_eq!(t.requests()[1].authorization(), Some(ALICE_BASIC), "the POST to the registry is authorized");
}

#[test]
fn unanswered_mount_session_elsewhere_is_cancelled_without_credentials() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let digest = Digest::sha256(b"blob");
    let mount = crate::registry::url::with_query(
        &url("/v2/app/blobs/uploads/"),
        &[("mount", &digest.to_string()), ("from", "other")],
    );
    t.on(Method::Post, &mount, Reply::status(202).header("Location", "https://uploads.example/s"));
    t.on(Method::Delete, "https://uploads.example/s", Reply::status(204));
    assert!(!block_on(client_with(&t, alice()).mount_blob("app", &digest, "other")).unwrap());
    let delete = t.requests_to("https://uploads.example");
    assert_eq!(delete.len(), 1);
    assert_eq!(delete[0].method, Method::Delete);
    assert_eq!(delete[0].authorization(), None);
}

#[test]
fn basic_goes_to_the_realm_and_only_the_bearer_token_to_the_registry() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["tok"]);
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(with_auth(Method::Get, &url("/v2/app/manifests/latest"), "Bearer tok", manifest_reply(&image)));
    block_on(client_with(&t, alice()).get_manifest("app", "latest")).unwrap();
    let realm = t.requests_to(REALM);
    assert_eq!(realm.len(), 1);
    assert_eq!(realm[0].authorization(), Some(ALICE_BASIC));
    let to_registry = t.requests_to(BASE);
    assert!(to_registry.iter().all(|s| !s.authorization().is_some_and(|a| a.starts_with("Basic"))));
    assert_eq!(to_registry.last().unwrap().authorization(), Some("Bearer tok"));
}

#[test]
fn refused_token_never_becomes_basic_to_the_registry() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    t.add(Route::new(Method::Get, REALM, Reply::status(401)).prefix());
    let err = block_on(client_with(&t, alice()).get_manifest("app", "latest")).unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED");
    assert!(err.to_string().contains(REALM), "{err}");
    assert_eq!(t.requests_to(BASE).len(), 1, "only the ping reached the registry");
    assert_eq!(t.requests_to(BASE)[0].authorization(), None);
}

#[test]
fn nothing_goes_to_a_third_host() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["tok"]);
    let digest = Digest::sha256(b"layer");
    t.on(Method::Get, &blob_url("app", &digest), Reply::redirect(307, &format!("{CDN}/b")));
    t.on(Method::Get, &format!("{CDN}/b"), Reply::ok().body(b"layer".to_vec()));
    read(block_on(client_with(&t, alice()).get_blob("app", &digest, None)).unwrap()).unwrap();
    for seen in t.requests() {
        match seen.origin() {
            "https://auth.example" => assert_eq!(seen.authorization(), Some(ALICE_BASIC)),
            "https://reg.example" => assert!(seen.authorization().is_none_or(|a| a == "Bearer tok")),
            other => assert_eq!(seen.authorization(), None, "request to {other}"),
        }
        assert!(!seen.url.contains("s3cret"));
    }
}

#[test]
fn registry_token_goes_to_the_registry_only() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    let digest = Digest::sha256(b"layer");
    t.add(with_auth(Method::Get, &blob_url("app", &digest), "Bearer given", Reply::redirect(307, &format!("{CDN}/b"))));
    t.on(Method::Get, &format!("{CDN}/b"), Reply::ok().body(b"layer".to_vec()));
    let c = client_with(&t, Credentials::RegistryToken("given".into()));
    read(block_on(c.get_blob("app", &digest, None)).unwrap()).unwrap();
    assert!(t.requests_to(REALM).is_empty(), "a given token is never exchanged");
    assert_eq!(t.requests_to(CDN)[0].authorization(), None);
}

#[test]
fn identity_token_is_only_in_the_token_post() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    t.on(Method::Post, REALM, Reply::json(r#"{"access_token":"acc"}"#));
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(with_auth(Method::Get, &url("/v2/app/manifests/v1"), "Bearer acc", manifest_reply(&image)));
    let c = client_with(&t, Credentials::IdentityToken("refresh-secret".into()));
    block_on(c.get_manifest("app", "v1")).unwrap();
    for seen in t.requests() {
        let in_body = String::from_utf8_lossy(&seen.body).contains("refresh-secret");
        assert_eq!(in_body, seen.url == REALM, "{} {}", seen.method.as_str(), seen.url);
        assert!(!seen.url.contains("refresh-secret"));
        assert!(seen.authorization().is_none_or(|a| a == "Bearer acc"));
    }
}

#[test]
fn redirects_stop_after_ten_hops() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.on(Method::Get, &blob_url("app", &digest), Reply::redirect(302, &blob_url("app", &digest)));
    let err = block_on(client(&t).get_blob("app", &digest, None)).err().expect("a redirect loop fails");
    assert!(matches!(err, crate::Error::Redirect { .. }), "{err}");
    assert_eq!(t.requests_to(&blob_url("app", &digest)).len(), 11, "the request and ten hops");
}

#[test]
fn redirect_without_location_is_an_error() {
    let t = FakeTransport::new();
    anonymous(&t);
    let digest = Digest::sha256(b"x");
    t.on(Method::Get, &blob_url("app", &digest), Reply::status(302));
    let err = block_on(client(&t).get_blob("app", &digest, None)).err().expect("fails");
    assert!(err.to_string().contains("without a Location"), "{err}");
}

#[test]
fn a_challenge_from_another_origin_is_not_answered() {
    // Blob storage that the registry redirects to answers 401 and names a token realm of its own:
    // the user's credentials are for the registry and its realm only, so nothing goes there.
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["tok"]);
    let evil = "https://evil.example/token";
    t.add(Route::new(Method::Get, evil, Reply::json(r#"{"token":"stolen"}"#)).prefix());
    let digest = Digest::sha256(b"layer");
    t.on(Method::Get, &blob_url("app", &digest), Reply::redirect(307, &format!("{CDN}/b")));
    let challenge = format!("Bearer realm=\"{evil}\",service=\"cdn\"");
    t.on(Method::Get, &format!("{CDN}/b"), Reply::status(401).header("WWW-Authenticate", challenge));
    let err = block_on(client_with(&t, alice()).get_blob("app", &digest, None)).err().expect("a 401 fails");
    assert_eq!(err.code(), "UNAUTHORIZED");
    assert!(t.requests_to("https://evil.example").is_empty(), "credentials sent to a realm the registry never named");
    assert_eq!(t.requests_to(REALM).len(), 1);
}
