//! A signature of either kind, as containers/image passes them between transports
//! (`signature.Signature`): a simple signature (an OpenPGP message) or a sigstore signature (a
//! payload, its MIME type and the annotations that carry the signature, certificate and Rekor
//! bundle). [`Signature::to_blob`] and [`Signature::from_blob`] are containers/image's long-term
//! storage form (`signature.Blob`/`FromBlob`), which `dir:` writes as `signature-N` files: a
//! simple signature as its bare bytes, anything else as a zero byte, the format's name, a
//! newline and the format's own bytes (`sigstore-json`: `{"mimeType", "payload", "annotations"}`).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The MIME type of a cosign simple signing payload (a sigstore signature's `mime_type`).
pub const SIGSTORE_PAYLOAD_MIME_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// One image signature, unverified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// A simple signature (containers-signature(5)): the OpenPGP message's bytes.
    SimpleSigning(Vec<u8>),
    /// A sigstore (cosign) signature.
    Sigstore(SigstoreSignature),
}

/// A sigstore signature as a cosign `.sig` manifest carries it: one layer's bytes (the payload),
/// its media type and its annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigstoreSignature {
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    #[serde(with = "base64_bytes")]
    pub payload: Vec<u8>,
    pub annotations: BTreeMap<String, String>,
}

/// The annotation holding the base64 ASN.1 DER ECDSA signature over the payload.
pub const SIGSTORE_SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The annotation holding the signing certificate (PEM), for keyless signatures.
pub const SIGSTORE_CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// The annotation holding the certificate's chain (PEM, intermediates then root).
pub const SIGSTORE_CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// The annotation holding the Rekor bundle (the signed entry timestamp and the entry).
pub const SIGSTORE_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

const SIMPLE_SIGNING_FORMAT: &[u8] = b"simple-signing";
const SIGSTORE_FORMAT: &[u8] = b"sigstore-json";

impl Signature {
    /// The format's name in containers/image's words (`simple-signing`, `sigstore-json`).
    pub fn format_name(&self) -> &'static str {
        match self {
            Signature::SimpleSigning(_) => "simple-signing",
            Signature::Sigstore(_) => "sigstore-json",
        }
    }

    /// The storage form (containers/image's `signature.Blob`).
    pub fn to_blob(&self) -> Vec<u8> {
        match self {
            // A bare OpenPGP message, as older dir: layouts hold them.
            Signature::SimpleSigning(bytes) => bytes.clone(),
            Signature::Sigstore(sigstore) => {
                let mut blob = Vec::with_capacity(sigstore.payload.len() * 4 / 3 + 256);
                blob.push(0);
                blob.extend_from_slice(SIGSTORE_FORMAT);
                blob.push(b'\n');
                blob.extend_from_slice(&serde_json::to_vec(sigstore).expect("strings and bytes serialize"));
                blob
            }
        }
    }

    /// Reads the storage form: a bare OpenPGP message (recognized by its first packet, as
    /// containers/image does), or a zero byte, a format name and a newline before the format's
    /// bytes. The errors are containers/image's.
    pub fn from_blob(blob: &[u8]) -> Result<Signature> {
        let Some(&first) = blob.first() else {
            return Err(Error::Signature("empty signature blob".into()));
        };
        match first {
            // OpenPGP compressed data, one-pass signature or signature packets, old or new format.
            0xA0..=0xA3 | 0xC8 | 0x90..=0x92 | 0x3d | 0xC4 | 0x88..=0x8B | 0xC2 => {
                Ok(Signature::SimpleSigning(blob.to_vec()))
            }
            0x00 => {
                let rest = &blob[1..];
                let newline = rest
                    .iter()
                    .position(|&b| b == b'\n')
                    .ok_or_else(|| Error::Signature("invalid signature format, missing newline".into()))?;
                let (format, chunk) = (&rest[..newline], &rest[newline + 1..]);
                if let Some(&b) = format.iter().find(|&&b| !(32..0x7F).contains(&b)) {
                    return Err(Error::Signature(format!("invalid signature format, non-ASCII byte {b:#x}")));
                }
                match format {
                    SIMPLE_SIGNING_FORMAT => Ok(Signature::SimpleSigning(chunk.to_vec())),
                    SIGSTORE_FORMAT => serde_json::from_slice(chunk)
                        .map(Signature::Sigstore)
                        .map_err(|e| Error::Signature(format!("invalid sigstore-json signature: {e}"))),
                    other => Err(Error::Signature(format!(
                        "unrecognized signature format {:?}",
                        String::from_utf8_lossy(other)
                    ))),
                }
            }
            other => Err(Error::Signature(format!("unrecognized signature format, starting with binary {other:#x}"))),
        }
    }

    /// The simple signature's bytes, if this is one.
    pub fn as_simple_signing(&self) -> Option<&[u8]> {
        match self {
            Signature::SimpleSigning(bytes) => Some(bytes),
            Signature::Sigstore(_) => None,
        }
    }

    /// The sigstore signature, if this is one.
    pub fn as_sigstore(&self) -> Option<&SigstoreSignature> {
        match self {
            Signature::Sigstore(sigstore) => Some(sigstore),
            Signature::SimpleSigning(_) => None,
        }
    }
}

