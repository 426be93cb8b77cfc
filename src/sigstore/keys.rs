//! Sigstore signing keys: ECDSA P-256, the one scheme cosign's signature specification requires.
//! A public key is a PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo); a private key is a PKCS #8 key
//! sealed in the passphrase envelope of [`super::encrypted`], in a PEM block labelled
//! `ENCRYPTED SIGSTORE PRIVATE KEY` or (older cosign) `ENCRYPTED COSIGN PRIVATE KEY`. Signatures
//! are ASN.1 DER ECDSA over SHA-256 of the payload.

use std::fmt;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, ObjectIdentifier, PrivateKeyInfo,
};
use rand::rngs::OsRng;
use rand::RngCore;

use super::{encrypted, pem};
use crate::error::{Error, Result};

/// The PEM label of a public key.
pub const PUBLIC_KEY_PEM_LABEL: &str = "PUBLIC KEY";
/// The PEM label containers/image's `generate-sigstore-key` and cosign 2 write for a private key.
pub const SIGSTORE_PRIVATE_KEY_PEM_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The PEM label older cosign releases write for a private key (read as well).
pub const COSIGN_PRIVATE_KEY_PEM_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// What the signature check says of any signature that does not verify, malformed DER included
/// (containers/image's wording around sigstore's ECDSA verifier).
const VERIFICATION_FAILED: &str =
    "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature";

fn signature_error(message: impl Into<String>) -> Error {
    Error::Signature(message.into())
}

/// A sigstore public key (ECDSA P-256), which verifies signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// Reads the first PEM block of `bytes` (text around it is ignored, as Go's `pem.Decode`
    /// does), which must be a `PUBLIC KEY` holding an ECDSA P-256 key.
    pub fn from_pem(bytes: &[u8]) -> Result<PublicKey> {
        let block = pem::decode(bytes).ok_or_else(|| signature_error("PEM decoding failed"))?;
        if block.label != PUBLIC_KEY_PEM_LABEL {
            return Err(signature_error(format!(
                "unsupported PEM type {:?} for a public key, expected {PUBLIC_KEY_PEM_LABEL:?}",
                block.label
            )));
        }
        let info = SubjectPublicKeyInfoRef::try_from(block.contents.as_slice())
            .map_err(|e| signature_error(format!("parsing public key: {e}")))?;
        require_p256(&info.algorithm, "public key")?;
        let key = VerifyingKey::from_public_key_der(&block.contents)
            .map_err(|e| signature_error(format!("parsing public key: {e}")))?;
        Ok(PublicKey { key })
    }

    /// The key as a PEM `PUBLIC KEY` block (PKIX, uncompressed point), as cosign and
    /// containers/image write it.
    pub fn to_pem(&self) -> String {
        // A P-256 SubjectPublicKeyInfo always encodes.
        let der = self.key.to_public_key_der().map(|d| d.into_vec()).unwrap_or_default();
        pem::encode(PUBLIC_KEY_PEM_LABEL, &der)
    }

    /// Verifies an ASN.1 DER ECDSA-P256-SHA256 `signature` over `payload`. A signature that is not
    /// DER, or not this key's over these bytes, fails with one message, as in containers/image.
    pub fn verify(&self, payload: &[u8], signature: &[u8]) -> Result<()> {
        let signature = Signature::from_der(signature).map_err(|_| signature_error(VERIFICATION_FAILED))?;
        self.key.verify(payload, &signature).map_err(|_| signature_error(VERIFICATION_FAILED))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.to_pem().trim_end()).finish()
    }
}

/// A sigstore private key (ECDSA P-256), which signs payloads.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
}

impl PrivateKey {
    /// A new random key.
    pub fn generate() -> PrivateKey {
        PrivateKey { key: SigningKey::random(&mut OsRng) }
    }

