//! [`FetchTransport`]: the [`Transport`] of the wasm face, over the runtime's global `fetch`.
//!
//! `fetch` is imported as a free function (not through `web_sys::window()`), so the same code runs
//! in a browser window, a web worker, Node 20+ and Cloudflare's workerd. Response bodies are read
//! chunk by chunk from the `ReadableStream` (with a default reader, or in workerd a BYOB reader's
//! `readAtLeast`), small pieces gathered into chunks of up to 256 KiB, never buffered whole with
//! `arrayBuffer()`. Dropping the body stream before its end cancels the reader, which lets
//! the runtime close the connection.
//!
//! # Redirects
//!
//! The [`Transport`] contract says a transport does not follow redirects, so that the registry
//! client can decide per hop whether credentials may go along. Server runtimes (Node, Deno, Bun,
//! workerd) honour `redirect: "manual"` by returning the real 3xx response with its `Location`,
//! and there [`FetchTransport`] keeps the contract.
//!
//! Browsers do not: with `redirect: "manual"` they return an opaque-redirect response (status 0,
//! no headers), so a page cannot learn where a registry sends it, and a registry that redirects
//! blob downloads to a storage host would be unusable. In browsers [`FetchTransport`] therefore
//! lets `fetch` follow redirects itself (`redirect: "follow"`) and returns the final response.
//! This is the one place where the contract is relaxed, and it is safe for credentials because
//! the Fetch standard removes the `Authorization` header when a redirect crosses origins (shipped
//! in the current releases of the major engines; much older browsers did not do this). The
//! choice is made once in [`FetchTransport::new`] from [`is_browser`], and can be overridden
//! through [`FetchTransport::follow_redirects`]. If an opaque-redirect response comes back anyway
//! (manual mode in a browser-like runtime), the transport reports an [`Error::Redirect`] that says
//! so instead of handing a status 0 to the client.
//!
//! # Errors
//!
//! A rejected `fetch` becomes [`Error::Network`] carrying the JavaScript error's name and message
//! (and, in Node, the message of its `cause`, such as `connect ECONNREFUSED`). A request cut by
//! the [`FetchTransport::signal`] (before the response or while reading its body) becomes
//! [`Error::Cancelled`].
//!
//! ## CORS
//!
//! In a browser ([`is_browser`]) the rejection is a bare `TypeError` ("Failed to fetch", "Load
//! failed", "NetworkError when attempting to fetch resource") both for network failures and for
//! responses the browser withheld because the registry sent no CORS headers; script cannot tell
//! the two apart. Registries rarely send CORS headers, so in a browser a `TypeError` from a
//! cross-origin URL (one whose origin differs from the page's `location.origin`) is reported as
//! [`Error::Cors`] (code `CORS`), with a message from [`cors_error`] that names the likely cause
//! (no `Access-Control-Allow-Origin` on the registry) and the remedy (the `proxy` option, a base
//! URL such as the skopos edge worker). Same-origin failures, other rejections, and every
//! rejection outside browsers (Node, Deno, Bun, workerd, which do not enforce CORS) stay
//! [`Error::Network`] (code `NETWORK`).
//!
//! # Request bodies
//!
//! [`RequestBody::Stream`] is collected into memory before the request is sent: streaming upload
//! bodies need `duplex: "half"` and are not supported by every browser engine. Blob uploads are
//! therefore held in memory for now.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{stream, StreamExt};
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream, RequestInit, RequestRedirect, ResponseType};

