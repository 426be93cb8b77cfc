//! The `dir:` layout (containers/image "Directory Transport Version: 1.1"): `manifest.json`,
//! per-instance `<hex>.manifest.json`, blobs named by their bare hex digest, `version`, and
//! simple signatures as `signature-N` (of the top-level manifest) and `<hex>.signature-N` (of
//! an instance), numbered from 1.

use std::path::{Path, PathBuf};

use super::{read_file, verified_file_stream};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::ImageSource;
use crate::manifest::Manifest;
use crate::native::lookaside::{read_signature_file, MAX_SIGNATURES};
use crate::registry::FetchedManifest;
use crate::signature::Signature;

/// An image stored in a `dir:` directory.
pub struct DirSource {
    path: PathBuf,
}

impl DirSource {
    /// Opens the directory (it must exist).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_dir() {
            return Err(Error::NotFound(format!("{} is not a directory", path.display())));
        }
        Ok(DirSource { path: path.to_path_buf() })
    }

    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.path.join(digest.hex())
    }
}

/// The file name of signature `index` (from 1) of the top-level manifest or of an instance.
fn signature_name(instance: Option<&Digest>, index: usize) -> String {
    match instance {
        Some(digest) => format!("{}.signature-{index}", digest.hex()),
        None => format!("signature-{index}"),
    }
}

impl ImageSource for DirSource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        let file = match instance {
            Some(d) => self.path.join(format!("{}.manifest.json", d.hex())),
            None => self.path.join("manifest.json"),
        };
        let raw = read_file(&file, "manifest").await?;
        let manifest = Manifest::decode(raw, None)?;
        let digest = crate::manifest::verify(manifest.raw(), instance, &format!("manifest {}", file.display()))?;
        Ok(FetchedManifest { manifest, digest })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        verified_file_stream(&self.blob_path(digest), digest, size).await
    }

    fn docker_name(&self) -> Option<String> {
        None
    }

    async fn signatures(&self, instance: Option<&Digest>, _digest: &Digest) -> Result<Vec<Signature>> {
        let mut signatures = Vec::new();
        loop {
            let path = self.path.join(signature_name(instance, signatures.len() + 1));
            let Some(blob) = read_signature_file(&path)? else { break };
            let signature = Signature::from_blob(&blob)
                .map_err(|e| Error::Signature(format!("parsing signature {}: {e}", path.display())))?;
            signatures.push(signature);
            if signatures.len() > MAX_SIGNATURES {
                return Err(Error::Signature(format!(
                    "{} has more than {MAX_SIGNATURES} signatures, assuming that's unreasonable",
                    self.path.display()
                )));
            }
        }
        Ok(signatures)
    }
}

/// Whether `name` is a signature file of the layout (`signature-N`, `<hex>.signature-N`).
fn is_signature_name(name: &str) -> bool {
    let rest = match name.split_once(".signature-") {
        Some((hex, rest)) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => rest,
        Some(_) => return false,
        None => match name.strip_prefix("signature-") {
            Some(rest) => rest,
            None => return false,
        },
    };
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
}

/// The `version` file's content.
pub const DIR_VERSION: &str = "Directory Transport Version: 1.1\n";

/// The signatures of the top-level manifest (`None`) or of an instance, waiting for `commit`.
type PendingSignatures = (Option<Digest>, Vec<Signature>);

/// A `dir:` directory as a destination.
///
/// Unlike skopeo, an existing `dir:` image is not wiped first: blobs it already has are kept
/// (and skipped), the new `manifest.json` replaces the old one atomically in `commit`, and only
/// then are blobs and instance manifests the new image does not use removed.
pub struct DirDestination {
    path: PathBuf,
    /// Signatures given before `commit`, written with the manifest so that a failed copy
    /// leaves an older image's signatures as they were.
    signatures: std::sync::Mutex<Vec<PendingSignatures>>,
}

