//! `skopos manifest-digest`: the digest of a manifest file.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::manifest::manifest_digest;

/// Compute a manifest digest of a file
#[derive(Debug, Args)]
pub struct ManifestDigestArgs {
    /// The manifest file
    #[arg(value_name = "MANIFEST")]
    pub file: PathBuf,
}

/// Runs `manifest-digest` and returns what goes to stdout.
///
/// Unlike skopeo, a file that is not JSON is refused rather than hashed: it is not a manifest.
pub async fn run(args: &ManifestDigestArgs) -> Result<Vec<u8>> {
    let raw =
        std::fs::read(&args.file).map_err(|e| Error::io(format!("reading manifest {}", args.file.display()), e))?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&raw).is_err() {
        return Err(Error::InvalidManifest(format!("{} is not JSON", args.file.display())));
    }
    let digest = manifest_digest(&raw)?;
    Ok(format!("{digest}\n").into_bytes())
}
