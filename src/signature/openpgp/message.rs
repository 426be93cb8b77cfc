//! Reading a signed OpenPGP message as `gpg --sign` writes it (optionally compressed, one-pass
//! signature packets, literal data, signature packets), with its literal data read in full and
//! bounded, so that its signatures can be counted and checked.

use std::io::Read;

use pgp::composed::Message;
use pgp::packet::Signature;

use super::{is_armored, signature_error};
use crate::error::Result;
use crate::signature::MAX_SIGNATURE_SIZE;

/// A signed message whose literal data has been read to the end.
pub(crate) struct SignedMessage<'a> {
    message: Message<'a>,
    /// The literal data: the payload that was signed.
    pub(crate) literal: Vec<u8>,
}

impl<'a> SignedMessage<'a> {
    /// Reads `bytes` (binary or ASCII-armored) as a signed message. Anything else — too large,
    /// a cleartext-signed text, a detached signature, an unsigned or encrypted message, garbage —
    /// is an `Error::Signature`.
    pub(crate) fn read(bytes: &'a [u8]) -> Result<SignedMessage<'a>> {
        if bytes.len() as u64 > MAX_SIGNATURE_SIZE {
            return Err(signature_error(format!(
                "Signature is too large: {} bytes, more than the limit of {MAX_SIGNATURE_SIZE}",
                bytes.len()
            )));
        }
        if bytes.trim_ascii_start().starts_with(b"-----BEGIN PGP SIGNED MESSAGE-----") {
            return Err(signature_error("A cleartext signature is not a simple signing signature"));
        }
        let bad = |e: pgp::errors::Error| signature_error(format!("Invalid OpenPGP message: {e}"));
        let mut message = if is_armored(bytes) {
            Message::from_armor(bytes).map_err(bad)?.0
        } else {
            Message::from_bytes(bytes).map_err(bad)?
        };
        if message.is_compressed() {
            message = message.decompress().map_err(bad)?;
        }
        if !message.is_signed() {
            return Err(signature_error("The input is not a signature"));
        }
        let mut literal = Vec::new();
        Read::by_ref(&mut message)
            .take(MAX_SIGNATURE_SIZE + 1)
            .read_to_end(&mut literal)
            .map_err(|e| signature_error(format!("Invalid OpenPGP message: {e}")))?;
        if literal.len() as u64 > MAX_SIGNATURE_SIZE {
            return Err(signature_error(format!("Signed data is larger than the limit of {MAX_SIGNATURE_SIZE} bytes")));
        }
        Ok(SignedMessage { message, literal })
    }

    /// Every signature of the message, nested signed messages included, outermost first.
    pub(crate) fn signatures(&self) -> Vec<&Signature> {
        let mut out = Vec::new();
        let mut current = &self.message;
        while let Message::Signed { reader, .. } = current {
            out.extend(reader.signatures().unwrap_or_default().iter().map(|s| s.signature()));
            current = reader.get_ref();
        }
        out
    }

    /// Checks the cryptographic signature `index` of the outermost level against `key`.
    pub(crate) fn verify_signature(&self, index: usize, key: &dyn pgp::types::VerifyingKey) -> Result<()> {
        self.message
            .verify_nested_explicit(index, key)
            .map(|_| ())
            .map_err(|e| signature_error(format!("Invalid GPG signature: {e}")))
    }
}
