//! Layer compression changes for `copy --dest-compress-format gzip|zstd` and `--dest-decompress`.
//!
//! The engine decides per layer what to change from its media type; the bytes are transcoded by a
//! [`Codec`] that each face provides (the native one uses gzip and zstd streaming encoders), so
//! the core carries no compression library.

use crate::error::{Error, Result};
use crate::http::{ByteStream, MaybeSend, MaybeSync};

/// A layer compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Parses `--dest-compress-format` values.
    pub fn parse(value: &str) -> Result<Compression> {
        match value {
            "gzip" => Ok(Compression::Gzip),
            "zstd" => Ok(Compression::Zstd),
            other => Err(Error::Config(format!("unknown compression format {other:?} (use gzip or zstd)"))),
        }
    }
}

/// What to do to layers on the way to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerEdit {
    /// Store every layer with this compression.
    Compress(Compression),
    /// Store every layer uncompressed.
    Decompress,
}

impl LayerEdit {
    /// The compression a layer should end up with.
    pub fn target(self) -> Compression {
        match self {
            LayerEdit::Compress(c) => c,
            LayerEdit::Decompress => Compression::None,
        }
    }
}

/// Streaming decompression and compression of layer bytes.
pub trait Codec: MaybeSend + MaybeSync {
    /// Re-encodes `input` (compressed with `from`) with `to`.
    fn transcode(&self, input: ByteStream, from: Compression, to: Compression) -> Result<ByteStream>;
}

const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const OCI_NONDIST: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar";
const DOCKER_FOREIGN: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar";

/// The compression a layer media type names, or `None` for a type that is not a layer.
pub fn compression_of(media_type: &str) -> Option<Compression> {
    for base in [OCI_LAYER, OCI_NONDIST] {
        if let Some(suffix) = media_type.strip_prefix(base) {
            return match suffix {
                "" => Some(Compression::None),
                "+gzip" => Some(Compression::Gzip),
                "+zstd" => Some(Compression::Zstd),
                _ => None,
            };
        }
    }
    for base in [DOCKER_LAYER, DOCKER_FOREIGN] {
        if let Some(suffix) = media_type.strip_prefix(base) {
            return match suffix {
                "" => Some(Compression::None),
                ".gzip" => Some(Compression::Gzip),
                ".zstd" => Some(Compression::Zstd),
                _ => None,
            };
        }
    }
    None
}

/// The media type of a layer of `media_type` once stored with `compression`.
pub fn with_compression(media_type: &str, compression: Compression) -> Result<String> {
    let is_docker = media_type.starts_with("application/vnd.docker.");
    let base = [OCI_NONDIST, OCI_LAYER, DOCKER_FOREIGN, DOCKER_LAYER]
        .into_iter()
        .find(|b| media_type.starts_with(b))
        .ok_or_else(|| Error::Unsupported(format!("cannot change the compression of {media_type}")))?;
    Ok(match (is_docker, compression) {
        (_, Compression::None) => base.to_string(),
        (false, Compression::Gzip) => format!("{base}+gzip"),
        (false, Compression::Zstd) => format!("{base}+zstd"),
        (true, Compression::Gzip) => format!("{base}.gzip"),
        (true, Compression::Zstd) => {
            return Err(Error::Unsupported("Docker schema 2 images cannot hold zstd layers; add --format oci".into()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(compression_of("application/vnd.oci.image.layer.v1.tar+gzip"), Some(Compression::Gzip));
        assert_eq!(compression_of("application/vnd.oci.image.layer.v1.tar"), Some(Compression::None));
        assert_eq!(compression_of("application/vnd.docker.image.rootfs.diff.tar.gzip"), Some(Compression::Gzip));
        assert_eq!(compression_of("application/vnd.oci.image.config.v1+json"), None);
        assert_eq!(
            with_compression("application/vnd.oci.image.layer.v1.tar+gzip", Compression::Zstd).unwrap(),
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
        assert_eq!(
            with_compression("application/vnd.oci.image.layer.v1.tar+zstd", Compression::None).unwrap(),
            "application/vnd.oci.image.layer.v1.tar"
        );
        assert_eq!(
            with_compression("application/vnd.docker.image.rootfs.diff.tar", Compression::Gzip).unwrap(),
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        );
        assert!(with_compression("application/vnd.docker.image.rootfs.diff.tar.gzip", Compression::Zstd).is_err());
    }
}
