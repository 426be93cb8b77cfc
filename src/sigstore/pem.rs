//! PEM blocks as Go's `encoding/pem` reads and writes them, which is how containers/image and
//! cosign store sigstore keys: the first well-formed block of the input is the one read (text
//! before and after it is ignored), and a block is written with its base64 in 64-column lines.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// One PEM block: its label (`PUBLIC KEY`, `ENCRYPTED SIGSTORE PRIVATE KEY`, …) and decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The text between `-----BEGIN ` and `-----`.
    pub label: String,
    /// The base64 body, decoded.
    pub contents: Vec<u8>,
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// The first well-formed PEM block in `input` (Go's `pem.Decode`: a `-----BEGIN LABEL-----` line at
/// the start of the input or of a line, base64 lines, then `-----END LABEL-----`), or `None` when
/// there is none. Blocks with headers (`Proc-Type: …`) are not read: no sigstore key has them.
pub fn decode(input: &[u8]) -> Option<PemBlock> {
    let text = String::from_utf8_lossy(input);
    let mut from = 0;
    while let Some(found) = text[from..].find(BEGIN) {
        let start = from + found;
        from = start + BEGIN.len();
        if start > 0 && !text[..start].ends_with('\n') {
            continue;
        }
        if let Some(block) = block_at(&text[start + BEGIN.len()..]) {
            return Some(block);
        }
    }
    None
}

/// Reads one block from `rest`, the text just after `-----BEGIN `.
fn block_at(rest: &str) -> Option<PemBlock> {
    let (first_line, body) = rest.split_once('\n')?;
    let label = first_line.trim_end().strip_suffix(DASHES)?;
    if label.contains(DASHES) {
        return None;
    }
    let end_marker = format!("{DASHES}END {label}{DASHES}");
    let mut encoded = String::new();
    for line in body.lines() {
        let line = line.trim();
        if line == end_marker {
            let contents = STANDARD.decode(encoded.as_bytes()).ok()?;
            return Some(PemBlock { label: label.to_string(), contents });
        }
        encoded.push_str(line);
    }
    None
}

/// `contents` as a PEM block labelled `label`, as Go's `pem.EncodeToMemory` writes it.
pub fn encode(label: &str, contents: &[u8]) -> String {
    let encoded = STANDARD.encode(contents);
    let mut out = format!("{BEGIN}{label}{DASHES}\n");
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("{DASHES}END {label}{DASHES}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_64_column_lines() {
        let contents: Vec<u8> = (0..=255).collect();
        let pem = encode("TEST BLOCK", &contents);
        assert!(pem.starts_with("-----BEGIN TEST BLOCK-----\n"));
        assert!(pem.ends_with("\n-----END TEST BLOCK-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(decode(pem.as_bytes()), Some(PemBlock { label: "TEST BLOCK".into(), contents }));
    }

    #[test]
    fn text_around_the_first_block_is_ignored() {
        let input = format!("comment line\n{}trailing\n{}", encode("A", b"first"), encode("B", b"second"));
        let block = decode(input.as_bytes()).unwrap();
        assert_eq!((block.label.as_str(), block.contents.as_slice()), ("A", &b"first"[..]));
    }

    #[test]
    fn a_broken_block_is_skipped_for_a_later_good_one() {
        let input = format!("-----BEGIN A-----\n!!!!\n-----END A-----\n{}", encode("B", b"good"));
        assert_eq!(decode(input.as_bytes()).unwrap().label, "B");
    }

    #[test]
    fn malformed_input_has_no_block() {
        for input in [
            &b""[..],
            b"no pem here",
            b"-----BEGIN A-----\nAAAA\n",
            b"-----BEGIN A-----\nAAAA\n-----END B-----\n",
            b"-----BEGIN A-----\nA*AA\n-----END A-----\n",
            b"x-----BEGIN A-----\nAAAA\n-----END A-----\n",
        ] {
            assert_eq!(decode(input), None, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn crlf_line_ends_are_read() {
        let block = decode(b"-----BEGIN A-----\r\nYWJj\r\n-----END A-----\r\n").unwrap();
        assert_eq!(block.contents, b"abc");
    }
}
