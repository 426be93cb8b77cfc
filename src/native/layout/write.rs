//! Atomic writes for layouts: a file appears under its final name only when it is complete.
//!
//! Every write goes to a temporary file beside its target (same directory, so the rename cannot
//! cross file systems), and is renamed into place after its bytes are all there. A failure
//! removes the temporary file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::StreamExt;

use crate::error::{Error, Result};
use crate::http::ByteStream;

/// Chunks queued per blob between the download and the disk writer.
const WRITE_QUEUE: usize = 1;

/// Prefix of temporary files; readers ignore such names.
pub const TEMP_PREFIX: &str = ".skopos-tmp-";

pub(crate) fn temp_path_for(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    target.with_file_name(format!("{TEMP_PREFIX}{}-{n}-{name}", std::process::id()))
}

/// A spawned task that is aborted when its handle is dropped: a copy that fails (or is
/// interrupted) stops its other blob writes instead of leaving them running in the background.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A temporary directory beside a target (named with [`TEMP_PREFIX`]), removed when dropped.
///
/// Writes into it may still be winding down when it is dropped after a failed copy (their tasks
/// were aborted but not yet cancelled), so removal is retried for a short while until the
/// directory is gone.
pub(crate) struct StagingDir {
    path: PathBuf,
}

impl StagingDir {
    /// Creates a staging directory in `parent`.
    pub(crate) fn new_in(parent: &Path) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir_in(parent)
            .map_err(|e| Error::io(format!("creating a temporary directory in {}", parent.display()), e))?;
        Ok(StagingDir { path: dir.keep() })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        for _ in 0..50 {
            match std::fs::remove_dir_all(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => return,
            }
        }
    }
}

/// Removes a temporary file when dropped unless it was kept (renamed into place).
pub(crate) struct TempGuard {
    pub(crate) path: PathBuf,
    pub(crate) armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `target` atomically.
pub async fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    let temp = temp_path_for(target);
    let mut guard = TempGuard { path: temp.clone(), armed: true };
    tokio::fs::write(&temp, bytes).await.map_err(|e| Error::io(format!("writing {}", temp.display()), e))?;
    tokio::fs::rename(&temp, target).await.map_err(|e| Error::io(format!("renaming into {}", target.display()), e))?;
    guard.armed = false;
    Ok(())
}

/// Streams `body` into `target` atomically; the stream must end cleanly with `expected_size`
/// bytes (when given), or nothing appears at `target`.
///
/// On a multi-threaded runtime the work runs as its own task, so several blobs are hashed and
/// written on several cores at once.
pub async fn stream_atomic(target: &Path, body: ByteStream, expected_size: Option<u64>) -> Result<u64> {
    let target = target.to_path_buf();
    let on_pool = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if on_pool {
        let mut task = AbortOnDrop(tokio::spawn(async move { stream_atomic_here(&target, body, expected_size).await }));
        (&mut task.0).await.map_err(|e| Error::Cancelled(format!("writing a blob was interrupted: {e}")))?
    } else {
        stream_atomic_here(&target, body, expected_size).await
    }
}

async fn stream_atomic_here(target: &Path, mut body: ByteStream, expected_size: Option<u64>) -> Result<u64> {
    use std::io::Write;
    let temp = temp_path_for(target);
    let mut guard = TempGuard { path: temp.clone(), armed: true };
    let file = std::fs::File::create(&temp).map_err(|e| Error::io(format!("creating {}", temp.display()), e))?;
    // A blocking writer thread takes chunks through a short queue: memory per blob in flight
    // stays at a few chunks, and the async side keeps hashing while the disk writes.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<bytes::Bytes>(WRITE_QUEUE);
    let writer_path = temp.clone();
    let writer = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut file = file;
        while let Some(chunk) = receiver.blocking_recv() {
            file.write_all(&chunk).map_err(|e| Error::io(format!("writing {}", writer_path.display()), e))?;
        }
        Ok(())
    });
    let mut written: u64 = 0;
    let mut failure = None;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                written += chunk.len() as u64;
                if sender.send(chunk).await.is_err() {
                    break; // the writer failed; its error is reported below
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(sender);
    let written_ok =
        writer.await.map_err(|e| Error::Cancelled(format!("writing {} was interrupted: {e}", temp.display())))?;
    if let Some(e) = failure {
        return Err(e);
    }
    written_ok?;
    if let Some(size) = expected_size {
        if written != size {
            return Err(Error::SizeMismatch { what: format!("{}", target.display()), expected: size, actual: written });
        }
    }
    tokio::fs::rename(&temp, target).await.map_err(|e| Error::io(format!("renaming into {}", target.display()), e))?;
    guard.armed = false;
    Ok(written)
}

/// Streams `body` into a content-addressed file whose name is only known at the end:
/// `path_for(digest)` (sha256 of the bytes). Nothing appears under that name unless the stream
/// ended cleanly.
pub async fn stream_content_addressed(
    scratch_dir: &Path,
    path_for: impl FnOnce(&crate::digest::Digest) -> PathBuf,
    body: ByteStream,
) -> Result<(crate::digest::Digest, u64)> {
    let (body, digest) = crate::digest::hashing_stream(body);
    let placeholder = temp_path_for(&scratch_dir.join("new-blob"));
    let mut guard = TempGuard { path: placeholder.clone(), armed: true };
    stream_atomic(&placeholder, body, None).await?;
    let (digest, size) = digest.get().ok_or_else(|| Error::Cancelled("the blob stream ended early".into()))?;
    let target = path_for(&digest);
    if let Some(dir) = target.parent() {
        ensure_dir(dir).await?;
    }
    tokio::fs::rename(&placeholder, &target)
        .await
        .map_err(|e| Error::io(format!("renaming into {}", target.display()), e))?;
    guard.armed = false;
    Ok((digest, size))
}

/// Whether a file exists with exactly `size` bytes.
pub async fn file_has_size(path: &Path, size: u64) -> bool {
    tokio::fs::metadata(path).await.map(|m| m.is_file() && m.len() == size).unwrap_or(false)
}

/// Creates a directory and its parents.
pub async fn ensure_dir(path: &Path) -> Result<()> {
    tokio::fs::create_dir_all(path).await.map_err(|e| Error::io(format!("creating directory {}", path.display()), e))
}
