//! The payload a sigstore signature signs: the simple signing JSON (`crate::signature::payload`,
//! whose rules it shares) with `critical.type` = `cosign container image signature`, as
//! containers/image's `UntrustedSigstorePayload` writes and reads it.

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::signature::payload::{PayloadFormat, UntrustedSignature};

/// The contents of a sigstore signature payload, not yet trusted: nothing here has been checked
/// against a key, a manifest or a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntrustedSigstorePayload {
    /// `critical.image.docker-manifest-digest`: the manifest the signature is for.
    pub docker_manifest_digest: Digest,
    /// `critical.identity.docker-reference`: the name the image was signed as.
    pub docker_reference: String,
    /// `optional.creator`: the tool that made the signature.
    pub creator: Option<String>,
    /// `optional.timestamp`: when it was made, in Unix seconds.
    pub timestamp: Option<i64>,
}

impl UntrustedSigstorePayload {
    /// A payload for `docker_manifest_digest` under `docker_reference`, created by this skopos now
    /// (containers/image's `NewUntrustedSigstorePayload`).
    pub fn new(docker_manifest_digest: Digest, docker_reference: String) -> Self {
        UntrustedSignature::new(docker_manifest_digest, docker_reference).into()
    }

    /// The payload bytes as containers/image marshals them: compact, keys sorted, HTML characters
    /// escaped. An empty reference is refused, as there.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        if self.docker_reference.is_empty() {
            return Err(Error::Signature("Unexpected empty signature content".into()));
        }
        Ok(self.as_signature().to_json_as(&PayloadFormat::SIGSTORE))
    }

    /// Reads a payload with containers/image's rules (those of simple signing, with this type
    /// string and `"optional": null` allowed, as cosign writes it for a signature without
    /// annotations).
    pub fn parse(payload: &[u8]) -> Result<Self> {
        UntrustedSignature::parse_as(payload, &PayloadFormat::SIGSTORE).map(Into::into)
    }

    fn as_signature(&self) -> UntrustedSignature {
        UntrustedSignature {
            docker_manifest_digest: self.docker_manifest_digest.clone(),
            docker_reference: self.docker_reference.clone(),
            creator: self.creator.clone(),
            timestamp: self.timestamp,
        }
    }
}

impl From<UntrustedSignature> for UntrustedSigstorePayload {
    fn from(s: UntrustedSignature) -> Self {
        UntrustedSigstorePayload {
            docker_manifest_digest: s.docker_manifest_digest,
            docker_reference: s.docker_reference,
            creator: s.creator,
            timestamp: s.timestamp,
        }
    }
}
