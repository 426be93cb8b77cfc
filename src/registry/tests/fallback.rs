//! The https→http fallback happens only when TLS verification is off (`allow_http`).

use super::*;
use crate::registry::ClientOptions;

const PLAIN: &str = "http://reg.example";

fn options(allow_http: bool) -> ClientOptions {
    ClientOptions { allow_http, ..Default::default() }
}

#[test]
fn https_failure_is_final_when_tls_is_verified() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::network_error("certificate verify failed"));
    t.on(Method::Get, &format!("{PLAIN}/v2/"), Reply::ok());
    let c = RegistryClient::new(t.clone(), REGISTRY, options(false));
    let err = block_on(c.get_manifest("app", "latest")).unwrap_err();
    assert!(matches!(&err, crate::Error::Network(m) if m.contains("pinging container registry reg.example")), "{err}");
    assert!(err.to_string().contains("certificate verify failed"));
    assert!(t.requests_to("http://").is_empty(), "never plain http");
}

#[test]
fn falls_back_to_http_when_tls_verification_is_off() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::network_error("tls handshake"));
    t.on(Method::Get, &format!("{PLAIN}/v2/"), Reply::ok());
    let image = TestImage::oci("amd64", &[b"l"]);
    t.on(Method::Get, &format!("{PLAIN}/v2/app/manifests/latest"), manifest_reply(&image));
    let c = RegistryClient::new(t.clone(), REGISTRY, options(true));
    block_on(c.get_manifest("app", "latest")).unwrap();
    assert_eq!(block_on(c.base_url()).unwrap(), PLAIN);
    assert_eq!(
        t.lines(),
        [format!("GET {BASE}/v2/"), format!("GET {PLAIN}/v2/"), format!("GET {PLAIN}/v2/app/manifests/latest"),]
    );
}

#[test]
fn https_that_answers_is_used_even_when_http_is_allowed() {
    for status in [200, 401, 404] {
        let t = FakeTransport::new();
        t.on(Method::Get, &url("/v2/"), Reply::status(status));
        let c = RegistryClient::new(t.clone(), REGISTRY, options(true));
        assert_eq!(block_on(c.ping()).unwrap(), BASE);
        assert!(t.requests_to("http://").is_empty());
    }
}

#[test]
fn a_cancelled_ping_does_not_fall_back() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::cancelled("aborted"));
    t.on(Method::Get, &format!("{PLAIN}/v2/"), Reply::ok());
    let c = RegistryClient::new(t.clone(), REGISTRY, options(true));
    let err = block_on(c.ping()).unwrap_err();
    assert_eq!(err.code(), "CANCELLED");
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn both_schemes_failing_reports_the_last_failure() {
    let t = FakeTransport::new();
    t.on(Method::Get, &url("/v2/"), Reply::network_error("tls"));
    t.on(Method::Get, &format!("{PLAIN}/v2/"), Reply::network_error("connection refused"));
    let err = block_on(RegistryClient::new(t.clone(), REGISTRY, options(true)).ping()).unwrap_err();
    assert!(err.to_string().contains("connection refused"), "{err}");
    assert_eq!(t.requests().len(), 2);
}

#[test]
fn a_proxy_base_url_is_the_only_candidate() {
    let t = FakeTransport::new();
    t.add(Route::new(Method::Get, "https://proxy.example/v2/", Reply::network_error("down")).prefix());
    let c = RegistryClient::new(
        t.clone(),
        REGISTRY,
        ClientOptions { allow_http: true, base_url: Some("https://proxy.example/".into()), ..Default::default() },
    );
    assert!(block_on(c.ping()).is_err());
    assert_eq!(t.lines(), ["GET https://proxy.example/v2/?ns=reg.example"]);
}

#[test]
fn docker_hub_is_reached_at_its_api_host() {
    let t = FakeTransport::new();
    t.on(Method::Get, "https://registry-1.docker.io/v2/", Reply::ok());
    let c = RegistryClient::new(t.clone(), "docker.io", ClientOptions::default());
    assert_eq!(block_on(c.base_url()).unwrap(), "https://registry-1.docker.io");
    assert_eq!(block_on(c.base_url()).unwrap(), "https://registry-1.docker.io");
    assert_eq!(t.requests().len(), 1, "the ping's answer is remembered");
}
