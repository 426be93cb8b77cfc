//! Simple signing against fixtures made with GnuPG 2.2 and skopeo 1.9.3 (`testdata/README.md`).

use super::dump::{render, untrusted_information};
use super::*;
use crate::error::ErrorCode;

const V2S2: &[u8] = include_bytes!("../../tests/vectors/manifests/containers-image__v2s2.manifest.json");
const V2S1: &[u8] = include_bytes!("../../tests/vectors/manifests/containers-image__v2s1.manifest.json");
const V2S2_DIGEST: &str = "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55";
const V2S1_DIGEST: &str = "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000";
const IDENTITY: &str = "example.com/skopos/test:v1";

const A_PUB: &[u8] = include_bytes!("testdata/a.pub.gpg");
const A_PUB_ASC: &[u8] = include_bytes!("testdata/a.pub.asc");
const AB_SUBKEY_PUB: &[u8] = include_bytes!("testdata/ab-subkey.pub.gpg");
const EXPIRED_PUB: &[u8] = include_bytes!("testdata/expired.pub.gpg");
const REVOKED_PUB: &[u8] = include_bytes!("testdata/revoked.pub.gpg");
const A_SEC: &[u8] = include_bytes!("testdata/a.sec.asc");
const B_SEC: &[u8] = include_bytes!("testdata/b.sec.gpg");
const B_PASSPHRASE: &str = include_str!("testdata/b.passphrase");
const FINGERPRINTS: &str = include_str!("testdata/fingerprints.txt");

const A_V2S2: &[u8] = include_bytes!("testdata/a-v2s2.sig");
const A_V2S1: &[u8] = include_bytes!("testdata/a-v2s1.sig");
const B_V2S2: &[u8] = include_bytes!("testdata/b-v2s2.sig");
const SUBKEY_V2S2: &[u8] = include_bytes!("testdata/subkey-v2s2.sig");
const TWO_SIGNATURES: &[u8] = include_bytes!("testdata/two-signatures.sig");
const EXPIRED_KEY: &[u8] = include_bytes!("testdata/expired-key.sig");
const REVOKED_KEY: &[u8] = include_bytes!("testdata/revoked-v2s2.sig");
const UNKNOWN_CRITICAL: &[u8] = include_bytes!("testdata/unknown-critical.sig");
const WRONG_TYPE: &[u8] = include_bytes!("testdata/wrong-type.sig");
const CLEARTEXT: &[u8] = include_bytes!("testdata/cleartext.sig");
const DETACHED: &[u8] = include_bytes!("testdata/detached.sig");
const A_V2S2_DUMP: &str = include_str!("testdata/a-v2s2.dump.txt");

