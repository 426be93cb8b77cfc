//! Tar files for the archive transports.
//!
//! - [`TarWriter`] writes USTAR headers exactly as Go's `archive/tar` does (field padding, the
//!   NUL-then-space checksum, `0000000` device numbers), so a `docker-archive:` written by skopos
//!   is byte-identical to skopeo's.
//! - [`TarIndex`] lists a tar's members with their data offsets, so members are read in place.
//! - [`extract`] unpacks regular files and directories only, refusing names that leave the root.
//! - [`write_atomically`] writes an archive to a temporary file beside its target and renames it
//!   into place, so a failure leaves any previous archive untouched.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use futures_util::StreamExt;

use super::write::{temp_path_for, TempGuard};
use crate::digest::{VerifiedStream, Verifier};
use crate::error::{Error, Result};
use crate::http::ByteStream;

const BLOCK: usize = 512;
const READ_CHUNK: usize = 256 * 1024;

/// Runs blocking file work off the async runtime.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::io("running a background file task", std::io::Error::other(e.to_string())))?
}

/// Go's `formatOctal`: zero-padded octal, leaving room for a trailing NUL.
fn put_octal(field: &mut [u8], value: u64, what: &str) -> Result<()> {
    let s = format!("{value:o}");
    if s.len() > field.len() - 1 {
        return Err(Error::Unsupported(format!("{what} {value} does not fit in a USTAR tar header")));
    }
    let pad = field.len() - 1 - s.len();
    field[..pad].fill(b'0');
    field[pad..pad + s.len()].copy_from_slice(s.as_bytes());
    field[field.len() - 1] = 0;
    Ok(())
}

fn put_str(field: &mut [u8], value: &str, what: &str) -> Result<()> {
    if value.len() > field.len() {
        return Err(Error::Unsupported(format!("{what} {value:?} is too long for a USTAR tar header")));
    }
    field[..value.len()].copy_from_slice(value.as_bytes());
    Ok(())
}

/// Go's `splitUSTARPath`.
fn split_name(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return None;
    }
    let limit = name.len().min(156);
    let i = name[..limit].rfind('/')?;
    let (prefix, suffix) = (&name[..i], &name[i + 1..]);
    (i > 0 && !suffix.is_empty() && suffix.len() <= 100).then_some((prefix, suffix))
}

/// One USTAR header block as Go's `archive/tar` writes it (mtime 0, uid/gid 0, no user names).
pub fn ustar_header(name: &str, typeflag: u8, mode: u32, size: u64, link: &str) -> Result<[u8; BLOCK]> {
    let mut h = [0u8; BLOCK];
    let (prefix, short) = split_name(name).unwrap_or(("", name));
    put_str(&mut h[0..100], short, "member name")?;
    put_octal(&mut h[100..108], mode as u64, "mode")?;
    put_octal(&mut h[108..116], 0, "uid")?;
    put_octal(&mut h[116..124], 0, "gid")?;
    put_octal(&mut h[124..136], size, "size")?;
    put_octal(&mut h[136..148], 0, "mtime")?;
    h[156] = typeflag;
    put_str(&mut h[157..257], link, "link target")?;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    put_octal(&mut h[329..337], 0, "device")?;
    put_octal(&mut h[337..345], 0, "device")?;
    put_str(&mut h[345..500], prefix, "member name")?;
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|&b| b as u64).sum();
    put_octal(&mut h[148..155], sum, "checksum")?;
    h[155] = b' ';
    Ok(h)
}

