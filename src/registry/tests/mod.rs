//! Unit tests of the registry client against the scripted transport of [`crate::testing`]:
//! where credentials go, the token flow, back-off, the https→http fallback, pagination, manifest
//! checks and uploads. Each runs in memory, in milliseconds.

mod backoff;
mod credentials;
mod ends;
mod fallback;
mod manifests;
mod pagination;
mod token;
mod upload;

use crate::http::{read_limited, ByteStream, Method};
use crate::registry::{ClientOptions, Credentials, RegistryClient};
use crate::testing::{block_on, FakeTransport, Reply, Route, TestImage};
use crate::Digest;

/// The registry every test talks to, its API base, and its token service (on another host).
const REGISTRY: &str = "reg.example";
const BASE: &str = "https://reg.example";
const REALM: &str = "https://auth.example/token";
/// `Basic` for alice:s3cret.
const ALICE_BASIC: &str = "Basic YWxpY2U6czNjcmV0";

fn alice() -> Credentials {
    Credentials::Basic { username: "alice".into(), password: "s3cret".into() }
}

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

fn client(t: &FakeTransport) -> RegistryClient<FakeTransport> {
    RegistryClient::new(t.clone(), REGISTRY, ClientOptions::default())
}

fn client_with(t: &FakeTransport, credentials: Credentials) -> RegistryClient<FakeTransport> {
    RegistryClient::new(t.clone(), REGISTRY, ClientOptions { credentials: Some(credentials), ..Default::default() })
}

/// A registry that asks for nothing.
fn anonymous(t: &FakeTransport) {
    t.on(Method::Get, &url("/v2/"), Reply::ok());
}

/// A registry that asks for Basic credentials.
fn basic_registry(t: &FakeTransport) {
    t.on(Method::Get, &url("/v2/"), Reply::status(401).header("WWW-Authenticate", "Basic realm=\"reg\""));
}

fn bearer_challenge() -> String {
    format!("Bearer realm=\"{REALM}\",service=\"{REGISTRY}\"")
}

/// A registry that asks for a bearer token from [`REALM`].
fn bearer_registry(t: &FakeTransport) {
    t.on(Method::Get, &url("/v2/"), Reply::status(401).header("WWW-Authenticate", bearer_challenge()));
}

/// The token service: answers every token GET with these tokens in turn (the last repeats).
fn token_service(t: &FakeTransport, tokens: &[&str]) {
    let replies =
        tokens.iter().map(|tok| Reply::json(&format!("{{\"token\":\"{tok}\",\"expires_in\":300}}"))).collect();
    t.add(Route::sequence(Method::Get, REALM, replies).prefix());
}

/// The token GET URL for these scopes.
fn token_url(scopes: &[&str]) -> String {
    let mut pairs = vec![("service", REGISTRY)];
    pairs.extend(scopes.iter().map(|s| ("scope", *s)));
    crate::registry::url::with_query(REALM, &pairs)
}

/// Answers GET of a manifest URL with `image`'s bytes, its type, length and digest header.
fn manifest_reply(image: &TestImage) -> Reply {
    Reply::ok()
        .header("Content-Type", image.media_type)
        .header("Docker-Content-Digest", image.digest.to_string())
        .body(image.manifest.clone())
        .with_length()
}

/// A route that answers only requests carrying exactly this `Authorization`.
fn with_auth(method: Method, url: &str, authorization: impl Into<String>, reply: Reply) -> Route {
    let authorization = authorization.into();
    Route::new(method, url, reply).when(move |h| h.get("authorization") == Some(authorization.as_str()))
}

fn read(stream: ByteStream) -> crate::Result<Vec<u8>> {
    block_on(read_limited(stream, 1 << 30, "test body"))
}

fn blob_url(repository: &str, digest: &Digest) -> String {
    url(&format!("/v2/{repository}/blobs/{digest}"))
}
