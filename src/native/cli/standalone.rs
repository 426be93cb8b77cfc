//! `standalone-sign`, `standalone-verify` and the hidden
//! `untrusted-signature-dump-without-verification`: simple signatures over local files, with
//! skopeo's arguments, output and error texts.

use std::path::{Path, PathBuf};

use clap::Args;

use super::trust::read_passphrase;
use crate::error::{Error, Result};
use crate::native::gpg::{self, GpgSigner};
use crate::signature::{self, Keyring, SigningKey};

/// Create a signature using local files
#[derive(Debug, Args)]
pub struct StandaloneSignArgs {
    /// output the signature to SIGNATURE
    #[arg(short = 'o', long, value_name = "SIGNATURE", required = true)]
    pub output: PathBuf,
    /// file that contains a passphrase for the --sign-by key
    #[arg(long, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,
    /// Sign with the OpenPGP secret key in PATH instead of the GnuPG keyring (its fingerprint must be KEY-FINGERPRINT)
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    #[arg(value_name = "DOCKER-REFERENCE")]
    pub reference: String,
    #[arg(value_name = "KEY-FINGERPRINT")]
    pub fingerprint: String,
}

/// Verify a signature using local files
///
/// KEY-FINGERPRINTS can be a comma separated list of fingerprints, or "any" if you trust all the keys in the public key file.
#[derive(Debug, Args)]
pub struct StandaloneVerifyArgs {
    /// File containing public keys. If not specified, will use local GPG keys.
    #[arg(long, value_name = "PATH")]
    pub public_key_file: Option<PathBuf>,
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    #[arg(value_name = "DOCKER-REFERENCE")]
    pub reference: String,
    #[arg(value_name = "KEY-FINGERPRINTS")]
    pub fingerprints: String,
    #[arg(value_name = "SIGNATURE")]
    pub signature: PathBuf,
}

/// Dump contents of a signature WITHOUT VERIFYING IT
#[derive(Debug, Args)]
pub struct UntrustedDumpArgs {
    #[arg(value_name = "SIGNATURE")]
    pub signature: PathBuf,
}

/// Reads a whole local file, naming it as skopeo does on failure.
fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(format!("Error reading {what} from {}", path.display()), e))
}

/// Reads a signature file, refusing one larger than containers/image accepts.
fn read_signature(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("Error reading signature from {}", path.display()), e))?;
    crate::native::lookaside::read_at_most(file, &path.display().to_string())
}

/// Runs `standalone-sign`: writes the signature and prints nothing.
pub async fn sign(args: &StandaloneSignArgs) -> Result<Vec<u8>> {
    let manifest = read(&args.manifest, "manifest")?;
    let payload = signature::payload_for(&manifest, &args.reference)
        .map_err(|e| Error::Signature(format!("Error creating signature: {e}")))?;
    let signed = match &args.key_file {
        Some(path) => {
            let passphrase = read_passphrase(args.passphrase_file.as_deref())?;
            let key = SigningKey::parse(&read(path, "signing key")?, passphrase.as_deref())?;
            if !key.fingerprint().eq_ignore_ascii_case(&args.fingerprint) {
                return Err(Error::Signature(format!(
                    "Error creating signature: the key in {} has fingerprint {}, not {}",
                    path.display(),
                    key.fingerprint(),
                    args.fingerprint
                )));
            }
            key.sign(&payload)?
        }
        None => GpgSigner::new(&args.fingerprint, args.passphrase_file.clone()).sign_message(&payload)?,
    };
    std::fs::write(&args.output, signed)
        .map_err(|e| Error::io(format!("Error writing signature to {}", args.output.display()), e))?;
    Ok(Vec::new())
}

/// Runs `standalone-verify`: prints skopeo's "Signature verified using fingerprint …" line.
pub async fn verify(args: &StandaloneVerifyArgs) -> Result<Vec<u8>> {
    let fingerprints: Vec<String> = args.fingerprints.split(',').map(str::to_string).collect();
    let any = fingerprints.len() == 1 && fingerprints[0] == "any";
    if any && args.public_key_file.is_none() {
        return Err(Error::Config("Cannot use any fingerprint without a public key file".into()));
    }
    let manifest = read(&args.manifest, "manifest")?;
    let signature = read_signature(&args.signature)?;
    let keyring = match &args.public_key_file {
        Some(path) => Keyring::parse(&read(path, "public keys")?)
            .map_err(|e| Error::Signature(format!("Error initializing GPG: {e}")))?,
        None => Keyring::parse(&gpg::export_public_keys(&fingerprints)?)?,
    };
    let accepted = if any { None } else { Some(fingerprints.as_slice()) };
    let verified = signature::verify_standalone(&keyring, accepted, &signature, &manifest, &args.reference)
        .map_err(|e| Error::Signature(format!("Error verifying signature: {e}")))?;
    Ok(format!(
        "Signature verified using fingerprint {}, digest {}\n",
        verified.fingerprint, verified.signature.docker_manifest_digest
    )
    .into_bytes())
}

/// Runs `untrusted-signature-dump-without-verification`.
pub async fn dump(args: &UntrustedDumpArgs) -> Result<Vec<u8>> {
    let signature = read_signature(&args.signature)?;
    let info = signature::dump::untrusted_information(&signature)
        .map_err(|e| Error::Signature(format!("Error decoding untrusted signature: {e}")))?;
    Ok(signature::dump::render(&info)?.into_bytes())
}