    /// Reads the first PEM block of `bytes`, an `ENCRYPTED SIGSTORE PRIVATE KEY` or `ENCRYPTED
    /// COSIGN PRIVATE KEY`, and opens it with `passphrase` (empty is a passphrase like any other).
    /// The texts are containers/image's `loadPrivateKey`'s: "invalid pem block", "unsupported pem
    /// type: X", "decrypt: encrypted: decryption failed" (a wrong passphrase), "parsing private
    /// key: …"; a key other than ECDSA P-256 is refused by name.
    pub fn from_encrypted_pem(bytes: &[u8], passphrase: &[u8]) -> Result<PrivateKey> {
        let block = pem::decode(bytes).ok_or_else(|| signature_error("invalid pem block"))?;
        if block.label != SIGSTORE_PRIVATE_KEY_PEM_LABEL && block.label != COSIGN_PRIVATE_KEY_PEM_LABEL {
            return Err(signature_error(format!("unsupported pem type: {}", block.label)));
        }
        let pkcs8 = Zeroizing::new(
            encrypted::open(&block.contents, passphrase).map_err(|e| signature_error(format!("decrypt: {e}")))?,
        );
        let info = PrivateKeyInfo::try_from(pkcs8.as_slice())
            .map_err(|e| signature_error(format!("parsing private key: {e}")))?;
        require_p256(&info.algorithm, "private key")?;
        let key =
            SigningKey::from_pkcs8_der(&pkcs8).map_err(|e| signature_error(format!("parsing private key: {e}")))?;
        Ok(PrivateKey { key })
    }

    /// The key as an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block: PKCS #8, sealed under
    /// `passphrase` with a fresh random salt and nonce (scrypt N = 2^15, r = 8, p = 1).
    pub fn to_encrypted_pem(&self, passphrase: &[u8]) -> Result<String> {
        let mut salt = [0u8; encrypted::SALT_SIZE];
        let mut nonce = [0u8; encrypted::NONCE_SIZE];
        OsRng
            .try_fill_bytes(&mut salt)
            .and_then(|()| OsRng.try_fill_bytes(&mut nonce))
            .map_err(|e| signature_error(format!("unable to generate a random salt: {e}")))?;
        self.to_encrypted_pem_with(passphrase, &salt, &nonce)
    }

    /// [`to_encrypted_pem`](Self::to_encrypted_pem) with the caller's salt and nonce (tests).
    pub(crate) fn to_encrypted_pem_with(
        &self,
        passphrase: &[u8],
        salt: &[u8; encrypted::SALT_SIZE],
        nonce: &[u8; encrypted::NONCE_SIZE],
    ) -> Result<String> {
        let pkcs8 = self.key.to_pkcs8_der().map_err(|e| signature_error(format!("x509 encoding private key: {e}")))?;
        let envelope = encrypted::seal(pkcs8.as_bytes(), passphrase, salt, nonce).map_err(signature_error)?;
        Ok(pem::encode(SIGSTORE_PRIVATE_KEY_PEM_LABEL, &envelope))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey { key: *self.key.verifying_key() }
    }

    /// An ASN.1 DER ECDSA-P256-SHA256 signature over `payload`.
    pub fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let signature: Signature =
            self.key.try_sign(payload).map_err(|e| signature_error(format!("creating signature: {e}")))?;
        Ok(signature.to_der().as_bytes().to_vec())
    }
}

impl fmt::Debug for PrivateKey {
    /// Shows the public half only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

/// Refuses any key but ECDSA P-256, naming what it is.
fn require_p256(algorithm: &AlgorithmIdentifierRef<'_>, what: &str) -> Result<()> {
    let curve = algorithm.parameters_oid().ok();
    let name = match (algorithm.oid, curve) {
        (ID_EC_PUBLIC_KEY, Some(SECP256R1)) => return Ok(()),
        (ID_EC_PUBLIC_KEY, Some(SECP384R1)) => "ECDSA P-384".to_string(),
        (ID_EC_PUBLIC_KEY, Some(SECP521R1)) => "ECDSA P-521".to_string(),
        (ID_EC_PUBLIC_KEY, Some(other)) => format!("ECDSA on curve {other}"),
        (ID_EC_PUBLIC_KEY, None) => "ECDSA without a named curve".to_string(),
        (ID_ED25519, _) => "Ed25519".to_string(),
        (RSA_ENCRYPTION, _) => "RSA".to_string(),
        (other, _) => format!("algorithm {other}"),
    };
    Err(signature_error(format!("unsupported {what} type {name}: sigstore keys must be ECDSA P-256")))
}
