//! The `oci:` image layout (OCI image-layout spec): `oci-layout`, `index.json` whose entries are
//! named by the `org.opencontainers.image.ref.name` annotation, and `blobs/<alg>/<hex>`.

use std::path::{Path, PathBuf};

use super::{read_file, verified_file_stream};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::ImageSource;
use crate::manifest::{Descriptor, Index, Manifest, MAX_MANIFEST_SIZE};
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
    serde_json::from_slice(&raw)
        .map_err(|e| Error::InvalidManifest(format!("{}: {e}", root.join("index.json").display())))
}

impl OciSource {
    /// Opens the layout at `root` and finds the image named `image` (or its only image).
    pub async fn open(root: &Path, image: Option<&str>) -> Result<Self> {
        let index = read_index(root).await?;
        let named = |d: &&Descriptor| {
            d.annotations.as_ref().and_then(|a| a.get(REF_NAME_ANNOTATION)).map(String::as_str) == image
        };
        let top =
            match image {
                Some(name) => index.manifests.iter().find(named).ok_or_else(|| {
                    Error::NotFound(format!("no image named {name:?} in OCI layout {}", root.display()))
                })?,
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
        let media_type =
            if instance.is_none() { Some(self.top.media_type.as_str()).filter(|m| !m.is_empty()) } else { None };
        let manifest = Manifest::decode(raw, media_type)?;
        let digest = crate::manifest::verify(manifest.raw(), Some(digest), &format!("manifest {}", path.display()))?;
        Ok(FetchedManifest { manifest, digest })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        verified_file_stream(&blob_path(&self.root, digest), digest, size).await
    }

    fn docker_name(&self) -> Option<String> {
        None
    }
}

/// The `oci-layout` file's content.
pub const OCI_LAYOUT: &str = "{\"imageLayoutVersion\":\"1.0.0\"}";

/// An OCI image layout as a destination.
///
/// Blobs land in `blobs/<alg>/<hex>` after verification; `commit` writes the top-level manifest
/// blob and then replaces `index.json` atomically, moving the tag (ref name) to the new image and
/// keeping every other image in the layout.
pub struct OciDestination {
    root: PathBuf,
    image: Option<String>,
}

impl OciDestination {
    /// Prepares a layout at `root` (created if missing) that will name the image `image`.
    pub async fn create(root: &Path, image: Option<&str>) -> Result<Self> {
        if root.exists() && !root.is_dir() {
            return Err(Error::Config(format!("{} exists and is not a directory", root.display())));
        }
        let layout_file = root.join("oci-layout");
        if root.join("index.json").exists() && !layout_file.exists() {
            return Err(Error::Config(format!(
                "{} has an index.json but no oci-layout file: not an OCI layout",
                root.display()
            )));
        }
        // Directories are made by the first write, so a copy refused before it (by the trust
        // policy) leaves nothing behind.
        Ok(OciDestination { root: root.to_path_buf(), image: image.map(str::to_string) })
    }

    /// Reads the current index.json, or an empty index for a new layout.
    async fn current_index(&self) -> Result<serde_json::Value> {
        match tokio::fs::read(self.root.join("index.json")).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::InvalidManifest(format!("{}: {e}", self.root.join("index.json").display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(serde_json::json!({"schemaVersion": 2, "manifests": []}))
            }
            Err(e) => Err(Error::io(format!("reading {}", self.root.join("index.json").display()), e)),
        }
    }
}

impl crate::image::ImageDestination for OciDestination {
    fn describe(&self) -> String {
        match &self.image {
            Some(image) => format!("oci:{}:{image}", self.root.display()),
            None => format!("oci:{}", self.root.display()),
        }
    }

    fn signature_support(&self) -> Result<()> {
        Err(Error::Unsupported("Pushing signatures for OCI images is not supported".into()))
    }

    /// An OCI layout holds OCI manifests and indexes only (skopeo converts Docker schema 2 images
    /// on the way in, and its reader ignores index.json entries of other media types).
    fn required_kinds(&self) -> Option<&'static [crate::manifest::ManifestKind]> {
        Some(&[crate::manifest::ManifestKind::OciManifest, crate::manifest::ManifestKind::OciIndex])
    }

    async fn has_blob(&self, blob: &crate::image::BlobInfo) -> Result<bool> {
        let path = blob_path(&self.root, &blob.digest);
        Ok(match blob.size {
            Some(size) => super::write::file_has_size(&path, size).await,
            None => tokio::fs::metadata(&path).await.is_ok(),
        })
    }

    async fn put_blob(&self, blob: &crate::image::BlobInfo, stream: ByteStream) -> Result<()> {
        let path = blob_path(&self.root, &blob.digest);
        if let Some(dir) = path.parent() {
            super::write::ensure_dir(dir).await?;
        }
        super::write::stream_atomic(&path, stream, blob.size).await.map(|_| ())
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<crate::image::BlobInfo> {
        let scratch = self.root.join("blobs").join("sha256");
        super::write::ensure_dir(&scratch).await?;
        let (digest, size) =
            super::write::stream_content_addressed(&scratch, |d| blob_path(&self.root, d), stream).await?;
        Ok(crate::image::BlobInfo { digest, size: Some(size), media_type: media_type.to_string() })
    }

    async fn put_instance_manifest(&self, raw: &[u8], _media_type: &str, digest: &Digest) -> Result<()> {
        let path = blob_path(&self.root, digest);
        if let Some(dir) = path.parent() {
            super::write::ensure_dir(dir).await?;
        }
        super::write::write_atomic(&path, raw).await
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        let path = blob_path(&self.root, digest);
        if let Some(dir) = path.parent() {
            super::write::ensure_dir(dir).await?;
        }
        super::write::write_atomic(&path, raw).await?;
        if !self.root.join("oci-layout").exists() {
            super::write::write_atomic(&self.root.join("oci-layout"), OCI_LAYOUT.as_bytes()).await?;
        }
        let mut index = self.current_index().await?;
        let mut descriptor =
            serde_json::json!({"mediaType": media_type, "digest": digest.to_string(), "size": raw.len()});
        if let Some(image) = &self.image {
            descriptor["annotations"] = serde_json::json!({ REF_NAME_ANNOTATION: image });
        }
        let entries = index.get_mut("manifests").and_then(|m| m.as_array_mut()).ok_or_else(|| {
            Error::InvalidManifest(format!("{}: no \"manifests\" array", self.root.join("index.json").display()))
        })?;
        let image = self.image.clone();
        entries.retain(|entry| {
            let name = entry.pointer("/annotations/org.opencontainers.image.ref.name").and_then(|n| n.as_str());
            match &image {
                Some(image) => name != Some(image.as_str()),
                None => !(name.is_none() && entry.get("digest").and_then(|d| d.as_str()) == Some(&digest.to_string())),
            }
        });
        entries.push(descriptor);
        let bytes = serde_json::to_vec(&index).map_err(|e| Error::InvalidManifest(e.to_string()))?;
        super::write::write_atomic(&self.root.join("index.json"), &bytes).await
    }
}
