//! Unit tests of the proxy core: request paths resolved to upstream, repository and kind; the
//! blob stream that holds back its last chunk; the manifest check; and [`forward`] against a
//! scripted transport (no socket: answers come from a table, requests are recorded).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::error::Error;
use crate::registry::{ClientOptions, Credentials};

const HEX: &str = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

fn resolve(path: &str, upstream: Upstream<'_>) -> ProxyPath {
    resolve_path(path, upstream).unwrap_or_else(|e| panic!("{path:?} should resolve: {e}"))
}

fn code(path: &str, upstream: Upstream<'_>) -> String {
    match resolve_path(path, upstream) {
        Ok(p) => panic!("{path:?} should be refused, got {p:?}"),
        Err(e) => e.code().to_string(),
    }
}

/// (registry, repository, kind, reference, byDigest) of a resolved path.
fn summary(p: &ProxyPath) -> (&str, Option<&str>, Kind, Option<&str>, bool) {
    (p.registry.as_str(), p.repository.as_deref(), p.kind, p.reference.as_deref(), p.by_digest)
}

const HUB: Upstream<'static> = Upstream::Default("docker.io");

#[test]
fn docker_hub_is_the_default_and_single_names_get_library() {
    let p = resolve("alpine/manifests/latest", HUB);
    assert_eq!(summary(&p), ("docker.io", Some("library/alpine"), Kind::Manifest, Some("latest"), false));
    assert_eq!(p.path.as_deref(), Some("manifests/latest"));
    let p = resolve("bitnami/redis/tags/list", HUB);
    assert_eq!(summary(&p), ("docker.io", Some("bitnami/redis"), Kind::Tags, None, false));
    assert_eq!(p.path.as_deref(), Some("tags/list"));
    // `org` is no host: the default registry keeps the whole name.
    assert_eq!(resolve("org/app/x/tags/list", HUB).repository.as_deref(), Some("org/app/x"));
}

#[test]
fn another_default_registry_adds_no_library() {
    let p = resolve("alpine/manifests/v1", Upstream::Default("registry.example:5000"));
    assert_eq!(summary(&p), ("registry.example:5000", Some("alpine"), Kind::Manifest, Some("v1"), false));
}

#[test]
fn a_registry_host_as_first_component_names_the_upstream() {
    let p = resolve("ghcr.io/org/app/manifests/1.0", HUB);
    assert_eq!(summary(&p), ("ghcr.io", Some("org/app"), Kind::Manifest, Some("1.0"), false));
    let blob = format!("localhost:5000/team/app/blobs/sha256:{HEX}");
    let p = resolve(&blob, Upstream::Default("ghcr.io"));
    let digest = format!("sha256:{HEX}");
    assert_eq!(summary(&p), ("localhost:5000", Some("team/app"), Kind::Blob, Some(digest.as_str()), true));
    assert_eq!(resolve("localhost/app/tags/list", HUB).registry, "localhost");
    // Docker Hub's other names, and upper case, are folded.
    let p = resolve("index.docker.io/alpine/tags/list", Upstream::Default("ghcr.io"));
    assert_eq!(summary(&p), ("docker.io", Some("library/alpine"), Kind::Tags, None, false));
    assert_eq!(resolve("GHCR.IO/org/app/tags/list", HUB).registry, "ghcr.io");
    // A host alone is a repository name on the default registry.
    assert_eq!(resolve("ghcr.io/tags/list", HUB).repository.as_deref(), Some("library/ghcr.io"));
}

#[test]
fn a_named_upstream_takes_the_whole_name() {
    let ns = Upstream::Named("ghcr.io");
    assert_eq!(resolve("org/app/tags/list", ns).repository.as_deref(), Some("org/app"));
    let p = resolve("ghcr.io/org/app/tags/list", ns);
    assert_eq!((p.registry.as_str(), p.repository.as_deref()), ("ghcr.io", Some("ghcr.io/org/app")));
    let p = resolve("alpine/manifests/v1", Upstream::Named("registry-1.docker.io"));
    assert_eq!((p.registry.as_str(), p.repository.as_deref()), ("docker.io", Some("library/alpine")));
    let p = resolve("team/app/manifests/v1", Upstream::Named(" Registry.Example:5000 "));
    assert_eq!((p.registry.as_str(), p.repository.as_deref()), ("registry.example:5000", Some("team/app")));
}

