//! The token flow: challenge, token request, reuse, and one re-authorization on a new challenge.

use super::*;

fn manifest_route(t: &FakeTransport, token: &str, image: &TestImage) {
    t.add(with_auth(
        Method::Get,
        &url("/v2/lib/app/manifests/latest"),
        format!("Bearer {token}"),
        manifest_reply(image),
    ));
}

#[test]
fn ping_challenge_token_then_the_request_with_it() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["t1"]);
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "t1", &image);
    let fetched = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap();
    assert_eq!(fetched.digest, image.digest);
    assert_eq!(
        t.lines(),
        [
            format!("GET {BASE}/v2/"),
            format!("GET {}", token_url(&["repository:lib/app:pull"])),
            format!("GET {BASE}/v2/lib/app/manifests/latest"),
        ]
    );
    assert_eq!(
        token_url(&["repository:lib/app:pull"]),
        format!("{REALM}?service=reg.example&scope=repository%3Alib%2Fapp%3Apull")
    );
}

#[test]
fn anonymous_token_request_carries_no_authorization() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["anon"]);
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "anon", &image);
    block_on(client(&t).get_manifest("lib/app", "latest")).unwrap();
    assert_eq!(t.requests_to(REALM)[0].authorization(), None);
}

#[test]
fn oauth2_post_with_an_identity_token() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    t.on(Method::Post, REALM, Reply::json(r#"{"access_token":"a1","expires_in":300}"#));
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "a1", &image);
    block_on(client_with(&t, Credentials::IdentityToken("R".into())).get_manifest("lib/app", "latest")).unwrap();
    let post = &t.requests_to(REALM)[0];
    assert_eq!(post.method, Method::Post);
    assert_eq!(post.headers.get("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        String::from_utf8(post.body.clone()).unwrap(),
        "grant_type=refresh_token&refresh_token=R&client_id=skopos&service=reg.example&scope=repository%3Alib%2Fapp%3Apull"
    );
    assert_eq!(post.authorization(), None);
}

#[test]
fn one_token_serves_every_request_of_its_scope() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["t1", "t2"]);
    let image = TestImage::oci("amd64", &[b"layer"]);
    manifest_route(&t, "t1", &image);
    let layer = image.layer_digests()[0].clone();
    t.add(with_auth(Method::Get, &blob_url("lib/app", &layer), "Bearer t1", Reply::ok().body(b"layer".to_vec())));
    let c = client_with(&t, alice());
    block_on(c.get_manifest("lib/app", "latest")).unwrap();
    block_on(c.clone().get_manifest("lib/app", "latest")).unwrap();
    read(block_on(c.get_blob("lib/app", &layer, Some(5))).unwrap()).unwrap();
    assert_eq!(t.requests_to(REALM).len(), 1);
    assert_eq!(t.requests().iter().filter(|s| s.url == url("/v2/")).count(), 1, "clones share the ping");
}

#[test]
fn each_scope_gets_its_own_token() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["pull", "push"]);
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "pull", &image);
    let digest = Digest::sha256(b"x");
    t.add(with_auth(Method::Head, &blob_url("lib/app", &digest), "Bearer push", Reply::status(404)));
    let c = client_with(&t, alice());
    block_on(c.get_manifest("lib/app", "latest")).unwrap();
    assert!(!block_on(c.blob_exists("lib/app", &digest)).unwrap());
    let asked: Vec<String> = t.requests_to(REALM).iter().map(|s| s.url.clone()).collect();
    assert_eq!(asked, [token_url(&["repository:lib/app:pull"]), token_url(&["repository:lib/app:pull,push"])]);
}

#[test]
fn a_mount_asks_one_token_for_both_repositories() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["both"]);
    let digest = Digest::sha256(b"x");
    let mount = crate::registry::url::with_query(
        &url("/v2/lib/app/blobs/uploads/"),
        &[("mount", &digest.to_string()), ("from", "lib/base")],
    );
    t.add(with_auth(Method::Post, &mount, "Bearer both", Reply::status(201)));
    assert!(block_on(client_with(&t, alice()).mount_blob("lib/app", &digest, "lib/base")).unwrap());
    assert_eq!(t.requests_to(REALM)[0].url, token_url(&["repository:lib/app:pull,push", "repository:lib/base:pull"]));
}

#[test]
fn a_token_about_to_expire_is_fetched_again() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    t.add(
        Route::sequence(
            Method::Get,
            REALM,
            vec![Reply::json(r#"{"token":"short","expires_in":1}"#), Reply::json(r#"{"token":"t2"}"#)],
        )
        .prefix(),
    );
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "short", &image);
    manifest_route(&t, "t2", &image);
    let c = client_with(&t, alice());
    block_on(c.get_manifest("lib/app", "latest")).unwrap();
    block_on(c.get_manifest("lib/app", "latest")).unwrap();
    assert_eq!(t.requests_to(REALM).len(), 2);
    assert_eq!(t.requests().last().unwrap().authorization(), Some("Bearer t2"));
}

#[test]
fn rechallenge_on_401_fetches_a_new_token_once() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["expired", "fresh"]);
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "fresh", &image);
    let challenge = format!("{},error=\"invalid_token\"", bearer_challenge());
    t.on(Method::Get, &url("/v2/lib/app/manifests/latest"), Reply::status(401).header("WWW-Authenticate", challenge));
    let fetched = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap();
    assert_eq!(fetched.digest, image.digest);
    let manifest_gets = t.requests_to(&url("/v2/lib/app/manifests/"));
    let used: Vec<_> = manifest_gets.iter().map(|s| s.authorization().unwrap_or("")).collect();
    assert_eq!(used, ["Bearer expired", "Bearer fresh"]);
    assert_eq!(t.requests_to(REALM).len(), 2);
}