/// A fingerprint from `testdata/fingerprints.txt` by its label.
fn fingerprint(label: &str) -> String {
    FINGERPRINTS
        .lines()
        .find_map(|line| line.strip_prefix(label)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no fingerprint {label}"))
        .to_string()
}

fn keyring(bytes: &[u8]) -> Keyring {
    Keyring::parse(bytes).expect("keyring")
}

fn any_identity(_: &str) -> crate::Result<()> {
    Ok(())
}

/// The one-line message of an `Error::Signature`, failing the test on any other error.
fn signature_error<T: std::fmt::Debug>(result: crate::Result<T>) -> String {
    let error = result.expect_err("an error");
    assert_eq!(error.code(), ErrorCode::SignatureInvalid, "{error:?}");
    let text = error.to_string();
    assert!(!text.contains('\n') && !text.is_empty(), "one line: {text:?}");
    text
}

#[test]
fn keyrings_binary_armored_and_many() {
    assert_eq!(keyring(A_PUB).fingerprints(), vec![fingerprint("A")]);
    assert_eq!(keyring(A_PUB_ASC).fingerprints(), vec![fingerprint("A")]);
    let all = keyring(AB_SUBKEY_PUB);
    assert_eq!(all.fingerprints(), vec![fingerprint("A"), fingerprint("B"), fingerprint("SUBKEY_PRIMARY")]);

    let mut extended = keyring(A_PUB);
    extended.extend(keyring(EXPIRED_PUB));
    extended.extend(keyring(A_PUB_ASC));
    assert_eq!(extended.fingerprints(), vec![fingerprint("A"), fingerprint("EXPIRED")]);

    for bad in [&b""[..], b"not a key", A_V2S2, b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n"] {
        let text = signature_error(Keyring::parse(bad));
        assert!(text.starts_with("Error reading public keys"), "{text}");
    }
}

#[test]
fn skopeo_signatures_verify() {
    let ring = keyring(A_PUB);
    let verified = verify_image_signature(&ring, None, A_V2S2, V2S2, &any_identity).unwrap();
    assert_eq!(verified.fingerprint, fingerprint("A"));
    assert_eq!(verified.signature.docker_manifest_digest.to_string(), V2S2_DIGEST);
    assert_eq!(verified.signature.docker_reference, IDENTITY);
    assert_eq!(verified.signature.creator.as_deref(), Some("atomic 5.23.1"));
    assert!(verified.signature.timestamp.is_some_and(|t| t > 1_700_000_000));

    // Schema 1: the digest is that of the signed payload, not of the bytes.
    let schema1 = verify_image_signature(&ring, None, A_V2S1, V2S1, &any_identity).unwrap();
    assert_eq!(schema1.signature.docker_manifest_digest.to_string(), V2S1_DIGEST);

    // The key protected by a passphrase, in a keyring of several.
    let all = keyring(AB_SUBKEY_PUB);
    let accepted = [fingerprint("B")];
    let b = verify_image_signature(&all, Some(&accepted), B_V2S2, V2S2, &any_identity).unwrap();
    assert_eq!(b.fingerprint, fingerprint("B"));

    let (payload, signer) = keyring(A_PUB_ASC).verify_message(A_V2S2).unwrap();
    assert_eq!(signer, fingerprint("A"));
    assert_eq!(UntrustedSignature::parse(&payload).unwrap(), verified.signature);
}

#[test]
fn a_subkey_signature_counts_for_its_primary_and_itself() {
    let all = keyring(AB_SUBKEY_PUB);
    let verified = verify_image_signature(&all, None, SUBKEY_V2S2, V2S2, &any_identity).unwrap();
    assert_eq!(verified.fingerprint, fingerprint("SUBKEY_PRIMARY"));
    for accepted in [fingerprint("SUBKEY_PRIMARY"), fingerprint("SUBKEY_SIGNING")] {
        let accepted = [accepted];
        let verified = verify_image_signature(&all, Some(&accepted), SUBKEY_V2S2, V2S2, &any_identity).unwrap();
        assert_eq!(verified.fingerprint, fingerprint("SUBKEY_PRIMARY"));
    }
    let text =
        signature_error(verify_image_signature(&all, Some(&[fingerprint("A")]), SUBKEY_V2S2, V2S2, &any_identity));
    // The refusal names the key that signed, as skopeo (gpgme) does: the subkey.
    assert_eq!(text, format!("Signature by key {} is not accepted", fingerprint("SUBKEY_SIGNING")));
    let text = signature_error(verify_standalone(&all, Some(&[fingerprint("A")]), SUBKEY_V2S2, V2S2, IDENTITY));
    let expected = format!("expected fingerprint {}", fingerprint("A"));
    assert_eq!(text, format!("Signature by {} does not match {expected}", fingerprint("SUBKEY_SIGNING")));
}

#[test]
fn checks_come_in_containers_image_order() {
    let ring = keyring(AB_SUBKEY_PUB);
    let other = b"{\"schemaVersion\":2}";
    let other_digest = Digest::sha256(other);
    // The key is judged before the digest, the digest before the identity.
    let refuse = |_: &str| Err(Error::Signature("identity refused".into()));
    let text = signature_error(verify_image_signature(&ring, Some(&[fingerprint("B")]), A_V2S2, other, &refuse));
    assert_eq!(text, format!("Signature by key {} is not accepted", fingerprint("A")));
    let text = signature_error(verify_image_signature(&ring, None, A_V2S2, other, &refuse));
    assert_eq!(text, format!("Signature for digest {V2S2_DIGEST} does not match"));
    assert_ne!(other_digest.to_string(), V2S2_DIGEST);
    let text = signature_error(verify_image_signature(&ring, None, A_V2S2, V2S2, &refuse));
    assert_eq!(text, "identity refused");

    let seen = std::cell::RefCell::new(String::new());
    let record = |identity: &str| {
        seen.replace(identity.to_string());
        Ok(())
    };
    verify_image_signature(&ring, None, A_V2S2, V2S2, &record).unwrap();
    assert_eq!(*seen.borrow(), IDENTITY);
}

#[test]
fn standalone_verification_normalizes_references() {
    let ring = keyring(A_PUB);
    let a = [fingerprint("A")];
    for expected in [IDENTITY, "example.com/skopos/test:v1"] {
        let verified = verify_standalone(&ring, Some(&a), A_V2S2, V2S2, expected).unwrap();
        assert_eq!(verified.fingerprint, fingerprint("A"));
    }
    let text = signature_error(verify_standalone(&ring, Some(&a), A_V2S2, V2S2, "example.com/skopos/test"));
    assert_eq!(text, format!("Docker reference {IDENTITY:?} does not match \"example.com/skopos/test\""));
    let text = signature_error(verify_standalone(&ring, Some(&a), A_V2S2, V1_OTHER, IDENTITY));
    assert_eq!(text, format!("Signature for docker digest \"{V2S2_DIGEST}\" does not match"));
    let b = [fingerprint("B")];
    let text = signature_error(verify_standalone(&ring, Some(&b), A_V2S2, V2S2, IDENTITY));
    assert_eq!(text, format!("Signature by {} does not match expected fingerprint {}", fingerprint("A"), b[0]));
    let two = [fingerprint("B"), "0123".to_string()];
    let text = signature_error(verify_standalone(&ring, Some(&two), A_V2S2, V2S2, IDENTITY));
    assert!(text.ends_with(&format!("expected fingerprints [{} 0123]", two[0])), "{text}");
    // None is skopeo's "any": every key of the keyring.
    assert!(verify_standalone(&ring, None, A_V2S2, V2S2, IDENTITY).is_ok());
    // An expected reference that is not one is the caller's error, not the signature's.
    let error = verify_standalone(&ring, None, A_V2S2, V2S2, "Not A Reference").unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidReference);

    // Docker Hub short names normalize on both sides.
    let signer = SigningKey::parse(A_SEC, None).unwrap();
    let payload = payload_for(V2S2, "busybox").unwrap();
    let signature = signer.sign(&payload).unwrap();
    assert!(verify_standalone(&ring, None, &signature, V2S2, "docker.io/library/busybox").is_ok());
    let text = signature_error(verify_standalone(&ring, None, &signature, V2S2, "busybox:latest"));
    assert_eq!(text, "Docker reference \"busybox\" does not match \"busybox:latest\"");
    let bad_identity = signer.sign(&payload_for(V2S2, "example.com/UPPER").unwrap()).unwrap();
    let text = signature_error(verify_standalone(&ring, None, &bad_identity, V2S2, "busybox"));
    assert_eq!(text, "Invalid docker reference \"example.com/UPPER\" in signature");
}

