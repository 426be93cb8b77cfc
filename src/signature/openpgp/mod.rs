//! OpenPGP for simple signing, in pure Rust (rPGP): public keyrings, checking a signed message
//! as containers/image's GPG mechanism does (exactly one signature, by a usable key of the
//! keyring, cryptographically valid, not expired), and signing a payload with a secret key.

mod keyring;
mod message;
mod signing;

pub use keyring::Keyring;
pub use signing::SigningKey;

use pgp::packet::{Signature, SignatureType};
use pgp::types::Fingerprint;

use crate::error::{Error, Result};
use message::SignedMessage;

/// A signed message that passed every OpenPGP check.
pub(crate) struct VerifiedMessage {
    /// The signed literal data.
    pub(crate) literal: Vec<u8>,
    /// The fingerprint of the signer's primary key, uppercase hex.
    pub(crate) primary_fingerprint: String,
    /// The fingerprint of the key that made the signature: the primary's, or the signing subkey's.
    pub(crate) signing_fingerprint: String,
}

impl Keyring {
    /// Checks a signed message against this keyring and returns its literal data and the
    /// fingerprint of the primary key that signed it (also when one of its subkeys did).
    ///
    /// The message must hold exactly one signature ("Unexpected GPG signature count N"), made
    /// over binary or text data by a key of this keyring ("Key not found for key ID …") that is
    /// usable now (not revoked or expired, a subkey properly bound for signing); the signature
    /// must verify and must not have expired.
    pub fn verify_message(&self, signature: &[u8]) -> Result<(Vec<u8>, String)> {
        let verified = self.verify_message_detailed(signature)?;
        Ok((verified.literal, verified.primary_fingerprint))
    }

    pub(crate) fn verify_message_detailed(&self, signature: &[u8]) -> Result<VerifiedMessage> {
        let message = SignedMessage::read(signature)?;
        let signatures = message.signatures();
        let [sig] = signatures.as_slice() else {
            return Err(signature_error(format!("Unexpected GPG signature count {}", signatures.len())));
        };
        match sig.typ() {
            Some(SignatureType::Binary | SignatureType::Text) => {}
            other => {
                return Err(signature_error(format!("Invalid GPG signature: not a signature over data ({other:?})")));
            }
        }
        let signer = self
            .find_signer(sig)
            .ok_or_else(|| signature_error(format!("Key not found for key ID {} in signature", issuer_key_id(sig))))?;
        match signer.subkey {
            Some(subkey) => message.verify_signature(0, &subkey.key)?,
            None => message.verify_signature(0, &signer.certificate.primary_key)?,
        }
        let now = crate::clock::now_secs().floor() as i64;
        signer.check_usable(now)?;
        check_signature_not_expired(sig, now)?;
        Ok(VerifiedMessage {
            literal: message.literal,
            primary_fingerprint: signer.primary_fingerprint(),
            signing_fingerprint: signer.signing_fingerprint(),
        })
    }
}

/// Reads a signed message without checking any signature: its literal data and the key ID of
/// its first signature's issuer (uppercase hex, as containers/image shows it).
pub(crate) fn untrusted_contents(signature: &[u8]) -> Result<(Vec<u8>, String)> {
    let message = SignedMessage::read(signature)?;
    let key_id = message.signatures().first().map(|sig| issuer_key_id(sig).to_uppercase()).unwrap_or_default();
    Ok((message.literal, key_id))
}

/// A signature whose own expiration time (`created` + its lifetime) has passed.
fn check_signature_not_expired(sig: &Signature, now: i64) -> Result<()> {
    let created = sig.created().map(|t| i64::from(t.as_secs()));
    let lifetime = sig.signature_expiration_time().map(|d| i64::from(d.as_secs())).filter(|s| *s > 0);
    if let (Some(created), Some(lifetime)) = (created, lifetime) {
        if now >= created + lifetime {
            let expiry = crate::go::time::rfc3339_utc(created + lifetime);
            return Err(signature_error(format!("Signature expired on {expiry}")));
        }
    }
    Ok(())
}

/// The issuer key ID a signature names (lowercase hex), from its key ID or fingerprint subpacket.
fn issuer_key_id(sig: &Signature) -> String {
    if let Some(id) = sig.issuer_key_id().first() {
        return id.to_string();
    }
    match sig.issuer_fingerprint().first() {
        Some(fingerprint) => {
            let bytes = fingerprint.as_bytes();
            // A v4 key ID is the last 8 bytes of the fingerprint, a v6 one the first 8.
            let id = if fingerprint.version() == Some(pgp::types::KeyVersion::V4) {
                &bytes[bytes.len().saturating_sub(8)..]
            } else {
                &bytes[..bytes.len().min(8)]
            };
            id.iter().map(|b| format!("{b:02x}")).collect()
        }
        None => "0000000000000000".to_string(),
    }
}

/// A fingerprint as gpgme and skopeo print it: uppercase hex.
fn fingerprint_hex(fingerprint: &Fingerprint) -> String {
    format!("{fingerprint:X}")
}

/// Whether `bytes` start (after white space) with an ASCII armor header line.
fn is_armored(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN PGP ")
}

fn signature_error(message: impl Into<String>) -> Error {
    Error::Signature(message.into())
}
