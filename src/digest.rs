//! Content digests: parsing and validation (go-digest's rules), hashing, and streaming verification.
//!
//! A [`Digest`] is always valid once constructed: a registered algorithm (`sha256` or `sha512`)
//! and lowercase hex of the right length. [`Verifier`] hashes bytes as they stream past and
//! checks the result against the digest they were addressed by; [`VerifiedStream`] is the one
//! byte stream built on it that every verified read uses.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256, Sha512};

use crate::error::{Error, Result};

mod stream;
pub use stream::VerifiedStream;

/// A hash algorithm skopos can compute and verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as it appears in a digest string.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of the hex-encoded hash.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// Why a digest string was refused, in go-digest's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestErrorKind {
    /// Not `algorithm:encoded`, or the encoded part has characters outside lowercase hex.
    InvalidFormat,
    /// The encoded part has the wrong length for its algorithm.
    InvalidLength,
    /// Well-formed, but the algorithm is not one skopos supports.
    Unsupported,
}

impl DigestErrorKind {
    fn describe(self) -> &'static str {
        match self {
            DigestErrorKind::InvalidFormat => "invalid checksum digest format",
            DigestErrorKind::InvalidLength => "invalid checksum digest length",
            DigestErrorKind::Unsupported => "unsupported digest algorithm",
        }
    }
}

/// A validated content digest such as `sha256:e3b0c442…`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    /// Parses and validates a digest string.
    pub fn parse(input: &str) -> Result<Digest> {
        Self::validate(input)
            .map_err(|kind| Error::InvalidDigest { input: input.to_string(), reason: kind.describe().to_string() })
    }

    /// Parses a digest, reporting the kind of failure as go-digest classifies it.
    pub fn validate(input: &str) -> std::result::Result<Digest, DigestErrorKind> {
        let colon = match input.find(':') {
            Some(i) if i > 0 && i + 1 < input.len() => i,
            _ => return Err(DigestErrorKind::InvalidFormat),
        };
        let (name, encoded) = (&input[..colon], &input[colon + 1..]);
        let algorithm = match Algorithm::from_name(name) {
            Some(a) => a,
            None if matches_digest_grammar(input) => return Err(DigestErrorKind::Unsupported),
            None => return Err(DigestErrorKind::InvalidFormat),
        };
        if encoded.len() != algorithm.hex_len() {
            return Err(DigestErrorKind::InvalidLength);
        }
        if !encoded.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(DigestErrorKind::InvalidFormat);
        }
        Ok(Digest { algorithm, hex: encoded.to_string() })
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        Self::of(Algorithm::Sha256, bytes)
    }

    /// The digest of `bytes` under `algorithm`.
    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new(algorithm);
        hasher.update(bytes);
        hasher.finish()
    }

    /// The algorithm part.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex-encoded hash, without the algorithm prefix.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Checks that `bytes` hash to this digest; `what` names them in the error.
    pub fn verify(&self, bytes: &[u8], what: &str) -> Result<()> {
        let actual = Digest::of(self.algorithm, bytes);
        if &actual == self {
            Ok(())
        } else {
            Err(Error::DigestMismatch {
                what: what.to_string(),
                expected: self.to_string(),
                actual: actual.to_string(),
            })
        }
    }
}

