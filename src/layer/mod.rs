//! Reading the file list of an image layer as its bytes stream past, on any target.
//!
//! [`LayerReader`] takes the layer's (compressed) bytes in chunks, sniffs the compression from the
//! first bytes (gzip, or an uncompressed tar; zstd is reported as unsupported), inflates gzip with
//! [`Gunzip`] (miniz_oxide's raw inflate) and hands the tar stream to the push-based [`TarListing`]. Nothing is
//! buffered beyond a fixed inflate window and one tar header, so memory stays bounded whatever the
//! layer (a gzip bomb only costs time; the caller decides how often to yield, see
//! [`LayerReader::uncompressed_bytes`]). The digest of the compressed bytes is checked by the
//! caller (the registry client's verified blob stream). [`LayerEntries`] is the loop that drives a
//! reader from a blob stream, with pauses and cancellation points.

pub mod entries;
pub mod gunzip;
pub mod tar_listing;

use crate::error::{Error, Result};
pub use entries::{file_bytes, LayerEntries, Pacing, Progress};
pub use gunzip::Gunzip;
pub use tar_listing::{normalize_path, CapturedFile, EntryType, TarEntry, TarListing};

/// The gzip magic number.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The zstd frame magic number.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

enum Decoder {
    /// Fewer bytes than the magic numbers have arrived.
    Sniffing(Vec<u8>),
    Plain,
    Gzip(Gunzip),
}

/// Lists the entries of a layer pushed to it chunk by chunk. See the [module documentation](self).
pub struct LayerReader {
    decoder: Decoder,
    listing: TarListing,
    compressed: u64,
    uncompressed: u64,
}

impl Default for LayerReader {
    fn default() -> Self {
        Self::new(TarListing::new())
    }
}

impl LayerReader {
    /// A reader over `listing` (use [`TarListing::capture`] to keep a file's first bytes).
    pub fn new(listing: TarListing) -> Self {
        LayerReader { decoder: Decoder::Sniffing(Vec::new()), listing, compressed: 0, uncompressed: 0 }
    }

    /// The compressed bytes pushed so far.
    pub fn compressed_bytes(&self) -> u64 {
        self.compressed
    }

    /// The tar bytes produced so far (equal to [`Self::compressed_bytes`] for an uncompressed layer).
    pub fn uncompressed_bytes(&self) -> u64 {
        self.uncompressed
    }

    /// Whether the tar end-of-archive marker has passed (later bytes only need hashing).
    pub fn is_done(&self) -> bool {
        self.listing.is_done()
    }

    /// The captured file, once its content has passed.
    pub fn take_captured(&mut self) -> Option<CapturedFile> {
        self.listing.take_captured()
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
        if self.listing.is_done() {
            return Ok(());
        }
        if let Decoder::Gzip(gz) = &self.decoder {
            gz.finish()?;
        }
        self.listing.finish()
    }

    fn start(&mut self, head: &[u8]) -> Result<()> {
        self.decoder = if head.starts_with(&GZIP_MAGIC) {
            Decoder::Gzip(Gunzip::new())
        } else if head.starts_with(&ZSTD_MAGIC) {
            return Err(Error::Unsupported(
                "this layer is zstd-compressed; listing zstd layers is not supported in the browser (gzip and uncompressed layers are)".into(),
            ));
        } else {
            Decoder::Plain
        };
        Ok(())
    }

    fn feed(&mut self, chunk: &[u8], out: &mut Vec<TarEntry>) -> Result<()> {
        if self.listing.is_done() {
            // Past the tar end marker: only the digest (checked by the caller) matters now,
            // which spares decompressing trailing padding.
            return Ok(());
        }
        let (listing, uncompressed) = (&mut self.listing, &mut self.uncompressed);
        let mut to_tar = |tar: &[u8]| {
            *uncompressed += tar.len() as u64;
            listing.push(tar, out)
        };
        match &mut self.decoder {
            Decoder::Sniffing(_) => unreachable!("feed is called after start"),
            Decoder::Plain => to_tar(chunk),
            Decoder::Gzip(gz) => gz.push(chunk, &mut to_tar),
        }
    }
}

#[cfg(test)]
mod tests;