#[test]
fn a_second_401_is_returned_not_looped_on() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["t1", "t2", "t3"]);
    let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#;
    t.on(
        Method::Get,
        &url("/v2/lib/app/manifests/latest"),
        Reply::status(401).header("WWW-Authenticate", bearer_challenge()).body(body),
    );
    let err = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED");
    assert_eq!(t.requests_to(&url("/v2/lib/app/manifests/")).len(), 2);
    assert_eq!(t.requests_to(REALM).len(), 2);
}

#[test]
fn rechallenge_may_name_a_new_realm() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["old"]);
    let new_realm = "https://auth2.example/token";
    t.add(Route::new(Method::Get, new_realm, Reply::json(r#"{"token":"new"}"#)).prefix());
    let image = TestImage::oci("amd64", &[b"l"]);
    manifest_route(&t, "new", &image);
    let challenge = format!("Bearer realm=\"{new_realm}\",service=\"{REGISTRY}\"");
    t.on(Method::Get, &url("/v2/lib/app/manifests/latest"), Reply::status(401).header("WWW-Authenticate", challenge));
    block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap();
    let second = t.requests_to(new_realm);
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].authorization(), Some(ALICE_BASIC));
}

#[test]
fn a_401_without_a_challenge_is_not_retried() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["t1"]);
    t.on(Method::Get, &url("/v2/lib/app/manifests/latest"), Reply::status(401));
    let err = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED");
    assert_eq!(t.requests_to(&url("/v2/lib/app/")).len(), 1);
}

#[test]
fn a_given_registry_token_is_not_replaced_on_401() {
    let t = FakeTransport::new();
    bearer_registry(&t);
    token_service(&t, &["never"]);
    t.on(
        Method::Get,
        &url("/v2/lib/app/manifests/latest"),
        Reply::status(401).header("WWW-Authenticate", bearer_challenge()),
    );
    let c = client_with(&t, Credentials::RegistryToken("given".into()));
    assert_eq!(block_on(c.get_manifest("lib/app", "latest")).unwrap_err().code(), "UNAUTHORIZED");
    assert!(t.requests_to(REALM).is_empty());
    assert_eq!(t.requests_to(&url("/v2/lib/app/")).len(), 1);
}

#[test]
fn basic_challenge_sends_basic_to_the_registry() {
    let t = FakeTransport::new();
    basic_registry(&t);
    let image = TestImage::oci("amd64", &[b"l"]);
    t.add(with_auth(Method::Get, &url("/v2/lib/app/manifests/latest"), ALICE_BASIC, manifest_reply(&image)));
    block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap();
    assert!(t.unanswered().is_empty());
    assert_eq!(t.requests().len(), 2);
}

#[test]
fn token_service_failures_are_auth_errors() {
    for (reply, expected) in [
        (Reply::status(500), "answered HTTP 500"),
        (Reply::json(r#"{"nothing":1}"#), "without a token"),
        (Reply::ok().body("<html>"), "token JSON"),
        (Reply::network_error("refused"), "cannot reach the token service"),
        (Reply::ok().header("Content-Length", (2u64 << 20).to_string()), "exceeds the limit"),
    ] {
        let t = FakeTransport::new();
        bearer_registry(&t);
        t.add(Route::new(Method::Get, REALM, reply).prefix());
        let err = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert_eq!(t.requests_to(&url("/v2/lib/")).len(), 0);
    }
}

#[test]
fn a_realm_that_is_not_http_is_never_asked() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::status(401).header("WWW-Authenticate", "Bearer realm=\"file:///etc/x\""));
    let err = block_on(client_with(&t, alice()).get_manifest("lib/app", "latest")).unwrap_err();
    assert!(matches!(err, crate::Error::Auth(_)), "{err}");
    assert_eq!(t.requests().len(), 1, "only the ping");
}

#[test]
fn check_credentials_as_login_does() {
    // Basic: the registry itself says yes or no.
    let t = FakeTransport::new();
    t.add(with_auth(Method::Get, &url("/v2/"), ALICE_BASIC, Reply::ok()));
    basic_registry(&t);
    assert!(block_on(client_with(&t, alice()).check_credentials()).unwrap());
    let wrong = Credentials::Basic { username: "alice".into(), password: "nope".into() };
    assert!(!block_on(client_with(&t, wrong).check_credentials()).unwrap());
    // Bearer: a token with no scope, then /v2/ with it; a refusing realm means no.
    let t = FakeTransport::new();
    t.add(with_auth(Method::Get, &url("/v2/"), "Bearer login", Reply::ok()));
    bearer_registry(&t);
    token_service(&t, &["login"]);
    assert!(block_on(client_with(&t, alice()).check_credentials()).unwrap());
    assert_eq!(t.requests_to(REALM)[0].url, token_url(&[]));
    let t = FakeTransport::new();
    bearer_registry(&t);
    t.add(Route::new(Method::Get, REALM, Reply::status(401)).prefix());
    assert!(!block_on(client_with(&t, alice()).check_credentials()).unwrap());
    // A registry that asks nothing accepts anything.
    let t = FakeTransport::new();
    anonymous(&t);
    assert!(block_on(client_with(&t, alice()).check_credentials()).unwrap());
    assert_eq!(t.requests().len(), 1);
}