/// A tar stream with Go-identical USTAR headers.
pub struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out }
    }

    fn io(e: std::io::Error) -> Error {
        Error::io("writing archive", e)
    }

    /// A regular file of exactly `size` bytes read from `data`.
    pub fn file(&mut self, name: &str, mode: u32, size: u64, data: &mut dyn Read) -> Result<()> {
        self.out.write_all(&ustar_header(name, b'0', mode, size, "")?).map_err(Self::io)?;
        let copied = std::io::copy(&mut data.take(size), &mut self.out).map_err(Self::io)?;
        if copied != size {
            return Err(Error::SizeMismatch { what: format!("archive member {name}"), expected: size, actual: copied });
        }
        self.pad(size)
    }

    /// A regular file with `bytes`.
    pub fn bytes(&mut self, name: &str, mode: u32, bytes: &[u8]) -> Result<()> {
        self.file(name, mode, bytes.len() as u64, &mut &bytes[..])
    }

    /// A symbolic link (mode 0, as Go writes one made from a bare `os.ModeSymlink`).
    pub fn symlink(&mut self, name: &str, target: &str) -> Result<()> {
        self.out.write_all(&ustar_header(name, b'2', 0, 0, target)?).map_err(Self::io)
    }

    /// A directory (`name` should end in `/`).
    pub fn dir(&mut self, name: &str, mode: u32) -> Result<()> {
        self.out.write_all(&ustar_header(name, b'5', mode, 0, "")?).map_err(Self::io)
    }

    fn pad(&mut self, size: u64) -> Result<()> {
        let rem = (size % BLOCK as u64) as usize;
        if rem != 0 {
            self.out.write_all(&[0u8; BLOCK][..BLOCK - rem]).map_err(Self::io)?;
        }
        Ok(())
    }

    /// Writes the two zero blocks that end an archive and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.write_all(&[0u8; 2 * BLOCK]).map_err(Self::io)?;
        self.out.flush().map_err(Self::io)?;
        Ok(self.out)
    }
}

/// Writes an archive at `target` through `build`, atomically (blocking).
pub fn write_atomically(
    target: &Path,
    build: impl FnOnce(&mut TarWriter<BufWriter<File>>) -> Result<()>,
) -> Result<()> {
    if target.is_dir() {
        return Err(Error::Config(format!("{} is a directory, not an archive file", target.display())));
    }
    let temp = temp_path_for(target);
    let mut guard = TempGuard { path: temp.clone(), armed: true };
    let file = File::create(&temp).map_err(|e| Error::io(format!("creating {}", temp.display()), e))?;
    let mut writer = TarWriter::new(BufWriter::with_capacity(READ_CHUNK, file));
    build(&mut writer)?;
    let file =
        writer.finish()?.into_inner().map_err(|e| Error::io(format!("writing {}", temp.display()), e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(format!("writing {}", temp.display()), e))?;
    drop(file);
    std::fs::rename(&temp, target).map_err(|e| Error::io(format!("renaming into {}", target.display()), e))?;
    guard.armed = false;
    Ok(())
}

/// A member name made relative and clean (`./a//b` → `a/b`); `None` if it leaves the root.
pub fn clean_name(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Symlink(String),
    Other,
}

/// Where a member's data is.
#[derive(Debug, Clone)]
pub struct Member {
    pub offset: u64,
    pub size: u64,
    pub kind: MemberKind,
}

fn archive_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(format!("reading archive {}", path.display()), e)
}

/// The members of a tar file, by clean name (the last of duplicates wins, as in extraction).
pub struct TarIndex {
    path: PathBuf,
    members: HashMap<String, Member>,
}

