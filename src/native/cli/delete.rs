//! `skopos delete`: delete an image's manifest from a registry (`docker://` only).
//!
//! A tag is first resolved to its digest with a `HEAD`, then `DELETE /v2/<repo>/manifests/<digest>`
//! is sent. Note that this removes the manifest itself, so every tag pointing at it goes too.
//! Prints nothing on success, as skopeo.

use clap::Args;

use super::connect::registry_client;
use super::options::ImageOptions;
use super::retry::RetryOptions;
use crate::error::{Error, Result};
use crate::image::name::ImageName;

/// Delete an IMAGE-NAME from a transport
#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub image: ImageOptions,
    #[command(flatten)]
    pub retry: RetryOptions,
    /// The image, as docker://REFERENCE
    #[arg(value_name = "IMAGE-NAME")]
    pub name: String,
}

/// Runs `delete`; stdout stays empty.
pub async fn run(args: &DeleteArgs) -> Result<Vec<u8>> {
    let reference = match ImageName::parse(&args.name)? {
        ImageName::Docker { reference, .. } => reference.or_latest(),
        other => {
            return Err(Error::Unsupported(format!(
                "Deleting images not implemented for {}: images",
                other.transport()
            )))
        }
    };
    let client = registry_client(&reference, &args.image)?;
    let repository = reference.repository();
    let shown = match reference.digest() {
        Some(d) => format!("{}@{d}", reference.name()),
        None => format!("{}:{}", reference.name(), reference.manifest_reference()),
    };
    let missing = || {
        Error::NotFound(format!(
            "Unable to delete {shown}. Image may not exist or is not stored with a v2 Schema in a v2 registry"
        ))
    };
    args.retry
        .run(|| async {
            let wanted = reference.manifest_reference();
            let digest = match client.head_manifest(repository, &wanted).await? {
                None => return Err(missing()),
                Some(head) => match (reference.digest(), head.digest) {
                    (Some(d), _) => d.clone(),
                    (None, Some(d)) => d,
                    // No Docker-Content-Digest: fetch the manifest and hash it.
                    (None, None) => client.get_manifest(repository, &wanted).await?.digest,
                },
            };
            match client.delete_manifest(repository, &digest).await {
                Err(e) if e.is_not_found() => Err(missing()),
                other => other,
            }
        })
        .await?;
    Ok(Vec::new())
}
