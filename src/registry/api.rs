//! The distribution API calls: manifests (HEAD and GET), blobs as verified streams, tag lists.
//!
//! Every manifest fetched by digest is checked against that digest, and a manifest fetched by
//! tag is checked against the registry's `Docker-Content-Digest` when it sends one. Blob streams
//! fail at their end when the bytes do not hash to the blob's digest.

use super::client::RegistryClient;
use crate::digest::{Digest, VerifiedStream, Verifier};
use crate::error::{Error, Result};
use crate::http::{read_limited, ByteStream, Method, Request, Transport};
use crate::manifest::{self, media_type, Manifest, MAX_MANIFEST_SIZE};

const TAG_LIST_LIMIT: u64 = 32 * 1024 * 1024;
const MAX_TAG_PAGES: usize = 10_000;

/// A manifest as fetched: the decoded manifest and the digest it was verified against.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    pub manifest: Manifest,
    pub digest: Digest,
}

/// What a `HEAD` on a manifest tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: Option<Digest>,
    pub media_type: Option<String>,
    pub size: Option<u64>,
}

/// The pull scope of a repository.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

impl<T: Transport> RegistryClient<T> {
    fn manifest_url(base: &str, repository: &str, reference: &str) -> String {
        format!("{base}/v2/{repository}/manifests/{reference}")
    }

    /// Fetches a manifest by tag or digest, with the full `Accept` list, and verifies it.
    pub async fn get_manifest(&self, repository: &str, reference: &str) -> Result<FetchedManifest> {
        let base = self.base_url().await?;
        let url = Self::manifest_url(&base, repository, reference);
        let build = || Request::new(Method::Get, &url).header("Accept", media_type::ACCEPT_ALL);
        let response = self.send(&build, &pull_scope(repository)).await?;
        let response = self.expect_success(response, &url).await?;
        let content_type = response.headers.get("content-type").map(str::to_string);
        let header_digest = response.headers.get("docker-content-digest").map(str::to_string);
        let raw = response.bytes_limited(MAX_MANIFEST_SIZE, "manifest").await?;
        let manifest = Manifest::decode(raw, content_type.as_deref()).map_err(|e| match e {
            Error::InvalidManifest(why) => Error::InvalidManifest(format!("{why} (from {url})")),
            other => other,
        })?;
        let expected = manifest::expected_digest(reference, header_digest.as_deref());
        let what = format!("manifest {}/{repository}:{reference}", self.registry());
        let digest = manifest::verify(manifest.raw(), expected.as_ref(), &what)?;
        Ok(FetchedManifest { manifest, digest })
    }

    /// Asks whether a manifest exists, without downloading it. `Ok(None)` means it does not.
    pub async fn head_manifest(&self, repository: &str, reference: &str) -> Result<Option<ManifestHead>> {
        let base = self.base_url().await?;
        let url = Self::manifest_url(&base, repository, reference);
        let build = || Request::new(Method::Head, &url).header("Accept", media_type::ACCEPT_ALL);
        let response = self.send(&build, &pull_scope(repository)).await?;
        if response.status == 404 {
            return Ok(None);
        }
        let response = self.expect_success(response, &url).await?;
        let headers = &response.headers;
        Ok(Some(ManifestHead {
            digest: headers.get("docker-content-digest").and_then(|d| Digest::parse(d.trim()).ok()),
            media_type: headers.get("content-type").map(|c| media_type::normalize(c).to_string()),
            size: headers.get("content-length").and_then(|l| l.trim().parse().ok()),
        }))
    }

    /// Streams a blob; the stream fails at its end unless the bytes match `digest` (and `size`).
    pub async fn get_blob(&self, repository: &str, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        let base = self.base_url().await?;
        let url = format!("{base}/v2/{repository}/blobs/{digest}");
        let build = || Request::new(Method::Get, &url);
        let response = self.send(&build, &pull_scope(repository)).await?;
        let response = self.expect_success(response, &url).await?;
        let what = format!("blob {digest} from {}/{repository}", self.registry());
        Ok(VerifiedStream::new(response.body, Verifier::new(digest.clone(), size, what)).boxed())
    }

    /// Reads a whole blob into memory (at most `limit` bytes), verified.
    pub async fn get_blob_bytes(&self, repository: &str, digest: &Digest, limit: u64) -> Result<Vec<u8>> {
        let stream = self.get_blob(repository, digest, None).await?;
        read_limited(stream, limit, &format!("blob {digest}")).await
    }

    /// Lists a repository's tags in the registry's order, following `Link` pagination.
    pub async fn list_tags(&self, repository: &str) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let base = self.base_url().await?;
        let mut url = format!("{base}/v2/{repository}/tags/list");
        let mut tags = Vec::new();
        let mut seen_urls = std::collections::HashSet::new();
        for _ in 0..MAX_TAG_PAGES {
            if !seen_urls.insert(url.clone()) {
                return Err(Error::Protocol {
                    url,
                    reason: "tag list pagination loops back to an earlier page".into(),
                });
            }
            let build = || Request::new(Method::Get, &url).header("Accept", "application/json");
            let response = self.send(&build, &pull_scope(repository)).await?;
            let response = self.expect_success(response, &url).await?;
            let next = response.headers.get("link").and_then(|l| super::url::next_link(&url, l));
            let body = response.bytes_limited(TAG_LIST_LIMIT, &url).await?;
            let page: Page = serde_json::from_slice(&body).map_err(|e| Error::Protocol {
                url: url.clone(),
                reason: format!("tag list is not the expected JSON: {e}"),
            })?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(next) => url = next,
                None => return Ok(tags),
            }
        }
        Err(Error::Protocol { url, reason: format!("more than {MAX_TAG_PAGES} pages of tags") })
    }
}