impl TarIndex {
    /// Reads the headers of the tar at `path` (blocking). The whole archive is walked, so a
    /// truncated file is an error here.
    pub fn read(path: &Path) -> Result<TarIndex> {
        let file = open_archive(path)?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        for entry in archive.entries().map_err(|e| archive_error(path, e))? {
            let entry = entry.map_err(|e| archive_error(path, e))?;
            let raw_name = entry.path().map_err(|e| archive_error(path, e))?.to_string_lossy().into_owned();
            let Some(name) = clean_name(&raw_name) else { continue };
            let kind = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => MemberKind::File,
                tar::EntryType::Symlink => {
                    let link = entry.link_name().map_err(|e| archive_error(path, e))?;
                    MemberKind::Symlink(link.map(|l| l.to_string_lossy().into_owned()).unwrap_or_default())
                }
                _ => MemberKind::Other,
            };
            members.insert(name, Member { offset: entry.raw_file_position(), size: entry.size(), kind });
        }
        // The entries iterator stops quietly at a short header block; make sure every member's
        // data is really there.
        let len = std::fs::metadata(path).map_err(|e| archive_error(path, e))?.len();
        if let Some((name, _)) = members.iter().find(|(_, m)| m.offset + m.size > len) {
            return Err(Error::InvalidManifest(format!(
                "archive {} is truncated: member {name} is incomplete",
                path.display()
            )));
        }
        Ok(TarIndex { path: path.to_path_buf(), members })
    }

    /// The regular file `name` refers to, following symbolic links inside the archive.
    pub fn resolve(&self, name: &str) -> Result<(String, &Member)> {
        let missing = || Error::InvalidManifest(format!("{name} is missing from archive {}", self.path.display()));
        let mut current = clean_name(name).ok_or_else(missing)?;
        for _ in 0..16 {
            let member = self.members.get(&current).ok_or_else(missing)?;
            match &member.kind {
                MemberKind::File => return Ok((current, member)),
                MemberKind::Symlink(target) => {
                    let base = if target.starts_with('/') {
                        String::new()
                    } else {
                        current.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default()
                    };
                    current = clean_name(&format!("{base}/{target}")).ok_or_else(missing)?;
                }
                MemberKind::Other => {
                    return Err(Error::InvalidManifest(format!(
                        "{name} in archive {} is not a regular file",
                        self.path.display()
                    )))
                }
            }
        }
        Err(Error::InvalidManifest(format!(
            "too many symbolic links resolving {name} in archive {}",
            self.path.display()
        )))
    }

    /// A reader over a member's bytes (blocking).
    pub fn open(&self, member: &Member) -> Result<std::io::Take<File>> {
        let mut file = open_archive(&self.path)?;
        file.seek(SeekFrom::Start(member.offset)).map_err(|e| archive_error(&self.path, e))?;
        Ok(file.take(member.size))
    }

    /// A small member read whole, refusing more than `limit` bytes (blocking).
    pub fn read_small(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let (_, member) = self.resolve(name)?;
        if member.size > limit {
            return Err(Error::InvalidManifest(format!(
                "{name} in archive {} is larger than {limit} bytes",
                self.path.display()
            )));
        }
        let mut bytes = Vec::with_capacity(member.size as usize);
        self.open(member)?.read_to_end(&mut bytes).map_err(|e| archive_error(&self.path, e))?;
        if bytes.len() as u64 != member.size {
            return Err(Error::InvalidManifest(format!(
                "archive {} is truncated: member {name} is incomplete",
                self.path.display()
            )));
        }
        Ok(bytes)
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open_archive(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("archive {} does not exist", path.display())),
        _ => Error::io(format!("opening {}", path.display()), e),
    })
}

