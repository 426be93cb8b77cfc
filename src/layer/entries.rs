//! The loop that lists a layer as its blob streams in: chunks in, entries out, with pauses.
//!
//! [`LayerEntries`] pulls the blob's chunks, cuts them into slices of [`SLICE`] bytes for the
//! [`LayerReader`], and hands out entries one at a time. After every [`YIELD_EVERY`] bytes of
//! work (compressed bytes in plus tar bytes out, so a gzip bomb counts as what it inflates to)
//! it reports progress and awaits [`Pacing::pause`], and before every slice it asks
//! [`Pacing::check`] whether the consumer gave up: the face (the npm package's `listLayer`,
//! which yields to the JavaScript event loop) decides what a pause and a cancellation are.
//!
//! The blob stream verifies the layer's digest (its last item is an error on a mismatch), so the
//! listing ends with that error. When the archive cannot be read, the rest of the blob is still
//! pulled (and so hashed), so that damaged bytes are reported as a digest mismatch rather than as
//! a broken archive.

use std::collections::VecDeque;
use std::future::Future;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;

use super::{CapturedFile, LayerReader, TarEntry, TarListing};
use crate::error::{Error, Result};
use crate::http::ByteStream;

/// Compressed bytes handed to the reader at once.
pub const SLICE: usize = 16 * 1024;
/// Bytes of work (compressed in plus tar out) between two pauses.
pub const YIELD_EVERY: u64 = 4 << 20;
/// The default number of bytes of a file kept by [`LayerEntries::read_file`].
pub const DEFAULT_FILE_BYTES: usize = 1 << 20;
/// The largest number of bytes of a file kept by [`LayerEntries::read_file`].
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// How far a listing has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Layer bytes received (compressed, as stored in the registry).
    pub compressed: u64,
    /// Tar bytes read after decompression.
    pub uncompressed: u64,
    /// Entries handed out so far.
    pub entries: u64,
}

/// What the face running a listing provides: cancellation, progress reports and pauses.
pub trait Pacing {
    /// `Err` (a [`Error::Cancelled`]) once the consumer gave up; asked before every slice.
    fn check(&self) -> Result<()>;
    /// Progress, reported at every pause and when the blob ends.
    fn progress(&self, progress: Progress);
    /// Lets other work run (rendering, input, cancellation); awaited every [`YIELD_EVERY`] bytes
    /// of work.
    fn pause(&self) -> impl Future<Output = ()>;
}

/// The entries of one layer, pulled one at a time; see the [module documentation](self).
pub struct LayerEntries<P> {
    blob: ByteStream,
    reader: LayerReader,
    current: Option<(Bytes, usize)>,
    pending: VecDeque<TarEntry>,
    /// The archive could not be read: the rest of the blob is only pulled, then this is reported.
    failed: Option<Error>,
    done: bool,
    work: u64,
    entries: u64,
    slice: usize,
    yield_every: u64,
    pacing: P,
}

impl<P: Pacing> LayerEntries<P> {
    /// Lists the layer `blob` (a verified stream of its compressed bytes) with `listing` (use
    /// [`TarListing::capture`] to keep a file's first bytes).
    pub fn new(blob: ByteStream, listing: TarListing, pacing: P) -> Self {
        LayerEntries {
            blob,
            reader: LayerReader::new(listing),
            current: None,
            pending: VecDeque::new(),
            failed: None,
            done: false,
            work: 0,
            entries: 0,
            slice: SLICE,
            yield_every: YIELD_EVERY,
            pacing,
        }
    }

    /// The same listing with other slice and pause sizes (both at least 1).
    pub fn with_limits(mut self, slice: usize, yield_every: u64) -> Self {
        self.slice = slice.max(1);
        self.yield_every = yield_every.max(1);
        self
    }

    /// The progress so far.
    pub fn progress(&self) -> Progress {
        Progress {
            compressed: self.reader.compressed_bytes(),
            uncompressed: self.reader.uncompressed_bytes(),
            entries: self.entries,
        }
    }

    /// The next entry, `None` at the (verified) end, or the error that ends the listing (after
    /// which it is `None`).
    pub async fn next(&mut self) -> Option<Result<TarEntry>> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                self.entries += 1;
                return Some(Ok(entry));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.pacing.check() {
                self.done = true;
                return Some(Err(e));
            }
            if let Some((chunk, start)) = self.current.take() {
                let end = start.saturating_add(self.slice).min(chunk.len());
                if self.failed.is_none() {
                    let before = self.reader.uncompressed_bytes();
                    let mut out = Vec::new();
                    let pushed = self.reader.push(&chunk[start..end], &mut out);
                    self.pending.extend(out);
                    if let Err(e) = pushed {
                        self.failed = Some(e);
                    }
                    self.work += self.reader.uncompressed_bytes() - before;
                }
                self.work += (end - start) as u64;
                if end < chunk.len() {
                    self.current = Some((chunk, end));
                }
                if self.work >= self.yield_every {
                    self.work = 0;
                    self.pacing.progress(self.progress());
                    self.pacing.pause().await;
                }
                continue;
            }
            match self.blob.next().await {
                Some(Ok(chunk)) => self.current = Some((chunk, 0)),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    if let Some(e) = self.failed.take() {
                        return Some(Err(e));
                    }
                    let mut out = Vec::new();
                    let finished = self.reader.finish(&mut out);
                    self.pending.extend(out);
                    self.pacing.progress(self.progress());
                    if let Err(e) = finished {
                        self.pending.clear();
                        return Some(Err(e));
                    }
                }
            }
        }
    }

    /// Reads the whole layer (so that its digest is verified) and returns the file the listing
    /// captured; [`Error::NotFound`] when the layer `digest` has no regular file `path`.
    pub async fn read_file(mut self, digest: &str, path: &str) -> Result<CapturedFile> {
        while let Some(entry) = self.next().await {
            entry?;
        }
        self.reader
            .take_captured()
            .ok_or_else(|| Error::NotFound(format!("the layer {digest} has no regular file {path}")))
    }
}

/// The number of bytes of a file to keep: [`DEFAULT_FILE_BYTES`] when none is asked for, at most
/// [`MAX_FILE_BYTES`]; anything but a non-negative integer is an [`Error::Config`].
pub fn file_bytes(requested: Option<f64>) -> Result<usize> {
    match requested {
        None => Ok(DEFAULT_FILE_BYTES),
        Some(n) if n.fract() == 0.0 && n >= 0.0 => Ok((n as usize).min(MAX_FILE_BYTES)),
        Some(_) => Err(Error::Config("invalid options: maxBytes must be a non-negative integer".into())),
    }
}
