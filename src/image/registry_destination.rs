//! Writing an image to a registry: the manifest its tag names and blobs are checked with `HEAD`,
//! blobs mounted from another
//! repository of the same registry when possible, otherwise uploaded; instance manifests are
//! pushed by digest and the top-level manifest by tag (or digest) in `commit`.

use super::destination::{BlobInfo, ImageDestination, MountOrigin};
use crate::digest::Digest;
use crate::error::Result;
use crate::http::{ByteStream, Transport};
use crate::registry::upload::UploadMode;
use crate::registry::RegistryClient;

/// Chunk size for blobs whose size the manifest does not give.
const CHUNK_WHEN_SIZE_UNKNOWN: usize = 8 * 1024 * 1024;

/// An image in a registry, as a destination.
pub struct RegistryDestination<T: Transport> {
    client: RegistryClient<T>,
    repository: String,
    reference: String,
    name: String,
    upload_mode: UploadMode,
}

impl<T: Transport> RegistryDestination<T> {
    /// Writes to `repository` and names the image `reference` (a tag or digest); `name` is the
    /// full image name used in messages.
    pub fn new(client: RegistryClient<T>, repository: &str, reference: &str, name: &str) -> Self {
        RegistryDestination {
            client,
            repository: repository.into(),
            reference: reference.into(),
            name: name.into(),
            upload_mode: UploadMode::Monolithic,
        }
    }

    /// Chooses how blob bytes are sent.
    pub fn with_upload_mode(mut self, mode: UploadMode) -> Self {
        self.upload_mode = mode;
        self
    }

    /// The client underneath.
    pub fn client(&self) -> &RegistryClient<T> {
        &self.client
    }
}

impl<T: Transport> ImageDestination for RegistryDestination<T> {
    fn describe(&self) -> String {
        format!("docker://{}", self.name)
    }

    fn docker_reference(&self) -> Option<String> {
        Some(self.name.clone())
    }

    async fn has_manifest(&self, digest: &Digest) -> Result<bool> {
        let head = self.client.head_manifest(&self.repository, &self.reference).await?;
        Ok(head.is_some_and(|h| h.digest.as_ref() == Some(digest)))
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        self.client.blob_exists(&self.repository, &blob.digest).await
    }

    async fn try_mount(&self, blob: &BlobInfo, origin: &MountOrigin) -> Result<bool> {
        if origin.registry != self.client.registry() || origin.repository == self.repository {
            return Ok(false);
        }
        self.client.mount_blob(&self.repository, &blob.digest, &origin.repository).await
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        match (blob.size, self.upload_mode) {
            (Some(size), mode) => self.client.upload_blob(&self.repository, &blob.digest, size, stream, mode).await,
            (None, _) => {
                self.client
                    .upload_blob(
                        &self.repository,
                        &blob.digest,
                        0,
                        stream,
                        UploadMode::Chunked(CHUNK_WHEN_SIZE_UNKNOWN),
                    )
                    .await
            }
        }
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        let (digest, size) = self.client.upload_new_blob(&self.repository, stream).await?;
        Ok(BlobInfo { digest, size: Some(size), media_type: media_type.to_string() })
    }

    async fn put_instance_manifest(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.client.put_manifest(&self.repository, &digest.to_string(), raw, media_type, digest).await
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.client.put_manifest(&self.repository, &self.reference, raw, media_type, digest).await
    }
}
