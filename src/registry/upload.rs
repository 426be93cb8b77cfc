//! Writing to a registry: blob existence checks, cross-repository mounts, blob uploads
//! (monolithic `PUT`, or `PATCH` chunks closed by `PUT ?digest=`), manifest `PUT` with the
//! returned `Docker-Content-Digest` checked, and manifest deletion.

use futures_util::StreamExt;

use super::client::RegistryClient;
use super::url;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::{ByteStream, Method, Request, RequestBody, Transport};

/// The scope for reading and writing a repository.
pub fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

/// How blob bytes are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadMode {
    /// One `PUT ?digest=` carrying the whole blob as a stream.
    Monolithic,
    /// `PATCH` requests of at most this many bytes, then an empty `PUT ?digest=`.
    Chunked(usize),
}

impl<T: Transport> RegistryClient<T> {
    /// Whether the repository already has the blob (`HEAD`).
    pub async fn blob_exists(&self, repository: &str, digest: &Digest) -> Result<bool> {
        let base = self.base_url().await?;
        let url = format!("{base}/v2/{repository}/blobs/{digest}");
        let build = || Request::new(Method::Head, &url);
        let response = self.send(&build, &push_scope(repository)).await?;
        match response.status {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => self.expect_success(response, &url).await.map(|_| false),
        }
    }

    /// Asks the registry to mount a blob from another repository it holds. `Ok(true)` means the
    /// blob is now in `repository`; `Ok(false)` that it must be uploaded.
    pub async fn mount_blob(&self, repository: &str, digest: &Digest, from: &str) -> Result<bool> {
        let base = self.base_url().await?;
        let target = url::with_query(
            &format!("{base}/v2/{repository}/blobs/uploads/"),
            &[("mount", &digest.to_string()), ("from", from)],
        );
        let build = || Request::new(Method::Post, &target);
        let scope = format!("{} repository:{from}:pull", push_scope(repository));
        let response = self.send(&build, &scope).await?;
        match response.status {
            201 => Ok(true),
            202 => {
                // The registry opened an upload session instead; close it so it does not linger.
                if let Some(location) = response.headers.get("location").and_then(|l| url::resolve(&target, l)) {
                    let cancel = || Request::new(Method::Delete, &location);
                    let _ = self.send(&cancel, &push_scope(repository)).await;
                }
                Ok(false)
            }
            _ => self.expect_success(response, &target).await.map(|_| false),
        }
    }

    /// Opens an upload session and returns its URL.
    async fn start_upload(&self, repository: &str) -> Result<String> {
        let base = self.base_url().await?;
        let start = format!("{base}/v2/{repository}/blobs/uploads/");
        let build = || Request::new(Method::Post, &start).header("Content-Length", "0");
        let response = self.send(&build, &push_scope(repository)).await?;
        let response = self.expect_success(response, &start).await?;
        location(&response.headers, &start)
    }

