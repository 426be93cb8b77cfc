//! Sigstore keys, signatures and payloads against fixtures made by an independent implementation
//! (testdata/oracle.py: Python `cryptography` and `pynacl`; see testdata/README.md).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use p256::ecdsa::Signature;
use serde_json::Value;

use super::keys::{COSIGN_PRIVATE_KEY_PEM_LABEL, SIGSTORE_PRIVATE_KEY_PEM_LABEL};
use super::*;
use crate::digest::Digest;
use crate::error::Error;
use crate::signature::payload::UntrustedSignature;

const V2S2: &[u8] = include_bytes!("../../tests/vectors/manifests/containers-image__v2s2.manifest.json");
const PUBLIC: &str = include_str!("testdata/public.pem");
const PRIVATE_SIGSTORE: &[u8] = include_bytes!("testdata/private-sigstore.pem");
const PRIVATE_COSIGN: &[u8] = include_bytes!("testdata/private-cosign.pem");
const PRIVATE_EMPTY_PASSPHRASE: &[u8] = include_bytes!("testdata/private-empty-passphrase.pem");
const PRIVATE_N65536: &[u8] = include_bytes!("testdata/private-n65536.pem");
const PASSPHRASE: &[u8] = include_bytes!("testdata/passphrase.txt");
const PAYLOAD: &[u8] = include_bytes!("testdata/payload.json");
const PAYLOAD_SIG: &[u8] = include_bytes!("testdata/payload.sig");
const OTHER_PUBLIC: &[u8] = include_bytes!("testdata/other-public.pem");
const OTHER_PAYLOAD_SIG: &[u8] = include_bytes!("testdata/other-payload.sig");
const P384_PUBLIC: &[u8] = include_bytes!("testdata/p384-public.pem");
const P384_PRIVATE: &[u8] = include_bytes!("testdata/p384-private-sigstore.pem");
const ED25519_PUBLIC: &[u8] = include_bytes!("testdata/ed25519-public.pem");

/// The oracle's payload fields (oracle.py's REFERENCE, CREATOR, TIMESTAMP).
const REFERENCE: &str = "example.com/ns/repo:tag";
const CREATOR: &str = "sigstore oracle";
const TIMESTAMP: i64 = 1700000000;

const VERIFICATION_FAILED: &str =
    "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature";

fn public() -> PublicKey {
    PublicKey::from_pem(PUBLIC.as_bytes()).unwrap()
}