/// Unpacks the regular files and directories of the tar at `archive` into `dest` (blocking).
/// Other member types are skipped; a name that leaves `dest` is an error.
pub fn extract(archive_path: &Path, dest: &Path) -> Result<()> {
    let file = open_archive(archive_path)?;
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().map_err(|e| archive_error(archive_path, e))? {
        let mut entry = entry.map_err(|e| archive_error(archive_path, e))?;
        let raw_name = entry.path().map_err(|e| archive_error(archive_path, e))?.to_string_lossy().into_owned();
        let unsafe_name = || {
            Error::InvalidManifest(format!(
                "archive {} has a member outside its root: {raw_name:?}",
                archive_path.display()
            ))
        };
        if Path::new(&raw_name)
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)))
        {
            return Err(unsafe_name());
        }
        let Some(name) = clean_name(&raw_name) else { continue };
        let target = dest.join(&name);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                std::fs::create_dir_all(&target).map_err(|e| Error::io(format!("creating {}", target.display()), e))?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
                }
                let size = entry.size();
                let mut out =
                    File::create(&target).map_err(|e| Error::io(format!("creating {}", target.display()), e))?;
                let copied = std::io::copy(&mut entry, &mut out).map_err(|e| archive_error(archive_path, e))?;
                if copied != size {
                    return Err(Error::InvalidManifest(format!(
                        "archive {} is truncated: member {name} is incomplete",
                        archive_path.display()
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Adds the tree under `root` to `w` in sorted order: directories as `name/` (0755), files
/// (0644), symbolic links and other types skipped (blocking).
pub fn append_tree<W: Write>(w: &mut TarWriter<W>, root: &Path) -> Result<()> {
    fn walk<W: Write>(w: &mut TarWriter<W>, dir: &Path, prefix: &str) -> Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?
            .collect::<std::io::Result<_>>()
            .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let path = entry.path();
            let meta =
                std::fs::symlink_metadata(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            if meta.is_dir() {
                w.dir(&format!("{name}/"), 0o755)?;
                walk(w, &path, &format!("{name}/"))?;
            } else if meta.is_file() {
                let mut file = File::open(&path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
                w.file(&name, 0o644, meta.len(), &mut file)?;
            }
        }
        Ok(())
    }
    walk(w, root, "")
}

/// Streams `reader` (blocking reads run off the runtime) through `verifier`; the last item is an
/// error if the bytes do not match.
pub fn verified_read_stream(reader: Box<dyn Read + Send>, verifier: Verifier, what: String) -> ByteStream {
    VerifiedStream::new(read_stream(reader, what), verifier).boxed()
}

/// The bytes of `reader`, read in chunks by blocking tasks; a read error (naming `what`) is the
/// last item.
fn read_stream(reader: Box<dyn Read + Send>, what: String) -> ByteStream {
    let stream = futures_util::stream::unfold(Some((reader, what)), |state| async move {
        let (mut reader, what) = state?;
        let joined = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            let result = loop {
                match reader.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            (reader, buf, result)
        })
        .await;
        let (reader, mut buf, result) = match joined {
            Ok(parts) => parts,
            Err(e) => {
                return Some((Err(Error::io("running a background read", std::io::Error::other(e.to_string()))), None))
            }
        };
        match result {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some((reader, what))))
            }
            Err(e) => Some((Err(Error::io(format!("reading {what}"), e)), None)),
        }
    });
    stream.boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_go_layout() {
        let h = ustar_header("repositories", b'0', 0o444, 2, "").unwrap();
        assert_eq!(&h[100..108], b"0000444\0");
        assert_eq!(&h[124..136], b"00000000002\0");
        assert_eq!(&h[257..265], b"ustar\x0000");
        assert_eq!(&h[329..337], b"0000000\0");
        assert_eq!(h[154], 0);
        assert_eq!(h[155], b' ');
        // tar reads it back.
        let mut data = h.to_vec();
        data.extend_from_slice(b"{}");
        data.resize(3 * 512 + 512, 0);
        let mut archive = tar::Archive::new(&data[..]);
        let mut entry = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("repositories"));
        let mut s = String::new();
        entry.read_to_string(&mut s).unwrap();
        assert_eq!(s, "{}");
    }

    #[test]
    fn long_names_split_into_prefix() {
        let name = format!("{}/{}", "a".repeat(80), "b".repeat(60));
        let h = ustar_header(&name, b'0', 0o644, 0, "").unwrap();
        let mut data = h.to_vec();
        data.resize(3 * 512, 0);
        let mut archive = tar::Archive::new(&data[..]);
        let entry = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some(name.as_str()));
        assert!(ustar_header(&"c".repeat(101), b'0', 0o644, 0, "").is_err());
    }

    #[test]
    fn clean_names() {
        assert_eq!(clean_name("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(clean_name("a/../b").as_deref(), Some("b"));
        assert_eq!(clean_name("../b"), None);
        assert_eq!(clean_name("./"), None);
    }
}
