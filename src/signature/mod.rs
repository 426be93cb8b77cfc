//! Simple signing (containers-signature(5)): an OpenPGP signed message whose literal data is a
//! JSON payload naming a manifest digest and a Docker reference. Verification follows
//! containers/image's `verifyAndExtractSignature` step by step and is pure Rust (rPGP), so it
//! runs on every target.
//!
//! * [`payload`]: the JSON, written and read as containers/image does.
//! * [`openpgp`]: public keyrings, checking a signed message, secret keys and signing.
//! * [`blob`]: a signature of either kind ([`Signature`]: simple or sigstore) and its storage form.
//! * [`dump`]: `skopeo untrusted-signature-dump-without-verification`.

pub mod blob;
pub mod dump;
pub mod openpgp;
pub mod payload;
pub(crate) mod strict_json;

pub use blob::{Signature, SigstoreSignature};
pub use openpgp::{Keyring, SigningKey};
pub use payload::UntrustedSignature;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::reference::Reference;
use openpgp::VerifiedMessage;

/// The largest signature skopos reads: containers/image's `iolimits.MaxSignatureBodySize`
/// (4 MiB). Readers enforce it before buffering more; the verifier refuses larger input (and
/// signed data that decompresses to more) before parsing it.
pub const MAX_SIGNATURE_SIZE: u64 = 4 * 1024 * 1024;

/// A signature that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The fingerprint of the primary key that signed (also when its signing subkey did),
    /// uppercase hex.
    pub fingerprint: String,
    /// The payload, now trusted.
    pub signature: UntrustedSignature,
}

/// How a signature's parts are judged, in the order they are checked (containers/image's
/// `signatureAcceptanceRules`).
struct AcceptanceRules<'a> {
    key: &'a dyn Fn(&VerifiedMessage) -> Result<()>,
    digest: &'a dyn Fn(&Digest) -> Result<()>,
    identity: &'a dyn Fn(&str) -> Result<()>,
}

/// containers/image's `verifyAndExtractSignature`, in its order: the OpenPGP signature (exactly
/// one, by a usable key of `keyring`, valid), then the key among `accepted_fingerprints` (`None`:
/// any key of the keyring; a signature by a subkey is accepted under its primary's fingerprint
/// or its own), then the payload (strict JSON), then `docker-manifest-digest` against `manifest`
/// (schema 1 manifests by their signed payload), then `identity_accepted(docker-reference)`.
///
/// The texts are those of containers/image's `signedBy` policy: "Signature by key X is not
/// accepted" (X the key that signed, a subkey's own fingerprint as gpgme reports it), "Signature
/// for digest X does not match"; the identity wording is the caller's.
pub fn verify_image_signature(
    keyring: &Keyring,
    accepted_fingerprints: Option<&[String]>,
    signature: &[u8],
    manifest: &[u8],
    identity_accepted: &dyn Fn(&str) -> Result<()>,
) -> Result<VerifiedSignature> {
    let key = |verified: &VerifiedMessage| match accepted_fingerprints {
        Some(accepted) if !is_accepted(verified, accepted) => {
            Err(Error::Signature(format!("Signature by key {} is not accepted", verified.signing_fingerprint)))
        }
        _ => Ok(()),
    };
    let digest = |signed: &Digest| {
        if manifest_matches(manifest, signed)? {
            Ok(())
        } else {
            Err(Error::Signature(format!("Signature for digest {signed} does not match")))
        }
    };
    verify_and_extract(keyring, signature, &AcceptanceRules { key: &key, digest: &digest, identity: identity_accepted })
}

/// What `skopeo standalone-verify` checks (containers/image's
/// `VerifyImageManifestSignatureUsingKeyIdentityList`): as [`verify_image_signature`], with the
/// signed identity required to equal `expected_reference` once both are normalized as Docker
/// references are (`busybox` is `docker.io/library/busybox`, but no tag is implied:
/// `busybox` and `busybox:latest` differ), and containers/image's texts for that command.
/// `accepted_fingerprints` of `None` accepts any key of `keyring` (skopeo's `any`).
pub fn verify_standalone(
    keyring: &Keyring,
    accepted_fingerprints: Option<&[String]>,
    signature: &[u8],
    manifest: &[u8],
    expected_reference: &str,
) -> Result<VerifiedSignature> {
    let expected = Reference::parse(expected_reference)?;
    let expected_list = accepted_fingerprints.map(|f| f.to_vec()).unwrap_or_else(|| keyring.fingerprints());
    let key = |verified: &VerifiedMessage| {
        if is_accepted(verified, &expected_list) {
            Ok(())
        } else {
            // skopeo 1.9.3 takes one fingerprint; later versions a list, printed as Go prints a slice.
            let expected = match expected_list.as_slice() {
                [one] => format!("fingerprint {one}"),
                many => format!("fingerprints [{}]", many.join(" ")),
            };
            Err(Error::Signature(format!(
                "Signature by {} does not match expected {expected}",
                verified.signing_fingerprint
            )))
        }
    };
    let digest = |signed: &Digest| {
        if manifest_matches(manifest, signed)? {
            Ok(())
        } else {
            Err(Error::Signature(format!("Signature for docker digest {:?} does not match", signed.to_string())))
        }
    };
    let identity = |signed: &str| {
        let signed_ref = Reference::parse(signed)
            .map_err(|_| Error::Signature(format!("Invalid docker reference {signed:?} in signature")))?;
        if signed_ref.to_string() == expected.to_string() {
            Ok(())
        } else {
            Err(Error::Signature(format!("Docker reference {signed:?} does not match {expected_reference:?}")))
        }
    };
    verify_and_extract(keyring, signature, &AcceptanceRules { key: &key, digest: &digest, identity: &identity })
}

/// The payload to sign for `manifest` under `docker_reference` (containers/image's
/// `SignDockerManifest`): the manifest's digest (a schema 1 manifest's by its signed payload),
/// the reference as given, creator and timestamp now.
pub fn payload_for(manifest: &[u8], docker_reference: &str) -> Result<Vec<u8>> {
    if docker_reference.is_empty() {
        return Err(Error::Signature("Unexpected empty signature content".into()));
    }
    let digest = crate::manifest::manifest_digest(manifest)?;
    Ok(UntrustedSignature::new(digest, docker_reference.to_string()).to_json())
}

fn verify_and_extract(keyring: &Keyring, signature: &[u8], rules: &AcceptanceRules<'_>) -> Result<VerifiedSignature> {
    let verified = keyring.verify_message_detailed(signature)?;
    (rules.key)(&verified)?;
    let payload = UntrustedSignature::parse(&verified.literal)?;
    (rules.digest)(&payload.docker_manifest_digest)?;
    (rules.identity)(&payload.docker_reference)?;
    Ok(VerifiedSignature { fingerprint: verified.primary_fingerprint, signature: payload })
}

/// A key is accepted under its primary's fingerprint, or the signing subkey's own.
fn is_accepted(verified: &VerifiedMessage, accepted: &[String]) -> bool {
    accepted.iter().any(|f| *f == verified.primary_fingerprint || *f == verified.signing_fingerprint)
}

/// containers/image's `manifest.MatchesDigest`: the manifest's digest (schema 1 rule) is `signed`.
fn manifest_matches(manifest: &[u8], signed: &Digest) -> Result<bool> {
    Ok(crate::manifest::manifest_digest(manifest)? == *signed)
}

#[cfg(test)]
mod tests;
