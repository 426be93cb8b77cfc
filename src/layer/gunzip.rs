//! A push-based gzip decoder (RFC 1952) over miniz_oxide's raw inflate: feed it compressed bytes
//! in chunks of any size and it hands the decompressed bytes to a sink, 32 KiB at a time.
//!
//! Multi-member files (concatenated gzip streams) are read as one. The CRC-32 and length in each
//! member's trailer are skipped, not checked: the layer's digest, verified over the compressed
//! bytes, already guarantees the data (and leaving out the CRC tables keeps the wasm small).
//! Memory is the inflate state (about 43 KiB), one output buffer and the header being parsed.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::error::{Error, Result};

/// Decompressed bytes handed to the sink at most at once.
const OUTPUT_BUFFER: usize = 32 * 1024;
/// The longest member header accepted (file name and comment included).
const MAX_HEADER: usize = 1 << 20;
/// Trailer bytes: CRC-32 and the uncompressed length modulo 2^32.
const TRAILER: usize = 8;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

enum Phase {
    /// Collecting a member header (its bytes so far).
    Header(Vec<u8>),
    Body,
    /// Skipping the rest of a trailer.
    Trailer(usize),
    /// After a whole member: the input may end here, or another member start.
    Between,
}

/// The decoder. See the [module documentation](self).
pub struct Gunzip {
    state: Box<InflateState>,
    phase: Phase,
    output: Vec<u8>,
}

impl Default for Gunzip {
    fn default() -> Self {
        Self::new()
    }
}

fn damaged(reason: &str) -> Error {
    Error::InvalidLayer(format!("the layer's gzip stream is damaged: {reason}"))
}

/// The length of a complete member header at the start of `buf`, `None` if more bytes are needed.
fn header_len(buf: &[u8]) -> Result<Option<usize>> {
    if buf.len() < 10 {
        return Ok(None);
    }
    if buf[0] != 0x1f || buf[1] != 0x8b {
        return Err(damaged("a member does not start with the gzip magic number"));
    }
    if buf[2] != 8 {
        return Err(damaged("the compression method is not deflate"));
    }
    let flags = buf[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = buf.get(at..at + 2) else { return Ok(None) };
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match buf.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0)) {
                Some(end) => at += end + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((buf.len() >= at).then_some(at))
}

impl Gunzip {
    pub fn new() -> Self {
        Gunzip {
            state: InflateState::new_boxed(DataFormat::Raw),
            phase: Phase::Header(Vec::new()),
            output: vec![0; OUTPUT_BUFFER],
        }
    }

    /// Decompresses `input`, handing the output to `sink`; a sink error stops and is returned.
    pub fn push(&mut self, mut input: &[u8], sink: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        loop {
            match &mut self.phase {
                Phase::Between => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    self.phase = Phase::Header(Vec::new());
                }
                Phase::Header(buf) => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    let before = buf.len();
                    let take = input.len().min(MAX_HEADER + 1 - before);
                    buf.extend_from_slice(&input[..take]);
                    match header_len(buf)? {
                        Some(len) => {
                            input = &input[len - before..];
                            self.state.reset(DataFormat::Raw);
                            self.phase = Phase::Body;
                        }
                        None if buf.len() > MAX_HEADER => return Err(damaged("a member header is too long")),
                        None => return Ok(()),
                    }
                }
                Phase::Trailer(left) => {
                    let skip = (*left).min(input.len());
                    *left -= skip;
                    input = &input[skip..];
                    if *left > 0 {
                        return Ok(());
                    }
                    self.phase = Phase::Between;
                }
                Phase::Body => {
                    let result = inflate(&mut self.state, input, &mut self.output, MZFlush::None);
                    input = &input[result.bytes_consumed..];
                    if result.bytes_written > 0 {
                        sink(&self.output[..result.bytes_written])?;
                    }
                    match result.status {
                        Ok(MZStatus::StreamEnd) => self.phase = Phase::Trailer(TRAILER),
                        Ok(_) => {
                            // More output may be pending even when the input is used up.
                            if input.is_empty() && result.bytes_written < self.output.len() {
                                return Ok(());
                            }
                        }
                        Err(MZError::Buf) => {
                            if input.is_empty() {
                                return Ok(());
                            }
                            if result.bytes_consumed == 0 && result.bytes_written == 0 {
                                return Err(damaged("the deflate data cannot be decoded"));
                            }
                        }
                        Err(_) => return Err(damaged("the deflate data is invalid")),
                    }
                }
            }
        }
    }

    /// Ends the input: fails unless it ended after a whole member.
    pub fn finish(&self) -> Result<()> {
        match self.phase {
            Phase::Between => Ok(()),
            _ => Err(Error::InvalidLayer("the layer's gzip stream is cut short".into())),
        }
    }
}
