//! The payload a sigstore signature signs: the simple signing JSON ([`UntrustedSignature`] of
//! `crate::signature::payload`, whose rules it shares) with `critical.type` = `cosign container
//! image signature`, as containers/image's `UntrustedSigstorePayload` writes and reads it.

use crate::error::{Error, Result};
use crate::signature::payload::{PayloadFormat, UntrustedSignature};

/// The payload bytes as containers/image marshals them: compact, keys sorted, HTML characters
/// escaped. An empty reference is refused, as there.
pub fn to_json(payload: &UntrustedSignature) -> Result<Vec<u8>> {
    if payload.docker_reference.is_empty() {
        return Err(Error::Signature("Unexpected empty signature content".into()));
    }
    Ok(payload.to_json_as(&PayloadFormat::SIGSTORE))
}

/// Reads a payload with containers/image's rules (those of simple signing, with this type
/// string and `"optional": null` allowed, as cosign writes it for a signature without
/// annotations). Nothing in it is trusted yet.
pub fn parse(payload: &[u8]) -> Result<UntrustedSignature> {
    UntrustedSignature::parse_as(payload, &PayloadFormat::SIGSTORE)
}
