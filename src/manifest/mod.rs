//! Manifests and indexes: decoding by Content-Type or by sniffing, digests, verification against
//! the digest they are addressed by, platform choice, and an [`outline`] of their parts for faces
//! that show them.
//!
//! A [`Manifest`] keeps the exact bytes it was decoded from next to the decoded view; the bytes
//! are the truth and are what gets hashed, printed by `inspect --raw` and copied.

pub mod media_type;
pub mod outline;
pub mod platform;
pub mod schema1;
pub mod types;
pub mod verify;

pub use media_type::ManifestKind;
pub use outline::{DescriptorView, Outline, PlatformView, Shape};
pub use platform::WantedPlatform;
pub use types::{Descriptor, ImageManifest, Index, Platform, Schema1Manifest};
pub use verify::{expected_digest, verify};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The largest manifest skopos accepts (4 MiB, as the distribution registry).
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

/// The decoded view of a manifest.
// One `Parsed` exists per manifest in hand, never in bulk: its size does not matter, and boxing
// the image variant would only add an indirection to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// OCI image manifest or Docker schema 2.
    Image(ImageManifest),
    /// OCI index or Docker manifest list.
    Index(Index),
    /// Docker schema 1, signed or not.
    Schema1(Schema1Manifest),
}

/// A manifest: its raw bytes, its kind, and the decoded view.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    raw: Vec<u8>,
    kind: ManifestKind,
    parsed: Parsed,
}

impl Manifest {
    /// Decodes `raw`, using `content_type` when it is specific and sniffing the bytes otherwise.
    pub fn decode(raw: Vec<u8>, content_type: Option<&str>) -> Result<Manifest> {
        if raw.len() as u64 > MAX_MANIFEST_SIZE {
            return Err(Error::ManifestTooLarge { size: raw.len() as u64, limit: MAX_MANIFEST_SIZE });
        }
        let kind = media_type::detect(content_type, &raw).ok_or_else(|| describe_unknown(&raw, content_type))?;
        let parsed = match kind {
            ManifestKind::OciManifest | ManifestKind::DockerV2S2 => Parsed::Image(decode_json(&raw, kind)?),
            ManifestKind::OciIndex | ManifestKind::DockerList => Parsed::Index(decode_json(&raw, kind)?),
            ManifestKind::DockerV2S1 | ManifestKind::DockerV2S1Signed => Parsed::Schema1(decode_json(&raw, kind)?),
        };
        Ok(Manifest { raw, kind, parsed })
    }

    /// The exact bytes.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Takes the bytes back.
    pub fn into_raw(self) -> Vec<u8> {
        self.raw
    }

    /// The manifest's kind.
    pub fn kind(&self) -> ManifestKind {
        self.kind
    }

    /// The manifest's media type.
    pub fn media_type(&self) -> &'static str {
        self.kind.media_type()
    }

    /// The decoded view.
    pub fn parsed(&self) -> &Parsed {
        &self.parsed
    }

    /// The manifest's digest (for signed schema 1, the digest of the signed payload).
    pub fn digest(&self) -> Result<Digest> {
        match self.kind {
            ManifestKind::DockerV2S1Signed => schema1::signed_digest(&self.raw),
            _ => Ok(Digest::sha256(&self.raw)),
        }
    }

    /// The image manifest, if this is one.
    pub fn as_image(&self) -> Option<&ImageManifest> {
        match &self.parsed {
            Parsed::Image(m) => Some(m),
            _ => None,
        }
    }

    /// The index, if this is one.
    pub fn as_index(&self) -> Option<&Index> {
        match &self.parsed {
            Parsed::Index(i) => Some(i),
            _ => None,
        }
    }

    /// Picks the instance of an index for `wanted`; fails for a manifest that is not an index.
    pub fn choose_instance(&self, wanted: &WantedPlatform) -> Result<&Descriptor> {
        let index = self.as_index().ok_or_else(|| Error::InvalidManifest("not an index".into()))?;
        let kind_name = if self.kind == ManifestKind::DockerList { "manifest list" } else { "image index" };
        platform::choose(index, wanted, kind_name)
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(raw: &[u8], kind: ManifestKind) -> Result<T> {
    serde_json::from_slice(raw).map_err(|e| Error::InvalidManifest(format!("cannot decode {}: {e}", kind.media_type())))
}

fn describe_unknown(raw: &[u8], content_type: Option<&str>) -> Error {
    if serde_json::from_slice::<serde::de::IgnoredAny>(raw).is_err() {
        let ct = content_type.map(|c| format!(" (Content-Type {c})")).unwrap_or_default();
        return Error::InvalidManifest(format!("not JSON{ct}"));
    }
    match content_type {
        Some(ct) if !media_type::is_generic(ct) => {
            Error::InvalidManifest(format!("unsupported manifest media type {ct:?}"))
        }
        _ => Error::InvalidManifest("unrecognised manifest format (unknown schemaVersion or mediaType)".into()),
    }
}

/// The digest of manifest bytes, as `skopeo manifest-digest` computes it.
pub fn manifest_digest(raw: &[u8]) -> Result<Digest> {
    if media_type::sniff(raw) == Some(ManifestKind::DockerV2S1Signed) {
        schema1::signed_digest(raw)
    } else {
        Ok(Digest::sha256(raw))
    }
}

#[cfg(test)]
mod tests;
