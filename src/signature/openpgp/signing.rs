//! Signing a payload as `gpg --sign` (and so `skopeo standalone-sign`) does: a binary OpenPGP
//! message of one-pass signature, literal data and signature packets, signed with a secret key's
//! signing subkey if it has one bound for signing, else with its primary key.

use pgp::composed::{Deserializable, MessageBuilder, SignedSecretKey, SignedSecretSubKey, SubpacketConfig};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, KeyVersion, Password, Timestamp};

use super::{fingerprint_hex, is_armored, signature_error};
use crate::error::{Error, Result};

/// A secret key that can sign simple signing payloads, unlocked with its passphrase.
#[derive(Debug, Clone)]
pub struct SigningKey {
    key: SignedSecretKey,
    /// Which secret subkey signs, or `None` for the primary key.
    subkey: Option<usize>,
    passphrase: String,
}

impl SigningKey {
    /// Reads a secret key (`gpg --export-secret-keys` output, binary or armored; the first key if
    /// there are several) and checks that `passphrase` unlocks the key that will sign. A key
    /// without protection needs no passphrase; a protected key with a wrong or missing one is an
    /// error saying so.
    pub fn parse(bytes: &[u8], passphrase: Option<&str>) -> Result<SigningKey> {
        let bad = |e: pgp::errors::Error| Error::Signature(format!("Error reading secret key: {e}"));
        let first = if is_armored(bytes) {
            SignedSecretKey::from_armor_many(bytes).map_err(bad)?.0.next()
        } else {
            SignedSecretKey::from_bytes_many(bytes).map_err(bad)?.next()
        };
        let key =
            first.ok_or_else(|| Error::Signature("Error reading secret key: no OpenPGP secret key found".into()))?;
        let key = key.map_err(bad)?;
        let subkey = key.secret_subkeys.iter().position(|s| is_signing_subkey(&key, s));
        let signing = SigningKey { key, subkey, passphrase: passphrase.unwrap_or_default().to_string() };
        signing.check_passphrase()?;
        Ok(signing)
    }

    /// The fingerprint of the primary key, uppercase hex (what `skopeo standalone-sign` is given).
    pub fn fingerprint(&self) -> String {
        fingerprint_hex(&self.key.primary_key.fingerprint())
    }

    /// Signs `payload`: a binary signed message that gpg, skopeo and [`super::Keyring`] verify.
    /// The signature is SHA-256, created now (`crate::clock`).
    pub fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let signer: &dyn pgp::types::SigningKey = match self.subkey {
            Some(i) => &self.key.secret_subkeys[i].key,
            None => &self.key.primary_key,
        };
        let created = Timestamp::from_secs(crate::clock::now_secs().floor().clamp(0.0, f64::from(u32::MAX)) as u32);
        let subpacket =
            |data| Subpacket::regular(data).map_err(|e| signature_error(format!("Error creating signature: {e}")));
        let hashed = vec![
            subpacket(SubpacketData::SignatureCreationTime(created))?,
            subpacket(SubpacketData::IssuerFingerprint(signer.fingerprint()))?,
        ];
        let unhashed = if signer.version() <= KeyVersion::V4 {
            vec![subpacket(SubpacketData::IssuerKeyId(signer.legacy_key_id()))?]
        } else {
            Vec::new()
        };
        let mut builder = MessageBuilder::from_bytes("", payload.to_vec());
        builder.sign_with_subpackets(
            signer,
            Password::from(self.passphrase.as_str()),
            HashAlgorithm::Sha256,
            SubpacketConfig::UserDefined { hashed, unhashed },
        );
        builder.to_vec(rand::rngs::OsRng).map_err(|e| signature_error(format!("Error creating signature: {e}")))
    }

    fn check_passphrase(&self) -> Result<()> {
        let password = Password::from(self.passphrase.as_str());
        let unlocked = match self.subkey {
            Some(i) => self.key.secret_subkeys[i].key.unlock(&password, |_, _| Ok(())),
            None => self.key.primary_key.unlock(&password, |_, _| Ok(())),
        };
        match unlocked {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(signature_error(format!("Error unlocking key {}: {e}", self.fingerprint()))),
            Err(_) if self.passphrase.is_empty() => Err(signature_error(format!(
                "Key {} is protected by a passphrase, and none was given",
                self.fingerprint()
            ))),
            Err(_) => Err(signature_error(format!("Wrong passphrase for key {}", self.fingerprint()))),
        }
    }
}

/// A subkey bound to the primary with the signing flag (its back-signature is checked when a
/// signature is verified; gpg does not sign with a subkey that lacks one).
fn is_signing_subkey(key: &SignedSecretKey, subkey: &SignedSecretSubKey) -> bool {
    let primary = key.primary_key.public_key();
    subkey.signatures.iter().any(|sig| {
        sig.typ() == Some(SignatureType::SubkeyBinding)
            && sig.key_flags().sign()
            && sig.verify_subkey_binding(primary, subkey.key.public_key()).is_ok()
    })
}
