//! Sigstore (cosign) signatures with keys, as containers/image makes and checks them: an ECDSA
//! P-256 signature (SHA-256, ASN.1 DER) over a simple signing payload whose type is `cosign
//! container image signature`. Pure Rust (RustCrypto's p256, scrypt and crypto_secretbox), so it
//! runs on every target.
//!
//! * [`keys`]: [`PublicKey`] (PEM `PUBLIC KEY`) and [`PrivateKey`] (generated, or read from and
//!   written to the passphrase-encrypted PEM that `skopeo generate-sigstore-key` and cosign use),
//!   signing and verifying.
//! * [`encrypted`]: that passphrase envelope (scrypt, then NaCl secretbox).
//! * [`payload`]: the cosign payload's JSON, over `crate::signature::payload`'s rules.
//! * [`pem`]: PEM blocks as Go reads and writes them.

pub mod encrypted;
pub mod keys;
pub mod payload;
pub mod pem;

pub use keys::{PrivateKey, PublicKey};

use crate::error::Result;

/// The payload to sign for `manifest` under `docker_reference` (containers/image's
/// `NewUntrustedSigstorePayload` and its JSON): the manifest's digest (a schema 1 manifest's by
/// its signed payload), the reference as given, creator and timestamp now. An empty reference is
/// refused ("Unexpected empty signature content").
pub fn payload_for(manifest: &[u8], docker_reference: &str) -> Result<Vec<u8>> {
    let digest = crate::manifest::manifest_digest(manifest)?;
    payload::to_json(&crate::signature::UntrustedSignature::new(digest, docker_reference.to_string()))
}

#[cfg(test)]
mod tests;