use crate::error::{Error, Result};
use crate::http::{ByteStream, Headers, Request, RequestBody, Response, Transport};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` of whatever runtime loaded the module (window, worker, Node, workerd).
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &web_sys::Request) -> std::result::Result<Promise, JsValue>;
}

/// Request headers that the runtime manages itself and that `fetch` either drops silently
/// (browsers) or rejects (Node's undici): the body length and connection handling are derived
/// from the request, not copied from the caller.
const SKIPPED_REQUEST_HEADERS: &[&str] =
    &["content-length", "host", "connection", "keep-alive", "transfer-encoding", "upgrade", "expect"];

/// An HTTP [`Transport`] that sends requests with the JavaScript runtime's global `fetch`.
///
/// See the [module documentation](self) for how redirects, errors and request bodies are handled.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    /// Whether `fetch` follows redirects itself (`redirect: "follow"`) instead of returning them
    /// (`redirect: "manual"`). [`FetchTransport::new`] sets it to [`is_browser`]`()`.
    pub follow_redirects: bool,
    /// An `AbortSignal` passed to every `fetch`; aborting it cancels requests in flight and body
    /// reads, which then fail with [`Error::Cancelled`].
    pub signal: Option<AbortSignal>,
}

impl Default for FetchTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl FetchTransport {
    /// A transport for the current runtime: it follows redirects in browsers (where manual
    /// redirects are opaque) and returns them everywhere else; no abort signal.
    pub fn new() -> Self {
        FetchTransport { follow_redirects: is_browser(), signal: None }
    }

    /// Sets whether `fetch` follows redirects itself (see the module documentation).
    pub fn with_follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// Passes `signal` to every request, so that aborting it cancels them.
    pub fn with_signal(mut self, signal: AbortSignal) -> Self {
        self.signal = Some(signal);
        self
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| s.aborted())
    }

    async fn fetch(&self, request: Request) -> Result<Response> {
        let method = request.method.as_str();
        let url = request.url;

        let init = RequestInit::new();
        init.set_method(method);
        init.set_redirect(if self.follow_redirects { RequestRedirect::Follow } else { RequestRedirect::Manual });
        if let Some(signal) = &self.signal {
            init.set_signal(Some(signal));
        }

        let js_headers = web_sys::Headers::new()
            .map_err(|e| Error::Network(format!("cannot create fetch headers: {}", describe_js_error(&e))))?;
        for (name, value) in request.headers.iter() {
            if SKIPPED_REQUEST_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                continue;
            }
            js_headers.append(name, value).map_err(|e| {
                Error::Unsupported(format!("header {name:?} cannot be sent with fetch: {}", describe_js_error(&e)))
            })?;
        }
        init.set_headers(js_headers.as_ref());

        match request.body {
            RequestBody::Empty => {}
            RequestBody::Bytes(bytes) => init.set_body(Uint8Array::from(&bytes[..]).as_ref()),
            RequestBody::Stream { stream, length } => {
                let data = collect_request_body(stream, length).await?;
                init.set_body(Uint8Array::from(&data[..]).as_ref());
            }
        }

        let js_request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| {
            Error::Network(format!("cannot build the request {method} {url}: {}", describe_js_error(&e)))
        })?;

        let promise = global_fetch(&js_request).map_err(|e| self.fetch_error(method, &url, &e))?;
        let value = JsFuture::from(promise).await.map_err(|e| self.fetch_error(method, &url, &e))?;
        let response: web_sys::Response = value.dyn_into().map_err(|_| {
            Error::Network(format!("{method} {url}: fetch resolved to something that is not a Response"))
        })?;

        if response.type_() == ResponseType::Opaqueredirect {
            return Err(Error::Redirect {
                url,
                reason: "the registry answered with a redirect, but this runtime hides redirects from script \
                         when fetch uses redirect: \"manual\" (browsers return an opaque response); \
                         let fetch follow redirects here"
                    .to_string(),
            });
        }

        let status = response.status();
        let headers = read_headers(&response.headers());
        let body = match response.body() {
            Some(readable) => body_stream(readable, self.signal.clone(), url)?,
            None => Box::pin(stream::empty()) as ByteStream,
        };
        Ok(Response { status, headers, body })
    }

    /// Maps a rejected (or throwing) `fetch` to an error.
    fn fetch_error(&self, method: &str, url: &str, err: &JsValue) -> Error {
        let text = describe_js_error(err);
        if self.aborted() || is_abort_error(err) {
            Error::Cancelled(format!("{method} {url} was aborted: {text}"))
        } else if is_type_error(err) && is_browser() && is_cross_origin(url) {
            cors_error(method, url, &text)
        } else {
            Error::Network(format!("{method} {url} failed: {text}"))
        }
    }
}

/// The [`Error::Cors`] for a cross-origin `fetch` that a browser rejected with `detail` (the
/// JavaScript error, such as `TypeError: Failed to fetch`): it names the likely cause (the
/// registry sends no CORS headers, so the browser withholds its responses) and the remedy (the
/// `proxy` option). See the [module documentation](self#cors).
pub fn cors_error(method: &str, url: &str, detail: &str) -> Error {
    let origin = url_origin(url).unwrap_or_else(|| url.to_string());
    Error::Cors(format!(
        "{method} {url} was blocked by the browser ({detail}): the registry at {origin} most likely sends \
         no CORS headers (Access-Control-Allow-Origin), so a web page may not read its responses. \
         Use the `proxy` option with the base URL of a CORS proxy that forwards to the registry, such as \
         the skopos edge worker (for example {{ proxy: \"https://skopos-proxy.example.workers.dev\" }}), \
         or configure the registry to send CORS headers"
    ))
}

/// Whether a thrown value is a JavaScript `TypeError` (how `fetch` reports network and CORS
/// failures).
fn is_type_error(err: &JsValue) -> bool {
    err.is_instance_of::<js_sys::TypeError>() || get(err, "name").as_string().as_deref() == Some("TypeError")
}

/// The origin (`scheme://host[:port]`) of an absolute URL, as JavaScript's `URL` computes it.
fn url_origin(url: &str) -> Option<String> {
    web_sys::Url::new(url).ok().map(|u| u.origin()).filter(|o| o != "null")
}

