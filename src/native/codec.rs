//! The native layer codec: streaming gzip and zstd (de)compression for
//! `copy --dest-compress-format` and `--dest-decompress`, with bounded buffers.

use std::pin::Pin;

use async_compression::tokio::bufread::{GzipDecoder, GzipEncoder, ZstdDecoder, ZstdEncoder};
use async_compression::Level;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::{AsyncBufRead, AsyncRead, BufReader};
use tokio_util::io::{ReaderStream, StreamReader};

use crate::copy::{Codec, Compression};
use crate::error::{Error, Result};
use crate::http::ByteStream;

const CHUNK: usize = 64 * 1024;

/// gzip and zstd via async-compression.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeCodec {
    /// Compression level (`--dest-compress-level`); the format's default when `None`.
    pub level: Option<i32>,
}

fn to_io(e: Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Recovers a skopos error carried through an I/O error (a digest mismatch stays one).
fn from_io(e: std::io::Error) -> Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(_) => *e.into_inner().expect("checked").downcast::<Error>().expect("checked"),
        None => Error::InvalidManifest(format!("layer data cannot be (de)compressed: {e}")),
    }
}

impl Codec for NativeCodec {
    fn transcode(&self, input: ByteStream, from: Compression, to: Compression) -> Result<ByteStream> {
        let reader = StreamReader::new(input.map_err(to_io));
        let decoded: Pin<Box<dyn AsyncBufRead + Send>> = match from {
            Compression::None => Box::pin(reader),
            Compression::Gzip => {
                let mut decoder = GzipDecoder::new(reader);
                decoder.multiple_members(true);
                Box::pin(BufReader::with_capacity(CHUNK, decoder))
            }
            Compression::Zstd => Box::pin(BufReader::with_capacity(CHUNK, ZstdDecoder::new(reader))),
        };
        let level = self.level.map(Level::Precise).unwrap_or(Level::Default);
        let encoded: Pin<Box<dyn AsyncRead + Send>> = match to {
            Compression::None => decoded,
            Compression::Gzip => Box::pin(GzipEncoder::with_quality(decoded, level)),
            Compression::Zstd => Box::pin(ZstdEncoder::with_quality(decoded, level)),
        };
        Ok(ReaderStream::with_capacity(encoded, CHUNK).map_err(from_io).boxed())
    }
}
