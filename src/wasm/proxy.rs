//! The upstream half of the edge worker's `/v2/` registry proxy: `proxyFetch`.
//!
//! The worker (`www/worker/`) decides *which* upstream registry and repository a client's request
//! is for; this module makes the request to that upstream with the worker's own credentials and
//! hands back what the client should see, verified:
//!
//! - It pings the upstream and answers its auth challenge (basic, or a bearer token fetched from
//!   the realm the upstream named) through [`RegistryClient`], so credentials go only to the
//!   upstream's origin and its token realm.
//! - Redirects (blob downloads sent to a storage host) are followed here, by hand: a hop to
//!   another origin is made without `Authorization`.
//! - A `200` manifest `GET` is read whole (at most 4 MiB) and checked against the digest it is
//!   addressed by, or the upstream's `Docker-Content-Digest`; a mismatch is an error
//!   (`DIGEST_MISMATCH`), so no bytes reach the client. The response carries the verified digest.
//! - A `200` blob `GET` streams through a digest check that holds back the last chunk until the
//!   digest is known: on a mismatch the stream errors *instead of* delivering its last bytes, so
//!   the client's download is cut short and fails even if it trusts `Content-Length`.
//! - Anything else (errors, `HEAD`, tag lists) passes through with the upstream's status,
//!   headers and body; the worker picks the headers it forwards.
//!
//! Upstream clients are kept per registry and options for the life of the wasm instance, so the
//! ping and bearer tokens are reused across requests (tokens until they expire).

use std::cell::RefCell;
use std::collections::HashMap;

use bytes::Bytes;
use futures_util::{stream, StreamExt};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::api::to_js_error;
use super::fetch::FetchTransport;
use crate::digest::{Digest, VerifiedStream, Verifier};
use crate::error::{Error, Result};
use crate::http::{ByteStream, Headers, Method, Request, Response};
use crate::manifest::{self, MAX_MANIFEST_SIZE};
use crate::reference::Reference;
use crate::registry::api::pull_scope;
use crate::registry::{ClientOptions, Credentials, RegistryClient};

#[wasm_bindgen(typescript_custom_section)]
const TS_PROXY_TYPES: &'static str = r#"
/** How the edge worker reaches one upstream registry. */
export interface UpstreamOptions {
  username?: string;
  password?: string;
  /** `false` allows plain `http://` when https fails. Default `true`. */
  tlsVerify?: boolean;
}

/** An upstream answer as the proxy should relay it. */
export interface ProxyResponse {
  status: number;
  /** The upstream's response headers (lower-case names); `docker-content-digest` is the
   *  verified digest for a manifest `GET`. */
  headers: Array<[string, string]>;
  /** Verified manifest bytes, a blob or pass-through stream, or `null` (`HEAD`). */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}
"#;

/// The `options` argument of `proxyFetch`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpstreamOptions {
    username: Option<String>,
    password: Option<String>,
    tls_verify: Option<bool>,
}

/// What a request is for, from the part of the path after `/v2/<repository>/`.
enum Target {
    Manifest { reference: String },
    Blob { digest: Digest },
    Tags,
}

thread_local! {
    /// Upstream clients by registry and options, shared by every request of this instance.
    static CLIENTS: RefCell<HashMap<String, RegistryClient<FetchTransport>>> = RefCell::new(HashMap::new());
}

/// Sends a client's pull request on to an upstream registry and returns what to relay (see the
/// module documentation). `registry` is the upstream (`docker.io`, `127.0.0.1:5000`),
/// `repository` the upstream repository (`library/alpine`), `path` one of `manifests/REF`,
/// `blobs/DIGEST` or `tags/list` with an optional `?query`, `method` `GET` or `HEAD`, `accept`
/// the client's `Accept` header for manifests. Throws an `Error` with a `code` when the request
/// is malformed or the upstream cannot be reached, authorized or trusted.
#[wasm_bindgen(js_name = proxyFetch, unchecked_return_type = "ProxyResponse")]
pub async fn proxy_fetch(
    registry: String,
    repository: String,
    path: String,
    method: String,
    accept: Option<String>,
    #[wasm_bindgen(unchecked_optional_param_type = "UpstreamOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    proxy_fetch_impl(&registry, &repository, &path, &method, accept.as_deref(), options).await.map_err(to_js_error)
}