/// Whether `url` has another origin than the page (`location.origin`); true when the page has no
/// origin to compare with.
fn is_cross_origin(url: &str) -> bool {
    let global: JsValue = js_sys::global().into();
    let page = get(&get(&global, "location"), "origin").as_string();
    match (url_origin(url), page) {
        (Some(target), Some(page)) => target != page,
        _ => true,
    }
}

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response> {
        self.fetch(request).await
    }

    async fn sleep(&self, duration: Duration) {
        sleep(duration).await
    }
}

/// Whether the code runs in a web browser (a window or a web worker) rather than in a server
/// runtime (Node, Deno, Bun, Cloudflare's workerd).
///
/// Server runtimes are recognised first, by `process.versions.node`, a `Deno` or `Bun` global,
/// or a `navigator.userAgent` starting with `Cloudflare-Workers`, so that DOM emulations in Node
/// (jsdom, happy-dom) count as Node. Otherwise a `document` or a `WorkerGlobalScope` global means
/// a browser. [`FetchTransport`] uses this to report a failed cross-origin `fetch` as a CORS refusal.
pub fn is_browser() -> bool {
    let global: JsValue = js_sys::global().into();
    let process = get(&global, "process");
    if !get(&get(&process, "versions"), "node").is_undefined() {
        return false;
    }
    if !get(&global, "Deno").is_undefined() || !get(&global, "Bun").is_undefined() {
        return false;
    }
    let user_agent = get(&get(&global, "navigator"), "userAgent").as_string().unwrap_or_default();
    if user_agent.starts_with("Cloudflare-Workers") {
        return false;
    }
    !get(&global, "document").is_undefined() || get(&global, "WorkerGlobalScope").is_function()
}

