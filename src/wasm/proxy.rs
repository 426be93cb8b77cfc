//! The edge Worker's `/v2/` proxy in JavaScript: `resolveProxyPath` (which upstream, repository
//! and kind a request path is for) and `proxyFetch` (the upstream request, verified), over the
//! target-agnostic [`crate::proxy`], which has the rules.
//!
//! This module only converts: the JavaScript arguments and upstream options, the upstream
//! client kept per registry and options for the life of the wasm instance (so the ping and
//! bearer tokens are reused across requests, tokens until they expire), and the relayed answer
//! as `{ status, headers, body }` with a `Uint8Array` or a `ReadableStream` body.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_util::StreamExt;
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::api::{to_js, to_js_error};
use super::fetch::FetchTransport;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::{ByteStream, Headers};
use crate::proxy::{forward, resolve_path, RelayBody, Relayed, Upstream, UpstreamRequest};
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

/** How `resolveProxyPath` picks the upstream of a request. */
export interface ProxyUpstream {
  /** The upstream the request names apart from its path (containerd's `?ns=HOST`, a host name
   *  mapped to a registry): the whole name is a repository there. */
  registry?: string;
  /** The upstream when `registry` is not given and the name does not start with a registry
   *  host (`ghcr.io/org/app`). Default `docker.io`. */
  defaultRegistry?: string;
}

/** A `/v2/` request resolved by `resolveProxyPath`. */
export interface ProxyPath {
  /** The upstream registry, normalized (Docker Hub's host names are `docker.io`). */
  registry: string;
  /** The repository on it (`library/alpine`); `null` for the ping. */
  repository: string | null;
  kind: "manifest" | "blob" | "tags" | "ping";
  /** The manifest's tag or digest, the blob's digest; else `null`. */
  reference: string | null;
  /** The path for `proxyFetch`: `manifests/REF`, `blobs/DIGEST`, `tags/list`; `null` for the ping. */
  path: string | null;
  /** Whether the answer is addressed by digest (immutable). */
  byDigest: boolean;
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

/// The `upstream` argument of `resolveProxyPath`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProxyUpstream {
    registry: Option<String>,
    default_registry: Option<String>,
}

thread_local! {
    /// Upstream clients by registry and options, shared by every request of this instance.
    static CLIENTS: RefCell<HashMap<String, RegistryClient<FetchTransport>>> = RefCell::new(HashMap::new());
}

/// Resolves a `/v2/` request path to its upstream registry, repository and kind. `path` is the
/// URL path after `/v2/`, still percent-encoded (`ghcr.io/org/app/manifests/1.0`, `alpine/blobs/sha256:…`,
/// `""` for the ping). Throws an `Error` with code `NOT_FOUND` for a path that is no registry
/// endpoint, `INVALID_REFERENCE` or `INVALID_DIGEST` for an invalid name, tag or digest.
#[wasm_bindgen(js_name = resolveProxyPath, unchecked_return_type = "ProxyPath")]
pub fn resolve_proxy_path(
    path: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "ProxyUpstream")] upstream: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    resolve_proxy_path_impl(path, upstream).map_err(to_js_error)
}

fn resolve_proxy_path_impl(path: &str, upstream: Option<JsValue>) -> Result<JsValue> {
    let upstream: ProxyUpstream = match upstream {
        Some(value) if !value.is_undefined() && !value.is_null() => {
            serde_wasm_bindgen::from_value(value).map_err(|e| Error::Config(format!("invalid upstream: {e}")))?
        }
        _ => ProxyUpstream::default(),
    };
    let upstream = match (&upstream.registry, &upstream.default_registry) {
        (Some(registry), _) if !registry.is_empty() => Upstream::Named(registry),
        (_, Some(default)) if !default.is_empty() => Upstream::Default(default),
        _ => Upstream::Default("docker.io"),
    };
    to_js(&resolve_path(path, upstream)?)
}

/// Sends a client's pull request on to an upstream registry and returns what to relay (see
/// [`crate::proxy`]). `registry` is the upstream (`docker.io`, `127.0.0.1:5000`),
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
    let request = UpstreamRequest::new(registry, repository, path, method)?;
    let client = upstream_client(registry, options)?;
    let Relayed { status, headers, body } = forward(&client, &request, accept).await?;
    let body: JsValue = match body {
        RelayBody::Bytes(raw) => Uint8Array::from(&raw[..]).into(),
        RelayBody::Stream(stream) => to_readable(stream),
        RelayBody::Empty => JsValue::NULL,
    };
    to_proxy_response(status, &headers, body)
}

/// The shared client for `registry` with these options, made on first use.
fn upstream_client(registry: &str, options: Option<JsValue>) -> Result<RegistryClient<FetchTransport>> {
    let options: UpstreamOptions = match options {
        Some(value) if !value.is_undefined() && !value.is_null() => serde_wasm_bindgen::from_value(value)
            .map_err(|e| Error::Config(format!("invalid upstream options: {e}")))?,
        _ => UpstreamOptions::default(),
    };
    let credentials = match (options.username, options.password) {
        (Some(username), Some(password)) => Some(Credentials::Basic { username, password }),
        (None, None) => None,
        _ => return Err(Error::Config("upstream options: username and password must be given together".into())),
    };
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
