//! Credentials stay with the registry: a blob redirect to another origin (a CDN) carries no
//! `Authorization`, the redirected blob is still verified against its digest, and `--debug`
//! never prints credentials. The registry and the CDN are fake servers on two loopback ports.

use crate::common;

use base64::Engine;
use common::http::{Message, Reply, Server};
use common::image::{sha256, OCI_CONFIG, OCI_MANIFEST};
use common::*;
use std::sync::{Arc, Mutex};

const TLS: &str = "--tls-verify=false";
const CREDS: &str = "user:secret";

/// The image config the fake registry's manifest points at.
const CONFIG: &str =
    r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;
/// Same length as [`CONFIG`], different bytes (so the size matches and the digest does not).
const TAMPERED_CONFIG: &str =
    r#"{"architecture":"arm64","os":"linux","config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;

/// `Basic base64(user:secret)`, as a client would send it.
fn basic_header() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(CREDS))
}

/// The manifest served for `repo:tag`: no layers, config [`CONFIG`].
fn manifest() -> String {
    serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256(CONFIG.as_bytes()), "size": CONFIG.len()},
        "layers": [],
    })
    .to_string()
}

/// Every request a fake server received.
type Log = Arc<Mutex<Vec<Message>>>;

/// A CDN serving `body` for any path and logging every request.
fn cdn(body: &'static str) -> (Server, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let server = Server::start(move |req| {
        seen.lock().unwrap().push(req.clone());
        Reply::new(200, "application/octet-stream", body)
    });
    (server, log)
}

/// A registry wanting Basic auth (`realm="r"`) for everything: it serves [`manifest`] for
/// `repo:tag`, the tag list (inspect prints `RepoTags`), and answers the config blob with a 307 to `cdn_base` (another origin). Logs
/// every request.
fn registry(cdn_base: String) -> (Server, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let config_path = format!("/v2/repo/blobs/{}", sha256(CONFIG.as_bytes()));
    let server = Server::start(move |req| {
        seen.lock().unwrap().push(req.clone());
        if req.header("authorization") != Some(basic_header().as_str()) {
            return Reply::new(
                401,
                "application/json",
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            )
            .with_header("WWW-Authenticate", "Basic realm=\"r\"")
            .with_header("Docker-Distribution-Api-Version", "registry/2.0");
        }
        match req.path() {
            "/v2/" => Reply::new(200, "application/json", "{}"),
            "/v2/repo/manifests/tag" => Reply::new(200, OCI_MANIFEST, manifest()),
            "/v2/repo/tags/list" => Reply::new(200, "application/json", r#"{"name":"repo","tags":["tag"]}"#),
            p if p == config_path => {
                Reply::new(307, "text/plain", "").with_header("Location", &format!("{cdn_base}/cdn/config?sig=abc"))
            }
            _ => Reply::new(404, "application/json", r#"{"errors":[{"code":"NOT_FOUND","message":"no"}]}"#),
        }
    });
    (server, log)
}

/// `docker://127.0.0.1:PORT/repo:tag` on the fake registry.
fn image(registry: &Server) -> String {
    format!("docker://{}/repo:tag", registry.host())
}

/// The `Authorization` headers in `log`.
fn authorizations(log: &Log) -> Vec<String> {
    log.lock().unwrap().iter().filter_map(|m| m.header("authorization").map(str::to_string)).collect()
}

#[test]
fn redirect_to_another_origin_drops_authorization() {
    let (cdn, cdn_log) = cdn(CONFIG);
    let (reg, reg_log) = registry(cdn.base_url());
    let ours = skopos(&["inspect", TLS, "--creds", CREDS, &image(&reg)]).ok();
    let v: serde_json::Value = serde_json::from_str(&ours.stdout).unwrap();
    assert_eq!(v["Architecture"], "amd64", "config not read: {}", ours.stdout);
    assert_eq!(v["Env"], serde_json::json!(["PATH=/bin"]));
    let cdn_requests = cdn_log.lock().unwrap().clone();
    assert!(cdn_requests.iter().any(|m| m.path() == "/cdn/config"), "the CDN was never asked: {cdn_requests:?}");
    assert_eq!(authorizations(&cdn_log), Vec::<String>::new(), "credentials leaked to the CDN");
    for m in &cdn_requests {
        assert!(
            !format!("{:?}", m.headers).contains(&basic_header()[6..]),
            "credentials in CDN headers: {:?}",
            m.headers
        );
    }
    assert!(authorizations(&reg_log).iter().any(|a| *a == basic_header()), "the registry never got the credentials");
}

/// skopeo (containers/image) over the same servers: its Go HTTP client also strips
/// `Authorization` on a redirect to a different host.
#[test]
fn skopeo_also_drops_authorization_on_redirect() {
    let (cdn, cdn_log) = cdn(CONFIG);
    let (reg, _) = registry(cdn.base_url());
    let reference = skopeo(&["inspect", TLS, "--creds", CREDS, &image(&reg)]).ok();
    assert!(reference.stdout.contains("\"Architecture\": \"amd64\""), "{}", reference.stdout);
    assert!(!cdn_log.lock().unwrap().is_empty(), "skopeo never asked the CDN");
    assert_eq!(authorizations(&cdn_log), Vec::<String>::new());
    assert_same_inspect(&["inspect", TLS, "--creds", CREDS, &image(&reg)]);
}

#[test]
fn redirected_blob_with_wrong_digest_fails() {
    let (cdn, cdn_log) = cdn(TAMPERED_CONFIG);
    let (reg, _) = registry(cdn.base_url());
    assert_eq!(skopeo(&["inspect", TLS, "--creds", CREDS, &image(&reg)]).code, 1);
    let ours = skopos(&["inspect", TLS, "--creds", CREDS, &image(&reg)]);
    assert!(ours.stdout.is_empty(), "printed output from a tampered config: {}", ours.stdout);
    let line = assert_clean_failure(&ours, 1);
    assert!(line.contains("digest mismatch"), "error does not name the digest mismatch: {line}");
    assert!(line.contains(&sha256(CONFIG.as_bytes())), "error does not name the expected digest: {line}");
    assert!(!cdn_log.lock().unwrap().is_empty(), "the CDN was never asked");
}

#[test]
fn debug_output_has_no_credentials() {
    let (cdn, _) = cdn(CONFIG);
    let (reg, _) = registry(cdn.base_url());
    let ours = skopos(&["--debug", "inspect", TLS, "--creds", CREDS, &image(&reg)]).ok();
    assert!(ours.stderr.lines().any(|l| l.contains("DEBUG")), "no DEBUG lines: {}", ours.stderr);
    assert!(ours.stderr.contains("/cdn/config"), "the redirect hop is not logged: {}", ours.stderr);
    for secret in ["secret", &basic_header()[6..]] {
        assert!(!ours.stderr.contains(secret), "--debug printed {secret:?}: {}", ours.stderr);
        assert!(!ours.stdout.contains(secret), "stdout has {secret:?}");
    }
}
