//! What the copy engine asks of the trust layer: may this source image be copied (the trust
//! policy, [`TrustPolicy`]), and a new simple signature for what it writes ([`Signer`]).
//!
//! The engine knows neither policy.json nor OpenPGP: `crate::policy::ImagePolicy` implements
//! [`TrustPolicy`], and each face brings its signers (GnuPG, a key file).

use std::sync::Arc;

use crate::error::Result;
use crate::http::{MaybeSend, MaybeSync};

/// The trust policy for the image a copy reads, resolved for its source name.
pub trait TrustPolicy: MaybeSend + MaybeSync {
    /// Whether [`TrustPolicy::admit`] looks at signatures (so they must be fetched even when
    /// they are not copied).
    fn needs_signatures(&self) -> bool;

    /// `Ok` if the image with this manifest and these (unverified) signatures may be copied;
    /// otherwise `Error::PolicyDenied` naming the requirement that failed.
    fn admit(&self, manifest: &[u8], signatures: &[Vec<u8>]) -> Result<()>;
}

/// Makes a simple signature (containers-signature(5)) over a payload.
pub trait Signer: MaybeSend + MaybeSync {
    /// The signed message over `payload` (the signature's JSON).
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>>;
}

/// An OpenPGP secret key from a file signs without GnuPG (`--sign-by-key-file`).
impl Signer for crate::signature::SigningKey {
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        crate::signature::SigningKey::sign(self, payload)
    }
}

/// Signing what a copy writes (`--sign-by`, `--sign-identity`).
#[derive(Clone)]
pub struct Signing {
    pub signer: Arc<dyn Signer>,
    /// The Docker reference the signature names; the destination's own name when `None`.
    pub identity: Option<String>,
}
