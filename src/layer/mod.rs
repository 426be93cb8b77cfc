//! Reading the file list of an image layer as its bytes stream past, on any target.
//!
//! [`LayerReader`] takes the layer's (compressed) bytes in chunks, sniffs the compression from the
//! first bytes (gzip, or an uncompressed tar; zstd is reported as unsupported), inflates gzip with
//! flate2's pure-Rust backend and hands the tar stream to the push-based [`TarListing`]. Nothing is
//! buffered beyond a fixed inflate window and one tar header, so memory stays bounded whatever the
//! layer (a gzip bomb only costs time; the caller decides how often to yield, see
//! [`LayerReader::uncompressed_bytes`]). The digest of the compressed bytes is checked by the
//! caller (the registry client's verified blob stream).

pub mod tar_listing;

use std::io::Write;

use crate::error::{Error, Result};
pub use tar_listing::{normalize_path, CapturedFile, EntryType, TarEntry, TarListing};

/// The gzip magic number.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The zstd frame magic number.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The tar reader behind the gzip decoder: a `Write` sink that lists entries.
struct TarSink {
    listing: TarListing,
    entries: Vec<TarEntry>,
    error: Option<Error>,
    written: u64,
}

impl Write for TarSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("the tar stream already failed"));
        }
        self.written += buf.len() as u64;
        if let Err(e) = self.listing.push(buf, &mut self.entries) {
            self.error = Some(e);
            return Err(std::io::Error::other("the tar stream failed"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    /// Fewer bytes than the magic numbers have arrived.
    Sniffing(Vec<u8>),
    Plain(TarSink),
    Gzip(Box<flate2::write::MultiGzDecoder<TarSink>>),
}

/// Lists the entries of a layer pushed to it chunk by chunk. See the [module documentation](self).
pub struct LayerReader {
    decoder: Decoder,
    listing: Option<TarListing>,
    compressed: u64,
}

impl Default for LayerReader {
    fn default() -> Self {
        Self::new(TarListing::new())
    }
}

impl LayerReader {
    /// A reader over `listing` (use [`TarListing::capture`] to keep a file's first bytes).
    pub fn new(listing: TarListing) -> Self {
        LayerReader { decoder: Decoder::Sniffing(Vec::new()), listing: Some(listing), compressed: 0 }
    }

    /// The compressed bytes pushed so far.
    pub fn compressed_bytes(&self) -> u64 {
        self.compressed
    }

    /// The tar bytes produced so far (equal to [`Self::compressed_bytes`] for an uncompressed layer).
    pub fn uncompressed_bytes(&self) -> u64 {
        match &self.decoder {
            Decoder::Sniffing(_) => 0,
            Decoder::Plain(sink) => sink.written,
            Decoder::Gzip(gz) => gz.get_ref().written,
        }
    }

    /// Whether the tar end-of-archive marker has passed (later bytes only need hashing).
    pub fn is_done(&self) -> bool {
        self.sink().is_some_and(|s| s.listing.is_done())
    }

    /// The captured file, once its content has passed.
    pub fn take_captured(&mut self) -> Option<CapturedFile> {
        self.sink_mut().and_then(|s| s.listing.take_captured())
    }

    /// Feeds the next compressed bytes; completed entries are appended to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<TarEntry>) -> Result<()> {
        self.compressed += chunk.len() as u64;
        if let Decoder::Sniffing(head) = &mut self.decoder {
            head.extend_from_slice(chunk);
            if head.len() < ZSTD_MAGIC.len() {
                return Ok(());
            }
            let head = std::mem::take(head);
            self.start(&head)?;
            return self.feed(&head, out);
        }
        self.feed(chunk, out)
    }

    /// Ends the layer: fails if the gzip or tar stream was cut short.
    pub fn finish(&mut self, out: &mut Vec<TarEntry>) -> Result<()> {
        if let Decoder::Sniffing(head) = &mut self.decoder {
            let head = std::mem::take(head);
            if head.is_empty() {
                return Err(Error::InvalidLayer("the layer is empty".into()));
            }
            self.start(&head)?;
            self.feed(&head, out)?;
        }
        if let Decoder::Gzip(gz) = &mut self.decoder {
            if gz.get_ref().listing.is_done() {
                return Ok(());
            }
            let finished = gz.try_finish();
            let sink = gz.get_mut();
            out.append(&mut sink.entries);
            if let Some(e) = sink.error.take() {
                return Err(e);
            }
            finished.map_err(|e| Error::InvalidLayer(format!("the layer's gzip stream is damaged or cut short: {e}")))?;
        }
        match self.sink() {
            Some(sink) => sink.listing.finish(),
            None => Ok(()),
        }
    }

    fn start(&mut self, head: &[u8]) -> Result<()> {
        let listing = self.listing.take().expect("started once");
        let sink = TarSink { listing, entries: Vec::new(), error: None, written: 0 };
        self.decoder = if head.starts_with(&GZIP_MAGIC) {
            Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink)))
        } else if head.starts_with(&ZSTD_MAGIC) {
            return Err(Error::Unsupported(
                "this layer is zstd-compressed; listing zstd layers is not supported in the browser (gzip and uncompressed layers are)".into(),
            ));
        } else {
            Decoder::Plain(sink)
        };
        Ok(())
    }

    fn feed(&mut self, chunk: &[u8], out: &mut Vec<TarEntry>) -> Result<()> {
        match &mut self.decoder {
            Decoder::Sniffing(_) => unreachable!("feed is called after start"),
            Decoder::Plain(sink) => {
                sink.written += chunk.len() as u64;
                sink.listing.push(chunk, out)
            }
            Decoder::Gzip(gz) => {
                if gz.get_ref().listing.is_done() {
                    // Past the tar end marker: only the digest (checked by the caller) matters now,
                    // which spares inflating trailing padding.
                    return Ok(());
                }
                let written = gz.write_all(chunk);
                let sink = gz.get_mut();
                out.append(&mut sink.entries);
                if let Some(e) = sink.error.take() {
                    return Err(e);
                }
                written.map_err(|e| Error::InvalidLayer(format!("the layer's gzip stream is damaged: {e}")))
            }
        }
    }

    fn sink(&self) -> Option<&TarSink> {
        match &self.decoder {
            Decoder::Sniffing(_) => None,
            Decoder::Plain(sink) => Some(sink),
            Decoder::Gzip(gz) => Some(gz.get_ref()),
        }
    }

    fn sink_mut(&mut self) -> Option<&mut TarSink> {
        match &mut self.decoder {
            Decoder::Sniffing(_) => None,
            Decoder::Plain(sink) => Some(sink),
            Decoder::Gzip(gz) => Some(gz.get_mut()),
        }
    }
}

#[cfg(test)]
mod tests;
