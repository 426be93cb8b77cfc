//! The one check that manifest bytes are the content they are addressed by.
//!
//! Every face that reads a manifest calls [`verify`]: the registry client (`get_manifest`), the
//! `dir:` and `oci:` sources, and the edge Worker's proxy. A manifest addressed by a digest must
//! hash to it; one fetched by tag must match the registry's `Docker-Content-Digest` when it sends
//! one ([`expected_digest`] picks which). A sha256 digest also matches a signed schema 1
//! manifest through its signed payload, as containers/image's `manifest.Digest` computes it.

use super::manifest_digest;
use crate::digest::{Algorithm, Digest};
use crate::error::{Error, Result};

/// The digest a fetched manifest must match: `reference` when it is a digest, else the
/// registry's `Docker-Content-Digest` (`header`, ignored when malformed), else none.
pub fn expected_digest(reference: &str, header: Option<&str>) -> Option<Digest> {
    Digest::parse(reference).ok().or_else(|| header.and_then(|h| Digest::parse(h.trim()).ok()))
}

/// Checks manifest bytes against `expected` and returns the manifest's verified digest.
///
/// With `expected`, the bytes must hash to it under its algorithm (for sha256, the signed
/// payload of a schema 1 manifest counts too); otherwise [`Error::DigestMismatch`] names the
/// manifest as `what`. Without, the digest is computed ([`manifest_digest`]).
pub fn verify(raw: &[u8], expected: Option<&Digest>, what: &str) -> Result<Digest> {
    let Some(expected) = expected else { return manifest_digest(raw) };
    let plain = Digest::of(expected.algorithm(), raw);
    if plain == *expected {
        return Ok(plain);
    }
    let signed = match expected.algorithm() {
        Algorithm::Sha256 => manifest_digest(raw).ok(),
        Algorithm::Sha512 => None,
    };
    if signed.as_ref() == Some(expected) {
        return Ok(expected.clone());
    }
    Err(Error::DigestMismatch {
        what: what.to_string(),
        expected: expected.to_string(),
        actual: signed.unwrap_or(plain).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/manifests");
    const OCI: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;

    fn signed_schema1() -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/containers-image__v2s1.manifest.json")).unwrap()
    }

    #[test]
    fn right_sha256_is_returned() {
        let digest = Digest::sha256(OCI);
        assert_eq!(verify(OCI, Some(&digest), "m").unwrap(), digest);
    }

    #[test]
    fn wrong_digest_is_a_mismatch_naming_both() {
        let wrong = Digest::sha256(b"other bytes");
        let err = verify(OCI, Some(&wrong), "manifest r/x:v1").unwrap_err();
        match &err {
            Error::DigestMismatch { what, expected, actual } => {
                assert_eq!(what, "manifest r/x:v1");
                assert_eq!(*expected, wrong.to_string());
                assert_eq!(*actual, Digest::sha256(OCI).to_string());
            }
            other => panic!("expected a digest mismatch, got {other:?}"),
        }
        assert_eq!(err.code(), "DIGEST_MISMATCH");
    }

    #[test]
    fn sha512_is_checked_with_sha512() {
        let digest = Digest::of(Algorithm::Sha512, OCI);
        assert_eq!(verify(OCI, Some(&digest), "m").unwrap(), digest);
        let mut altered = OCI.to_vec();
        altered[10] ^= 1;
        let err = verify(&altered, Some(&digest), "m").unwrap_err();
        assert!(err.to_string().contains(&Digest::of(Algorithm::Sha512, &altered).to_string()), "{err}");
    }

    #[test]
    fn no_expected_digest_computes_one() {
        assert_eq!(verify(OCI, None, "m").unwrap(), Digest::sha256(OCI));
    }

    #[test]
    fn signed_schema1_matches_by_payload_and_by_bytes() {
        let raw = signed_schema1();
        let payload = crate::manifest::schema1::signed_digest(&raw).unwrap();
        assert_ne!(payload, Digest::sha256(&raw));
        assert_eq!(verify(&raw, Some(&payload), "m").unwrap(), payload);
        assert_eq!(verify(&raw, Some(&Digest::sha256(&raw)), "m").unwrap(), Digest::sha256(&raw));
        assert_eq!(verify(&raw, None, "m").unwrap(), payload);
        // The payload rule is sha256's: a sha512 digest of the payload does not match.
        let payload_sha512 = Digest::of(Algorithm::Sha512, &crate::manifest::schema1::signed_payload(&raw).unwrap());
        assert!(verify(&raw, Some(&payload_sha512), "m").is_err());
        // A mismatch shows the payload digest, the one skopeo prints for the manifest.
        let err = verify(&raw, Some(&Digest::sha256(b"x")), "m").unwrap_err();
        assert!(err.to_string().ends_with(&format!("got {payload}")), "{err}");
    }

    #[test]
    fn expected_digest_prefers_the_reference() {
        let a = Digest::sha256(b"a");
        let b = Digest::sha256(b"b");
        assert_eq!(expected_digest(&a.to_string(), Some(&b.to_string())), Some(a.clone()));
        assert_eq!(expected_digest("v1", Some(&format!(" {b} "))), Some(b));
        assert_eq!(expected_digest("v1", Some("sha256:short")), None);
        assert_eq!(expected_digest("latest", None), None);
    }
}
