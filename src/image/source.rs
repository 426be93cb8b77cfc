//! The image source abstraction: anything an image can be read from (a registry, a `dir:` or
//! `oci:` layout). Inspect and copy are written against [`ImageSource`] and know no transport.

use std::future::Future;

use crate::digest::Digest;
use crate::error::Result;
use crate::http::{read_limited, ByteStream, MaybeSend, MaybeSync, Transport};
use crate::registry::{FetchedManifest, RegistryClient};
use crate::signature::Signature;

/// Where an image is read from.
pub trait ImageSource: MaybeSend + MaybeSync {
    /// The top-level manifest (`None`), or one instance of an index by digest, verified.
    fn manifest(&self, instance: Option<&Digest>) -> impl Future<Output = Result<FetchedManifest>> + MaybeSend;

    /// A blob's bytes as a stream that fails unless they match `digest` (and `size`, if given).
    fn blob(&self, digest: &Digest, size: Option<u64>) -> impl Future<Output = Result<ByteStream>> + MaybeSend;

    /// The image's full registry name (`docker.io/library/alpine`), if it has one.
    fn docker_name(&self) -> Option<String>;

    /// Where the source's blobs live in a registry, for cross-repository mounts.
    fn mount_origin(&self) -> Option<super::MountOrigin> {
        None
    }

    /// The tags of the image's repository, for sources that have repositories.
    fn repository_tags(&self) -> impl Future<Output = Result<Option<Vec<String>>>> + MaybeSend {
        async { Ok(None) }
    }

    /// The signatures (simple or sigstore) of the top-level manifest (`instance` `None`) or of
    /// one instance of an index, whose manifest has `digest`: unverified, each at most
    /// [`crate::signature::MAX_SIGNATURE_SIZE`]. None, for sources that keep none.
    fn signatures(
        &self,
        _instance: Option<&Digest>,
        _digest: &Digest,
    ) -> impl Future<Output = Result<Vec<Signature>>> + MaybeSend {
        async { Ok(Vec::new()) }
    }
}

/// Reads a whole blob from a source, verified, refusing more than `limit` bytes.
pub async fn blob_bytes<S: ImageSource>(source: &S, digest: &Digest, limit: u64) -> Result<Vec<u8>> {
    let stream = source.blob(digest, None).await?;
    read_limited(stream, limit, &format!("blob {digest}")).await
}

/// An image in a registry: `docker://registry/repository:tag` or `@digest`.
pub struct RegistrySource<T: Transport> {
    client: RegistryClient<T>,
    repository: String,
    reference: String,
    name: String,
}

impl<T: Transport> RegistrySource<T> {
    /// The image `repository` at `reference` (a tag or a digest string), named `name` in output.
    pub fn new(client: RegistryClient<T>, repository: &str, reference: &str, name: &str) -> Self {
        RegistrySource { client, repository: repository.into(), reference: reference.into(), name: name.into() }
    }

    /// The client underneath.
    pub fn client(&self) -> &RegistryClient<T> {
        &self.client
    }
}

impl<T: Transport> ImageSource for RegistrySource<T> {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        let reference = instance.map(|d| d.to_string()).unwrap_or_else(|| self.reference.clone());
        self.client.get_manifest(&self.repository, &reference).await
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        self.client.get_blob(&self.repository, digest, size).await
    }

    fn docker_name(&self) -> Option<String> {
        Some(self.name.clone())
    }

    fn mount_origin(&self) -> Option<super::MountOrigin> {
        Some(super::MountOrigin { registry: self.client.registry().to_string(), repository: self.repository.clone() })
    }

    async fn repository_tags(&self) -> Result<Option<Vec<String>>> {
        self.client.list_tags(&self.repository).await.map(Some)
    }
}
