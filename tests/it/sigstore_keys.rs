//! Sigstore keys and signatures made by skopos, checked by the independent oracle
//! (`src/sigstore/testdata/oracle.py`, Python `cryptography` and `pynacl`), and the oracle's
//! fresh keys and signatures read by skopos: keys generated and encrypted by one side are
//! decrypted by the other, signatures made by one side verify on the other, and a wrong
//! passphrase or a changed payload is refused by both.

use crate::common::{run, Run};

use std::path::{Path, PathBuf};
use std::process::Command;

use skopos::sigstore::{payload_for, PrivateKey, PublicKey};
use tempfile::TempDir;

const V2S2: &[u8] = include_bytes!("../vectors/manifests/containers-image__v2s2.manifest.json");

fn oracle_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sigstore/testdata/oracle.py")
}

fn oracle(args: &[&str]) -> Run {
    run(Command::new("python3").arg(oracle_script()).args(args))
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_key_skopos_generated_and_encrypted_is_decrypted_by_the_oracle() {
    let dir = TempDir::new().unwrap();
    let key = PrivateKey::generate();
    for passphrase in ["a passphrase", "", "ünïcödé"] {
        let private = write(&dir, "key.pem", key.to_encrypted_pem(passphrase.as_bytes()).unwrap().as_bytes());
        let decrypted = oracle(&["decrypt", &private, passphrase]).ok();
        assert_eq!(decrypted.stdout, key.public_key().to_pem(), "passphrase {passphrase:?}");
    }
    let private = write(&dir, "key.pem", key.to_encrypted_pem(b"right").unwrap().as_bytes());
    let wrong = oracle(&["decrypt", &private, "wrong"]);
    assert_ne!(wrong.code, 0, "the oracle opened a key with the wrong passphrase");
}

#[test]
fn a_signature_skopos_made_is_verified_by_the_oracle() {
    let dir = TempDir::new().unwrap();
    let key = PrivateKey::generate();
    let payload_bytes = payload_for(V2S2, "example.com/ns/repo:tag").unwrap();
    let public = write(&dir, "public.pem", key.public_key().to_pem().as_bytes());
    let payload = write(&dir, "payload.json", &payload_bytes);
    let signature = write(&dir, "payload.sig", &key.sign(&payload_bytes).unwrap());
    assert_eq!(oracle(&["verify", &public, &payload, &signature]).ok().stdout, "verified\n");

    let mut changed = payload_bytes.clone();
    changed[10] ^= 1;
    let changed = write(&dir, "changed.json", &changed);
    assert_eq!(oracle(&["verify", &public, &changed, &signature]).code, 1);
    let other = write(&dir, "other.pem", PrivateKey::generate().public_key().to_pem().as_bytes());
    assert_eq!(oracle(&["verify", &other, &payload, &signature]).code, 1);
}

#[test]
fn a_key_and_signature_the_oracle_makes_now_are_read_by_skopos() {
    let dir = TempDir::new().unwrap();
    oracle(&["generate", dir.path().to_str().unwrap()]).ok();
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let public = PublicKey::from_pem(&read("public.pem")).unwrap();
    let passphrase = read("passphrase.txt");
    for name in ["private-sigstore.pem", "private-cosign.pem"] {
        let key = PrivateKey::from_encrypted_pem(&read(name), &passphrase).unwrap();
        assert_eq!(key.public_key(), public, "{name}");
    }
    public.verify(&read("payload.json"), &read("payload.sig")).unwrap();

    // The oracle signs skopos's payload with its key; skopos verifies it.
    let payload_bytes = payload_for(V2S2, "example.com/ns/repo:tag").unwrap();
    let payload = write(&dir, "skopos-payload.json", &payload_bytes);
    let private = dir.path().join("private-sigstore.pem");
    let signature = dir.path().join("skopos-payload.sig");
    let passphrase = String::from_utf8(passphrase).unwrap();
    oracle(&["sign", private.to_str().unwrap(), &passphrase, &payload, signature.to_str().unwrap()]).ok();
    public.verify(&payload_bytes, &std::fs::read(&signature).unwrap()).unwrap();
    let wrong = PrivateKey::from_encrypted_pem(&read("private-sigstore.pem"), b"not it").unwrap_err();
    assert_eq!(wrong.to_string().lines().count(), 1);
    assert!(wrong.to_string().contains("decrypt: encrypted: decryption failed"), "{wrong}");
}
