//! What the copy engine asks of the trust layer: may this source image be copied (the trust
//! policy, [`TrustPolicy`]), and a new simple signature for what it writes ([`Signer`]).
//!
//! The engine knows neither policy.json nor OpenPGP: `crate::policy::ImagePolicy` implements
//! [`TrustPolicy`], and each face brings its signers (GnuPG, a key file).

use std::sync::Arc;

use crate::error::Result;
use crate::http::{MaybeSend, MaybeSync};
use crate::signature::Signature;

/// The trust policy for the image a copy reads, resolved for its source name.
pub trait TrustPolicy: MaybeSend + MaybeSync {
    /// Whether [`TrustPolicy::admit`] looks at signatures (so they must be fetched even when
    /// they are not copied).
    fn needs_signatures(&self) -> bool;

    /// `Ok` if the image with this manifest and these (unverified) signatures may be copied;
    /// otherwise `Error::PolicyDenied` naming the requirement that failed.
    fn admit(&self, manifest: &[u8], signatures: &[Signature]) -> Result<()>;
}

/// Makes a new signature of a manifest: a simple signature (containers-signature(5)) or a
/// sigstore one, each over its own payload.
pub trait Signer: MaybeSend + MaybeSync {
    /// A signature claiming that `manifest` is the image `docker_reference`.
    fn sign(&self, manifest: &[u8], docker_reference: &str) -> Result<Signature>;
}

/// A simple signature over [`crate::signature::payload_for`]'s payload, by whatever makes the
/// OpenPGP message (`sign_message`: GnuPG, or a key file).
pub fn sign_simple(
    manifest: &[u8],
    docker_reference: &str,
    sign_message: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> Result<Signature> {
    let payload = crate::signature::payload_for(manifest, docker_reference)?;
    sign_message(&payload).map(Signature::SimpleSigning)
}

/// An OpenPGP secret key from a file signs without GnuPG (`--sign-by-key-file`).
impl Signer for crate::signature::SigningKey {
    fn sign(&self, manifest: &[u8], docker_reference: &str) -> Result<Signature> {
        sign_simple(manifest, docker_reference, |payload| crate::signature::SigningKey::sign(self, payload))
    }
}

/// A sigstore private key signs a cosign payload (`--sign-by-sigstore-private-key`).
impl Signer for crate::sigstore::PrivateKey {
    fn sign(&self, manifest: &[u8], docker_reference: &str) -> Result<Signature> {
        let payload = crate::sigstore::payload_for(manifest, docker_reference)?;
        let signature = crate::sigstore::PrivateKey::sign(self, &payload)?;
        Ok(Signature::Sigstore(crate::signature::SigstoreSignature::with_key_signature(payload, &signature)))
    }
}

/// Signing what a copy writes (`--sign-by`, `--sign-identity`).
#[derive(Clone)]
pub struct Signing {
    pub signer: Arc<dyn Signer>,
    /// The Docker reference the signature names; the destination's own name when `None`.
    pub identity: Option<String>,
}