const V1_OTHER: &[u8] = b"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"}";

#[test]
fn bad_signatures_are_one_line_signature_errors() {
    let ring = keyring(A_PUB);
    let all = keyring(AB_SUBKEY_PUB);
    let verify = |ring: &Keyring, signature: &[u8]| {
        signature_error(verify_image_signature(ring, None, signature, V2S2, &any_identity))
    };

    let text = verify(&ring, B_V2S2);
    let b_key_id = fingerprint("B")[24..].to_lowercase();
    assert_eq!(text, format!("Key not found for key ID {b_key_id} in signature"));

    assert_eq!(verify(&all, TWO_SIGNATURES), "Unexpected GPG signature count 2");

    let text = verify(&keyring(EXPIRED_PUB), EXPIRED_KEY);
    assert_eq!(text, format!("Key {} expired on 2020-01-02T00:00:00Z", fingerprint("EXPIRED")));

    let text = verify(&keyring(REVOKED_PUB), REVOKED_KEY);
    assert_eq!(text, format!("Key {} has been revoked", fingerprint("REVOKED")));

    assert_eq!(verify(&ring, UNKNOWN_CRITICAL), "Unknown key \"unexpected\"");
    assert_eq!(verify(&ring, WRONG_TYPE), "Unrecognized signature type cosign container image signature");
    assert_eq!(verify(&ring, CLEARTEXT), "A cleartext signature is not a simple signing signature");
    assert!(verify(&ring, DETACHED).starts_with("Invalid OpenPGP message"), "{}", verify(&ring, DETACHED));

    for garbage in [&b""[..], b"garbage", b"\x00\x01\x02", b"-----BEGIN PGP MESSAGE-----\n\nnot base64\n"] {
        let text = verify(&ring, garbage);
        assert!(text.starts_with("Invalid OpenPGP message") || text == "The input is not a signature", "{text}");
    }
    for cut in [1, 10, A_V2S2.len() / 2, A_V2S2.len() - 1] {
        let text = verify(&ring, &A_V2S2[..cut]);
        assert!(!text.is_empty(), "truncated at {cut}");
    }
    // A flipped bit in the signature's MPI: the message parses, the signature does not verify.
    let mut tampered = A_V2S2.to_vec();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x40;
    assert!(verify(&ring, &tampered).starts_with("Invalid"), "{}", verify(&ring, &tampered));

    // Too large: refused before parsing.
    let huge = vec![0u8; MAX_SIGNATURE_SIZE as usize + 1];
    let text = verify(&ring, &huge);
    assert_eq!(text, format!("Signature is too large: {} bytes, more than the limit of 4194304", huge.len()));
    assert_eq!(MAX_SIGNATURE_SIZE, 4 << 20);
}

