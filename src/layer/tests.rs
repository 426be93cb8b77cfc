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

/// The listing driver ([`LayerEntries`]) over in-memory blob streams, with a pacing that records
/// its pauses and progress reports and can give up after a number of checks.
mod driver {
    use std::cell::{Cell, RefCell};

    use bytes::Bytes;
    use futures_util::{stream, StreamExt};

    use super::*;
    use crate::http::ByteStream;

    #[derive(Default)]
    struct Recorder {
        checks: Cell<usize>,
        cancel_after: Option<usize>,
        pauses: Cell<usize>,
        reports: RefCell<Vec<Progress>>,
    }

    impl Pacing for &Recorder {
        fn check(&self) -> Result<()> {
            self.checks.set(self.checks.get() + 1);
            match self.cancel_after {
                Some(n) if self.checks.get() > n => Err(Error::Cancelled("given up".into())),
                _ => Ok(()),
            }
        }

        fn progress(&self, progress: Progress) {
            self.reports.borrow_mut().push(progress);
        }

        async fn pause(&self) {
            self.pauses.set(self.pauses.get() + 1);
        }
    }

    fn blob(bytes: &[u8], chunk: usize) -> ByteStream {
        let chunks: Vec<Result<Bytes>> = bytes.chunks(chunk.max(1)).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        Box::pin(stream::iter(chunks))
    }

    /// A blob whose stream ends with `error` after its bytes (as a verified stream does on a mismatch).
    fn failing_blob(bytes: &[u8], chunk: usize, error: Error) -> ByteStream {
        Box::pin(blob(bytes, chunk).chain(stream::iter([Err(error)])))
    }

    /// Every item of a listing until it ends: the entries' paths and the error it ended with.
    async fn drain<P: Pacing>(mut entries: LayerEntries<P>) -> (Vec<String>, Option<Error>) {
        let mut paths = Vec::new();
        while let Some(item) = entries.next().await {
            match item {
                Ok(entry) => paths.push(entry.path),
                Err(e) => {
                    assert!(entries.next().await.is_none(), "nothing follows the error");
                    return (paths, Some(e));
                }
            }
        }
        (paths, None)
    }

    fn sample_paths() -> Vec<String> {
        ["etc/", "etc/greeting", LONG_NAME, "etc/link", "etc/hard"].map(String::from).to_vec()
    }

    #[tokio::test]
    async fn the_entries_do_not_depend_on_chunks_or_slices() {
        let tar = sample_tar();
        for bytes in [tar.clone(), gzip(&tar)] {
            for (chunk, slice) in
                [(1, 1), (7, 3), (100, 16 * 1024), (512, 100), (bytes.len(), 5), (bytes.len(), SLICE_MAX)]
            {
                let recorder = Recorder::default();
                let entries =
                    LayerEntries::new(blob(&bytes, chunk), TarListing::new(), &recorder).with_limits(slice, u64::MAX);
                let (paths, error) = drain(entries).await;
                assert!(error.is_none(), "chunks of {chunk}, slices of {slice}: {error:?}");
                assert_eq!(paths, sample_paths(), "chunks of {chunk}, slices of {slice}");
                // Only the final report: no pause was due.
                let reports = recorder.reports.borrow();
                assert_eq!(recorder.pauses.get(), 0);
                assert_eq!(reports.len(), 1);
                assert_eq!(reports[0].compressed, bytes.len() as u64);
                assert_eq!(reports[0].uncompressed, tar.len() as u64);
            }
        }
    }

    const SLICE_MAX: usize = usize::MAX;

    #[tokio::test]
    async fn it_pauses_after_each_share_of_work_and_reports_progress() {
        let tar = sample_tar();
        let recorder = Recorder::default();
        let entries = LayerEntries::new(blob(&tar, 4096), TarListing::new(), &recorder).with_limits(256, 1024);
        let (paths, error) = drain(entries).await;
        assert!(error.is_none());
        assert_eq!(paths, sample_paths());
        // Work counts compressed bytes in and tar bytes out: twice the bytes of a plain tar.
        let work = 2 * tar.len() as u64;
        assert_eq!(recorder.pauses.get() as u64, work / 1024, "one pause per KiB of work");
        let reports = recorder.reports.borrow();
        assert_eq!(reports.len(), recorder.pauses.get() + 1, "one report per pause, and one at the end");
        assert!(reports.windows(2).all(|w| w[0].compressed <= w[1].compressed && w[0].entries <= w[1].entries));
        assert_eq!(reports.last().unwrap().compressed, tar.len() as u64);
        // A check before every slice: the 256-byte slices of each chunk, and one per pulled chunk.
        assert!(recorder.checks.get() >= tar.len() / 256, "{} checks", recorder.checks.get());
    }

    #[tokio::test]
    async fn a_gzip_bomb_pauses_for_what_it_inflates_to() {
        let size = 8u64 << 20;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let mut builder = tar::Builder::new(&mut encoder);
        builder.append(&file_header("zeros", size, 0o644, true), std::io::repeat(0).take_bytes(size)).unwrap();
        builder.finish().unwrap();
        drop(builder);
        let gz = encoder.finish().unwrap();
        let recorder = Recorder::default();
        let listing = LayerEntries::new(blob(&gz, 64 * 1024), TarListing::new(), &recorder).with_limits(256, 1 << 20);
        let (paths, error) = drain(listing).await;
        assert!(error.is_none());
        assert_eq!(paths, ["zeros"]);
        // A few KiB in would never make 1 MiB of work; 8 MiB out makes it several times.
        assert!(gz.len() < 64 * 1024);
        assert!((4..=8).contains(&recorder.pauses.get()), "{} pauses", recorder.pauses.get());
        // With the default sizes, one slice inflates past the default share of work at once.
        let recorder = Recorder::default();
        let (_, error) = drain(LayerEntries::new(blob(&gz, 64 * 1024), TarListing::new(), &recorder)).await;
        assert!(error.is_none());
        assert!(recorder.pauses.get() >= 1);
    }

