//! `skopos inspect`: skopeo's inspect document, the raw manifest, or the config.

use clap::Args;

use super::connect::open_source;
use super::options::{GlobalOptions, ImageOptions};
use crate::error::{Error, Result};
use crate::go::time::Timestamp;
use crate::image::inspect::{oci_config, resolve, summarize, tags_unless_denied, InspectOutput};
use crate::image::name::ImageName;
use crate::image::ImageSource;
use crate::output::{json::to_go_json_pretty, template};

/// Inspect image IMAGE-NAME
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Output raw manifest or configuration
    #[arg(long)]
    pub raw: bool,
    /// Output configuration
    #[arg(long)]
    pub config: bool,
    /// Format the output to a Go template
    #[arg(short = 'f', long, value_name = "TEMPLATE")]
    pub format: Option<String>,
    /// Do not list the available tags from the repository in the output
    #[arg(short = 'n', long)]
    pub no_tags: bool,
    #[command(flatten)]
    pub image: ImageOptions,
    /// The image, as TRANSPORT:REFERENCE (docker://, dir:, oci:)
    #[arg(value_name = "IMAGE-NAME")]
    pub name: String,
}

/// Runs `inspect` and returns what goes to stdout.
pub async fn run(args: &InspectArgs, global: &GlobalOptions) -> Result<Vec<u8>> {
    let format = args.format.as_deref().filter(|f| !f.is_empty());
    if args.raw && format.is_some() {
        return Err(Error::Config("raw output does not support format option".into()));
    }
    let name = ImageName::parse(&args.name)?;
    let source = open_source(&name, &args.image).await?;
    if args.raw && !args.config {
        return Ok(source.manifest(None).await?.manifest.into_raw());
    }
    let image = resolve(&source, &global.platform()).await?;
    if args.config {
        if args.raw {
            return image.config.ok_or_else(|| Error::Unsupported("this image has no config blob (schema 1)".into()));
        }
        let config = oci_config(&image)?;
        return write_output(format, &config, serde_json::to_value(&config).unwrap_or_default());
    }
    let tags = if !args.no_tags && matches!(name, ImageName::Docker { .. }) {
        tags_unless_denied(&source).await?.unwrap_or_else(|| {
            eprintln!("warning: registry disallows tag list retrieval; skipping");
            Vec::new()
        })
    } else {
        Vec::new()
    };
    let output = summarize(&image, source.docker_name(), tags)?;
    let view = template_view(&output);
    write_output(format, &output, view)
}

/// Prints `data` as skopeo does: indented JSON, or through a Go template.
fn write_output<T: serde::Serialize>(format: Option<&str>, data: &T, view: serde_json::Value) -> Result<Vec<u8>> {
    match format {
        Some(f) if !template::is_json_format(f) => Ok(template::render(f, &view)?.into_bytes()),
        _ => Ok(format!("{}\n", to_go_json_pretty(data)).into_bytes()),
    }
}

/// The inspect document as Go templates see it: times print as `time.Time` does, and nil maps and
/// slices print empty.
fn template_view(output: &InspectOutput) -> serde_json::Value {
    let mut view = serde_json::to_value(output).unwrap_or_default();
    if let Some(object) = view.as_object_mut() {
        if let Some(created) = output.created.as_deref().and_then(Timestamp::parse) {
            object.insert("Created".into(), created.to_go_string().into());
        }
        for (key, empty) in [("Labels", serde_json::json!({})), ("Env", serde_json::json!([]))] {
            if object.get(key).is_some_and(|v| v.is_null()) {
                object.insert(key.into(), empty);
            }
        }
        object.entry("Name").or_insert_with(|| "".into());
    }
    view
}
