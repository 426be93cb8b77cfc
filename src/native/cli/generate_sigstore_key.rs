//! `generate-sigstore-key --output-prefix PREFIX`: a sigstore (cosign) key pair, the public key
//! in `PREFIX.pub` (PEM, PKIX) and the private key in `PREFIX.private` (PEM `ENCRYPTED SIGSTORE
//! PRIVATE KEY`, mode 0600), with skopeo's arguments, messages and output.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use clap::Args;

use super::trust::read_passphrase;
use crate::error::{Error, Result};
use crate::sigstore::PrivateKey;

/// Generate a sigstore public/private key pair
#[derive(Debug, Args)]
pub struct GenerateSigstoreKeyArgs {
    /// Write the keys to PREFIX.pub and PREFIX.private
    #[arg(long, value_name = "PREFIX", required = true)]
    pub output_prefix: String,
    /// Read a passphrase for the private key from PATH
    #[arg(long, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
}

/// skopeo's refusal to overwrite a key file.
fn ensure_absent(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Err(Error::Config(format!("Refusing to overwrite existing {:?}", path.display().to_string()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!("Error checking existence of {:?}", path.display().to_string()), e)),
    }
}

/// Asks for the passphrase twice on the terminal.
fn prompt_passphrase(private: &Path) -> Result<String> {
    let ask = |prompt: &str| rpassword::prompt_password(prompt).map_err(|e| Error::io("reading the passphrase", e));
    let first = ask(&format!("Enter a passphrase for {:?}: ", private.display().to_string()))?;
    let second = ask("Enter the passphrase again: ")?;
    if first != second {
        return Err(Error::Config("Passphrases do not match".into()));
    }
    Ok(first)
}

/// Creates `path` with `mode`, refusing to replace a file that appeared meanwhile.
fn write_new(path: &Path, bytes: &[u8], mode: u32, what: &str) -> Result<()> {
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()));
    written.map_err(|e| Error::io(format!("Error writing {what} to {:?}", path.display().to_string()), e))
}

/// Runs `generate-sigstore-key`; prints `Key written to "P.private" and "P.pub"`.
pub async fn run(args: &GenerateSigstoreKeyArgs) -> Result<Vec<u8>> {
    let public_path = PathBuf::from(format!("{}.pub", args.output_prefix));
    let private_path = PathBuf::from(format!("{}.private", args.output_prefix));
    ensure_absent(&public_path)?;
    ensure_absent(&private_path)?;
    let passphrase = match read_passphrase(args.passphrase_file.as_deref())? {
        Some(passphrase) => passphrase,
        None => prompt_passphrase(&private_path)?,
    };
    let key = PrivateKey::generate();
    let private_pem = key
        .to_encrypted_pem(passphrase.as_bytes())
        .map_err(|e| Error::Signature(format!("Error generating key pair: {e}")))?;
    write_new(&private_path, private_pem.as_bytes(), 0o600, "private key")?;
    if let Err(e) = write_new(&public_path, key.public_key().to_pem().as_bytes(), 0o644, "public key") {
        let _ = std::fs::remove_file(&private_path);
        return Err(e);
    }
    Ok(format!("Key written to {:?} and {:?}", private_path.display().to_string(), public_path.display().to_string())
        .into_bytes())
}