/// Whether `s` matches go-digest's `[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`.
fn matches_digest_grammar(s: &str) -> bool {
    let Some((alg, enc)) = s.split_once(':') else { return false };
    let alg_ok = !alg.is_empty()
        && alg
            .split(['.', '+', '_', '-'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    let enc_ok = !enc.is_empty() && enc.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
    alg_ok && enc_ok
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Digest::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An incremental hasher for one algorithm.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Digest {
        let (algorithm, hex) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, hex_lower(&h.finalize())),
            Hasher::Sha512(h) => (Algorithm::Sha512, hex_lower(&h.finalize())),
        };
        Digest { algorithm, hex }
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

/// Checks a stream of bytes against an expected digest (and optionally a size) as it passes.
///
/// Feed every chunk with [`Verifier::update`]; [`Verifier::finish`] fails unless the bytes
/// hash to the expected digest. Exceeding the expected size fails as early as it happens.
pub struct Verifier {
    expected: Digest,
    expected_size: Option<u64>,
    what: String,
    hasher: Hasher,
    seen: u64,
}

impl Verifier {
    /// A verifier for bytes named `what` (used in error messages) that must hash to `expected`.
    pub fn new(expected: Digest, expected_size: Option<u64>, what: impl Into<String>) -> Self {
        let hasher = Hasher::new(expected.algorithm);
        Verifier { expected, expected_size, what: what.into(), hasher, seen: 0 }
    }

    /// Feeds a chunk; fails once more bytes arrived than the expected size, and, when the
    /// expected size is known, as soon as the last expected byte arrives and the digest is wrong.
    /// (A consumer that stops reading at the expected length, such as an HTTP upload with that
    /// Content-Length, would otherwise never see the error that [`Verifier::finish`] reports.)
    pub fn update(&mut self, chunk: &[u8]) -> Result<()> {
        self.seen += chunk.len() as u64;
        if let Some(size) = self.expected_size {
            if self.seen > size {
                return Err(Error::SizeMismatch { what: self.what.clone(), expected: size, actual: self.seen });
            }
        }
        self.hasher.update(chunk);
        if self.expected_size == Some(self.seen) && !chunk.is_empty() {
            let actual = self.hasher.clone().finish();
            if actual != self.expected {
                return Err(Error::DigestMismatch {
                    what: self.what.clone(),
                    expected: self.expected.to_string(),
                    actual: actual.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Bytes seen so far.
    pub fn bytes_seen(&self) -> u64 {
        self.seen
    }

    /// Ends the stream: the size (if known) and the digest must match.
    pub fn finish(self) -> Result<Digest> {
        if let Some(size) = self.expected_size {
            if self.seen != size {
                return Err(Error::SizeMismatch { what: self.what, expected: size, actual: self.seen });
            }
        }
        let actual = self.hasher.finish();
        if actual != self.expected {
            return Err(Error::DigestMismatch {
                what: self.what,
                expected: self.expected.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(actual)
    }
}

/// The digest and size of a stream's bytes, known once a [`hashing_stream`] has ended cleanly.
#[derive(Clone, Default)]
pub struct StreamDigest(std::sync::Arc<std::sync::Mutex<Option<(Digest, u64)>>>);

impl StreamDigest {
    /// The sha256 digest and byte count, if the stream has ended.
    pub fn get(&self) -> Option<(Digest, u64)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Passes `input` through unchanged while hashing it with sha256; the returned handle holds the
/// digest and size once the stream has ended without error.
pub fn hashing_stream(input: crate::http::ByteStream) -> (crate::http::ByteStream, StreamDigest) {
    use futures_util::StreamExt;
    let handle = StreamDigest::default();
    let slot = handle.clone();
    let state = (input, Some(Hasher::new(Algorithm::Sha256)), 0u64, slot);
    let stream = futures_util::stream::unfold(state, |(mut input, hasher, count, slot)| async move {
        let mut hasher = hasher?;
        match input.next().await {
            Some(Ok(chunk)) => {
                hasher.update(&chunk);
                let count = count + chunk.len() as u64;
                Some((Ok(chunk), (input, Some(hasher), count, slot)))
            }
            Some(Err(e)) => Some((Err(e), (input, None, count, slot))),
            None => {
                *slot.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((hasher.finish(), count));
                None
            }
        }
    });
    (Box::pin(stream), handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_digest_vectors() {
        let table = include_str!("../tests/vectors/digests.tsv");
        let mut checked = 0;
        for line in table.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (input, valid, algorithm, encoded, kind) = (cols[0], cols[1], cols[2], cols[3], cols[4]);
            match Digest::validate(input) {
                Ok(d) => {
                    assert_eq!(valid, "yes", "{input:?} should be refused ({kind})");
                    assert_eq!(d.algorithm().name(), algorithm);
                    assert_eq!(d.hex(), encoded);
                    assert_eq!(d.to_string(), input);
                }
                Err(k) => {
                    assert_eq!(valid, "no", "{input:?} should be accepted, got {k:?}");
                    assert_eq!(format!("{k:?}"), kind, "error kind for {input:?}");
                }
            }
            checked += 1;
        }
        assert!(checked >= 60);
    }

    #[test]
    fn content_vectors() {
        let table = include_str!("../tests/vectors/digests_content.tsv");
        for line in table.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let bytes: Vec<u8> =
                (0..cols[1].len()).step_by(2).map(|i| u8::from_str_radix(&cols[1][i..i + 2], 16).unwrap()).collect();
            assert_eq!(bytes.len(), cols[2].parse::<usize>().unwrap());
            assert_eq!(Digest::sha256(&bytes).to_string(), cols[3]);
            assert_eq!(Digest::of(Algorithm::Sha512, &bytes).to_string(), cols[4]);
            let mut v = Verifier::new(Digest::parse(cols[3]).unwrap(), Some(bytes.len() as u64), "blob");
            for chunk in bytes.chunks(3) {
                v.update(chunk).unwrap();
            }
            v.finish().unwrap();
        }
    }

    #[test]
    fn verifier_rejects_wrong_bytes_and_sizes() {
        let d = Digest::sha256(b"hello world");
        let mut v = Verifier::new(d.clone(), None, "layer x");
        v.update(b"hello worle").unwrap();
        let err = v.finish().unwrap_err();
        assert_eq!(err.code(), "DIGEST_MISMATCH");
        assert!(err.to_string().contains("layer x"), "{err}");

        let mut v = Verifier::new(d.clone(), Some(5), "layer y");
        assert!(v.update(b"hello world").is_err());

        // With a known size, the last byte already reveals a wrong digest.
        let mut v = Verifier::new(d.clone(), Some(11), "layer w");
        v.update(b"hello ").unwrap();
        let err = v.update(b"worle").unwrap_err();
        assert_eq!(err.code(), "DIGEST_MISMATCH");
        assert!(err.to_string().contains("layer w"), "{err}");

        let mut v = Verifier::new(d, Some(20), "layer z");
        v.update(b"hello world").unwrap();
        assert!(matches!(v.finish(), Err(Error::SizeMismatch { .. })));
    }
}
