//! The `oci-archive:` transport: a tar of an OCI image layout.
//!
//! Reading extracts the archive (regular files and directories only) into a temporary directory
//! and reads it as an `oci:` layout; blobs are verified as they are for `oci:`.
//!
//! Writing builds a fresh layout in a temporary directory beside the archive and, in `commit`,
//! tars it to a temporary file that is renamed over PATH. Like skopeo, the new archive holds only
//! the image just copied: an existing archive at PATH is replaced, not added to. A copy that fails
//! before `commit` leaves the previous archive byte-identical.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tempfile::TempDir;

use super::oci::{OciDestination, OciSource};
use super::tarball::{append_tree, blocking, extract, write_atomically};
use super::write::StagingDir;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, ImageSource};
use crate::registry::FetchedManifest;

/// Replaces the temporary directory's path with the archive's name in an error's message.
fn rename_error(e: Error, temp: &Path, archive: &Path) -> Error {
    let from = temp.display().to_string();
    let to = format!("oci-archive:{}", archive.display());
    let fix = |s: String| s.replace(&from, &to);
    match e {
        Error::NotFound(m) => Error::NotFound(fix(m)),
        Error::Unsupported(m) => Error::Unsupported(fix(m)),
        Error::InvalidManifest(m) => Error::InvalidManifest(fix(m)),
        Error::DigestMismatch { what, expected, actual } => Error::DigestMismatch { what: fix(what), expected, actual },
        Error::SizeMismatch { what, expected, actual } => Error::SizeMismatch { what: fix(what), expected, actual },
        other => other,
    }
}

/// An image in an `oci-archive:` tarball.
pub struct OciArchiveSource {
    archive: PathBuf,
    extracted: TempDir,
    inner: OciSource,
}

impl OciArchiveSource {
    /// Extracts the archive at `path` and finds the image named `image` (or its only image).
    pub async fn open(path: &Path, image: Option<&str>) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::NotFound(format!("archive {} does not exist or is not a file", path.display())));
        }
        let extracted = tempfile::Builder::new()
            .prefix("skopos-oci-archive-")
            .tempdir()
            .map_err(|e| Error::io("creating a temporary directory", e))?;
        let (archive, dest) = (path.to_path_buf(), extracted.path().to_path_buf());
        blocking(move || extract(&archive, &dest)).await?;
        if !extracted.path().join("index.json").is_file() {
            return Err(Error::InvalidManifest(format!(
                "{} is not an oci-archive: it has no index.json",
                path.display()
            )));
        }
        let inner =
            OciSource::open(extracted.path(), image).await.map_err(|e| rename_error(e, extracted.path(), path))?;
        Ok(OciArchiveSource { archive: path.to_path_buf(), extracted, inner })
    }
}

impl ImageSource for OciArchiveSource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        self.inner.manifest(instance).await.map_err(|e| rename_error(e, self.extracted.path(), &self.archive))
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        let (temp, archive) = (self.extracted.path().to_path_buf(), self.archive.clone());
        let stream = self.inner.blob(digest, size).await.map_err(|e| rename_error(e, &temp, &archive))?;
        Ok(stream.map(move |item| item.map_err(|e| rename_error(e, &temp, &archive))).boxed())
    }

    fn docker_name(&self) -> Option<String> {
        None
    }
}

/// An `oci-archive:` tarball as a destination.
pub struct OciArchiveDestination {
    path: PathBuf,
    image: Option<String>,
    layout: StagingDir,
    inner: OciDestination,
}

impl OciArchiveDestination {
    /// Prepares a temporary layout beside `path` for the image named `image`.
    pub async fn create(path: &Path, image: Option<&str>) -> Result<Self> {
        if path.is_dir() {
            return Err(Error::Config(format!("{} is a directory, not an archive file", path.display())));
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let layout = StagingDir::new_in(&parent)?;
        let inner = OciDestination::create(layout.path(), image).await?;
        Ok(OciArchiveDestination { path: path.to_path_buf(), image: image.map(str::to_string), layout, inner })
    }
}

impl ImageDestination for OciArchiveDestination {
    fn describe(&self) -> String {
        match &self.image {
            Some(image) => format!("oci-archive:{}:{image}", self.path.display()),
            None => format!("oci-archive:{}", self.path.display()),
        }
    }

    fn signature_support(&self) -> Result<()> {
        Err(Error::Unsupported("Pushing signatures for OCI images is not supported".into()))
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        self.inner.has_blob(blob).await
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        self.inner.put_blob(blob, stream).await
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        self.inner.put_new_blob(stream, media_type).await
    }

    async fn put_instance_manifest(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.inner.put_instance_manifest(raw, media_type, digest).await
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.inner.commit(raw, media_type, digest).await?;
        let (root, target) = (self.layout.path().to_path_buf(), self.path.clone());
        blocking(move || write_atomically(&target, |w| append_tree(w, &root))).await
    }
}