fn message<T: std::fmt::Debug>(result: crate::error::Result<T>) -> String {
    match result {
        Err(Error::Signature(message)) => message,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

/// The oracle's SIGSTORE-labelled envelope as JSON, to be altered and sealed again in a PEM block.
fn oracle_envelope() -> Value {
    serde_json::from_slice(&pem::decode(PRIVATE_SIGSTORE).unwrap().contents).unwrap()
}

fn envelope_pem(label: &str, envelope: &Value) -> String {
    pem::encode(label, serde_json::to_string(envelope).unwrap().as_bytes())
}

// ---- public keys ----

#[test]
fn the_oracles_public_key_is_read_and_written_back_byte_for_byte() {
    assert_eq!(public().to_pem(), PUBLIC);
}

#[test]
fn a_public_key_is_found_among_surrounding_text() {
    let text = format!("# the signing key\n{PUBLIC}\nnot part of it\n");
    assert_eq!(PublicKey::from_pem(text.as_bytes()).unwrap(), public());
}

#[test]
fn malformed_public_key_pem_is_refused() {
    assert_eq!(message(PublicKey::from_pem(b"")), "PEM decoding failed");
    assert_eq!(message(PublicKey::from_pem(b"not a key at all")), "PEM decoding failed");
    let truncated = &PUBLIC[..PUBLIC.len() - 10];
    assert_eq!(message(PublicKey::from_pem(truncated.as_bytes())), "PEM decoding failed");
    assert_eq!(
        message(PublicKey::from_pem(PRIVATE_SIGSTORE)),
        r#"unsupported PEM type "ENCRYPTED SIGSTORE PRIVATE KEY" for a public key, expected "PUBLIC KEY""#
    );
    let garbage = pem::encode("PUBLIC KEY", b"\x30\x03\x02\x01\x00 and then garbage");
    assert!(message(PublicKey::from_pem(garbage.as_bytes())).starts_with("parsing public key: "));
}

#[test]
fn a_p256_key_info_with_a_point_off_the_curve_is_refused() {
    let mut der = pem::decode(PUBLIC.as_bytes()).unwrap().contents;
    let last = der.len() - 1;
    der[last] ^= 0x01; // the point's y coordinate no longer matches x
    let error = message(PublicKey::from_pem(pem::encode("PUBLIC KEY", &der).as_bytes()));
    assert!(error.starts_with("parsing public key: "), "{error}");
}

#[test]
fn public_keys_other_than_p256_are_refused_by_name() {
    assert_eq!(
        message(PublicKey::from_pem(P384_PUBLIC)),
        "unsupported public key type ECDSA P-384: sigstore keys must be ECDSA P-256"
    );
    assert_eq!(
        message(PublicKey::from_pem(ED25519_PUBLIC)),
        "unsupported public key type Ed25519: sigstore keys must be ECDSA P-256"
    );
}

// ---- private keys ----

#[test]
fn the_oracles_private_key_decrypts_under_both_labels() {
    for pem_bytes in [PRIVATE_SIGSTORE, PRIVATE_COSIGN] {
        let key = PrivateKey::from_encrypted_pem(pem_bytes, PASSPHRASE).unwrap();
        assert_eq!(key.public_key(), public());
    }
    assert_eq!(pem::decode(PRIVATE_SIGSTORE).unwrap().label, SIGSTORE_PRIVATE_KEY_PEM_LABEL);
    assert_eq!(pem::decode(PRIVATE_COSIGN).unwrap().label, COSIGN_PRIVATE_KEY_PEM_LABEL);
}

#[test]
fn an_empty_passphrase_is_a_passphrase_like_any_other() {
    let key = PrivateKey::from_encrypted_pem(PRIVATE_EMPTY_PASSPHRASE, b"").unwrap();
    assert_eq!(key.public_key(), public());
    assert_eq!(
        message(PrivateKey::from_encrypted_pem(PRIVATE_EMPTY_PASSPHRASE, PASSPHRASE)),
        "decrypt: encrypted: decryption failed"
    );
}

#[test]
fn a_key_sealed_with_the_stronger_scrypt_parameters_is_read() {
    let params = oracle_envelope_of(PRIVATE_N65536)["kdf"]["params"].clone();
    assert_eq!(params, serde_json::json!({"N": 65536, "r": 8, "p": 1}));
    let key = PrivateKey::from_encrypted_pem(PRIVATE_N65536, PASSPHRASE).unwrap();
    assert_eq!(key.public_key(), public());
}

fn oracle_envelope_of(pem_bytes: &[u8]) -> Value {
    serde_json::from_slice(&pem::decode(pem_bytes).unwrap().contents).unwrap()
}

#[test]
fn a_wrong_passphrase_is_refused() {
    for wrong in [&b"oracle passphrasE"[..], b"", b"oracle passphrase\n"] {
        assert_eq!(
            message(PrivateKey::from_encrypted_pem(PRIVATE_SIGSTORE, wrong)),
            "decrypt: encrypted: decryption failed"
        );
    }
}

#[test]
fn malformed_private_key_pem_is_refused() {
    assert_eq!(message(PrivateKey::from_encrypted_pem(b"", PASSPHRASE)), "invalid pem block");
    assert_eq!(message(PrivateKey::from_encrypted_pem(b"garbage", PASSPHRASE)), "invalid pem block");
    assert_eq!(
        message(PrivateKey::from_encrypted_pem(PUBLIC.as_bytes(), PASSPHRASE)),
        "unsupported pem type: PUBLIC KEY"
    );
    let unencrypted = pem::encode("PRIVATE KEY", b"\x30\x00");
    assert_eq!(
        message(PrivateKey::from_encrypted_pem(unencrypted.as_bytes(), PASSPHRASE)),
        "unsupported pem type: PRIVATE KEY"
    );
    let not_json = pem::encode(SIGSTORE_PRIVATE_KEY_PEM_LABEL, b"{not json");
    assert!(message(PrivateKey::from_encrypted_pem(not_json.as_bytes(), PASSPHRASE)).starts_with("decrypt: "));
    let not_object = pem::encode(SIGSTORE_PRIVATE_KEY_PEM_LABEL, b"[1]");
    assert_eq!(
        message(PrivateKey::from_encrypted_pem(not_object.as_bytes(), PASSPHRASE)),
        "decrypt: json: cannot unmarshal array into Go value of type encrypted.data"
    );
}

/// A change made to an envelope's JSON.
type Tamper = fn(&mut Value);

#[test]
fn tampered_envelopes_are_refused_with_the_part_that_is_wrong() {
    let cases: [(&str, Tamper, &str); 7] = [
        ("kdf name", |e| e["kdf"]["name"] = "pbkdf2".into(), r#"decrypt: encrypted: unknown kdf name "pbkdf2""#),
        ("no kdf", |e| drop(e.as_object_mut().unwrap().remove("kdf")), r#"decrypt: encrypted: unknown kdf name """#),
        ("cipher name", |e| e["cipher"]["name"] = "aes".into(), r#"decrypt: encrypted: unknown cipher name "aes""#),
        ("costly N", |e| e["kdf"]["params"]["N"] = (1u64 << 30).into(), "decrypt: unsupported scrypt parameters"),
        ("r", |e| e["kdf"]["params"]["r"] = 9.into(), "decrypt: unsupported scrypt parameters"),
        (
            "nonce",
            |e| e["cipher"]["nonce"] = STANDARD.encode([0u8; 12]).into(),
            "decrypt: encrypted: incorrect nonce size",
        ),
        (
            "ciphertext",
            |e| {
                let mut sealed = STANDARD.decode(e["ciphertext"].as_str().unwrap()).unwrap();
                sealed[20] ^= 1;
                e["ciphertext"] = STANDARD.encode(sealed).into();
            },
            "decrypt: encrypted: decryption failed",
        ),
    ];
    for (what, tamper, expected) in cases {
        let mut envelope = oracle_envelope();
        tamper(&mut envelope);
        let pem_text = envelope_pem(SIGSTORE_PRIVATE_KEY_PEM_LABEL, &envelope);
        assert_eq!(message(PrivateKey::from_encrypted_pem(pem_text.as_bytes(), PASSPHRASE)), expected, "{what}");
    }
    let mut bad_base64 = oracle_envelope();
    bad_base64["kdf"]["salt"] = "***".into();
    let pem_text = envelope_pem(SIGSTORE_PRIVATE_KEY_PEM_LABEL, &bad_base64);
    assert!(message(PrivateKey::from_encrypted_pem(pem_text.as_bytes(), PASSPHRASE))
        .starts_with("decrypt: illegal base64 data in kdf.salt"));
}

#[test]
fn a_sealed_key_that_is_not_pkcs8_is_refused() {
    let envelope = encrypted::seal(b"not a key", PASSPHRASE, &[7; 32], &[9; 24]).unwrap();
    let pem_text = pem::encode(SIGSTORE_PRIVATE_KEY_PEM_LABEL, &envelope);
    assert!(
        message(PrivateKey::from_encrypted_pem(pem_text.as_bytes(), PASSPHRASE)).starts_with("parsing private key: ")
    );
}

#[test]
fn private_keys_other_than_p256_are_refused_by_name() {
    assert_eq!(
        message(PrivateKey::from_encrypted_pem(P384_PRIVATE, PASSPHRASE)),
        "unsupported private key type ECDSA P-384: sigstore keys must be ECDSA P-256"
    );
}

#[test]
fn generate_encrypt_decrypt_round_trips() {
    let key = PrivateKey::generate();
    let passphrase = b"round trip";
    let pem_text = key.to_encrypted_pem(passphrase).unwrap();
    assert!(pem_text.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), "{pem_text}");
    let read = PrivateKey::from_encrypted_pem(pem_text.as_bytes(), passphrase).unwrap();
    assert_eq!(read.public_key(), key.public_key());
    let signature = read.sign(b"payload").unwrap();
    key.public_key().verify(b"payload", &signature).unwrap();
    assert_ne!(PrivateKey::generate().public_key(), key.public_key());
}

#[test]
fn the_envelope_written_is_go_securesystemslibs_with_fresh_salt_and_nonce() {
    let key = PrivateKey::from_encrypted_pem(PRIVATE_SIGSTORE, PASSPHRASE).unwrap();
    let first = oracle_envelope_of(key.to_encrypted_pem(PASSPHRASE).unwrap().as_bytes());
    let second = oracle_envelope_of(key.to_encrypted_pem(PASSPHRASE).unwrap().as_bytes());
    assert_eq!(first["kdf"]["name"], "scrypt");
    assert_eq!(first["kdf"]["params"], serde_json::json!({"N": 32768, "r": 8, "p": 1}));
    assert_eq!(first["cipher"]["name"], "nacl/secretbox");
    let decoded = |v: &Value| STANDARD.decode(v.as_str().unwrap()).unwrap();
    assert_eq!(decoded(&first["kdf"]["salt"]).len(), 32);
    assert_eq!(decoded(&first["cipher"]["nonce"]).len(), 24);
    assert_ne!(first["kdf"]["salt"], second["kdf"]["salt"]);
    assert_ne!(first["cipher"]["nonce"], second["cipher"]["nonce"]);
    // A 138-byte PKCS #8 P-256 key (with its public point) sealed with a 16-byte tag.
    assert_eq!(decoded(&first["ciphertext"]).len(), 138 + 16);
}

#[test]
fn the_envelope_json_has_go_field_order_and_compact_form() {
    let key = PrivateKey::from_encrypted_pem(PRIVATE_SIGSTORE, PASSPHRASE).unwrap();
    let pem_text = key.to_encrypted_pem_with(PASSPHRASE, &[1; 32], &[2; 24]).unwrap();
    let json = String::from_utf8(pem::decode(pem_text.as_bytes()).unwrap().contents).unwrap();
    let salt = STANDARD.encode([1u8; 32]);
    let nonce = STANDARD.encode([2u8; 24]);
    let prefix = format!(
        r#"{{"kdf":{{"name":"scrypt","params":{{"N":32768,"r":8,"p":1}},"salt":"{salt}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{nonce}"}},"ciphertext":""#
    );
    assert!(json.starts_with(&prefix), "{json}");
    assert!(json.ends_with("\"}"));
    // Same salt and nonce, same bytes: nothing else is random.
    assert_eq!(key.to_encrypted_pem_with(PASSPHRASE, &[1; 32], &[2; 24]).unwrap(), pem_text);
}

#[test]
fn private_key_debug_shows_no_secret() {
    let key = PrivateKey::from_encrypted_pem(PRIVATE_SIGSTORE, PASSPHRASE).unwrap();
    let shown = format!("{key:?}");
    assert!(shown.contains("BEGIN PUBLIC KEY"), "{shown}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
}

// ---- signatures ----

#[test]
fn the_oracles_signature_verifies() {
    public().verify(PAYLOAD, PAYLOAD_SIG).unwrap();
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let other = PublicKey::from_pem(OTHER_PUBLIC).unwrap();
    assert_eq!(message(other.verify(PAYLOAD, PAYLOAD_SIG)), VERIFICATION_FAILED);
    assert_eq!(message(public().verify(PAYLOAD, OTHER_PAYLOAD_SIG)), VERIFICATION_FAILED);
    other.verify(PAYLOAD, OTHER_PAYLOAD_SIG).unwrap();
}

#[test]
fn a_changed_payload_is_refused() {
    let mut changed = PAYLOAD.to_vec();
    let at = changed.len() - 3;
    changed[at] ^= 0x01;
    assert_eq!(message(public().verify(&changed, PAYLOAD_SIG)), VERIFICATION_FAILED);
    assert_eq!(message(public().verify(&PAYLOAD[..PAYLOAD.len() - 1], PAYLOAD_SIG)), VERIFICATION_FAILED);
}

#[test]
fn truncated_or_garbage_der_is_refused() {
    let mut trailing = PAYLOAD_SIG.to_vec();
    trailing.push(0);
    let mut wrong_tag = PAYLOAD_SIG.to_vec();
    wrong_tag[0] = 0x31;
    let raw_scalars = Signature::from_der(PAYLOAD_SIG).unwrap().to_bytes().to_vec();
    for bad in [
        &PAYLOAD_SIG[..PAYLOAD_SIG.len() - 1],
        &PAYLOAD_SIG[..8],
        &[][..],
        b"garbage garbage garbage",
        &trailing,
        &wrong_tag,
        &raw_scalars,
        &STANDARD.encode(PAYLOAD_SIG).into_bytes(),
    ] {
        assert_eq!(message(public().verify(PAYLOAD, bad)), VERIFICATION_FAILED, "{bad:?}");
    }
}

#[test]
fn both_s_forms_of_a_signature_verify_as_go_accepts_them() {
    let signature = Signature::from_der(PAYLOAD_SIG).unwrap();
    let (r, s) = signature.split_scalars();
    let flipped = Signature::from_scalars(r, -*s).unwrap();
    assert_ne!(flipped, signature);
    public().verify(PAYLOAD, &flipped.to_der().to_bytes()).unwrap();
}

#[test]
fn our_signatures_are_der_and_verify() {
    let key = PrivateKey::from_encrypted_pem(PRIVATE_COSIGN, PASSPHRASE).unwrap();
    let signature = key.sign(PAYLOAD).unwrap();
    assert_eq!(signature[0], 0x30, "a DER SEQUENCE");
    assert_eq!(Signature::from_der(&signature).unwrap().to_der().as_bytes(), signature.as_slice());
    public().verify(PAYLOAD, &signature).unwrap();
    assert_eq!(message(public().verify(b"other", &signature)), VERIFICATION_FAILED);
}

// ---- payloads ----

fn oracle_payload() -> UntrustedSignature {
    UntrustedSignature {
        docker_manifest_digest: crate::manifest::manifest_digest(V2S2).unwrap(),
        docker_reference: REFERENCE.into(),
        creator: Some(CREATOR.into()),
        timestamp: Some(TIMESTAMP),
    }
}

#[test]
fn the_payload_is_written_byte_for_byte_as_the_oracle_writes_it() {
    assert_eq!(
        String::from_utf8(payload::to_json(&oracle_payload()).unwrap()).unwrap(),
        String::from_utf8_lossy(PAYLOAD)
    );
}

#[test]
fn the_oracles_payload_is_read() {
    assert_eq!(payload::parse(PAYLOAD).unwrap(), oracle_payload());
}

#[test]
fn payload_for_names_the_manifest_digest_and_the_reference_now() {
    let before = crate::clock::now_secs().floor() as i64;
    let payload = payload::parse(&payload_for(V2S2, REFERENCE).unwrap()).unwrap();
    let after = crate::clock::now_secs().ceil() as i64;
    assert_eq!(payload.docker_manifest_digest, crate::manifest::manifest_digest(V2S2).unwrap());
    assert_eq!(payload.docker_reference, REFERENCE);
    assert_eq!(payload.creator.as_deref(), Some(concat!("skopos ", env!("CARGO_PKG_VERSION"))));
    let timestamp = payload.timestamp.unwrap();
    assert!((before..=after).contains(&timestamp), "{timestamp}");
    assert_eq!(message(payload_for(V2S2, "")), "Unexpected empty signature content");
}

#[test]
fn sigstore_and_simple_signing_payloads_are_not_interchangeable() {
    let simple = UntrustedSignature {
        docker_manifest_digest: Digest::parse(&format!("sha256:{}", "a".repeat(64))).unwrap(),
        docker_reference: REFERENCE.into(),
        creator: None,
        timestamp: None,
    }
    .to_json();
    assert_eq!(message(payload::parse(&simple)), "Unrecognized signature type atomic container signature");
    assert_eq!(
        message(UntrustedSignature::parse(PAYLOAD)),
        "Unrecognized signature type cosign container image signature"
    );
}

#[test]
fn a_null_optional_is_read_as_cosign_writes_it() {
    let digest = format!("sha256:{}", "b".repeat(64));
    let cosign = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"example.com/repo"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
    );
    let payload = payload::parse(cosign.as_bytes()).unwrap();
    assert_eq!((payload.creator, payload.timestamp), (None, None));
    assert_eq!(payload.docker_reference, "example.com/repo");
    let simple = cosign.replace("cosign container image signature", "atomic container signature");
    assert_eq!(message(UntrustedSignature::parse(simple.as_bytes())), "JSON object expected, got null");
}

#[test]
fn payload_strictness_is_simple_signings_with_this_formats_words() {
    let with = |from: &str, to: &str| String::from_utf8_lossy(PAYLOAD).replace(from, to).into_bytes();
    let cases = [
        (with("1700000000", "1700000000.5"), "Field optional.timestamp is not is not an integer"),
        (with(r#""type""#, r#""kind""#), r#"Unknown key "kind""#),
        (with(r#","type":"cosign container image signature""#, ""), r#"Key "type" missing in a JSON object"#),
        (with(r#""identity":{"#, r#""identity":{"docker-reference":"x","#), r#"Duplicate key "docker-reference""#),
        (with("sha256:20bf", "sha256:20BF"), "invalid docker-manifest-digest value"),
    ];
    for (payload, expected) in cases {
        let error = message(payload::parse(&payload));
        assert!(error.starts_with(expected), "{error} for {}", String::from_utf8_lossy(&payload));
    }
    // Unknown optional members are ignored, as in containers/image.
    let extra = with(r#""optional":{"#, r#""optional":{"annotation":"x","#);
    assert_eq!(payload::parse(&extra).unwrap(), oracle_payload());
}
