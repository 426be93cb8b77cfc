//! The user's GnuPG keyring, through the `gpg` program (as skopeo's gpgme does): signing with
//! a secret key named by fingerprint (`--sign-by`), and exporting public keys for the pure-Rust
//! verifier (`standalone-verify` without `--public-key-file`).
//!
//! `gpg` finds its keyring as usual (`GNUPGHOME`, else `~/.gnupg`). A passphrase comes from
//! `--passphrase-file` through loopback pinentry; without one, gpg-agent asks the user.

use std::path::PathBuf;

use crate::copy::trust::sign_simple;
use crate::copy::Signer;
use crate::error::{Error, Result};
use crate::native::process::run_with_input;
use crate::signature::Signature;

/// The `gpg` program: `$SKOPOS_GPG` if set, else `gpg` on `PATH`.
fn program() -> PathBuf {
    std::env::var_os("SKOPOS_GPG").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("gpg"))
}

/// The last line gpg printed on stderr, with control characters removed.
fn last_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
    line.chars().filter(|c| !c.is_control()).collect()
}

/// Runs gpg with `args`, feeding `input`, and returns its standard output.
fn run(args: &[&std::ffi::OsStr], input: &[u8], what: &str) -> Result<Vec<u8>> {
    let output = run_with_input(program().as_os_str(), args, input, &format!("{what}: running gpg"))?;
    if !output.status.success() {
        return Err(Error::Signature(format!("{what}: {}", last_message(&output.stderr))));
    }
    Ok(output.stdout)
}

/// Signs with the secret key `fingerprint` of the user's keyring.
pub struct GpgSigner {
    fingerprint: String,
    passphrase_file: Option<PathBuf>,
}

impl GpgSigner {
    /// A signer for `fingerprint`, unlocking it with the passphrase in `passphrase_file` (its
    /// first line) when given.
    pub fn new(fingerprint: &str, passphrase_file: Option<PathBuf>) -> Self {
        GpgSigner { fingerprint: fingerprint.to_string(), passphrase_file }
    }

    /// The OpenPGP signed message over `payload` (`gpg --sign`).
    pub fn sign_message(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let mut args: Vec<std::ffi::OsString> =
            vec!["--no-tty".into(), "--local-user".into(), self.fingerprint.clone().into()];
        if let Some(file) = &self.passphrase_file {
            args.extend(["--batch".into(), "--pinentry-mode".into(), "loopback".into(), "--passphrase-file".into()]);
            args.push(file.clone().into());
        }
        args.push("--sign".into());
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let what = format!("Error creating signature with GnuPG key {}", self.fingerprint);
        let signature = run(&args, payload, &what)?;
        if signature.is_empty() {
            return Err(Error::Signature(format!("{what}: gpg wrote no signature")));
        }
        Ok(signature)
    }
}

impl Signer for GpgSigner {
    fn sign(&self, manifest: &[u8], docker_reference: &str) -> Result<Signature> {
        sign_simple(manifest, docker_reference, |payload| self.sign_message(payload))
    }
}

/// The public keys of `fingerprints` from the user's keyring, as one binary keyring.
pub fn export_public_keys(fingerprints: &[String]) -> Result<Vec<u8>> {
    let mut args: Vec<&std::ffi::OsStr> = vec!["--batch".as_ref(), "--no-tty".as_ref(), "--export".as_ref()];
    args.extend(fingerprints.iter().map(|f| std::ffi::OsStr::new(f.as_str())));
    let keys = run(&args, &[], "exporting public keys from the GnuPG keyring")?;
    if keys.is_empty() {
        return Err(Error::Signature(format!("no public key for {} in the GnuPG keyring", fingerprints.join(", "))));
    }
    Ok(keys)
}
