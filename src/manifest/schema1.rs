//! Docker schema 1 signed manifests: the digest of a pretty-JWS manifest is the digest of its
//! payload, which is the document with the `signatures` cut out (libtrust's formatLength/formatTail).

use base64::Engine as _;

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The signed payload of a schema 1 pretty-JWS manifest.
///
/// Every signature's `protected` header names the payload's length in the raw bytes
/// (`formatLength`) and the bytes that close it (`formatTail`); all must agree.
pub fn signed_payload(raw: &[u8]) -> Result<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct Doc {
        signatures: serde_json::Value,
    }
    #[derive(serde::Deserialize)]
    struct Protected {
        #[serde(rename = "formatLength")]
        format_length: usize,
        #[serde(rename = "formatTail")]
        format_tail: String,
    }
    let bad = |why: &str| Error::InvalidManifest(format!("schema 1 signature: {why}"));
    let doc: Doc = serde_json::from_slice(raw).map_err(|e| Error::InvalidManifest(e.to_string()))?;
    let signatures = doc.signatures.as_array().ok_or_else(|| bad("\"signatures\" is not an array"))?;
    if signatures.is_empty() {
        return Err(bad("no signatures"));
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut agreed: Option<(usize, Vec<u8>)> = None;
    for signature in signatures {
        let protected =
            signature.get("protected").and_then(|p| p.as_str()).ok_or_else(|| bad("missing \"protected\""))?;
        let header = b64.decode(protected.trim_end_matches('=')).map_err(|_| bad("\"protected\" is not base64url"))?;
        let header: Protected =
            serde_json::from_slice(&header).map_err(|_| bad("\"protected\" is not the expected JSON"))?;
        let tail =
            b64.decode(header.format_tail.trim_end_matches('=')).map_err(|_| bad("formatTail is not base64url"))?;
        let this = (header.format_length, tail);
        match &agreed {
            None => agreed = Some(this),
            Some(first) if *first == this => {}
            Some(_) => return Err(bad("signatures disagree on the payload")),
        }
    }
    let (length, tail) = agreed.expect("at least one signature");
    if length > raw.len() {
        return Err(bad("formatLength is past the end of the manifest"));
    }
    let mut payload = raw[..length].to_vec();
    payload.extend_from_slice(&tail);
    Ok(payload)
}

/// The digest of a signed schema 1 manifest (the sha256 of its payload).
pub fn signed_digest(raw: &[u8]) -> Result<Digest> {
    Ok(Digest::sha256(&signed_payload(raw)?))
}
