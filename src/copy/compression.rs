//! Layer compression changes for `copy --dest-compress-format gzip|zstd` and `--dest-decompress`.
//!
//! The engine decides per layer what to change from its media type (`manifest::media_type` reads
//! it); the bytes are transcoded by a
//! [`Codec`] that each face provides (the native one uses gzip and zstd streaming encoders), so
//! the core carries no compression library.

use crate::error::Result;
use crate::http::{ByteStream, MaybeSend, MaybeSync};
pub use crate::manifest::media_type::{compression_of, with_compression, Compression};

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