#[test]
fn our_signatures_verify_with_our_code() {
    let signer = SigningKey::parse(A_SEC, None).unwrap();
    assert_eq!(signer.fingerprint(), fingerprint("A"));
    let payload = payload_for(V2S1, IDENTITY).unwrap();
    let signature = signer.sign(&payload).unwrap();
    let ring = keyring(A_PUB);
    let verified = verify_image_signature(&ring, Some(&[fingerprint("A")]), &signature, V2S1, &any_identity).unwrap();
    assert_eq!(verified.signature.docker_manifest_digest.to_string(), V2S1_DIGEST);
    assert_eq!(verified.signature.creator, Some(format!("skopos {}", env!("CARGO_PKG_VERSION"))));
    assert_eq!(ring.verify_message(&signature).unwrap().0, payload);
    let info = untrusted_information(&signature).unwrap();
    assert_eq!(info.short_key_identifier, fingerprint("A")[24..]);

    // The protected key, unlocked with its passphrase.
    let b = SigningKey::parse(B_SEC, Some(B_PASSPHRASE)).unwrap();
    assert_eq!(b.fingerprint(), fingerprint("B"));
    let signature = b.sign(&payload_for(V2S2, IDENTITY).unwrap()).unwrap();
    let verified = verify_image_signature(&keyring(AB_SUBKEY_PUB), None, &signature, V2S2, &any_identity).unwrap();
    assert_eq!(verified.fingerprint, fingerprint("B"));
}

#[test]
fn secret_keys_need_their_passphrase() {
    let text = signature_error(SigningKey::parse(B_SEC, Some("wrong")));
    assert_eq!(text, format!("Wrong passphrase for key {}", fingerprint("B")));
    let text = signature_error(SigningKey::parse(B_SEC, None));
    assert_eq!(text, format!("Key {} is protected by a passphrase, and none was given", fingerprint("B")));
    // A key without protection ignores a passphrase, as gpg does.
    assert!(SigningKey::parse(A_SEC, Some("anything")).is_ok());
    let text = signature_error(SigningKey::parse(A_PUB, None));
    assert!(text.starts_with("Error reading secret key"), "{text}");
    let text = signature_error(SigningKey::parse(b"", None));
    assert!(text.starts_with("Error reading secret key"), "{text}");
}

#[test]
fn payload_json_round_trip_and_exact_bytes() {
    let signature = UntrustedSignature {
        docker_manifest_digest: Digest::parse(V2S2_DIGEST).unwrap(),
        docker_reference: "example.com/a&b<c>".into(),
        creator: Some("skopos 0.1.0".into()),
        timestamp: Some(1_700_000_000),
    };
    let expected = format!(
        "{{\"critical\":{{\"identity\":{{\"docker-reference\":\"example.com/a\\u0026b\\u003cc\\u003e\"}},\"image\":{{\"docker-manifest-digest\":\"{V2S2_DIGEST}\"}},\"type\":\"atomic container signature\"}},\"optional\":{{\"creator\":\"skopos 0.1.0\",\"timestamp\":1700000000}}}}"
    );
    assert_eq!(String::from_utf8(signature.to_json()).unwrap(), expected);
    assert_eq!(UntrustedSignature::parse(&signature.to_json()).unwrap(), signature);

    let bare = UntrustedSignature { creator: None, timestamp: None, ..signature.clone() };
    assert!(String::from_utf8(bare.to_json()).unwrap().ends_with("\"optional\":{}}"));
    assert_eq!(UntrustedSignature::parse(&bare.to_json()).unwrap(), bare);

    let fresh = UntrustedSignature::new(signature.docker_manifest_digest.clone(), IDENTITY.into());
    let now = crate::clock::now_secs() as i64;
    assert!(fresh.timestamp.is_some_and(|t| (now - 5..=now).contains(&t)));
    assert_eq!(fresh.creator, Some(format!("skopos {}", env!("CARGO_PKG_VERSION"))));

    let payload = payload_for(V2S1, IDENTITY).unwrap();
    assert_eq!(UntrustedSignature::parse(&payload).unwrap().docker_manifest_digest.to_string(), V2S1_DIGEST);
    assert_eq!(signature_error(payload_for(V2S2, "")), "Unexpected empty signature content");
}