#[test]
fn digests_mark_immutable_answers_and_may_be_percent_encoded() {
    let digest = format!("sha256:{HEX}");
    let p = resolve(&format!("app/manifests/sha256%3A{HEX}"), Upstream::Named("ghcr.io"));
    assert_eq!(summary(&p), ("ghcr.io", Some("app"), Kind::Manifest, Some(digest.as_str()), true));
    assert_eq!(p.path, Some(format!("manifests/{digest}")));
    let p = resolve(&format!("my%2Dapp/blobs/{digest}"), Upstream::Named("ghcr.io"));
    assert_eq!(p.repository.as_deref(), Some("my-app"));
    assert!(p.by_digest);
}

#[test]
fn the_ping_needs_no_repository() {
    let p = resolve("", Upstream::Named("INDEX.docker.io"));
    assert_eq!(summary(&p), ("docker.io", None, Kind::Ping, None, false));
    assert_eq!(p.path, None);
    assert_eq!(resolve("", Upstream::Default("registry.example:5000")).registry, "registry.example:5000");
}

#[test]
fn paths_that_are_no_registry_endpoint_are_not_found() {
    for path in [
        "alpine",
        "tags/list",
        "/tags/list",
        "alpine/manifests/",
        "alpine/blobs/a/b",
        "alpine/uploads/x",
        "manifests/v1",
    ] {
        assert_eq!(code(path, HUB), "NOT_FOUND", "{path:?}");
    }
    let message = resolve_path("alpine/uploads/x", HUB).unwrap_err().to_string();
    assert!(message.contains("/v2/alpine/uploads/x"), "{message}");
}

#[test]
fn invalid_names_tags_and_digests_are_refused() {
    let ns = Upstream::Named("ghcr.io");
    assert_eq!(code("Alpine/manifests/v1", ns), "INVALID_REFERENCE");
    assert_eq!(code("alpine/manifests/-bad", ns), "INVALID_REFERENCE");
    assert_eq!(code("alpine:1/manifests/v1", ns), "INVALID_REFERENCE");
    assert_eq!(code("a//b/tags/list", ns), "INVALID_REFERENCE");
    assert_eq!(code("alpine/manifests/%ff", ns), "INVALID_REFERENCE");
    assert_eq!(code("alpine/blobs/sha256:abc", ns), "INVALID_DIGEST");
    assert_eq!(code("alpine/blobs/latest", ns), "INVALID_DIGEST");
    assert_eq!(code(&format!("alpine/manifests/md5:{HEX}"), ns), "INVALID_DIGEST");
    // An upstream that is no host name.
    assert_eq!(code("alpine/tags/list", Upstream::Named("not a host")), "INVALID_REFERENCE");
}

#[test]
fn upstream_requests_are_checked_before_anything_is_sent() {
    assert!(UpstreamRequest::new("docker.io", "library/alpine", "tags/list?n=10", "GET").is_ok());
    let request = UpstreamRequest::new("ghcr.io", "org/app", "manifests/v1", "HEAD").unwrap();
    assert_eq!((request.method, request.target), (Method::Head, Target::Manifest { reference: "v1".into() }));
    let refused = |registry: &str, repository: &str, path: &str, method: &str| {
        UpstreamRequest::new(registry, repository, path, method).unwrap_err().code().to_string()
    };
    assert_eq!(refused("docker.io", "library/alpine", "manifests/v1", "PUT"), "UNSUPPORTED");
    // A Docker Hub name must already carry library/; the normalization may not change it.
    assert_eq!(refused("docker.io", "alpine", "manifests/v1", "GET"), "INVALID_REFERENCE");
    assert_eq!(refused("ghcr.io", "org/app", "uploads/", "GET"), "INVALID_REFERENCE");
    assert_eq!(refused("ghcr.io", "org/app", "blobs/sha256:00", "GET"), "INVALID_DIGEST");
}

