//! The simple signing payload (containers-signature(5)): the JSON document an OpenPGP signature
//! wraps, written as containers/image marshals it and read as strictly as it reads it. Sigstore
//! (cosign) signatures sign the same document with another `critical.type`
//! ([`PayloadFormat::SIGSTORE`], used by `crate::sigstore`).

use serde_json::{json, Map, Value};

use super::strict_json::StrictValue;
use crate::digest::Digest;
use crate::error::{Error, Result};

/// The `critical.type` every simple signing payload carries.
pub const SIGNATURE_TYPE: &str = "atomic container signature";

/// The `critical.type` of a sigstore (cosign) signature payload.
pub const SIGSTORE_SIGNATURE_TYPE: &str = "cosign container image signature";

/// What differs between the two payloads containers/image reads: the type string, whether
/// `"optional": null` is allowed (cosign writes it when a signature has no annotations), and the
/// words for a fractional timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadFormat {
    /// `critical.type`.
    pub signature_type: &'static str,
    /// Whether `optional` may be JSON `null` (read as an empty object).
    pub optional_may_be_null: bool,
    /// The error for an `optional.timestamp` that is not an integer.
    pub fractional_timestamp: &'static str,
}

impl PayloadFormat {
    /// Simple signing (`atomic container signature`).
    pub const SIMPLE_SIGNING: PayloadFormat = PayloadFormat {
        signature_type: SIGNATURE_TYPE,
        optional_may_be_null: false,
        fractional_timestamp: "Field optional.timestamp is not an integer",
    };
    /// Sigstore (`cosign container image signature`); the timestamp error keeps containers/image's
    /// words for this format, repeated word included.
    pub const SIGSTORE: PayloadFormat = PayloadFormat {
        signature_type: SIGSTORE_SIGNATURE_TYPE,
        optional_may_be_null: true,
        fractional_timestamp: "Field optional.timestamp is not is not an integer",
    };
}

/// The contents of a signature payload, not yet trusted: nothing here has been checked against
/// a key, a manifest or a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntrustedSignature {
    /// `critical.image.docker-manifest-digest`: the manifest the signature is for.
    pub docker_manifest_digest: Digest,
    /// `critical.identity.docker-reference`: the name the image was signed as.
    pub docker_reference: String,
    /// `optional.creator`: the tool that made the signature.
    pub creator: Option<String>,
    /// `optional.timestamp`: when it was made, in Unix seconds.
    pub timestamp: Option<i64>,
}

impl UntrustedSignature {
    /// A payload for `docker_manifest_digest` under `docker_reference`, created by this skopos now
    /// (`crate::clock`).
    pub fn new(docker_manifest_digest: Digest, docker_reference: String) -> Self {
        UntrustedSignature {
            docker_manifest_digest,
            docker_reference,
            creator: Some(format!("skopos {}", env!("CARGO_PKG_VERSION"))),
            timestamp: Some(crate::clock::now_secs().floor() as i64),
        }
    }

    /// The payload bytes as containers/image's `json.Marshal` writes them: compact, members of
    /// each object sorted by key (Go marshals maps that way), HTML characters escaped.
    pub fn to_json(&self) -> Vec<u8> {
        self.to_json_as(&PayloadFormat::SIMPLE_SIGNING)
    }

    /// [`to_json`](Self::to_json) with `format`'s type string.
    pub fn to_json_as(&self, format: &PayloadFormat) -> Vec<u8> {
        let mut optional = Map::new();
        if let Some(creator) = &self.creator {
            optional.insert("creator".into(), Value::String(creator.clone()));
        }
        if let Some(timestamp) = self.timestamp {
            optional.insert("timestamp".into(), Value::from(timestamp));
        }
        // Inserted in sorted order; the crate's serde_json keeps insertion order.
        let document = json!({
            "critical": {
                "identity": { "docker-reference": self.docker_reference },
                "image": { "docker-manifest-digest": self.docker_manifest_digest.to_string() },
                "type": format.signature_type,
            },
            "optional": optional,
        });
        crate::output::json::to_go_json_compact(&document).into_bytes()
    }

    /// Reads a payload with containers/image's rules: `critical`, `critical.image` and
    /// `critical.identity` have exactly their known members, `optional` may have others (ignored),
    /// no object repeats a key, `timestamp` is an integer, the type is [`SIGNATURE_TYPE`] and the
    /// digest is valid.
    pub fn parse(payload: &[u8]) -> Result<Self> {
        Self::parse_as(payload, &PayloadFormat::SIMPLE_SIGNING)
    }

    /// [`parse`](Self::parse) with `format`'s rules.
    pub fn parse_as(payload: &[u8], format: &PayloadFormat) -> Result<Self> {
        Self::parse_strict(payload, format).map_err(Error::Signature)
    }

    fn parse_strict(payload: &[u8], format: &PayloadFormat) -> std::result::Result<Self, String> {
        let document = StrictValue::parse(payload)?;
        let [critical, optional] = document.exact_fields(["critical", "optional"])?;

        let mut creator = None;
        let mut timestamp = None;
        let optional_members = match optional {
            StrictValue::Null if format.optional_may_be_null => &[][..],
            other => other.object_members()?,
        };
        for (key, value) in optional_members {
            match key.as_str() {
                "creator" => creator = Some(value.as_string("optional.creator")?.to_string()),
                "timestamp" => timestamp = Some(integer_timestamp(value, format)?),
                _ => {}
            }
        }

        let [signature_type, image, identity] = critical.exact_fields(["type", "image", "identity"])?;
        let signature_type = signature_type.as_string("critical.type")?;
        if signature_type != format.signature_type {
            return Err(format!("Unrecognized signature type {signature_type}"));
        }
        let [digest] = image.exact_fields(["docker-manifest-digest"])?;
        let digest = digest.as_string("critical.image.docker-manifest-digest")?;
        let docker_manifest_digest = Digest::parse(digest).map_err(|e| {
            let reason = match e {
                Error::InvalidDigest { reason, .. } => reason,
                other => other.to_string(),
            };
            format!("invalid docker-manifest-digest value {digest:?}: {reason}")
        })?;
        let [reference] = identity.exact_fields(["docker-reference"])?;
        let docker_reference = reference.as_string("critical.identity.docker-reference")?.to_string();
        Ok(UntrustedSignature { docker_manifest_digest, docker_reference, creator, timestamp })
    }
}

/// `optional.timestamp`: a JSON number with an integral value that fits an `i64`.
fn integer_timestamp(value: &StrictValue, format: &PayloadFormat) -> std::result::Result<i64, String> {
    let StrictValue::Number(n) = value else {
        return Err(format!("json: cannot unmarshal {} into Go value of type float64", value.kind()));
    };
    let whole = *n as i64;
    if whole as f64 != *n {
        return Err(format.fractional_timestamp.to_string());
    }
    Ok(whole)
}
