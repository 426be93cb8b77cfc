//! Public keys: reading a keyring (`gpg --export`, binary or armored) and deciding whether a key
//! may sign now — its self-signatures verify, it is neither revoked nor expired, and a subkey is
//! bound to its primary for signing (with the back-signature gpg requires).

use pgp::composed::{Deserializable, SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{PublicKey, PublicSubkey, Signature, SignatureType};
use pgp::types::{KeyDetails, KeyId, Tag};

use super::{fingerprint_hex, is_armored, signature_error};
use crate::error::{Error, Result};

/// A set of OpenPGP public keys that signatures are checked against.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

/// The key a signature names, found in a keyring.
pub(crate) struct SignerKey<'a> {
    /// The certificate (primary key and its components).
    pub(crate) certificate: &'a SignedPublicKey,
    /// The signing subkey, when the signature was made by one rather than by the primary key.
    pub(crate) subkey: Option<&'a SignedPublicSubKey>,
}

impl Keyring {
    /// Reads one or many public keys, binary or ASCII-armored (several armored blocks may follow
    /// each other). Input without any key, or that is not a keyring, is an error.
    pub fn parse(bytes: &[u8]) -> Result<Keyring> {
        let bad = |e: pgp::errors::Error| Error::Signature(format!("Error reading public keys: {e}"));
        let keys: Vec<SignedPublicKey> = if is_armored(bytes) {
            let (keys, _headers) = SignedPublicKey::from_armor_many(bytes).map_err(bad)?;
            keys.collect::<std::result::Result<_, _>>().map_err(bad)?
        } else {
            SignedPublicKey::from_bytes_many(bytes).map_err(bad)?.collect::<std::result::Result<_, _>>().map_err(bad)?
        };
        if keys.is_empty() {
            return Err(Error::Signature("Error reading public keys: no OpenPGP public key found".into()));
        }
        Ok(Keyring { keys })
    }

    /// Adds the keys of `other` (a key already present is kept once).
    pub fn extend(&mut self, other: Keyring) {
        for key in other.keys {
            if !self.keys.iter().any(|k| k.primary_key.fingerprint() == key.primary_key.fingerprint()) {
                self.keys.push(key);
            }
        }
    }

    /// The fingerprints of the primary keys, uppercase hex, in keyring order.
    pub fn fingerprints(&self) -> Vec<String> {
        self.keys.iter().map(|k| fingerprint_hex(&k.primary_key.fingerprint())).collect()
    }

    /// The key (primary or subkey) that issued `signature`, by its issuer fingerprint or key ID.
    pub(crate) fn find_signer(&self, signature: &Signature) -> Option<SignerKey<'_>> {
        let fingerprints = signature.issuer_fingerprint();
        let key_ids = signature.issuer_key_id();
        let names = |key: &dyn KeyDetails| {
            let fingerprint = key.fingerprint();
            fingerprints.iter().any(|f| **f == fingerprint) || key_ids.iter().any(|id| **id == key.legacy_key_id())
        };
        self.keys.iter().find_map(|certificate| {
            if names(&certificate.primary_key) {
                return Some(SignerKey { certificate, subkey: None });
            }
            let subkey = certificate.public_subkeys.iter().find(|s| names(&s.key))?;
            Some(SignerKey { certificate, subkey: Some(subkey) })
        })
    }
}