// ---- the blob stream that holds back its last chunk ----

fn body_of(chunks: Vec<Vec<u8>>) -> ByteStream {
    Box::pin(stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c)))))
}

/// The chunks released before the end, and the stream's error if it ended with one.
async fn drain(mut stream: ByteStream) -> (Vec<u8>, Option<Error>) {
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(e) => {
                assert!(stream.next().await.is_none(), "nothing follows the error");
                return (out, Some(e));
            }
        }
    }
    (out, None)
}

fn chunked(data: &[u8], size: usize) -> Vec<Vec<u8>> {
    data.chunks(size).map(<[u8]>::to_vec).collect()
}

fn blob(data: &[u8], size: usize, digest: &Digest, declared: Option<u64>) -> ByteStream {
    verified_blob(body_of(chunked(data, size)), digest.clone(), declared, "blob".into())
}

/// How many bytes of a damaged blob cut into `pieces` are released: every chunk but the last
/// one, and with a declared size (the digest is then checked as the last chunk arrives, an error
/// in place of that chunk, and the held chunk before it is dropped) every chunk but the last two.
fn released(pieces: &[usize], declared: bool) -> usize {
    let keep = pieces.len().saturating_sub(if declared { 2 } else { 1 });
    pieces[..keep].iter().sum()
}

fn sample() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn a_good_blob_streams_whole_in_any_chunking() {
    let data = sample();
    let digest = Digest::sha256(&data);
    for size in [1, 2, 7, 100, 999, 1000, 4096] {
        for declared in [None, Some(data.len() as u64)] {
            let (out, error) = drain(blob(&data, size, &digest, declared)).await;
            assert!(error.is_none(), "chunks of {size}, declared {declared:?}: {error:?}");
            assert_eq!(out, data, "chunks of {size}");
        }
    }
}

#[tokio::test]
async fn a_damaged_blob_never_releases_its_last_chunk() {
    let data = sample();
    let digest = Digest::sha256(&data);
    let mut damaged = data.clone();
    damaged[500] ^= 1;
    for size in [1, 3, 64, 500, 999, 1000] {
        for declared in [None, Some(data.len() as u64)] {
            let (out, error) = drain(blob(&damaged, size, &digest, declared)).await;
            let pieces: Vec<usize> = damaged.chunks(size).map(<[u8]>::len).collect();
            let kept = released(&pieces, declared.is_some());
            assert!(kept < damaged.len());
            assert_eq!(out, damaged[..kept], "chunks of {size}, declared {declared:?}");
            assert_eq!(error.map(|e| e.code().to_string()).as_deref(), Some("DIGEST_MISMATCH"));
        }
    }
}

#[tokio::test]
async fn a_short_or_long_blob_is_cut_short_with_an_error() {
    let data = sample();
    let digest = Digest::sha256(&data);
    // Short: the upstream ends early; the declared length is never reached.
    let (out, error) = drain(blob(&data[..900], 100, &digest, Some(1000))).await;
    assert_eq!(out.len(), 800);
    assert!(matches!(error, Some(Error::SizeMismatch { expected: 1000, actual: 900, .. })), "{error:?}");
    // Long: more bytes than declared; the chunk that goes over is not released either.
    let mut long = data.clone();
    long.extend_from_slice(b"more");
    let (out, error) = drain(blob(&long, 100, &digest, Some(1000))).await;
    assert!(out.len() < 1000, "released {} bytes", out.len());
    assert!(matches!(error, Some(Error::SizeMismatch { expected: 1000, .. })), "{error:?}");
    // Long without a declared length: the digest tells.
    let (out, error) = drain(blob(&long, 100, &digest, None)).await;
    assert_eq!(out.len(), 1000);
    assert_eq!(error.unwrap().code(), "DIGEST_MISMATCH");
}

#[tokio::test]
async fn an_empty_blob_is_verified_too() {
    let empty = Digest::sha256(b"");
    let (out, error) = drain(blob(b"", 1, &empty, Some(0))).await;
    assert!(out.is_empty() && error.is_none(), "{error:?}");
    let (out, error) = drain(blob(b"", 1, &Digest::sha256(b"x"), None)).await;
    assert!(out.is_empty());
    assert_eq!(error.unwrap().code(), "DIGEST_MISMATCH");
}

