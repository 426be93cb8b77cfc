//! The verifying registry proxy of the edge Worker, on any target: which upstream and repository
//! a `/v2/` request is for ([`route`]), and the upstream request with what may be relayed of its
//! answer ([`forward`]).
//!
//! - The request goes through a [`RegistryClient`] with the Worker's credentials for that
//!   upstream (ping, challenge, token), following redirects by hand: a hop to another origin is
//!   made without `Authorization`.
//! - A `200` manifest `GET` is read whole (at most [`MAX_MANIFEST_SIZE`]) and checked against the
//!   digest it is addressed by, or the upstream's `Docker-Content-Digest`, before any byte is
//!   relayed ([`relay_manifest`]). The relayed headers carry the verified digest and length.
//! - A `200` blob `GET` streams through a digest check one chunk behind ([`verified_blob`]): on a
//!   mismatch the stream errors *instead of* delivering its last bytes, so a client's download
//!   is cut short and fails even if it trusts `Content-Length`.
//! - Anything else (errors, `HEAD`, tag lists) passes through with the upstream's status, headers
//!   and body.
//!
//! The wasm face (`wasm::proxy`) turns JavaScript arguments into these calls and the result into
//! a JavaScript object and `ReadableStream`.

pub mod route;

use bytes::Bytes;
use futures_util::{stream, StreamExt};

use crate::digest::{Digest, VerifiedStream, Verifier};
use crate::error::Result;
use crate::http::{ByteStream, Headers, Method, Request, Response, Transport};
use crate::manifest::{self, manifest_digest, MAX_MANIFEST_SIZE};
use crate::registry::api::pull_scope;
use crate::registry::RegistryClient;
pub use route::{check_repository, parse_method, parse_target, resolve_path, Kind, ProxyPath, Target, Upstream};

/// One pull request for an upstream, checked before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamRequest {
    /// The upstream repository (`library/alpine`).
    pub repository: String,
    /// `manifests/REF`, `blobs/DIGEST` or `tags/list`, with an optional `?query`.
    pub path: String,
    /// What `path` asks for.
    pub target: Target,
    /// `GET` or `HEAD`.
    pub method: Method,
}

impl UpstreamRequest {
    /// Checks a request for `repository` on `registry`: the method, the repository name and the
    /// path (see [`parse_method`], [`check_repository`], [`parse_target`]).
    pub fn new(registry: &str, repository: &str, path: &str, method: &str) -> Result<UpstreamRequest> {
        let method = parse_method(method)?;
        check_repository(registry, repository)?;
        let target = parse_target(path)?;
        Ok(UpstreamRequest { repository: repository.to_string(), path: path.to_string(), target, method })
    }
}

/// The body of a relayed answer.
pub enum RelayBody {
    /// Verified manifest bytes.
    Bytes(Vec<u8>),
    /// A blob verified as it streams, or a body passed through.
    Stream(ByteStream),
    /// No body (`HEAD`).
    Empty,
}

/// An upstream answer as the proxy relays it.
pub struct Relayed {
    /// The upstream's status.
    pub status: u16,
    /// The upstream's headers; for a verified manifest, `docker-content-digest` and
    /// `content-length` are those of the verified bytes.
    pub headers: Headers,
    /// The body; see [`RelayBody`].
    pub body: RelayBody,
}

/// Sends `request` to the client's registry and returns what to relay of the answer (see the
/// [module documentation](self)). `accept` is the client's `Accept` header for manifests.
pub async fn forward<T: Transport>(
    client: &RegistryClient<T>,
    request: &UpstreamRequest,
    accept: Option<&str>,
) -> Result<Relayed> {
    let registry = client.registry();
    let base = client.base_url().await?;
    let url = format!("{base}/v2/{}/{}", request.repository, request.path);
    let scope = pull_scope(&request.repository);
    let mut upstream = Request::new(request.method, &url);
    if let Some(accept) = accept {
        upstream = upstream.header("Accept", accept);
    }
    let Response { status, mut headers, body } = client.send_following_redirects(upstream, &scope).await?;
    // Tag lists pass through; the Worker rewrites their `Link` to point at itself.
    let body = match (&request.target, status, request.method) {
        (Target::Manifest { reference }, 200, Method::Get) => {
            RelayBody::Bytes(relay_manifest(body, &mut headers, registry, &request.repository, reference).await?)
        }
        (Target::Blob { digest }, 200, Method::Get) => {
            let size = headers.get("content-length").and_then(|l| l.trim().parse::<u64>().ok());
            let what = format!("blob {digest} from {registry}/{}", request.repository);
            RelayBody::Stream(verified_blob(body, digest.clone(), size, what))
        }
        (_, _, Method::Head) => RelayBody::Empty,
        _ => RelayBody::Stream(body),
    };
    Ok(Relayed { status, headers, body })
}

/// Reads the manifest body of `registry/repository:reference` whole (at most
/// [`MAX_MANIFEST_SIZE`]), verifies it (see [`verify_manifest`]) and sets `headers`'
/// `docker-content-digest` and `content-length` to those of the verified bytes.
pub async fn relay_manifest(
    body: ByteStream,
    headers: &mut Headers,
    registry: &str,
    repository: &str,
    reference: &str,
) -> Result<Vec<u8>> {
    let raw = crate::http::read_limited(body, MAX_MANIFEST_SIZE, "manifest").await?;
    let digest = verify_manifest(registry, repository, reference, &raw, headers.get("docker-content-digest"))?;
    headers.set("docker-content-digest", digest.to_string());
    headers.set("content-length", raw.len().to_string());
    Ok(raw)
}

/// Checks manifest bytes against the digest they are addressed by (or, for a tag, the upstream's
/// `Docker-Content-Digest` when sent) and returns their digest.
pub fn verify_manifest(
    registry: &str,
    repository: &str,
    reference: &str,
    raw: &[u8],
    header: Option<&str>,
) -> Result<Digest> {
    let what = format!("manifest {registry}/{repository}:{reference}");
    match manifest::expected_digest(reference, header) {
        Some(expected) => manifest::verify(raw, Some(&expected), &what),
        // Nothing to check against: name the bytes by their digest, whatever they are.
        None => manifest_digest(raw).or_else(|_| Ok(Digest::sha256(raw))),
    }
}

/// A blob body checked against `digest` (and `size`, when known) as it streams, one chunk
/// behind (see [`hold_last_chunk`]): on a mismatch the error takes the place of the last chunk.
pub fn verified_blob(body: ByteStream, digest: Digest, size: Option<u64>, what: String) -> ByteStream {
    let verified = VerifiedStream::new(body, Verifier::new(digest, size, what));
    hold_last_chunk(Box::pin(verified))
}

/// Passes a stream through one chunk behind: each chunk is released when the next one arrives,
/// the last one only when the stream ends cleanly. An error (a digest mismatch at the end)
/// therefore replaces the last chunk rather than following it.
pub fn hold_last_chunk(inner: ByteStream) -> ByteStream {
    Box::pin(stream::unfold(Some((inner, None::<Bytes>)), |state| async move {
        let (mut inner, mut held) = state?;
        loop {
            match inner.next().await {
                Some(Ok(chunk)) => {
                    if let Some(previous) = held.replace(chunk) {
                        return Some((Ok(previous), Some((inner, held))));
                    }
                }
                Some(Err(err)) => return Some((Err(err), None)),
                None => return held.map(|last| (Ok(last), None)),
            }
        }
    }))
}

#[cfg(test)]
mod tests;
