//! The image destination abstraction: anything an image can be written to.
//!
//! The shape makes atomicity a property of the trait, not of each transport's care: blobs
//! (verified before they become visible) and per-instance manifests come first, and nothing names
//! the image until [`ImageDestination::commit`] writes the top-level manifest (a tag, an
//! `index.json` entry, `manifest.json`). A copy that fails before `commit` leaves at most
//! verified blobs behind.

use std::future::Future;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::{ByteStream, MaybeSend, MaybeSync};
use crate::manifest::ManifestKind;
use crate::signature::Signature;

/// What a destination needs to know about a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub digest: Digest,
    /// The exact size, when the manifest says (schema 1 manifests do not).
    pub size: Option<u64>,
    pub media_type: String,
}

/// Where a blob already lives, so a registry can mount it instead of receiving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOrigin {
    /// The registry host (`registry.example.com:5000`).
    pub registry: String,
    /// The repository inside it.
    pub repository: String,
}

/// Where an image is written.
pub trait ImageDestination: MaybeSend + MaybeSync {
    /// A short description for messages (`docker://host/repo:tag`, `oci:/path:ref`).
    fn describe(&self) -> String;

    /// Whether the destination can store an index with its instances.
    fn supports_index(&self) -> bool {
        true
    }

    /// Manifest kinds the destination can store, if it cannot store every kind.
    fn required_kinds(&self) -> Option<&'static [ManifestKind]> {
        None
    }

    /// Whether the image's name already points at the manifest with this digest (a registry tag
    /// that resolves to it), so a copy could write nothing. `Ok(false)` when unknown; the
    /// default, for destinations that cannot tell cheaply.
    fn has_manifest(&self, _digest: &Digest) -> impl Future<Output = Result<bool>> + MaybeSend {
        async { Ok(false) }
    }

    /// Whether the destination already holds this blob, complete and verified.
    fn has_blob(&self, blob: &BlobInfo) -> impl Future<Output = Result<bool>> + MaybeSend;

    /// Makes the blob present without sending its bytes (a registry's cross-repository mount).
    /// `Ok(false)` means the bytes must be sent.
    fn try_mount(&self, _blob: &BlobInfo, _origin: &MountOrigin) -> impl Future<Output = Result<bool>> + MaybeSend {
        async { Ok(false) }
    }

    /// Stores a blob of known digest and size from `stream`, which comes from a verifying
    /// source: its last item is an error if the bytes are wrong. The blob must not become
    /// visible unless the stream ended cleanly (with exactly `blob.size` bytes, when known).
    fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> impl Future<Output = Result<()>> + MaybeSend;

    /// Stores a blob whose digest is only known once all of it has been written (a layer whose
    /// compression changed). Returns its digest and size.
    fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> impl Future<Output = Result<BlobInfo>> + MaybeSend;

    /// Stores a manifest that an index refers to, by its digest.
    fn put_instance_manifest(
        &self,
        raw: &[u8],
        media_type: &str,
        digest: &Digest,
    ) -> impl Future<Output = Result<()>> + MaybeSend;

    /// The image's name as a Docker reference (`registry/repository:tag`), the identity a new
    /// signature names when `--sign-identity` is not given; `None` for layouts without one.
    fn docker_reference(&self) -> Option<String> {
        None
    }

    /// `Ok` if the destination can store signatures; otherwise why not, in skopeo's words.
    fn signature_support(&self) -> Result<()> {
        Err(Error::Unsupported(format!("{} cannot store signatures", self.describe())))
    }

    /// Stores the signatures of the top-level manifest (`instance` `None`) or of one instance of
    /// an index, whose manifest has `digest`; called before [`ImageDestination::commit`], also
    /// with an empty list (so a destination that keeps an older image can drop its signatures).
    fn put_signatures(
        &self,
        _instance: Option<&Digest>,
        _digest: &Digest,
        signatures: &[Signature],
    ) -> impl Future<Output = Result<()>> + MaybeSend {
        let result = if signatures.is_empty() { Ok(()) } else { self.signature_support() };
        async move { result }
    }

    /// Writes the top-level manifest and makes the image visible under its name. Called last.
    fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> impl Future<Output = Result<()>> + MaybeSend;
}