/// Waits `duration` with the global `setTimeout` (clamped to its 2^31-1 ms maximum).
async fn sleep(duration: Duration) {
    let ms = duration.as_millis().min(i32::MAX as u128) as f64;
    let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
        let global: JsValue = js_sys::global().into();
        let scheduled = get(&global, "setTimeout")
            .dyn_into::<Function>()
            .ok()
            .map(|set_timeout| set_timeout.call2(&global, resolve.as_ref(), &JsValue::from_f64(ms)).is_ok())
            .unwrap_or(false);
        if !scheduled {
            // No timer in this runtime: do not hang, resolve at once.
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// `obj[key]`, or `undefined` when `obj` is not an object or the lookup throws.
fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a rejection is an `AbortError` or `TimeoutError` `DOMException`.
fn is_abort_error(err: &JsValue) -> bool {
    matches!(get(err, "name").as_string().as_deref(), Some("AbortError" | "TimeoutError"))
}

/// One line describing a thrown JavaScript value: `Name: message (cause)`.
fn describe_js_error(err: &JsValue) -> String {
    if let Some(s) = err.as_string() {
        return s;
    }
    let name = get(err, "name").as_string();
    let message = get(err, "message").as_string();
    let mut text = match (name, message) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        (None, Some(m)) => m,
        (None, None) => format!("{err:?}"),
    };
    let cause = get(err, "cause");
    if !cause.is_undefined() && !cause.is_null() {
        let cause_text = get(&cause, "message").as_string().or_else(|| cause.as_string());
        if let Some(c) = cause_text.filter(|c| !c.is_empty()) {
            text.push_str(&format!(" ({c})"));
        }
    }
    text
}

/// Response headers, in the order `Headers.entries()` gives them (lower-case names; repeated
/// headers other than `set-cookie` arrive joined with `, ` as the Fetch standard defines).
fn read_headers(js_headers: &web_sys::Headers) -> Headers {
    let mut headers = Headers::new();
    if let Ok(Some(entries)) = js_sys::try_iter(js_headers.entries().as_ref()) {
        for entry in entries.flatten() {
            let pair: Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.append(name, value);
            }
        }
    }
    headers
}

/// Collects a streamed request body, checking it against its announced length (if any).
async fn collect_request_body(mut body: ByteStream, length: Option<u64>) -> Result<Vec<u8>> {
    let mut data = Vec::with_capacity(length.and_then(|l| usize::try_from(l).ok()).unwrap_or(0).min(64 << 20));
    while let Some(chunk) = body.next().await {
        data.extend_from_slice(&chunk?);
        if length.is_some_and(|l| data.len() as u64 > l) {
            break;
        }
    }
    match length {
        Some(expected) if data.len() as u64 != expected => {
            Err(Error::SizeMismatch { what: "request body".to_string(), expected, actual: data.len() as u64 })
        }
        _ => Ok(data),
    }
}

/// Response-body pieces smaller than this are gathered into one chunk before they are handed on.
/// workerd delivers fetch bodies in 4 KiB pieces, and every chunk handed on costs promise round
/// trips downstream (the digest check, a `ReadableStream` the edge worker relays, a layer
/// listing). Where the runtime offers `readAtLeast` (workerd's BYOB readers), one read waits for
/// this many bytes instead. Together they made the worker's verifying proxy several times faster.
const GATHER_BYTES: usize = 256 * 1024;

/// The reader of a response body; cancels the stream when dropped before its end.
struct BodyReader {
    /// A default reader, or a BYOB reader when `read_at_least` is set.
    reader: JsValue,
    /// workerd's `ReadableStreamBYOBReader.readAtLeast(min, view)`.
    read_at_least: Option<Function>,
    signal: Option<AbortSignal>,
    url: String,
    finished: bool,
    /// An error met while gathering, handed on after the bytes gathered before it.
    pending_error: Option<Error>,
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if !self.finished {
            let cancelled = call_method(&self.reader, "cancel", &[]);
            // Await the promise so that a rejection is handled rather than reported as unhandled.
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(cancelled) = cancelled {
                    let _ = JsFuture::from(Promise::resolve(&cancelled)).await;
                }
            });
        }
    }
}

/// Calls `target[name](...args)`.
fn call_method(target: &JsValue, name: &str, args: &[JsValue]) -> std::result::Result<JsValue, JsValue> {
    let method: Function = get(target, name).dyn_into().map_err(|_| JsValue::from_str(&format!("no method {name}")))?;
    method.apply(target, &args.iter().collect::<Array>())
}

