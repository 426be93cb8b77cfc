//! Unit tests of the layer reader: tarballs built with the `tar` crate (GNU and ustar headers,
//! long names, PAX records, links), gzip-compressed with `flate2`, fed whole and byte by byte.

use std::io::Write;

use super::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn file_header(path: &str, size: u64, mode: u32, gnu: bool) -> tar::Header {
    let mut header = if gnu { tar::Header::new_gnu() } else { tar::Header::new_ustar() };
    header.set_path(path).unwrap();
    header.set_size(size);
    header.set_mode(mode);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    header
}

const LONG_NAME: &str =
    "usr/share/a-directory-with-a-rather-long-name/and-another-one-below-it/and-a-file-whose-name-is-long-too.txt";

/// An archive with a directory, two files (one with a GNU long name), a symlink and a hard link.
fn sample_tar() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_path("etc/").unwrap();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_cksum();
    builder.append(&dir, &[][..]).unwrap();
    let greeting = b"hello from the layer\n";
    builder.append(&file_header("etc/greeting", greeting.len() as u64, 0o644, true), &greeting[..]).unwrap();
    let mut long = file_header("placeholder", 1000, 0o600, true);
    builder.append_data(&mut long, LONG_NAME, &vec![b'x'; 1000][..]).unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_mode(0o777);
    link.set_size(0);
    builder.append_link(&mut link, "etc/link", "greeting").unwrap();
    let mut hard = tar::Header::new_gnu();
    hard.set_entry_type(tar::EntryType::Link);
    hard.set_mode(0o644);
    hard.set_size(0);
    builder.append_link(&mut hard, "etc/hard", "etc/greeting").unwrap();
    builder.into_inner().unwrap()
}

fn list_all(bytes: &[u8], chunk: usize) -> Result<Vec<TarEntry>> {
    let mut reader = LayerReader::default();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        reader.push(piece, &mut out)?;
    }
    reader.finish(&mut out)?;
    Ok(out)
}

fn check_sample(entries: &[TarEntry]) {
    let summary: Vec<(&str, &str, u64, u32, Option<&str>)> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.entry_type.name(), e.size, e.mode, e.link_target.as_deref()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("etc/", "dir", 0, 0o755, None),
            ("etc/greeting", "file", 21, 0o644, None),
            (LONG_NAME, "file", 1000, 0o600, None),
            ("etc/link", "symlink", 0, 0o777, Some("greeting")),
            ("etc/hard", "hardlink", 0, 0o644, Some("etc/greeting")),
        ]
    );
}

#[test]
fn lists_a_plain_tar_in_one_chunk_and_byte_by_byte() {
    let tar = sample_tar();
    check_sample(&list_all(&tar, tar.len()).unwrap());
    check_sample(&list_all(&tar, 1).unwrap());
    check_sample(&list_all(&tar, 511).unwrap());
}

#[test]
fn lists_a_gzip_tar_in_any_chunking() {
    let gz = gzip(&sample_tar());
    check_sample(&list_all(&gz, gz.len()).unwrap());
    check_sample(&list_all(&gz, 1).unwrap());
    check_sample(&list_all(&gz, 7).unwrap());
}

#[test]
fn lists_a_multi_member_gzip() {
    let tar = sample_tar();
    let (first, second) = tar.split_at(1536);
    let mut gz = gzip(first);
    gz.extend(gzip(second));
    check_sample(&list_all(&gz, 100).unwrap());
}

#[test]
fn ustar_prefix_joins_the_path() {
    let path = "opt/some/deep/directory/structure/that/goes/on/and/on/for/quite/a/while/before/it/ends/right/about/here/file.bin";
    assert!(path.len() > 100);
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&file_header(path, 3, 0o644, false), &b"abc"[..]).unwrap();
    let entries = list_all(&builder.into_inner().unwrap(), 64).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].path, path);
}

#[test]
fn pax_headers_set_path_linkpath_and_size() {
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_pax_extensions([("path", &b"pax/named/file.txt"[..])]).unwrap();
    builder.append(&file_header("short", 5, 0o640, false), &b"12345"[..]).unwrap();
    builder.append_pax_extensions([("linkpath", &b"pax/target/of/the/link"[..])]).unwrap();
    let mut link = tar::Header::new_ustar();
    link.set_path("a-link").unwrap();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    link.set_mode(0o777);
    link.set_cksum();
    builder.append(&link, &[][..]).unwrap();
    // A PAX size overrides the header's (here the header says 0, the content is 600 bytes).
    builder.append_pax_extensions([("size", &b"600"[..])]).unwrap();
    let mut big = file_header("big", 0, 0o600, false);
    big.set_cksum();
    // Written raw: the builder would use the header's size.
    let raw = builder.get_mut();
    raw.extend_from_slice(big.as_bytes());
    raw.extend_from_slice(&[b'z'; 600 + 424]);
    builder.append(&file_header("after", 0, 0o644, false), &[][..]).unwrap();
    let raw = builder.into_inner().unwrap();
    let entries = list_all(&raw, 13).unwrap();
    let names: Vec<(&str, u64, Option<&str>)> =
        entries.iter().map(|e| (e.path.as_str(), e.size, e.link_target.as_deref())).collect();
    assert_eq!(
        names,
        vec![
            ("pax/named/file.txt", 5, None),
            ("a-link", 0, Some("pax/target/of/the/link")),
            ("big", 600, None),
            ("after", 0, None),
        ]
    );
}