#[tokio::test]
async fn an_upstream_error_takes_the_place_of_the_held_chunk() {
    let items: Vec<Result<Bytes>> = vec![
        Ok(Bytes::from_static(b"one")),
        Ok(Bytes::from_static(b"two")),
        Err(Error::Network("connection reset".into())),
        Ok(Bytes::from_static(b"never")),
    ];
    let (out, error) = drain(hold_last_chunk(Box::pin(stream::iter(items)))).await;
    assert_eq!(out, b"one");
    assert_eq!(error.unwrap().code(), "NETWORK");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_chunking_releases_all_of_a_good_blob_and_all_but_the_last_chunk_of_a_bad_one(
            data in proptest::collection::vec(any::<u8>(), 1..600),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
            flip in any::<prop::sample::Index>(),
            declared in any::<bool>(),
        ) {
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
            points.extend([0, data.len()]);
            points.sort_unstable();
            points.dedup();
            let pieces = |bytes: &[u8]| -> Vec<Vec<u8>> { points.windows(2).map(|w| bytes[w[0]..w[1]].to_vec()).collect() };
            let digest = Digest::sha256(&data);
            let size = declared.then_some(data.len() as u64);
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let good = verified_blob(body_of(pieces(&data)), digest.clone(), size, "blob".into());
            let (out, error) = runtime.block_on(drain(good));
            prop_assert!(error.is_none());
            prop_assert_eq!(&out, &data);

            let mut bad = data.clone();
            bad[flip.index(data.len())] ^= 0x40;
            let lengths: Vec<usize> = points.windows(2).map(|w| w[1] - w[0]).collect();
            let kept = released(&lengths, declared);
            let (out, error) = runtime.block_on(drain(verified_blob(body_of(pieces(&bad)), digest, size, "blob".into())));
            prop_assert!(kept < bad.len());
            prop_assert_eq!(&out[..], &bad[..kept]);
            prop_assert_eq!(error.map(|e| e.code().to_string()), Some("DIGEST_MISMATCH".to_string()));
        }
    }
}

// ---- the manifest check ----

const MANIFEST: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa","size":2},"layers":[]}"#;

#[test]
fn a_manifest_must_match_its_digest_or_the_upstreams() {
    let digest = Digest::sha256(MANIFEST);
    let text = digest.to_string();
    assert_eq!(verify_manifest("r", "app", &text, MANIFEST, None).unwrap(), digest);
    // By tag: the header is the expectation when sent, else the bytes' own digest is reported.
    assert_eq!(verify_manifest("r", "app", "v1", MANIFEST, Some(&format!(" {text} "))).unwrap(), digest);
    assert_eq!(verify_manifest("r", "app", "v1", MANIFEST, None).unwrap(), digest);
    let other = Digest::sha256(b"other");
    let err = verify_manifest("r", "app", &other.to_string(), MANIFEST, None).unwrap_err();
    assert_eq!(err.code(), "DIGEST_MISMATCH");
    assert!(err.to_string().contains("manifest r/app:"), "{err}");
    let err = verify_manifest("r", "app", "v1", MANIFEST, Some(&other.to_string())).unwrap_err();
    assert_eq!(err.code(), "DIGEST_MISMATCH");
    // The digest in the path wins over a header that disagrees.
    assert_eq!(verify_manifest("r", "app", &text, MANIFEST, Some(&other.to_string())).unwrap(), digest);
}

#[tokio::test]
async fn a_relayed_manifest_is_read_whole_and_its_headers_are_the_verified_ones() {
    let mut headers = Headers::new();
    headers.set("content-length", "1");
    let raw = relay_manifest(body_of(chunked(MANIFEST, 10)), &mut headers, "r", "app", "v1").await.unwrap();
    assert_eq!(raw, MANIFEST);
    assert_eq!(headers.get("docker-content-digest"), Some(Digest::sha256(MANIFEST).to_string().as_str()));
    assert_eq!(headers.get("content-length"), Some(MANIFEST.len().to_string().as_str()));
    // More than 4 MiB is refused before it is all in memory.
    let huge = vec![vec![b' '; 1 << 20]; 5];
    let err = relay_manifest(body_of(huge), &mut Headers::new(), "r", "app", "v1").await.unwrap_err();
    assert_eq!(err.code(), "MANIFEST_INVALID");
}