#[test]
fn payload_parsing_is_strict() {
    let digest = V2S2_DIGEST;
    let doc = |critical_extra: &str, optional: &str| {
        format!(
            "{{\"critical\":{{\"identity\":{{\"docker-reference\":\"r\"}},\"image\":{{\"docker-manifest-digest\":\"{digest}\"}},\"type\":\"atomic container signature\"{critical_extra}}},\"optional\":{optional}}}"
        )
    };
    let parse = |s: &str| UntrustedSignature::parse(s.as_bytes());
    // Unknown optional members are ignored, integral floats are integers.
    let ok = parse(&doc("", "{\"x\":[1,{}],\"timestamp\":1e3}")).unwrap();
    assert_eq!(ok.timestamp, Some(1000));
    assert_eq!(ok.creator, None);

    let cases = [
        (doc(",\"extra\":1", "{}"), "Unknown key \"extra\""),
        (doc(",\"type\":\"x\"", "{}"), "Duplicate key \"type\""),
        (doc("", "{\"timestamp\":1.5}"), "Field optional.timestamp is not an integer"),
        (
            doc("", "{\"creator\":1}"),
            "json: cannot unmarshal number into Go value of type string (field optional.creator)",
        ),
        (doc("", "[]"), "JSON object expected, got array"),
        (doc("", "{\"creator\":\"a\",\"creator\":\"b\"}"), "Duplicate key \"creator\""),
        ("{\"critical\":{}}".to_string(), "Key \"optional\" missing in a JSON object"),
        (
            doc("", "{}").replace(digest, "sha256:abc"),
            "invalid docker-manifest-digest value \"sha256:abc\": invalid checksum digest length",
        ),
        (doc("", "{}").replace("atomic container signature", "other"), "Unrecognized signature type other"),
    ];
    for (input, expected) in cases {
        assert_eq!(signature_error(parse(&input)), expected, "{input}");
    }
    assert!(signature_error(parse("{")).contains("EOF"));
    assert!(!signature_error(parse(&(doc("", "{}") + "x"))).is_empty());
}

#[test]
fn dump_prints_what_skopeo_prints() {
    let info = untrusted_information(A_V2S2).unwrap();
    assert_eq!(info.short_key_identifier, fingerprint("A")[24..]);
    assert_eq!(info.docker_reference, IDENTITY);
    // skopeo's output, captured with TZ=UTC.
    assert_eq!(render(&info).unwrap(), A_V2S2_DUMP);

    // No key is needed, and a key not in any keyring is still named.
    let b = untrusted_information(B_V2S2).unwrap();
    assert_eq!(b.short_key_identifier, fingerprint("B")[24..]);

    let bare = dump::UntrustedSignatureInformation { creator_id: None, timestamp: None, ..info };
    let text = render(&bare).unwrap();
    assert!(text.contains("\"UntrustedCreatorID\": null,\n    \"UntrustedTimestamp\": null,"), "{text}");
    assert!(text.ends_with("}\n"));

    assert_eq!(signature_error(untrusted_information(UNKNOWN_CRITICAL)), "Unknown key \"unexpected\"");
    assert!(signature_error(untrusted_information(b"garbage")).starts_with("Invalid OpenPGP message"));
}

#[test]
fn no_corruption_of_a_signature_panics_or_passes_unnoticed() {
    let ring = keyring(A_PUB);
    let original = verify_image_signature(&ring, None, A_V2S2, V2S2, &any_identity).unwrap();
    for position in 0..A_V2S2.len() {
        let mut corrupt = A_V2S2.to_vec();
        corrupt[position] ^= 0xff;
        match verify_image_signature(&ring, None, &corrupt, V2S2, &any_identity) {
            // Only bytes outside what is signed (the unhashed issuer subpacket, packet framing
            // gpg tolerates) may change and still verify; the payload may not.
            Ok(verified) => assert_eq!(verified, original, "byte {position}"),
            Err(error) => assert!(
                matches!(error.code(), ErrorCode::SignatureInvalid | ErrorCode::ManifestInvalid),
                "byte {position}: {error:?}"
            ),
        }
        let _ = untrusted_information(&corrupt);
    }
}
