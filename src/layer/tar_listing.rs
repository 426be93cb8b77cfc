//! A push-based tar header reader: feed it the bytes of an archive in chunks of any size and it
//! reports each entry (path, type, size, mode, link target) as soon as its header is complete.
//!
//! It understands ustar (with its `prefix` field), GNU long names and link targets (`L`, `K`),
//! GNU base-256 sizes, and PAX extended headers (`x` for the next entry, `g` for all the following
//! ones) for `path`, `linkpath` and `size`. Entry contents are skipped, never buffered, except the
//! first bytes of one file the caller asked to read ([`TarListing::capture`]). Metadata entries
//! (`L`, `K`, `x`, `g`) are held in memory up to [`MAX_METADATA`] bytes; larger ones are an error.
//! Memory therefore stays bounded whatever the archive.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// The tar block size.
const BLOCK: usize = 512;
/// The largest GNU long name or PAX header accepted.
pub const MAX_METADATA: u64 = 1 << 20;

/// What an entry is, from its typeflag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    HardLink,
    Symlink,
    CharDevice,
    BlockDevice,
    Directory,
    Fifo,
    Other(u8),
}

impl EntryType {
    fn from_flag(flag: u8) -> EntryType {
        match flag {
            b'0' | 0 | b'7' => EntryType::File,
            b'1' => EntryType::HardLink,
            b'2' => EntryType::Symlink,
            b'3' => EntryType::CharDevice,
            b'4' => EntryType::BlockDevice,
            b'5' => EntryType::Directory,
            b'6' => EntryType::Fifo,
            other => EntryType::Other(other),
        }
    }

    /// The name the JavaScript API uses: `file`, `hardlink`, `symlink`, `char`, `block`, `dir`,
    /// `fifo` or `other`.
    pub fn name(self) -> &'static str {
        match self {
            EntryType::File => "file",
            EntryType::HardLink => "hardlink",
            EntryType::Symlink => "symlink",
            EntryType::CharDevice => "char",
            EntryType::BlockDevice => "block",
            EntryType::Directory => "dir",
            EntryType::Fifo => "fifo",
            EntryType::Other(_) => "other",
        }
    }
}

/// One entry of the archive, as its headers describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    pub path: String,
    pub entry_type: EntryType,
    /// The size of the entry's content in the archive (0 for links and directories).
    pub size: u64,
    /// The permission bits (and set-id/sticky bits), e.g. `0o755`.
    pub mode: u32,
    /// The target of a symbolic or hard link.
    pub link_target: Option<String>,
}

/// The first bytes of the file asked for with [`TarListing::capture`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFile {
    pub entry: TarEntry,
    pub bytes: Vec<u8>,
    /// Whether the file is longer than the bytes kept.
    pub truncated: bool,
}

/// A path as compared by [`TarListing::capture`]: without a leading `./` or `/`, nor a trailing `/`.
pub fn normalize_path(path: &str) -> &str {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else {
            break;
        }
    }
    p.strip_suffix('/').unwrap_or(p)
}

/// Which metadata entry is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetaKind {
    LongName,
    LongLink,
    Pax,
    PaxGlobal,
}

#[derive(Debug)]
enum State {
    /// Collecting a 512-byte header block.
    Header,
    /// Skipping (or capturing) `remaining` content bytes, then `padding` bytes.
    Content { remaining: u64, padding: u64, capturing: bool },
    /// Collecting a metadata entry's content into `meta`.
    Meta { kind: MetaKind, remaining: u64, padding: u64 },
    /// After the two zero blocks: everything else is ignored.
    End,
}

/// The push-based reader. See the [module documentation](self).
pub struct TarListing {
    state: State,
    header: Vec<u8>,
    meta: Vec<u8>,
    zero_blocks: u8,
    long_name: Option<String>,
    long_link: Option<String>,
    pax: HashMap<String, String>,
    pax_global: HashMap<String, String>,
    want: Option<(String, usize)>,
    captured: Option<CapturedFile>,
    offset: u64,
}

impl Default for TarListing {
    fn default() -> Self {
        Self::new()
    }
}

impl TarListing {
    pub fn new() -> Self {
        TarListing {
            state: State::Header,
            header: Vec::with_capacity(BLOCK),
            meta: Vec::new(),
            zero_blocks: 0,
            long_name: None,
            long_link: None,
            pax: HashMap::new(),
            pax_global: HashMap::new(),
            want: None,
            captured: None,
            offset: 0,
        }
    }