impl BodyReader {
    /// The next non-empty piece the runtime delivers, `None` at the end.
    async fn next_piece(&mut self) -> Option<Result<Uint8Array>> {
        loop {
            let read = match &self.read_at_least {
                Some(read_at_least) => {
                    let view = Uint8Array::new_with_length(GATHER_BYTES as u32);
                    read_at_least.call2(&self.reader, &JsValue::from(GATHER_BYTES as u32), &view)
                }
                None => call_method(&self.reader, "read", &[]),
            };
            let read = read.and_then(|promise| {
                promise.dyn_into::<Promise>().map_err(|_| JsValue::from_str("read() did not return a promise"))
            });
            let outcome = match read {
                Ok(promise) => JsFuture::from(promise).await,
                Err(err) => Err(err),
            };
            let result = match outcome {
                Ok(result) => result,
                Err(err) => {
                    self.finished = true;
                    let text = describe_js_error(&err);
                    let aborted = self.signal.as_ref().is_some_and(|s| s.aborted()) || is_abort_error(&err);
                    return Some(Err(if aborted {
                        Error::Cancelled(format!("reading the body of {} was aborted: {text}", self.url))
                    } else {
                        Error::Network(format!("reading the body of {} failed: {text}", self.url))
                    }));
                }
            };
            let done = get(&result, "done").as_bool().unwrap_or(false);
            let value = get(&result, "value");
            // A BYOB read at the end may still carry the last bytes.
            if done && !(value.is_object() && value.dyn_ref::<Uint8Array>().is_some_and(|v| v.length() > 0)) {
                self.finished = true;
                return None;
            }
            let Ok(piece) = value.dyn_into::<Uint8Array>() else {
                return Some(Err(Error::Network(format!(
                    "reading the body of {}: the stream yielded a chunk that is not a Uint8Array",
                    self.url
                ))));
            };
            if done {
                self.finished = true;
            }
            if piece.length() > 0 {
                return Some(Ok(piece));
            }
        }
    }

    /// The next chunk: pieces gathered until [`GATHER_BYTES`], the end or an error (which then
    /// follows on the next call); `None` at the end.
    async fn next_chunk(&mut self) -> Option<Result<Bytes>> {
        if let Some(err) = self.pending_error.take() {
            return Some(Err(err));
        }
        let mut gathered: Vec<u8> = Vec::new();
        while gathered.len() < GATHER_BYTES {
            match self.next_piece().await {
                Some(Ok(piece)) => {
                    let start = gathered.len();
                    gathered.resize(start + piece.length() as usize, 0);
                    piece.copy_to(&mut gathered[start..]);
                }
                Some(Err(err)) if gathered.is_empty() => return Some(Err(err)),
                Some(Err(err)) => {
                    self.pending_error = Some(err);
                    break;
                }
                None => break,
            }
        }
        (!gathered.is_empty()).then(|| Ok(Bytes::from(gathered)))
    }
}

/// A BYOB reader of `readable` with workerd's `readAtLeast`, or `None` (the stream is then left
/// unlocked) where the runtime has no such method or the body is not a byte stream.
fn at_least_reader(readable: &ReadableStream) -> Option<(JsValue, Function)> {
    let options = js_sys::Object::new();
    Reflect::set(&options, &JsValue::from_str("mode"), &JsValue::from_str("byob")).ok()?;
    let reader = call_method(readable, "getReader", &[options.into()]).ok()?;
    match get(&reader, "readAtLeast").dyn_into::<Function>() {
        Ok(read_at_least) => Some((reader, read_at_least)),
        Err(_) => {
            let _ = call_method(&reader, "releaseLock", &[]);
            None
        }
    }
}

/// A [`ByteStream`] over a response body, read incrementally.
fn body_stream(readable: ReadableStream, signal: Option<AbortSignal>, url: String) -> Result<ByteStream> {
    let (reader, read_at_least) = match at_least_reader(&readable) {
        Some((reader, read_at_least)) => (reader, Some(read_at_least)),
        None => (JsValue::from(readable.get_reader()), None),
    };
    let state = Some(BodyReader { reader, read_at_least, signal, url, finished: false, pending_error: None });
    Ok(Box::pin(stream::unfold(state, |state| async move {
        let mut reader = state?;
        match reader.next_chunk().await {
            None => None,
            Some(Ok(chunk)) => Some((Ok(chunk), Some(reader))),
            // After an error the stream ends: drop the reader (cancelling it if still readable).
            Some(Err(err)) => Some((Err(err), None)),
        }
    })))
}