// ---- forward, over a scripted transport ----

/// One scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    chunks: Vec<Vec<u8>>,
}

fn answer(status: u16, headers: &[(&'static str, &str)], body: &[u8]) -> Answer {
    Answer { status, headers: headers.iter().map(|(n, v)| (*n, v.to_string())).collect(), chunks: chunked(body, 7) }
}

/// A request as the transport saw it: method, URL and `Authorization`.
type Seen = (Method, String, Option<String>, Option<String>);

/// Answers by URL from a table (404 for anything else) and records every request.
#[derive(Clone, Default)]
struct Scripted {
    answers: Arc<HashMap<String, Answer>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    fn new(answers: Vec<(String, Answer)>) -> Self {
        Scripted { answers: Arc::new(answers.into_iter().collect()), seen: Arc::default() }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Transport for Scripted {
    async fn send(&self, request: Request) -> Result<Response> {
        let authorization = request.headers.get("authorization").map(str::to_string);
        let accept = request.headers.get("accept").map(str::to_string);
        self.seen.lock().unwrap().push((request.method, request.url.clone(), authorization, accept));
        let answer = self.answers.get(&request.url).cloned().unwrap_or_else(|| answer(404, &[], b"{}"));
        let mut headers = Headers::new();
        for (name, value) in answer.headers {
            headers.append(name, value);
        }
        Ok(Response { status: answer.status, headers, body: body_of(answer.chunks) })
    }

    async fn sleep(&self, _duration: Duration) {}
}

const REGISTRY: &str = "registry.test";
const BASE: &str = "https://registry.test";

fn ping() -> (String, Answer) {
    (format!("{BASE}/v2/"), answer(401, &[("WWW-Authenticate", r#"Basic realm="registry""#)], b""))
}

fn client(transport: &Scripted) -> RegistryClient<Scripted> {
    let credentials = Credentials::Basic { username: "worker".into(), password: "secret".into() };
    let options = ClientOptions { credentials: Some(credentials), allow_http: false, base_url: None };
    RegistryClient::new(transport.clone(), REGISTRY, options)
}

fn request(path: &str, method: &str) -> UpstreamRequest {
    UpstreamRequest::new(REGISTRY, "team/app", path, method).unwrap()
}

async fn relayed_bytes(relayed: Relayed) -> (u16, Headers, Vec<u8>, Option<Error>) {
    let Relayed { status, headers, body } = relayed;
    match body {
        RelayBody::Bytes(raw) => (status, headers, raw, None),
        RelayBody::Stream(stream) => {
            let (out, error) = drain(stream).await;
            (status, headers, out, error)
        }
        RelayBody::Empty => (status, headers, Vec::new(), None),
    }
}

#[tokio::test]
async fn forward_relays_a_verified_manifest_with_the_workers_credentials() {
    let digest = Digest::sha256(MANIFEST).to_string();
    let url = format!("{BASE}/v2/team/app/manifests/v1");
    let transport = Scripted::new(vec![
        ping(),
        (url.clone(), answer(200, &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")], MANIFEST)),
    ]);
    let relayed =
        forward(&client(&transport), &request("manifests/v1", "GET"), Some("application/json")).await.unwrap();
    let (status, headers, raw, error) = relayed_bytes(relayed).await;
    assert_eq!((status, raw.as_slice(), error.is_none()), (200, MANIFEST, true));
    assert_eq!(headers.get("docker-content-digest"), Some(digest.as_str()));
    let seen = transport.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1].1, url);
    assert!(seen[1].2.as_deref().is_some_and(|a| a.starts_with("Basic ")), "{seen:?}");
    assert_eq!(seen[1].3.as_deref(), Some("application/json"));
}

#[tokio::test]
async fn forward_refuses_a_manifest_that_does_not_match() {
    let other = Digest::sha256(b"other").to_string();
    let transport = Scripted::new(vec![
        ping(),
        (format!("{BASE}/v2/team/app/manifests/v1"), answer(200, &[("Docker-Content-Digest", &other)], MANIFEST)),
        (format!("{BASE}/v2/team/app/manifests/{other}"), answer(200, &[], MANIFEST)),
    ]);
    for path in ["manifests/v1".to_string(), format!("manifests/{other}")] {
        let err = forward(&client(&transport), &request(&path, "GET"), None).await.err().expect("refused");
        assert_eq!(err.code(), "DIGEST_MISMATCH", "{path}");
    }
}

#[tokio::test]
async fn forward_follows_a_blob_redirect_without_credentials_and_verifies_the_bytes() {
    let data = sample();
    let digest = Digest::sha256(&data);
    let storage = "https://storage.test/blob?sig=1";
    let transport = Scripted::new(vec![
        ping(),
        (format!("{BASE}/v2/team/app/blobs/{digest}"), answer(307, &[("Location", storage)], b"")),
        (storage.to_string(), answer(200, &[("Content-Length", "1000")], &data)),
    ]);
    let relayed = forward(&client(&transport), &request(&format!("blobs/{digest}"), "GET"), None).await.unwrap();
    let (status, _, out, error) = relayed_bytes(relayed).await;
    assert_eq!((status, out == data, error.is_none()), (200, true, true));
    let seen = transport.seen();
    assert!(seen[1].2.is_some(), "the registry gets the credentials: {seen:?}");
    assert_eq!((seen[2].1.as_str(), seen[2].2.as_deref()), (storage, None), "the storage host gets none");
}

#[tokio::test]
async fn forward_cuts_a_damaged_blob_short() {
    let data = sample();
    let digest = Digest::sha256(&data);
    let mut damaged = data.clone();
    damaged[10] ^= 1;
    let transport = Scripted::new(vec![
        ping(),
        (format!("{BASE}/v2/team/app/blobs/{digest}"), answer(200, &[("Content-Length", "1000")], &damaged)),
    ]);
    let relayed = forward(&client(&transport), &request(&format!("blobs/{digest}"), "GET"), None).await.unwrap();
    let (status, _, out, error) = relayed_bytes(relayed).await;
    assert_eq!(status, 200);
    let pieces: Vec<usize> = damaged.chunks(7).map(<[u8]>::len).collect();
    assert_eq!(out, damaged[..released(&pieces, true)], "the last chunks are held back");
    assert_eq!(error.unwrap().code(), "DIGEST_MISMATCH");
}

#[tokio::test]
async fn forward_passes_heads_errors_and_tag_lists_through() {
    let tags = br#"{"name":"team/app","tags":["v1"]}"#;
    let transport = Scripted::new(vec![
        ping(),
        (format!("{BASE}/v2/team/app/manifests/v1"), answer(200, &[("Docker-Content-Digest", "sha256:x")], b"")),
        (
            format!("{BASE}/v2/team/app/tags/list?n=1"),
            answer(200, &[("Link", "</v2/team/app/tags/list?last=v1>")], tags),
        ),
    ]);
    let head = forward(&client(&transport), &request("manifests/v1", "HEAD"), None).await.unwrap();
    assert!(matches!(head.body, RelayBody::Empty));
    assert_eq!((head.status, head.headers.get("docker-content-digest")), (200, Some("sha256:x")));
    let (status, headers, out, _) =
        relayed_bytes(forward(&client(&transport), &request("tags/list?n=1", "GET"), None).await.unwrap()).await;
    assert_eq!((status, out.as_slice()), (200, &tags[..]));
    assert!(headers.get("link").is_some());
    let (status, _, out, error) =
        relayed_bytes(forward(&client(&transport), &request("manifests/v9", "GET"), None).await.unwrap()).await;
    assert_eq!((status, out.as_slice(), error.is_none()), (404, &b"{}"[..], true));
}
