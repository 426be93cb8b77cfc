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

#[test]
fn generate_sigstore_key_writes_a_pair_the_oracle_opens_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let passphrase = write(&dir, "passphrase", b"correct horse\nsecond line is not read\n");
    let prefix = dir.path().join("my-key");
    let prefix = prefix.to_str().unwrap();
    let r =
        crate::common::skopos(&["generate-sigstore-key", "--output-prefix", prefix, "--passphrase-file", &passphrase])
            .ok();
    assert_eq!(r.stdout, format!("Key written to \"{prefix}.private\" and \"{prefix}.pub\""));
    let private = format!("{prefix}.private");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the private key is readable by its owner only");
    assert!(std::fs::read_to_string(&private).unwrap().starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    // The oracle opens it with the passphrase's first line, and finds the public key beside it.
    let decrypted = oracle(&["decrypt", &private, "correct horse"]).ok();
    assert_eq!(decrypted.stdout, std::fs::read_to_string(format!("{prefix}.pub")).unwrap());
    PublicKey::from_pem(decrypted.stdout.as_bytes()).unwrap();

    // A second run refuses to overwrite either file, and changes nothing.
    let before = std::fs::read(&private).unwrap();
    let again =
        crate::common::skopos(&["generate-sigstore-key", "--output-prefix", prefix, "--passphrase-file", &passphrase]);
    let line = crate::common::assert_clean_failure(&again, 1);
    assert_eq!(line, format!("skopos: Refusing to overwrite existing \"{prefix}.pub\""));
    assert_eq!(std::fs::read(&private).unwrap(), before);
}
