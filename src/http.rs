//! The HTTP transport trait that the registry client speaks through.
//!
//! The core never opens a socket itself: a [`Transport`] sends one [`Request`] and returns one
//! [`Response`] whose body streams. Transports do **not** follow redirects (the registry client
//! does, so that credentials never leave the registry's host). The native face implements this
//! with reqwest, the wasm face with the global `fetch`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use crate::error::{Error, Result};

/// `Send` on native targets, nothing on wasm32 (where JS values are not `Send`).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` on native targets, nothing on wasm32 (where JS values are not `Send`).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on native targets, nothing on wasm32 (where JS values such as an `AbortSignal` are not
/// `Sync`, and there is only one thread).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}
/// `Sync` on native targets, nothing on wasm32 (where JS values such as an `AbortSignal` are not
/// `Sync`, and there is only one thread).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// A streamed body: chunks of bytes, or the error that cut the stream.
#[cfg(not(target_arch = "wasm32"))]
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;
/// A streamed body: chunks of bytes, or the error that cut the stream.
#[cfg(target_arch = "wasm32")]
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes>>>>;

/// HTTP methods the distribution protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// The method's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Header names and values, in order, with case-insensitive lookup.
#[derive(Debug, Clone, Default)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// An empty header list.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// Adds a header (keeping any earlier one of the same name).
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Sets a header, replacing any earlier one of the same name.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.remove(name);
        self.0.push((name.to_string(), value.into()));
    }

    /// Removes every header of this name.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first value of a header.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// All headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A request body.
pub enum RequestBody {
    /// No body.
    Empty,
    /// A body held in memory.
    Bytes(Bytes),
    /// A streamed body, of a known length or (sent chunked) not.
    Stream { stream: ByteStream, length: Option<u64> },
}

/// One HTTP request.
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    pub body: RequestBody,
}

impl Request {
    /// A request without a body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request { method, url: url.into(), headers: Headers::new(), body: RequestBody::Empty }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }
}

/// One HTTP response, its body not yet read.
pub struct Response {
    pub status: u16,
    pub headers: Headers,
    pub body: ByteStream,
}

impl Response {
    /// Reads the whole body, refusing more than `limit` bytes.
    pub async fn bytes_limited(self, limit: u64, what: &str) -> Result<Vec<u8>> {
        if let Some(len) = self.headers.get("content-length").and_then(|v| v.trim().parse::<u64>().ok()) {
            if len > limit {
                return Err(too_large(what, len, limit));
            }
        }
        read_limited(self.body, limit, what).await
    }
}

fn too_large(what: &str, size: u64, limit: u64) -> Error {
    if what == "manifest" {
        Error::ManifestTooLarge { size, limit }
    } else {
        Error::Protocol {
            url: what.to_string(),
            reason: format!("body of {size} bytes exceeds the limit of {limit} bytes"),
        }
    }
}

/// Collects a byte stream into memory, refusing more than `limit` bytes.
pub async fn read_limited(mut body: ByteStream, limit: u64, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large(what, out.len() as u64 + chunk.len() as u64, limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Something that can send HTTP requests and wait.
///
/// Implementations must not follow redirects, must report connection failures as
/// [`Error::Network`], and must stream response bodies rather than buffer them.
pub trait Transport: MaybeSend + MaybeSync {
    /// Sends one request and returns the response head with a streaming body.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response>> + MaybeSend;

    /// Waits for `duration` (used to honour `Retry-After`).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend;
}