async fn proxy_fetch_impl(
    registry: &str,
    repository: &str,
    path: &str,
    method: &str,
    accept: Option<&str>,
    options: Option<JsValue>,
) -> Result<JsValue> {
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        other => {
            return Err(Error::Unsupported(format!(
                "the proxy only reads from registries; method {other} is not allowed"
            )))
        }
    };
    check_repository(registry, repository)?;
    let target = parse_target(path)?;
    let client = upstream_client(registry, options)?;

    let base = client.base_url().await?;
    let url = format!("{base}/v2/{repository}/{path}");
    let scope = pull_scope(repository);
    let mut request = Request::new(method, &url);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let response = client.send_following_redirects(request, &scope).await?;

    let Response { status, mut headers, body } = response;
    // Tag lists pass through; the worker rewrites their `Link` to point at itself.
    let body: JsValue = match (&target, status, method) {
        (Target::Manifest { reference }, 200, Method::Get) => {
            let raw = crate::http::read_limited(body, MAX_MANIFEST_SIZE, "manifest").await?;
            let expected = manifest::expected_digest(reference, headers.get("docker-content-digest"));
            let digest =
                manifest::verify(&raw, expected.as_ref(), &format!("manifest {registry}/{repository}:{reference}"))?;
            headers.set("docker-content-digest", digest.to_string());
            headers.set("content-length", raw.len().to_string());
            Uint8Array::from(&raw[..]).into()
        }
        (Target::Blob { digest }, 200, Method::Get) => {
            let size = headers.get("content-length").and_then(|l| l.trim().parse::<u64>().ok());
            let what = format!("blob {digest} from {registry}/{repository}");
            let verified = VerifiedStream::new(body, Verifier::new(digest.clone(), size, what));
            to_readable(hold_last_chunk(verified.boxed()))
        }
        (_, _, Method::Head) => JsValue::NULL,
        _ => to_readable(body),
    };
    to_proxy_response(status, &headers, body)
}

/// Refuses a repository that is not a valid name on `registry` (or that the registry's
/// normalization would change, such as a Docker Hub name without `library/`).
fn check_repository(registry: &str, repository: &str) -> Result<()> {
    let reference = Reference::parse(&format!("{registry}/{repository}"))?;
    if reference.registry() != registry
        || reference.repository() != repository
        || reference.tag().is_some()
        || reference.digest().is_some()
    {
        return Err(Error::InvalidReference {
            input: format!("{registry}/{repository}"),
            reason: "not a repository name of this registry".into(),
        });
    }
    Ok(())
}

/// Parses `manifests/REF`, `blobs/DIGEST` or `tags/list[?query]`.
fn parse_target(path: &str) -> Result<Target> {
    let invalid = |reason: &str| Error::InvalidReference { input: path.to_string(), reason: reason.to_string() };
    if let Some(reference) = path.strip_prefix("manifests/") {
        if reference.contains(':') {
            Digest::parse(reference)?;
        } else if !crate::reference::is_tag(reference) {
            return Err(invalid("not a valid tag"));
        }
        return Ok(Target::Manifest { reference: reference.to_string() });
    }
    if let Some(digest) = path.strip_prefix("blobs/") {
        return Ok(Target::Blob { digest: Digest::parse(digest)? });
    }
    if path == "tags/list" || path.starts_with("tags/list?") {
        return Ok(Target::Tags);
    }
    Err(invalid("the proxy serves manifests, blobs and tag lists only"))
}

/// The shared client for `registry` with these options, made on first use.
fn upstream_client(registry: &str, options: Option<JsValue>) -> Result<RegistryClient<FetchTransport>> {
    let options: UpstreamOptions = match options {
        Some(value) if !value.is_undefined() && !value.is_null() => serde_wasm_bindgen::from_value(value)
            .map_err(|e| Error::Config(format!("invalid upstream options: {e}")))?,
        _ => UpstreamOptions::default(),
    };
    let credentials = Credentials::from_parts(options.username, options.password, None, "upstream options")?;
    let allow_http = options.tls_verify == Some(false);
    // The key holds a hash of the password, not the password.
    let user_key = match &credentials {
        Some(Credentials::Basic { username, password }) => {
            format!("{username}:{}", Digest::sha256(password.as_bytes()))
        }
        _ => String::new(),
    };
    let key = format!("{registry}\n{allow_http}\n{user_key}");
    Ok(CLIENTS.with(|clients| {
        clients
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let options = ClientOptions { credentials, allow_http, base_url: None };
                RegistryClient::new(FetchTransport::new().with_follow_redirects(false), registry, options)
            })
            .clone()
    }))
}

/// Passes a stream through one chunk behind: each chunk is released when the next one arrives,
/// the last one only when the stream ends cleanly. An error (a digest mismatch at the end)
/// therefore replaces the last chunk rather than following it.
fn hold_last_chunk(inner: ByteStream) -> ByteStream {
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

/// A JavaScript `ReadableStream` of `Uint8Array`s over a byte stream; errors carry a `code`.
fn to_readable(body: ByteStream) -> JsValue {
    let chunks = body.map(|chunk| match chunk {
        Ok(bytes) => Ok(JsValue::from(Uint8Array::from(&bytes[..]))),
        Err(err) => Err(to_js_error(err)),
    });
    wasm_streams::ReadableStream::from_stream(chunks).into_raw().into()
}

/// `{ status, headers: [[name, value], …], body }`.
fn to_proxy_response(status: u16, headers: &Headers, body: JsValue) -> Result<JsValue> {
    let pairs = Array::new();
    for (name, value) in headers.iter() {
        pairs.push(&Array::of2(&JsValue::from_str(&name.to_ascii_lowercase()), &JsValue::from_str(value)));
    }
    let object = Object::new();
    let set = |key: &str, value: &JsValue| {
        Reflect::set(&object, &JsValue::from_str(key), value)
            .map(|_| ())
            .map_err(|_| Error::Unsupported("cannot build the proxy response object".into()))
    };
    set("status", &JsValue::from(status))?;
    set("headers", &pairs)?;
    set("body", &body)?;
    Ok(object.into())
}
