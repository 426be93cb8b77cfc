//! The `oci:` image layout (OCI image-layout spec): `oci-layout`, `index.json` whose entries are
//! named by the `org.opencontainers.image.ref.name` annotation, and `blobs/<alg>/<hex>`.

use std::path::{Path, PathBuf};

use super::{read_file, verified_file_stream};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::ImageSource;
use crate::manifest::{Descriptor, Index, Manifest, MAX_MANIFEST_SIZE};
use crate::registry::api::manifest_matches;
use crate::registry::FetchedManifest;

/// The annotation naming an image in `index.json`.
pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// An image in an OCI layout.
pub struct OciSource {
    root: PathBuf,
    top: Descriptor,
}

/// The path of a blob inside a layout rooted at `root`.
pub fn blob_path(root: &Path, digest: &Digest) -> PathBuf {
    root.join("blobs").join(digest.algorithm().name()).join(digest.hex())
}

/// Reads and decodes a layout's `index.json`.
pub async fn read_index(root: &Path) -> Result<Index> {
    let raw = read_file(&root.join("index.json"), "OCI layout index").await?;
    serde_json::from_slice(&raw).map_err(|e| Error::InvalidManifest(format!("{}: {e}", root.join("index.json").display())))
}

impl OciSource {
    /// Opens the layout at `root` and finds the image named `image` (or its only image).
    pub async fn open(root: &Path, image: Option<&str>) -> Result<Self> {
        let index = read_index(root).await?;
        let named = |d: &&Descriptor| d.annotations.as_ref().and_then(|a| a.get(REF_NAME_ANNOTATION)).map(String::as_str) == image;
        let top = match image {
            Some(name) => index
                .manifests
                .iter()
                .find(named)
                .ok_or_else(|| Error::NotFound(format!("no image named {name:?} in OCI layout {}", root.display())))?,
            None => match index.manifests.as_slice() {
                [only] => only,
                [] => return Err(Error::NotFound(format!("no image in OCI layout {}", root.display()))),
                _ => {
                    return Err(Error::Unsupported(format!(
                        "more than one image in OCI layout {}: name one as oci:PATH:NAME",
                        root.display()
                    )))
                }
            },
        };
        Ok(OciSource { root: root.to_path_buf(), top: top.clone() })
    }
}

impl ImageSource for OciSource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        let digest = instance.unwrap_or(&self.top.digest);
        let path = blob_path(&self.root, digest);
        let raw = read_file(&path, "manifest").await?;
        if raw.len() as u64 > MAX_MANIFEST_SIZE {
            return Err(Error::ManifestTooLarge { size: raw.len() as u64, limit: MAX_MANIFEST_SIZE });
        }
        let media_type = if instance.is_none() { Some(self.top.media_type.as_str()).filter(|m| !m.is_empty()) } else { None };
        let manifest = Manifest::decode(raw, media_type)?;
        if !manifest_matches(&manifest, digest) {
            return Err(Error::DigestMismatch {
                what: format!("manifest {}", path.display()),
                expected: digest.to_string(),
                actual: manifest.digest()?.to_string(),
            });
        }
        Ok(FetchedManifest { manifest, digest: digest.clone() })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        verified_file_stream(&blob_path(&self.root, digest), digest, size).await
    }

    fn docker_name(&self) -> Option<String> {
        None
    }
}