/// `[]byte` as Go's encoding/json writes it: standard base64 with padding.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

impl SigstoreSignature {
    /// A signature over `payload` (a cosign simple signing payload) whose base64 signature is
    /// `signature`: what skopos writes when it signs with a sigstore private key.
    pub fn with_key_signature(payload: Vec<u8>, signature: &[u8]) -> SigstoreSignature {
        let mut annotations = BTreeMap::new();
        annotations.insert(
            SIGSTORE_SIGNATURE_ANNOTATION.to_string(),
            base64::engine::general_purpose::STANDARD.encode(signature),
        );
        SigstoreSignature { mime_type: SIGSTORE_PAYLOAD_MIME_TYPE.to_string(), payload, annotations }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_signatures_are_stored_bare_and_read_in_both_forms() {
        let message = vec![0xA3, 0x01, 0x02];
        let signature = Signature::SimpleSigning(message.clone());
        assert_eq!(signature.to_blob(), message);
        assert_eq!(Signature::from_blob(&message).unwrap(), signature);
        let mut prefixed = b"\x00simple-signing\n".to_vec();
        prefixed.extend_from_slice(&message);
        assert_eq!(Signature::from_blob(&prefixed).unwrap(), signature);
    }

    #[test]
    fn sigstore_signatures_round_trip_in_containers_image_form() {
        let signature = Signature::Sigstore(SigstoreSignature::with_key_signature(b"payload".to_vec(), b"sig"));
        let blob = signature.to_blob();
        assert!(blob.starts_with(b"\x00sigstore-json\n{\"mimeType\":"));
        let text = std::str::from_utf8(&blob[15..]).unwrap();
        assert!(text.contains("\"payload\":\"cGF5bG9hZA==\""), "{text}");
        assert!(text.contains("\"dev.cosignproject.cosign/signature\":\"c2ln\""), "{text}");
        assert_eq!(Signature::from_blob(&blob).unwrap(), signature);
        // As containers/image writes it (its test vector's shape).
        let theirs = b"\x00sigstore-json\n{\"mimeType\":\"mime-type\",\"payload\":\"cGF5bG9hZA==\",\"annotations\":{\"a\":\"b\",\"c\":\"d\"}}";
        let read = Signature::from_blob(theirs).unwrap();
        let sigstore = read.as_sigstore().unwrap();
        assert_eq!(sigstore.mime_type, "mime-type");
        assert_eq!(sigstore.payload, b"payload");
        assert_eq!(sigstore.annotations.len(), 2);
    }

    #[test]
    fn malformed_blobs_are_refused_with_containers_image_words() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty signature blob"),
            (b"\x00", "invalid signature format, missing newline"),
            (b"\x00sigstore-json", "invalid signature format, missing newline"),
            (b"\x00\x01\n", "invalid signature format, non-ASCII byte 0x1"),
            (b"\x00unknown\nabc", "unrecognized signature format \"unknown\""),
            (b"{\"a\":1}", "unrecognized signature format, starting with binary 0x7b"),
        ];
        for (blob, want) in cases {
            let error = Signature::from_blob(blob).unwrap_err().to_string();
            assert!(error.contains(want), "{blob:?}: {error}");
        }
        let error = Signature::from_blob(b"\x00sigstore-json\n{\"mimeType\":1}").unwrap_err().to_string();
        assert!(error.contains("invalid sigstore-json signature"), "{error}");
    }
}
