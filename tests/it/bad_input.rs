//! Bad input and protocol corners: every failure is exit 1 (or 2 for "not found"), one stderr
//! line, no panic. The misbehaving registries are tiny in-test HTTP servers, since a real
//! registry cannot produce these answers.

use crate::common;

use common::http::{Message, Reply, Server};
use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TLS: &str = "--tls-verify=false";

/// A small but valid OCI manifest, as served by the fake registries.
const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;

/// A fake registry: answers the `/v2/` ping itself and everything else with `route`.
fn fake_registry(route: impl Fn(&Message) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(move |req| {
        if req.path() == "/v2/" {
            return Reply::new(200, "application/json", "{}")
                .with_header("Docker-Distribution-Api-Version", "registry/2.0");
        }
        route(req)
    })
}

/// `docker://127.0.0.1:PORT/{name}` on a fake registry.
fn fake_ref(server: &Server, name: &str) -> String {
    format!("docker://{}/{name}", server.host())
}

#[test]
fn invalid_references_exit_1() {
    let refs = [
        "docker://UPPER/Case",
        "docker://a@sha256:123",
        "nope:foo",
        "",
        "docker://",
        "docker:",
        "docker://127.0.0.1:1/r@sha256:zz",
        "docker://127.0.0.1:1/r@md5:d41d8cd98f00b204e9800998ecf8427e",
        "docker://127.0.0.1:1/r@sha256:0000000000000000000000000000000000000000000000000000000000000000000",
        "docker://127.0.0.1:1/r:bad tag",
        "docker://127.0.0.1:1/r:-leadingdash",
        "docker://127.0.0.1:1//double",
    ];
    for r in refs {
        let reference = skopeo(&["inspect", TLS, r]);
        assert_eq!(reference.code, 1, "skopeo inspect {r:?}: {}", reference.stderr);
        assert_clean_failure(&skopos(&["inspect", TLS, r]), 1);
    }
}

#[test]
fn invalid_list_tags_references_exit_1() {
    for r in [
        "docker://UPPER/Case",
        "docker://127.0.0.1:1/r:tag",
        "docker://127.0.0.1:1/r@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "nope:foo",
        "",
    ] {
        let reference = skopeo(&["list-tags", TLS, r]);
        assert_eq!(reference.code, 1, "skopeo list-tags {r:?}: {}", reference.stderr);
        assert_clean_failure(&skopos(&["list-tags", TLS, r]), 1);
    }
}

#[test]
fn bad_flags_exit_nonzero_without_panic() {
    for args in [
        vec!["inspect"],
        vec!["inspect", "--creds", "a:b", "--no-creds", "docker://127.0.0.1:1/r:t"],
        vec!["no-such-command"],
    ] {
        let reference = skopeo(&args);
        assert_ne!(reference.code, 0, "skopeo {args:?} succeeded");
        let ours = skopos(&args);
        assert_ne!(ours.code, 0, "skopos {args:?} succeeded");
        assert!(!ours.stderr.contains("panicked"), "{}", ours.stderr);
    }
}

