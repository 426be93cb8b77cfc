//! The passphrase-encrypted envelope of sigstore private keys (go-securesystemslib's `encrypted`
//! package, which containers/image and cosign use): a JSON document naming the key derivation
//! (scrypt, its parameters, a random salt) and the cipher (NaCl secretbox, XSalsa20-Poly1305, a
//! random nonce), and the sealed bytes, all binary values in standard base64.
//!
//! ```json
//! {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"…"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"…"},"ciphertext":"…"}
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use serde_json::Value;

/// The salt length written: 32 bytes.
pub const SALT_SIZE: usize = 32;
/// The secretbox nonce length: 24 bytes.
pub const NONCE_SIZE: usize = 24;
/// The derived key length: a secretbox key, 32 bytes.
const KEY_SIZE: usize = 32;

/// scrypt's cost parameters as the envelope names them (`N`, `r`, `p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptParams {
    /// The CPU/memory cost, a power of two.
    pub n: u64,
    /// The block size.
    pub r: u32,
    /// The parallelism.
    pub p: u32,
}

/// The parameters written: N = 2^15, r = 8, p = 1, what containers/image's sigstore keys use.
pub const WRITTEN_PARAMS: ScryptParams = ScryptParams { n: 1 << 15, r: 8, p: 1 };

/// The parameters read (go-securesystemslib's legacy, standard and OWASP levels: N = 2^15, 2^16,
/// 2^17 with r = 8, p = 1); any other set is refused before any work, so a tampered file cannot
/// make the key derivation arbitrarily expensive.
pub const ACCEPTED_PARAMS: [ScryptParams; 3] =
    [WRITTEN_PARAMS, ScryptParams { n: 1 << 16, r: 8, p: 1 }, ScryptParams { n: 1 << 17, r: 8, p: 1 }];

/// Seals `plaintext` under `passphrase` with `salt` and `nonce` (fresh random values for every
/// envelope: the caller's), returning the envelope's JSON as go-securesystemslib marshals it.
pub fn seal(
    plaintext: &[u8],
    passphrase: &[u8],
    salt: &[u8; SALT_SIZE],
    nonce: &[u8; NONCE_SIZE],
) -> std::result::Result<Vec<u8>, String> {
    let key = derive_key(passphrase, salt, WRITTEN_PARAMS)?;
    let sealed = XSalsa20Poly1305::new(Key::from_slice(&key))
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .map_err(|_| "encrypted: encryption failed".to_string())?;
    let ScryptParams { n, r, p } = WRITTEN_PARAMS;
    // Go's json.Marshal of the envelope struct: fields in declaration order, []byte as base64.
    Ok(format!(
        r#"{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":{r},"p":{p}}},"salt":"{}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"{}"}}"#,
        STANDARD.encode(salt),
        STANDARD.encode(nonce),
        STANDARD.encode(sealed)
    )
    .into_bytes())
}

/// Opens an envelope with `passphrase`, in go-securesystemslib's order and words: the JSON, the
/// KDF name, the cipher name, the scrypt parameters (one of [`ACCEPTED_PARAMS`]), the nonce size,
/// then the authenticated decryption (a wrong passphrase fails here). Missing members read as
/// empty, as Go's decoder leaves them.
pub fn open(envelope: &[u8], passphrase: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let document: Value = serde_json::from_slice(envelope).map_err(|e| e.to_string())?;
    if !document.is_object() {
        return Err(format!("json: cannot unmarshal {} into Go value of type encrypted.data", json_kind(&document)));
    }
    let kdf = &document["kdf"];
    let cipher = &document["cipher"];
    let kdf_name = string_member(kdf, "name", "kdf.name")?;
    if kdf_name != "scrypt" {
        return Err(format!("encrypted: unknown kdf name {kdf_name:?}"));
    }
    let cipher_name = string_member(cipher, "name", "cipher.name")?;
    if cipher_name != "nacl/secretbox" {
        return Err(format!("encrypted: unknown cipher name {cipher_name:?}"));
    }
    let params = &kdf["params"];
    let params = ScryptParams {
        n: integer_member(params, "N")?,
        r: integer_member(params, "r")?.try_into().unwrap_or(0),
        p: integer_member(params, "p")?.try_into().unwrap_or(0),
    };
    if !ACCEPTED_PARAMS.contains(&params) {
        return Err("unsupported scrypt parameters".to_string());
    }
    let salt = bytes_member(kdf, "salt", "kdf.salt")?;
    let nonce = bytes_member(cipher, "nonce", "cipher.nonce")?;
    let ciphertext = bytes_member(&document, "ciphertext", "ciphertext")?;
    let key = derive_key(passphrase, &salt, params)?;
    if nonce.len() != NONCE_SIZE {
        return Err("encrypted: incorrect nonce size".to_string());
    }
    XSalsa20Poly1305::new(Key::from_slice(&key))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| "encrypted: decryption failed".to_string())
}

/// The 32-byte secretbox key scrypt derives from `passphrase` and `salt`.
fn derive_key(passphrase: &[u8], salt: &[u8], params: ScryptParams) -> std::result::Result<[u8; KEY_SIZE], String> {
    let log_n = params.n.trailing_zeros();
    let invalid = || "encrypted: invalid scrypt parameters".to_string();
    if !params.n.is_power_of_two() || log_n >= 64 {
        return Err(invalid());
    }
    let params = scrypt::Params::new(log_n as u8, params.r, params.p, KEY_SIZE).map_err(|_| invalid())?;
    let mut key = [0u8; KEY_SIZE];
    scrypt::scrypt(passphrase, salt, &params, &mut key).map_err(|_| invalid())?;
    Ok(key)
}

/// The JSON type name Go's decoder uses in its "cannot unmarshal" messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A string member of `object` (empty when missing or null, as Go leaves it).
fn string_member<'a>(object: &'a Value, name: &str, field: &str) -> std::result::Result<&'a str, String> {
    match &object[name] {
        Value::Null => Ok(""),
        Value::String(s) => Ok(s),
        other => {
            Err(format!("json: cannot unmarshal {} into Go struct field {field} of type string", json_kind(other)))
        }
    }
}

/// A non-negative integer member of `object` (0 when missing or null).
fn integer_member(object: &Value, name: &str) -> std::result::Result<u64, String> {
    match &object[name] {
        Value::Null => Ok(0),
        Value::Number(n) => Ok(n.as_u64().unwrap_or(0)),
        other => {
            Err(format!("json: cannot unmarshal {} into Go struct field params.{name} of type int", json_kind(other)))
        }
    }
}

/// A base64 member of `object` (empty when missing or null), decoded as Go decodes `[]byte`.
fn bytes_member(object: &Value, name: &str, field: &str) -> std::result::Result<Vec<u8>, String> {
    let text = string_member(object, name, field)?;
    let text: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    STANDARD.decode(text.as_bytes()).map_err(|e| format!("illegal base64 data in {field}: {e}"))
}