#[test]
fn captures_the_first_bytes_of_a_file() {
    let gz = gzip(&sample_tar());
    for (path, max, expected, truncated) in [
        ("etc/greeting", 1000, &b"hello from the layer\n"[..], false),
        ("/etc/greeting", 5, &b"hello"[..], true),
        ("./etc/greeting", 21, &b"hello from the layer\n"[..], false),
    ] {
        let mut reader = LayerReader::new(TarListing::new().capture(path, max));
        let mut out = Vec::new();
        for piece in gz.chunks(3) {
            reader.push(piece, &mut out).unwrap();
        }
        reader.finish(&mut out).unwrap();
        let captured = reader.take_captured().expect("the file was captured");
        assert_eq!(captured.bytes, expected);
        assert_eq!(captured.truncated, truncated);
        assert_eq!(captured.entry.size, 21);
    }
    let mut reader = LayerReader::new(TarListing::new().capture("etc/missing", 10));
    let mut out = Vec::new();
    reader.push(&gz, &mut out).unwrap();
    reader.finish(&mut out).unwrap();
    assert!(reader.take_captured().is_none());
}

#[test]
fn a_cut_short_archive_is_an_error() {
    let tar = sample_tar();
    let err = list_all(&tar[..1024 + 10], 50).unwrap_err();
    assert_eq!(err.code(), "LAYER_INVALID", "{err}");
    let gz = gzip(&tar);
    let err = list_all(&gz[..gz.len() / 2], 50).unwrap_err();
    assert_eq!(err.code(), "LAYER_INVALID", "{err}");
}

#[test]
fn an_archive_may_end_after_the_last_content_without_padding_or_end_blocks() {
    let mut raw = file_header("etc/greeting", 5, 0o644, true).as_bytes().to_vec();
    raw.extend_from_slice(b"hello");
    let entries = list_all(&gzip(&raw), 100).unwrap();
    assert_eq!(entries.len(), 1);
    let mut reader = LayerReader::new(TarListing::new().capture("etc/greeting", 100));
    reader.push(&raw, &mut Vec::new()).unwrap();
    reader.finish(&mut Vec::new()).unwrap();
    assert_eq!(reader.take_captured().unwrap().bytes, b"hello");
    assert_eq!(entries[0].path, "etc/greeting");
    // One byte of content missing is still an error.
    assert_eq!(list_all(&raw[..raw.len() - 1], 100).unwrap_err().code(), "LAYER_INVALID");
}

#[test]
fn a_damaged_header_is_an_error() {
    let mut tar = sample_tar();
    tar[10] ^= 0x55;
    let err = list_all(&tar, 512).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    let err = list_all(b"this is not a tar archive at all, just some text that goes on", 512).unwrap_err();
    assert_eq!(err.code(), "LAYER_INVALID", "{err}");
}

#[test]
fn zstd_and_empty_layers_are_clear_errors() {
    let err = list_all(&[0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0], 8).unwrap_err();
    assert_eq!(err.code(), "UNSUPPORTED");
    assert!(err.to_string().contains("zstd"), "{err}");
    let err = list_all(&[], 8).unwrap_err();
    assert_eq!(err.code(), "LAYER_INVALID");
}

#[test]
fn a_highly_compressed_layer_streams_without_holding_its_content() {
    // 64 MiB of zeros compress to about 64 KiB: the reader sees them pass without keeping them.
    let size = 64u64 << 20;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut builder = tar::Builder::new(&mut encoder);
    builder.append(&file_header("zeros", size, 0o644, true), std::io::repeat(0).take_bytes(size)).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let gz = encoder.finish().unwrap();
    assert!(gz.len() < 1 << 20);
    let mut reader = LayerReader::default();
    let mut out = Vec::new();
    for piece in gz.chunks(16 * 1024) {
        reader.push(piece, &mut out).unwrap();
    }
    reader.finish(&mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].size, size);
    assert!(reader.uncompressed_bytes() > size);
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

#[test]
fn gzip_headers_with_name_comment_and_extra_fields() {
    let mut encoder = flate2::GzBuilder::new()
        .filename("layer.tar")
        .comment("a comment")
        .extra(vec![1, 2, 3, 4])
        .write(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&sample_tar()).unwrap();
    let gz = encoder.finish().unwrap();
    check_sample(&list_all(&gz, 1).unwrap());
    check_sample(&list_all(&gz, 4096).unwrap());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Whatever the bytes and however they are split, the listing either succeeds or returns an
    /// error: never a panic, and never an answer that depends on the chunking.
    fn same_for_any_chunking(bytes: &[u8], chunk: usize) {
        let whole = list_all(bytes, bytes.len().max(1)).map_err(|e| e.to_string());
        let split = list_all(bytes, chunk).map_err(|e| e.to_string());
        assert_eq!(whole, split);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), chunk in 1usize..700) {
            same_for_any_chunking(&bytes, chunk);
            same_for_any_chunking(&gzip(&bytes), chunk);
        }

        #[test]
        fn damaged_archives_never_panic(at in any::<prop::sample::Index>(), value in any::<u8>(), cut in any::<prop::sample::Index>(), chunk in 1usize..700, zipped in any::<bool>()) {
            let mut bytes = sample_tar();
            if zipped {
                bytes = gzip(&bytes);
            }
            let i = at.index(bytes.len());
            bytes[i] = value;
            bytes.truncate(cut.index(bytes.len()) + 1);
            same_for_any_chunking(&bytes, chunk);
        }
    }
}