    /// Uploads a blob from a stream of exactly `size` bytes.
    pub async fn upload_blob(
        &self,
        repository: &str,
        digest: &Digest,
        size: u64,
        body: ByteStream,
        mode: UploadMode,
    ) -> Result<()> {
        let scope = push_scope(repository);
        let mut session = self.start_upload(repository).await?;
        let (body, source_failure) = keep_stream_error(body);
        let body = match mode {
            UploadMode::Monolithic => RequestBody::Stream { stream: body, length: Some(size) },
            UploadMode::Chunked(chunk_size) => {
                session = self
                    .upload_chunks(repository, session, body, chunk_size.max(1))
                    .await
                    .map_err(|e| source_failure.take().unwrap_or(e))?;
                RequestBody::Empty
            }
        };
        let finish = url::with_query(&session, &[("digest", &digest.to_string())]);
        let length = if matches!(body, RequestBody::Empty) { 0 } else { size };
        let mut request = Request::new(Method::Put, &finish).header("Content-Type", "application/octet-stream");
        if length == 0 {
            request = request.header("Content-Length", "0");
        }
        request.body = body;
        let response = self.send_once(request, &scope).await.map_err(|e| source_failure.take().unwrap_or(e))?;
        let response = self.expect_success(response, &finish).await?;
        if let Some(stored) = response.headers.get("docker-content-digest").and_then(|d| Digest::parse(d.trim()).ok()) {
            if &stored != digest {
                return Err(Error::DigestMismatch {
                    what: format!("blob uploaded to {}/{repository}", self.registry()),
                    expected: digest.to_string(),
                    actual: stored.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Uploads a blob whose digest is not known in advance: one streamed `PATCH`, hashed on the
    /// way, then `PUT ?digest=` with the digest of what was sent. Returns that digest and size.
    pub async fn upload_new_blob(&self, repository: &str, body: ByteStream) -> Result<(Digest, u64)> {
        let scope = push_scope(repository);
        let session = self.start_upload(repository).await?;
        let (body, source_failure) = keep_stream_error(body);
        let (body, hashed) = crate::digest::hashing_stream(body);
        let mut patch = Request::new(Method::Patch, &session).header("Content-Type", "application/octet-stream");
        patch.body = RequestBody::Stream { stream: body, length: None };
        let response = self.send_once(patch, &scope).await.map_err(|e| source_failure.take().unwrap_or(e))?;
        let response = self.expect_success(response, &session).await?;
        let session = location(&response.headers, &session)?;
        let (digest, size) = hashed.get().ok_or_else(|| Error::Protocol {
            url: session.clone(),
            reason: "the registry answered before the whole blob was sent".into(),
        })?;
        let finish = url::with_query(&session, &[("digest", &digest.to_string())]);
        let request = Request::new(Method::Put, &finish).header("Content-Length", "0");
        let response = self.send_once(request, &scope).await?;
        self.expect_success(response, &finish).await?;
        Ok((digest, size))
    }

    /// Sends `body` in `PATCH` requests of at most `chunk_size` bytes; returns the next URL.
    async fn upload_chunks(
        &self,
        repository: &str,
        mut session: String,
        mut body: ByteStream,
        chunk_size: usize,
    ) -> Result<String> {
        let scope = push_scope(repository);
        let mut offset: u64 = 0;
        let mut pending: Vec<u8> = Vec::new();
        let mut ended = false;
        loop {
            while !ended && pending.len() < chunk_size {
                match body.next().await {
                    Some(chunk) => pending.extend_from_slice(&chunk?),
                    None => ended = true,
                }
            }
            if pending.is_empty() {
                break;
            }
            let chunk: Vec<u8> = pending.drain(..pending.len().min(chunk_size)).collect();
            let end = offset + chunk.len() as u64 - 1;
            let mut request = Request::new(Method::Patch, &session)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", format!("{offset}-{end}"));
            request.body = RequestBody::Bytes(chunk.into());
            let response = self.send_once(request, &scope).await?;
            let response = self.expect_success(response, &session).await?;
            session = location(&response.headers, &session)?;
            offset = end + 1;
        }
        Ok(session)
    }

    /// Stores a manifest under a tag or digest and checks the digest the registry reports.
    pub async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        raw: &[u8],
        media_type: &str,
        digest: &Digest,
    ) -> Result<()> {
        let base = self.base_url().await?;
        let target = format!("{base}/v2/{repository}/manifests/{reference}");
        let bytes = bytes::Bytes::copy_from_slice(raw);
        let build = || {
            let mut request = Request::new(Method::Put, &target).header("Content-Type", media_type);
            request.body = RequestBody::Bytes(bytes.clone());
            request
        };
        let response = self.send(&build, &push_scope(repository)).await?;
        let response = self.expect_success(response, &target).await?;
        if let Some(stored) = response.headers.get("docker-content-digest").and_then(|d| Digest::parse(d.trim()).ok()) {
            if stored.algorithm() == digest.algorithm() && &stored != digest {
                return Err(Error::DigestMismatch {
                    what: format!("manifest stored at {}/{repository}:{reference}", self.registry()),
                    expected: digest.to_string(),
                    actual: stored.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Deletes a manifest by digest (the registry answers 202 Accepted).
    pub async fn delete_manifest(&self, repository: &str, digest: &Digest) -> Result<()> {
        let base = self.base_url().await?;
        let target = format!("{base}/v2/{repository}/manifests/{digest}");
        let build = || Request::new(Method::Delete, &target);
        let response = self.send(&build, &format!("repository:{repository}:*")).await?;
        self.expect_success(response, &target).await.map(|_| ())
    }
}

/// The error that cut an upload's source stream, kept so the upload reports it (a digest
/// mismatch in the source) rather than the HTTP client's wrapper around it.
#[derive(Clone, Default)]
struct StreamFailure(std::sync::Arc<std::sync::Mutex<Option<Error>>>);

impl StreamFailure {
    fn take(&self) -> Option<Error> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Passes `body` through; its first error is kept in the returned slot and the HTTP client sees
/// a copy of the message.
fn keep_stream_error(body: ByteStream) -> (ByteStream, StreamFailure) {
    let slot = StreamFailure::default();
    let keep = slot.clone();
    let stream = body.map(move |item| {
        item.map_err(|e| {
            let message = e.to_string();
            keep.0.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
            Error::Network(message)
        })
    });
    (Box::pin(stream), slot)
}

/// The resolved `Location` of an upload response.
fn location(headers: &crate::http::Headers, request_url: &str) -> Result<String> {
    let value = headers.get("location").ok_or_else(|| Error::Protocol {
        url: request_url.to_string(),
        reason: "upload response has no Location header".into(),
    })?;
    url::resolve(request_url, value).ok_or_else(|| Error::Protocol {
        url: request_url.to_string(),
        reason: format!("unusable upload Location {value:?}"),
    })
}
