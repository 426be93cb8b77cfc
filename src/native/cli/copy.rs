//! `skopos copy SRC DST`: copies an image between any two transports.

use std::path::PathBuf;

use clap::Args;

use super::connect::{open_destination, open_source};
use super::endpoint_options::{DestinationOptions, SourceOptions};
use super::options::GlobalOptions;
use super::progress::reporter;
use super::retry::RetryOptions;
use std::sync::Arc;

use crate::copy::{copy_image, Compression, CopyOptions, LayerEdit, MultiArch, TargetFormat};
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use crate::native::codec::NativeCodec;

/// Copy an IMAGE-NAME from one location to another
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Copy all images if SOURCE-IMAGE is a list (same as --multi-arch all)
    #[arg(short = 'a', long, conflicts_with = "multi_arch")]
    pub all: bool,
    /// How to handle multi-architecture images: system, all, or index-only
    #[arg(long, value_name = "LIST-MODE", value_parser = ["system", "all", "index-only"])]
    pub multi_arch: Option<String>,
    /// Path of the authentication file, for both source and destination
    #[arg(long, env = "REGISTRY_AUTH_FILE", value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceOptions,
    #[command(flatten)]
    pub destination: DestinationOptions,
    /// Do not change the manifest digest (refuse conversions)
    #[arg(long)]
    pub preserve_digests: bool,
    /// Write the digest of the copied manifest to PATH
    #[arg(long, value_name = "PATH")]
    pub digestfile: Option<PathBuf>,
    /// MANIFEST TYPE (oci, v2s2) to use in the destination
    #[arg(short = 'f', long = "format", value_name = "MANIFEST-TYPE")]
    pub format: Option<String>,
    /// Compress layers when writing them (default format gzip)
    #[arg(long)]
    pub dest_compress: bool,
    /// Compression format for layers written to the destination: gzip or zstd
    #[arg(long, value_name = "FORMAT", conflicts_with = "dest_decompress")]
    pub dest_compress_format: Option<String>,
    /// Compression level for --dest-compress-format
    #[arg(long, value_name = "LEVEL", allow_negative_numbers = true)]
    pub dest_compress_level: Option<i32>,
    /// Decompress layers when writing them
    #[arg(long, conflicts_with = "dest_compress")]
    pub dest_decompress: bool,
    /// Maximum number of blobs copied at once
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub image_parallel_copies: usize,
    /// Suppress output information when copying images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[command(flatten)]
    pub retry: RetryOptions,
    /// The image to copy from, as TRANSPORT:REFERENCE
    #[arg(value_name = "SOURCE-IMAGE")]
    pub source_name: String,
    /// The image to copy to, as TRANSPORT:REFERENCE
    #[arg(value_name = "DESTINATION-IMAGE")]
    pub destination_name: String,
}

impl CopyArgs {
    fn layer_edit(&self) -> Result<Option<LayerEdit>> {
        if self.dest_decompress {
            return Ok(Some(LayerEdit::Decompress));
        }
        match (&self.dest_compress_format, self.dest_compress) {
            (Some(format), _) => Ok(Some(LayerEdit::Compress(Compression::parse(format)?))),
            (None, true) => Ok(Some(LayerEdit::Compress(Compression::Gzip))),
            (None, false) => Ok(None),
        }
    }

    fn multi_arch(&self) -> MultiArch {
        match (self.all, self.multi_arch.as_deref()) {
            (true, _) | (_, Some("all")) => MultiArch::All,
            (_, Some("index-only")) => MultiArch::IndexOnly,
            _ => MultiArch::System,
        }
    }
}

/// Runs `copy`; progress goes to stderr and nothing to stdout.
pub async fn run(args: &CopyArgs, global: &GlobalOptions) -> Result<Vec<u8>> {
    let source_name = ImageName::parse(&args.source_name)?;
    let destination_name = ImageName::parse(&args.destination_name)?;
    let options = CopyOptions {
        multi_arch: args.multi_arch(),
        platform: global.platform(),
        parallel: args.image_parallel_copies.max(1),
        preserve_digests: args.preserve_digests,
        format: args.format.as_deref().map(TargetFormat::parse).transpose()?,
        layer_edit: args.layer_edit()?,
        codec: Some(Arc::new(NativeCodec { level: args.dest_compress_level })),
        skip_if_present: false,
    };
    let source_options = args.source.image_options(args.authfile.as_ref());
    let destination_options = args.destination.image_options(args.authfile.as_ref());
    let progress = reporter(args.quiet);
    let report = args
        .retry
        .run(|| async {
            let source = open_source(&source_name, &source_options).await?;
            let destination = open_destination(&destination_name, &destination_options).await?;
            copy_image(&source, &destination, &options, &progress).await
        })
        .await?;
    if let Some(path) = &args.digestfile {
        std::fs::write(path, report.digest.to_string())
            .map_err(|e| Error::io(format!("writing digest file {}", path.display()), e))?;
    }
    Ok(Vec::new())
}
