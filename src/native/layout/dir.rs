//! The `dir:` layout (containers/image "Directory Transport Version: 1.1"): `manifest.json`,
//! per-instance `<hex>.manifest.json`, blobs named by their bare hex digest, and `version`.

use std::path::{Path, PathBuf};

use super::{read_file, verified_file_stream};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::ImageSource;
use crate::manifest::Manifest;
use crate::registry::api::manifest_matches;
use crate::registry::FetchedManifest;

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

impl ImageSource for DirSource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        let file = match instance {
            Some(d) => self.path.join(format!("{}.manifest.json", d.hex())),
            None => self.path.join("manifest.json"),
        };
        let raw = read_file(&file, "manifest").await?;
        let manifest = Manifest::decode(raw, None)?;
        let digest = match instance {
            Some(expected) if manifest_matches(&manifest, expected) => expected.clone(),
            Some(expected) => {
                return Err(Error::DigestMismatch {
                    what: format!("manifest {}", file.display()),
                    expected: expected.to_string(),
                    actual: manifest.digest()?.to_string(),
                })
            }
            None => manifest.digest()?,
        };
        Ok(FetchedManifest { manifest, digest })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        verified_file_stream(&self.blob_path(digest), digest, size).await
    }

    fn docker_name(&self) -> Option<String> {
        None
    }
}
