//! On-disk image layouts: `dir:`, `oci:`, and the `oci-archive:` / `docker-archive:` tarballs.

pub mod dir;
pub mod docker_archive;
pub mod oci;
pub mod oci_archive;
pub mod tarball;
pub mod write;

use std::path::Path;

use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use crate::digest::{Digest, VerifiedStream, Verifier};
use crate::error::{Error, Result};
use crate::http::ByteStream;

const READ_CHUNK: usize = 256 * 1024;

/// Streams a file, verified against `digest` (and `size`) as it is read.
pub async fn verified_file_stream(path: &Path, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
    let file = tokio::fs::File::open(path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("blob {digest} not found at {}", path.display())),
        _ => Error::io(format!("opening {}", path.display()), e),
    })?;
    let verifier = Verifier::new(digest.clone(), size, format!("blob {digest} at {}", path.display()));
    Ok(VerifiedStream::new(file_stream(file, path.to_path_buf()), verifier).boxed())
}

/// The bytes of an open file, read in chunks; a read error is the last item.
fn file_stream(file: tokio::fs::File, path: std::path::PathBuf) -> ByteStream {
    let stream = futures_util::stream::unfold(Some((file, path)), |state| async move {
        let (mut file, path) = state?;
        let mut buf = vec![0u8; READ_CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some((file, path))))
            }
            Err(e) => Some((Err(Error::io(format!("reading {}", path.display()), e)), None)),
        }
    });
    stream.boxed()
}

/// Reads a small file whole, naming it in errors; a missing file is [`Error::NotFound`].
pub async fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    tokio::fs::read(path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("{what} not found: {} does not exist", path.display())),
        _ => Error::io(format!("reading {}", path.display()), e),
    })
}