    /// Keeps the first `max_bytes` of the first regular file whose path is `path` (compared with
    /// [`normalize_path`]); read them with [`TarListing::take_captured`].
    pub fn capture(mut self, path: &str, max_bytes: usize) -> Self {
        self.want = Some((normalize_path(path).to_string(), max_bytes));
        self
    }

    /// The captured file, once its content has passed.
    pub fn take_captured(&mut self) -> Option<CapturedFile> {
        if matches!(self.state, State::Content { capturing: true, remaining, .. } if remaining > 0) {
            return None;
        }
        self.captured.take()
    }

    /// Whether the end-of-archive marker has been seen.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::End)
    }

    /// Feeds the next bytes of the archive; entries whose header completed are pushed to `out`.
    pub fn push(&mut self, mut data: &[u8], out: &mut Vec<TarEntry>) -> Result<()> {
        while !data.is_empty() {
            match &mut self.state {
                State::End => return Ok(()),
                State::Header => {
                    let take = (BLOCK - self.header.len()).min(data.len());
                    self.header.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    self.offset += take as u64;
                    if self.header.len() == BLOCK {
                        let block = std::mem::replace(&mut self.header, Vec::with_capacity(BLOCK));
                        self.on_header(&block, out)?;
                    }
                }
                State::Content { remaining, padding, capturing } => {
                    let content = (*remaining).min(data.len() as u64) as usize;
                    if *capturing && content > 0 {
                        let captured = self.captured.as_mut().expect("capturing implies a captured file");
                        let room = self.want.as_ref().map_or(0, |w| w.1).saturating_sub(captured.bytes.len());
                        let keep = room.min(content);
                        captured.bytes.extend_from_slice(&data[..keep]);
                        if keep < content {
                            captured.truncated = true;
                        }
                    }
                    *remaining -= content as u64;
                    let pad = (*padding).min((data.len() - content) as u64) as usize;
                    *padding -= pad as u64;
                    data = &data[content + pad..];
                    self.offset += (content + pad) as u64;
                    if *remaining == 0 && *padding == 0 {
                        self.state = State::Header;
                    }
                }
                State::Meta { kind, remaining, padding } => {
                    let kind = *kind;
                    let content = (*remaining).min(data.len() as u64) as usize;
                    self.meta.extend_from_slice(&data[..content]);
                    *remaining -= content as u64;
                    let pad = (*padding).min((data.len() - content) as u64) as usize;
                    *padding -= pad as u64;
                    data = &data[content + pad..];
                    self.offset += (content + pad) as u64;
                    if *remaining == 0 && *padding == 0 {
                        self.state = State::Header;
                        let meta = std::mem::take(&mut self.meta);
                        self.on_meta(kind, meta)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the archive: fails if it stopped in the middle of an entry. An archive may end without
    /// the end-of-archive blocks and without the padding after the last entry's content (some
    /// image tools write layers that way; Go's tar reader accepts them too).
    pub fn finish(&self) -> Result<()> {
        match &self.state {
            State::End => Ok(()),
            State::Header if self.header.is_empty() => Ok(()),
            State::Content { remaining: 0, .. } => Ok(()),
            _ => Err(Error::InvalidLayer(format!(
                "the tar archive ends in the middle of an entry (after {} bytes)",
                self.offset
            ))),
        }
    }

    fn on_header(&mut self, block: &[u8], out: &mut Vec<TarEntry>) -> Result<()> {
        let header_offset = self.offset - BLOCK as u64;
        if block.iter().all(|&b| b == 0) {
            self.zero_blocks += 1;
            if self.zero_blocks == 2 {
                self.state = State::End;
            }
            return Ok(());
        }
        self.zero_blocks = 0;
        verify_checksum(block, header_offset)?;
        let flag = block[156];
        let mut size = parse_number(&block[124..136])
            .ok_or_else(|| invalid_header(header_offset, "its size field is not a number"))?;
        match flag {
            b'L' | b'K' | b'x' | b'g' => {
                if size > MAX_METADATA {
                    return Err(Error::InvalidLayer(format!(
                        "the tar header at byte {header_offset} carries {size} bytes of metadata (at most {MAX_METADATA} are read)"
                    )));
                }
                let kind = match flag {
                    b'L' => MetaKind::LongName,
                    b'K' => MetaKind::LongLink,
                    b'x' => MetaKind::Pax,
                    _ => MetaKind::PaxGlobal,
                };
                self.meta.clear();
                self.state = State::Meta { kind, remaining: size, padding: padding_of(size) };
                if size == 0 {
                    self.state = State::Header;
                    self.on_meta(kind, Vec::new())?;
                }
                return Ok(());
            }
            _ => {}
        }

        let pax = std::mem::take(&mut self.pax);
        let pax_value = |key: &str| pax.get(key).or_else(|| self.pax_global.get(key)).cloned();
        if let Some(pax_size) = pax_value("size") {
            size =
                pax_size.trim().parse().map_err(|_| invalid_header(header_offset, "its PAX size is not a number"))?;
        }
        let path = match (pax_value("path"), self.long_name.take()) {
            (Some(path), _) | (None, Some(path)) => path,
            (None, None) => ustar_path(block),
        };
        let link = match (pax_value("linkpath"), self.long_link.take()) {
            (Some(link), _) | (None, Some(link)) => link,
            (None, None) => c_string(&block[157..257]),
        };
        let entry_type = EntryType::from_flag(flag);
        let mode = parse_number(&block[100..108]).unwrap_or(0) as u32 & 0o7777;
        // Links, devices and FIFOs carry no content whatever their size field says (tar and Go agree).
        let content = match entry_type {
            EntryType::HardLink
            | EntryType::Symlink
            | EntryType::CharDevice
            | EntryType::BlockDevice
            | EntryType::Fifo => 0,
            _ => size,
        };
        let entry = TarEntry {
            path,
            entry_type,
            size: content,
            mode,
            link_target: matches!(entry_type, EntryType::HardLink | EntryType::Symlink).then_some(link),
        };
        let capturing = entry_type == EntryType::File
            && self.captured.is_none()
            && self.want.as_ref().is_some_and(|(want, _)| normalize_path(&entry.path) == want);
        if capturing {
            self.captured = Some(CapturedFile { entry: entry.clone(), bytes: Vec::new(), truncated: false });
        }
        out.push(entry);
        if content > 0 {
            self.state = State::Content { remaining: content, padding: padding_of(content), capturing };
        }
        Ok(())
    }

    fn on_meta(&mut self, kind: MetaKind, meta: Vec<u8>) -> Result<()> {
        match kind {
            MetaKind::LongName => self.long_name = Some(c_string(&meta)),
            MetaKind::LongLink => self.long_link = Some(c_string(&meta)),
            MetaKind::Pax => self.pax = parse_pax(&meta)?,
            MetaKind::PaxGlobal => self.pax_global.extend(parse_pax(&meta)?),
        }
        Ok(())
    }
}

fn padding_of(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

fn invalid_header(offset: u64, reason: &str) -> Error {
    Error::InvalidLayer(format!("the tar header at byte {offset} is invalid: {reason}"))
}

/// Checks the header checksum (the sum of the block's bytes with the checksum field as spaces).
fn verify_checksum(block: &[u8], offset: u64) -> Result<()> {
    let stored = parse_number(&block[148..156]).ok_or_else(|| {
        Error::InvalidLayer(format!("the data at byte {offset} is not a tar header (this is not a tar archive)"))
    })?;
    let sum: u64 =
        block.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { b' ' as u64 } else { b as u64 }).sum();
    if sum != stored {
        return Err(Error::InvalidLayer(format!(
            "the tar header at byte {offset} has a wrong checksum (this is not a tar archive, or it is damaged)"
        )));
    }
    Ok(())
}

/// An octal number field (NUL or space terminated), or GNU's base-256 form (high bit set).
fn parse_number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut value: u64 = (field[0] & 0x7f) as u64;
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(b as u64)?;
        }
        return Some(value);
    }
    let text = field.split(|&b| b == 0).next().unwrap_or(&[]);
    let text = std::str::from_utf8(text).ok()?.trim_matches(|c| c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// The text of a NUL-terminated field (lossy for invalid UTF-8).
fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The path of a ustar header: `prefix/name` when the prefix field is set.
fn ustar_path(block: &[u8]) -> String {
    let name = c_string(&block[0..100]);
    let is_ustar = &block[257..262] == b"ustar";
    let prefix = if is_ustar { c_string(&block[345..500]) } else { String::new() };
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    }
}

/// PAX records: `LENGTH KEY=VALUE\n`, LENGTH counting the whole record.
fn parse_pax(data: &[u8]) -> Result<HashMap<String, String>> {
    let bad = || Error::InvalidLayer("a PAX extended header of the tar archive is malformed".into());
    let mut records = HashMap::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let space = rest.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        if len <= space + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(bad());
        }
        let record = &rest[space + 1..len - 1];
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
        let key = String::from_utf8_lossy(&record[..eq]).into_owned();
        let value = String::from_utf8_lossy(&record[eq + 1..]).into_owned();
        records.insert(key, value);
        rest = &rest[len..];
    }
    Ok(records)
}