impl DirDestination {
    /// Prepares `path`: it must be missing, empty, or a `dir:` image already.
    pub async fn create(path: &Path) -> Result<Self> {
        match tokio::fs::read_dir(path).await {
            Ok(mut entries) => {
                let has_entries = entries
                    .next_entry()
                    .await
                    .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
                    .is_some();
                let version = tokio::fs::read_to_string(path.join("version")).await.ok();
                if has_entries && version.as_deref() != Some(DIR_VERSION) {
                    return Err(Error::Config(format!(
                        "{} is not empty and is not a dir: image; refusing to write into it",
                        path.display()
                    )));
                }
            }
            // Created by the first write, so a copy refused before it (by the trust policy)
            // leaves no directory behind.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        }
        Ok(DirDestination { path: path.to_path_buf(), signatures: Default::default() })
    }

    /// The file names (blobs, instance manifests) that the manifest `raw` needs.
    async fn files_used_by(&self, raw: &[u8]) -> Result<std::collections::HashSet<String>> {
        let mut used = std::collections::HashSet::new();
        let manifest = Manifest::decode(raw.to_vec(), None)?;
        let mut images = vec![manifest];
        if let Some(index) = images[0].as_index() {
            let mut instances = Vec::new();
            for entry in &index.manifests {
                let name = format!("{}.manifest.json", entry.digest.hex());
                if let Ok(bytes) = tokio::fs::read(self.path.join(&name)).await {
                    instances.extend(Manifest::decode(bytes, None).ok());
                }
                used.insert(name);
            }
            images = instances;
        }
        for image in &images {
            match image.parsed() {
                crate::manifest::Parsed::Image(m) => {
                    used.insert(m.config.digest.hex().to_string());
                    used.extend(m.layers.iter().map(|l| l.digest.hex().to_string()));
                }
                crate::manifest::Parsed::Schema1(m) => {
                    used.extend(m.fs_layers.iter().map(|l| l.blob_sum.hex().to_string()))
                }
                crate::manifest::Parsed::Index(_) => {}
            }
        }
        Ok(used)
    }

    /// Writes the signatures given since `create`, and returns their file names.
    async fn write_signatures(&self) -> Result<std::collections::HashSet<String>> {
        let pending = std::mem::take(&mut *self.signatures.lock().unwrap_or_else(|p| p.into_inner()));
        let mut names = std::collections::HashSet::new();
        for (instance, signatures) in pending {
            for (i, signature) in signatures.iter().enumerate() {
                let name = signature_name(instance.as_ref(), i + 1);
                super::write::write_atomic(&self.path.join(&name), &signature.to_blob()).await?;
                names.insert(name);
            }
        }
        Ok(names)
    }

    /// Removes blob, instance-manifest and signature files that the committed image does not use.
    async fn remove_unused(&self, raw: &[u8], signatures: std::collections::HashSet<String>) -> Result<()> {
        let mut keep = self.files_used_by(raw).await?;
        keep.extend(signatures);
        let mut entries = tokio::fs::read_dir(&self.path)
            .await
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?;
        while let Some(entry) =
            entries.next_entry().await.map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if keep.contains(&name) {
                continue;
            }
            let hex_part = name.strip_suffix(".manifest.json").unwrap_or(&name);
            let is_ours = hex_part.len() == 64 && hex_part.bytes().all(|b| b.is_ascii_hexdigit());
            if is_ours || is_signature_name(&name) {
                let _ = tokio::fs::remove_file(entry.path()).await;
            }
        }
        Ok(())
    }
}

impl crate::image::ImageDestination for DirDestination {
    fn describe(&self) -> String {
        format!("dir:{}", self.path.display())
    }

    async fn has_blob(&self, blob: &crate::image::BlobInfo) -> Result<bool> {
        let path = self.path.join(blob.digest.hex());
        let present = match blob.size {
            Some(size) => super::write::file_has_size(&path, size).await,
            None => tokio::fs::metadata(&path).await.is_ok(),
        };
        Ok(present)
    }

    async fn put_blob(&self, blob: &crate::image::BlobInfo, stream: ByteStream) -> Result<()> {
        super::write::ensure_dir(&self.path).await?;
        super::write::stream_atomic(&self.path.join(blob.digest.hex()), stream, blob.size).await.map(|_| ())
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<crate::image::BlobInfo> {
        super::write::ensure_dir(&self.path).await?;
        let (digest, size) =
            super::write::stream_content_addressed(&self.path, |d| self.path.join(d.hex()), stream).await?;
        Ok(crate::image::BlobInfo { digest, size: Some(size), media_type: media_type.to_string() })
    }

    async fn put_instance_manifest(&self, raw: &[u8], _media_type: &str, digest: &Digest) -> Result<()> {
        super::write::ensure_dir(&self.path).await?;
        super::write::write_atomic(&self.path.join(format!("{}.manifest.json", digest.hex())), raw).await
    }

    fn signature_support(&self) -> Result<()> {
        Ok(())
    }

    async fn put_signatures(
        &self,
        instance: Option<&Digest>,
        _digest: &Digest,
        signatures: &[Signature],
    ) -> Result<()> {
        self.signatures.lock().unwrap_or_else(|p| p.into_inner()).push((instance.cloned(), signatures.to_vec()));
        Ok(())
    }

    async fn commit(&self, raw: &[u8], _media_type: &str, _digest: &Digest) -> Result<()> {
        super::write::ensure_dir(&self.path).await?;
        super::write::write_atomic(&self.path.join("version"), DIR_VERSION.as_bytes()).await?;
        let signatures = self.write_signatures().await?;
        super::write::write_atomic(&self.path.join("manifest.json"), raw).await?;
        self.remove_unused(raw, signatures).await
    }
}