impl SignerKey<'_> {
    /// The fingerprint of the primary key, uppercase hex.
    pub(crate) fn primary_fingerprint(&self) -> String {
        fingerprint_hex(&self.certificate.primary_key.fingerprint())
    }

    /// The fingerprint of the key that made the signature (the subkey's, if a subkey did).
    pub(crate) fn signing_fingerprint(&self) -> String {
        match self.subkey {
            Some(subkey) => fingerprint_hex(&subkey.key.fingerprint()),
            None => self.primary_fingerprint(),
        }
    }

    /// Checks that this key may sign at `now` (Unix seconds): the primary key has a valid
    /// self-signature and is neither revoked nor expired; a subkey also has a valid binding
    /// that allows signing, a valid back-signature, and is neither revoked nor expired.
    pub(crate) fn check_usable(&self, now: i64) -> Result<()> {
        let primary = &self.certificate.primary_key;
        let fingerprint = self.primary_fingerprint();
        if self.certificate.details.revocation_signatures.iter().any(|sig| sig.verify_key(primary).is_ok()) {
            return Err(signature_error(format!("Key {fingerprint} has been revoked")));
        }
        let self_signature = newest(self.primary_self_signatures())
            .ok_or_else(|| signature_error(format!("Key {fingerprint} has no valid self-signature")))?;
        check_not_expired(&fingerprint, primary.created_at().as_secs(), self_signature, now)?;

        let Some(subkey) = self.subkey else {
            if has_key_flags(self_signature) && !self_signature.key_flags().sign() {
                return Err(signature_error(format!("Key {fingerprint} is not a signing key")));
            }
            return Ok(());
        };
        let subkey_fingerprint = fingerprint_hex(&subkey.key.fingerprint());
        let revoked = subkey.signatures.iter().any(|sig| {
            sig.typ() == Some(SignatureType::SubkeyRevocation)
                && sig.verify_subkey_binding(primary, &subkey.key).is_ok()
        });
        if revoked {
            return Err(signature_error(format!("Subkey {subkey_fingerprint} of key {fingerprint} has been revoked")));
        }
        let binding = newest(valid_bindings(primary, &subkey.key, &subkey.signatures)).ok_or_else(|| {
            signature_error(format!("Subkey {subkey_fingerprint} of key {fingerprint} has no valid signing binding"))
        })?;
        check_not_expired(&subkey_fingerprint, subkey.key.created_at().as_secs(), binding, now)
    }

    fn primary_self_signatures(&self) -> impl Iterator<Item = &Signature> {
        let primary: &PublicKey = &self.certificate.primary_key;
        let details = &self.certificate.details;
        let certifications = details.users.iter().flat_map(move |user| {
            user.signatures.iter().filter(move |sig| {
                is_self_issued(sig, primary) && sig.verify_certification(primary, Tag::UserId, &user.id).is_ok()
            })
        });
        let direct = details.direct_signatures.iter().filter(move |sig| sig.verify_key(primary).is_ok());
        certifications.chain(direct)
    }
}

/// Subkey binding signatures by `primary` that allow signing and carry a valid back-signature.
fn valid_bindings<'a>(
    primary: &'a PublicKey,
    subkey: &'a PublicSubkey,
    signatures: &'a [Signature],
) -> impl Iterator<Item = &'a Signature> {
    signatures.iter().filter(move |sig| {
        sig.typ() == Some(SignatureType::SubkeyBinding)
            && sig.verify_subkey_binding(primary, subkey).is_ok()
            && sig.key_flags().sign()
            && sig.embedded_signature().is_some_and(|back| back.verify_primary_key_binding(subkey, primary).is_ok())
    })
}

/// Whether `sig` says it was issued by `key` (a signature naming no issuer is tried anyway).
fn is_self_issued(sig: &Signature, key: &PublicKey) -> bool {
    let ids: Vec<&KeyId> = sig.issuer_key_id();
    let fingerprints = sig.issuer_fingerprint();
    (ids.is_empty() && fingerprints.is_empty())
        || ids.iter().any(|id| **id == key.legacy_key_id())
        || fingerprints.iter().any(|f| **f == key.fingerprint())
}

/// The signature with the latest creation time.
fn newest<'a>(signatures: impl Iterator<Item = &'a Signature>) -> Option<&'a Signature> {
    signatures.max_by_key(|sig| sig.created().map(|t| t.as_secs()).unwrap_or(0))
}

fn has_key_flags(sig: &Signature) -> bool {
    sig.config()
        .is_some_and(|c| c.hashed_subpackets().any(|p| matches!(p.data, pgp::packet::SubpacketData::KeyFlags(_))))
}

/// A key expires `key_expiration_time` seconds after its creation (zero or absent: never).
fn check_not_expired(fingerprint: &str, created: u32, self_signature: &Signature, now: i64) -> Result<()> {
    let Some(lifetime) = self_signature.key_expiration_time().map(|d| d.as_secs()).filter(|s| *s > 0) else {
        return Ok(());
    };
    let expiry = i64::from(created) + i64::from(lifetime);
    if now >= expiry {
        return Err(signature_error(format!("Key {fingerprint} expired on {}", crate::go::time::rfc3339_utc(expiry))));
    }
    Ok(())
}
