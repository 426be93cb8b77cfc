//! `skopos list-tags`: every tag of a repository, in the registry's order.

use clap::Args;
use serde::Serialize;

use super::connect::registry_client;
use super::options::ImageOptions;
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use crate::output::json::to_go_json_pretty;

/// List tags in the transport/repository specified by the SOURCE-IMAGE
#[derive(Debug, Args)]
pub struct ListTagsArgs {
    #[command(flatten)]
    pub image: ImageOptions,
    /// The repository, as docker://REGISTRY/REPOSITORY
    #[arg(value_name = "SOURCE-IMAGE")]
    pub name: String,
}

#[derive(Serialize)]
struct TagListing {
    #[serde(rename = "Repository")]
    repository: String,
    #[serde(rename = "Tags")]
    tags: Vec<String>,
}

/// Runs `list-tags` and returns what goes to stdout.
pub async fn run(args: &ListTagsArgs) -> Result<Vec<u8>> {
    let name = ImageName::parse(&args.name)?;
    let ImageName::Docker { reference, explicit } = name else {
        return Err(Error::Unsupported(format!(
            "listing tags is supported for docker:// only, not {}:",
            name.transport()
        )));
    };
    if explicit {
        return Err(Error::InvalidImageName {
            input: args.name.clone(),
            reason: "no tag or digest allowed in reference".into(),
        });
    }
    let client = registry_client(&reference, &args.image)?;
    let tags = client.list_tags(reference.repository()).await?;
    let listing = TagListing { repository: reference.name(), tags };
    Ok(format!("{}\n", to_go_json_pretty(&listing)).into_bytes())
}