/// skopeo's manifest-digest hashes whatever bytes it gets (it only special-cases signed
/// schema1), so non-JSON and truncated files succeed; skopos must print the same digest.
#[test]
fn manifest_digest_of_odd_files() {
    // skopeo hashes any bytes; skopos refuses input that is not JSON (it is not a manifest),
    // and agrees with skopeo on JSON input.
    let dir = tempfile::TempDir::new().unwrap();
    let refused: [(&str, &[u8]); 3] = [
        ("not-json", b"this is not json"),
        ("truncated", br#"{"schemaVersion": 2, "layers": [{"dig"#),
        ("binary", &[0xff, 0xfe, 0x00, 0x01]),
    ];
    for (name, content) in refused {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let run = skopos(&["manifest-digest", path.to_str().unwrap()]);
        assert_clean_failure(&run, 1);
        assert!(run.stderr.contains("not JSON"), "{name}: {}", run.stderr);
    }
    let path = dir.path().join("manifest-with-newline");
    let content = b"{\"schemaVersion\":2}\n";
    std::fs::write(&path, content).unwrap();
    let out = assert_same_output(&["manifest-digest", path.to_str().unwrap()]);
    assert_eq!(out, format!("{}\n", common::image::sha256(content)));
}

#[test]
fn manifest_digest_of_unreadable_file_exits_1() {
    let dir = tempfile::TempDir::new().unwrap();
    let missing = dir.path().join("missing.json");
    for path in [missing.to_str().unwrap(), dir.path().to_str().unwrap()] {
        let reference = skopeo(&["manifest-digest", path]);
        assert_eq!(reference.code, 1, "skopeo manifest-digest {path}: {}", reference.stderr);
        assert_clean_failure(&skopos(&["manifest-digest", path]), 1);
    }
}

#[test]
fn html_manifest_with_200_exits_1() {
    let server = fake_registry(|_| Reply::new(200, "text/html", "<html><body>Welcome to nginx!</body></html>"));
    let image = fake_ref(&server, "r:t");
    assert_eq!(skopeo(&["inspect", TLS, &image]).code, 1);
    assert_clean_failure(&skopos(&["inspect", TLS, &image]), 1);
}

#[test]
fn server_error_exits_1() {
    let server = fake_registry(|_| Reply::new(500, "text/plain", "internal error"));
    let image = fake_ref(&server, "r:t");
    assert_eq!(skopeo(&["inspect", TLS, &image]).code, 1);
    assert_clean_failure(&skopos(&["inspect", TLS, &image]), 1);
    assert_clean_failure(&skopos(&["inspect", TLS, "--raw", &image]), 1);
    assert_clean_failure(&skopos(&["list-tags", TLS, &fake_ref(&server, "r")]), 1);
}

#[test]
fn oversized_manifest_is_refused() {
    // 5 MiB of valid JSON with a manifest content type.
    let mut body = String::from(
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"pad":""#,
    );
    body.push_str(&"a".repeat(5 * 1024 * 1024));
    body.push_str(r#""},"layers":[]}"#);
    let server = fake_registry(move |_| Reply::new(200, common::image::OCI_MANIFEST, body.clone()));
    let image = fake_ref(&server, "r:t");
    assert_eq!(skopeo(&["inspect", TLS, "--raw", &image]).code, 1);
    let ours = skopos(&["inspect", TLS, "--raw", &image]);
    assert!(ours.stdout.is_empty(), "printed {} bytes of an oversized manifest", ours.stdout.len());
    let line = assert_clean_failure(&ours, 1).to_lowercase();
    assert!(
        ["size", "large", "exceed", "limit", "4194304", "4 mib"].iter().any(|w| line.contains(w)),
        "error does not mention the size: {line}"
    );
}

#[test]
fn unreachable_token_realm_fails_quickly() {
    let closed = registry::free_port();
    let challenge = format!("Bearer realm=\"http://127.0.0.1:{closed}/token\",service=\"fake\"");
    let server = Server::start(move |_| {
        Reply::new(401, "application/json", r#"{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}"#)
            .with_header("WWW-Authenticate", &challenge)
            .with_header("Docker-Distribution-Api-Version", "registry/2.0")
    });
    let image = fake_ref(&server, "r:t");
    assert_eq!(skopeo(&["inspect", TLS, &image]).code, 1);
    let start = Instant::now();
    let ours = skopos(&["inspect", TLS, &image]);
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    assert_clean_failure(&ours, 1);
}

#[test]
fn redirect_loop_exits_1() {
    let server = fake_registry(|req| {
        // Two URLs redirecting to each other.
        let next = if req.path().ends_with("/a") { "/v2/r/manifests/b" } else { "/v2/r/manifests/a" };
        Reply::new(302, "text/plain", "").with_header("Location", next)
    });
    let image = fake_ref(&server, "r:a");
    assert_eq!(skopeo(&["inspect", TLS, "--raw", &image]).code, 1);
    let line = assert_clean_failure(&skopos(&["inspect", TLS, "--raw", &image]), 1);
    assert!(line.to_lowercase().contains("redirect"), "error does not name redirects: {line}");
}

#[test]
fn too_many_requests_is_retried() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = fake_registry(move |req| {
        if !req.path().starts_with("/v2/r/manifests/") {
            return Reply::new(404, "application/json", r#"{"errors":[{"code":"NOT_FOUND"}]}"#);
        }
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::new(429, "application/json", r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#)
                .with_header("Retry-After", "1")
        } else {
            Reply::new(200, common::image::OCI_MANIFEST, MANIFEST)
        }
    });
    let ours = skopos(&["inspect", TLS, "--raw", &fake_ref(&server, "r:t")]).ok();
    assert_eq!(ours.stdout, MANIFEST);
    assert!(hits.load(Ordering::SeqCst) >= 2, "no retry happened");
}

/// A registry that paginates tags/list with `Link` headers (distribution 3 does; 2.8 does not):
/// every tag must be listed, in order, like skopeo does. Honors the client's `n` if given.
#[test]
fn paginated_tags_are_all_listed() {
    let tags: Vec<String> = (0..23).map(|i| format!("t{i:02}")).collect();
    let all = tags.clone();
    let server = fake_registry(move |req| {
        if req.path() != "/v2/r/tags/list" {
            return Reply::new(404, "application/json", r#"{"errors":[{"code":"NOT_FOUND"}]}"#);
        }
        let n = req.query_all("n").first().and_then(|n| n.parse().ok()).unwrap_or(5usize).clamp(1, 5);
        let start = match req.query_all("last").first() {
            Some(last) => all.iter().position(|t| t == last).map_or(all.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<&String> = all.iter().skip(start).take(n).collect();
        let body = serde_json::json!({"name": "r", "tags": page}).to_string();
        let mut reply = Reply::new(200, "application/json", body);
        if start + n < all.len() {
            let last = page.last().unwrap();
            reply = reply.with_header("Link", &format!("</v2/r/tags/list?last={last}&n={n}>; rel=\"next\""));
        }
        reply
    });
    let out = assert_same_output(&["list-tags", TLS, &fake_ref(&server, "r")]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed: Vec<String> = serde_json::from_value(v["Tags"].clone()).unwrap();
    assert_eq!(listed, tags);
}