    #[tokio::test]
    async fn cancellation_is_asked_before_every_slice() {
        let tar = sample_tar();
        for after in [0, 1, 5] {
            let recorder = Recorder { cancel_after: Some(after), ..Recorder::default() };
            let entries =
                LayerEntries::new(blob(&tar, tar.len()), TarListing::new(), &recorder).with_limits(512, u64::MAX);
            let (_, error) = drain(entries).await;
            assert_eq!(error.map(|e| e.code().to_string()).as_deref(), Some("CANCELLED"), "after {after} checks");
            assert_eq!(recorder.checks.get(), after + 1, "no slice after the refusal");
        }
        // Cancelled before the first slice: nothing was read.
        let recorder = Recorder { cancel_after: Some(0), ..Recorder::default() };
        let mut entries = LayerEntries::new(blob(&tar, 100), TarListing::new(), &recorder);
        assert!(matches!(entries.next().await, Some(Err(Error::Cancelled(_)))));
        assert_eq!(entries.progress().compressed, 0);
        assert!(entries.next().await.is_none());
    }

    #[tokio::test]
    async fn a_failed_blob_ends_the_listing_with_its_error() {
        let tar = sample_tar();
        let mismatch =
            || Error::DigestMismatch { what: "layer".into(), expected: "sha256:a".into(), actual: "sha256:b".into() };
        let recorder = Recorder::default();
        let (paths, error) =
            drain(LayerEntries::new(failing_blob(&tar, 700, mismatch()), TarListing::new(), &recorder)).await;
        assert_eq!(error.unwrap().code(), "DIGEST_MISMATCH");
        assert!(paths.len() <= sample_paths().len());
        // Bytes that are no archive, and then do not match their digest: the mismatch is reported.
        let garbage = b"this is not a tar archive at all, just some text that goes on and on".repeat(20);
        let recorder = Recorder::default();
        let listing = LayerEntries::new(failing_blob(&garbage, 100, mismatch()), TarListing::new(), &recorder);
        let (paths, error) = drain(listing).await;
        assert!(paths.is_empty());
        assert_eq!(error.unwrap().code(), "DIGEST_MISMATCH");
        // The same bytes, verified: the archive error, once the whole blob has passed.
        let recorder = Recorder::default();
        let mut listing = LayerEntries::new(blob(&garbage, 100), TarListing::new(), &recorder);
        assert_eq!(listing.next().await.unwrap().unwrap_err().code(), "LAYER_INVALID");
        assert!(listing.progress().compressed < 1024, "the reader stops at its first bad header");
        assert!(recorder.checks.get() >= garbage.len().div_ceil(100), "but the blob is pulled to its end");
    }

    #[tokio::test]
    async fn a_cut_short_archive_delivers_no_entry_after_its_error() {
        let tar = sample_tar();
        let recorder = Recorder::default();
        let (paths, error) = drain(LayerEntries::new(blob(&tar[..1024 + 10], 50), TarListing::new(), &recorder)).await;
        assert_eq!(error.unwrap().code(), "LAYER_INVALID");
        assert_eq!(paths, ["etc/", "etc/greeting"], "the entries whose headers arrived");
        assert_eq!(recorder.reports.borrow().len(), 1, "the end is reported");
    }

    #[tokio::test]
    async fn read_file_reads_the_whole_layer_then_returns_the_file() {
        let gz = gzip(&sample_tar());
        let recorder = Recorder::default();
        let listing = TarListing::new().capture("/etc/greeting", file_bytes(Some(5.0)).unwrap());
        let file =
            LayerEntries::new(blob(&gz, 9), listing, &recorder).read_file("sha256:x", "/etc/greeting").await.unwrap();
        assert_eq!((file.bytes.as_slice(), file.truncated, file.entry.size), (&b"hello"[..], true, 21));
        assert_eq!(recorder.reports.borrow().last().unwrap().compressed, gz.len() as u64);

        let listing = TarListing::new().capture("etc/missing", 10);
        let err =
            LayerEntries::new(blob(&gz, 9), listing, &Recorder::default()).read_file("sha256:x", "etc/missing").await;
        let err = err.unwrap_err();
        assert_eq!(err.code(), "NOT_FOUND");
        assert!(err.to_string().contains("sha256:x") && err.to_string().contains("etc/missing"), "{err}");

        let bad =
            failing_blob(&gz, 9, Error::DigestMismatch { what: "l".into(), expected: "a".into(), actual: "b".into() });
        let listing = TarListing::new().capture("etc/greeting", 10);
        let err = LayerEntries::new(bad, listing, &Recorder::default()).read_file("sha256:x", "etc/greeting").await;
        assert_eq!(err.unwrap_err().code(), "DIGEST_MISMATCH", "an unverified file is not returned");
    }

    #[test]
    fn file_byte_limits() {
        assert_eq!(file_bytes(None).unwrap(), entries::DEFAULT_FILE_BYTES);
        assert_eq!(file_bytes(Some(0.0)).unwrap(), 0);
        assert_eq!(file_bytes(Some(1e12)).unwrap(), entries::MAX_FILE_BYTES);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(file_bytes(Some(bad)).unwrap_err().code(), "CONFIG", "{bad}");
        }
    }
}
