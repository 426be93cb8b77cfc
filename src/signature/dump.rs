//! `skopeo untrusted-signature-dump-without-verification`: what a signature claims, read without
//! checking any of it (containers/image's `GetUntrustedSignatureInformationWithoutVerifying`).
//!
//! Nothing here may be used for a security decision.

use serde::Serialize;

use super::openpgp::untrusted_contents;
use super::payload::UntrustedSignature;
use crate::digest::Digest;
use crate::error::{Error, Result};

/// The untrusted contents of a signature, as containers/image's `UntrustedSignatureInformation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntrustedSignatureInformation {
    /// The manifest digest the payload names.
    pub docker_manifest_digest: Digest,
    /// The Docker reference the payload names.
    pub docker_reference: String,
    /// `optional.creator`, if present.
    pub creator_id: Option<String>,
    /// `optional.timestamp` (Unix seconds), if present.
    pub timestamp: Option<i64>,
    /// The key ID the signature names as its issuer, uppercase hex (not a fingerprint).
    pub short_key_identifier: String,
}

/// Reads a signature's payload and issuer key ID without verifying anything. The message must
/// still be a well-formed signed message and its payload valid simple signing JSON.
pub fn untrusted_information(signature: &[u8]) -> Result<UntrustedSignatureInformation> {
    let (payload, short_key_identifier) = untrusted_contents(signature)?;
    let UntrustedSignature { docker_manifest_digest, docker_reference, creator, timestamp } =
        UntrustedSignature::parse(&payload)?;
    Ok(UntrustedSignatureInformation {
        docker_manifest_digest,
        docker_reference,
        creator_id: creator,
        timestamp,
        short_key_identifier,
    })
}

/// The bytes skopeo prints: `json.MarshalIndent(info, "", "    ")` and a newline. Go field names,
/// `null` for absent values; the timestamp in RFC 3339 and UTC (skopeo uses the local time zone,
/// which the core does not know).
pub fn render(info: &UntrustedSignatureInformation) -> Result<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct GoShape<'a> {
        untrusted_docker_manifest_digest: String,
        untrusted_docker_reference: &'a str,
        #[serde(rename = "UntrustedCreatorID")]
        untrusted_creator_id: Option<&'a str>,
        untrusted_timestamp: Option<String>,
        untrusted_short_key_identifier: &'a str,
    }
    let timestamp = match info.timestamp {
        // Go's Time.MarshalJSON refuses years outside 0..=9999.
        Some(secs) if !(-62_167_219_200..=253_402_300_799).contains(&secs) => {
            return Err(Error::Signature(
                "json: error calling MarshalJSON for type *time.Time: Time.MarshalJSON: year outside of range [0,9999]"
                    .into(),
            ));
        }
        Some(secs) => Some(crate::go::time::rfc3339_utc(secs)),
        None => None,
    };
    let shape = GoShape {
        untrusted_docker_manifest_digest: info.docker_manifest_digest.to_string(),
        untrusted_docker_reference: &info.docker_reference,
        untrusted_creator_id: info.creator_id.as_deref(),
        untrusted_timestamp: timestamp,
        untrusted_short_key_identifier: &info.short_key_identifier,
    };
    let mut out = crate::output::json::try_to_go_json_pretty(&shape)?;
    out.push('\n');
    Ok(out)
}
