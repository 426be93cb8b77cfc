//! `skopos copy SRC DST`: copies an image between any two transports.

use clap::Args;

use super::connect::{open_destination, open_source};
use super::copy_flags::{help_order, CopyFlags};
use super::endpoint_options::{DestinationOptions, SourceOptions};
use super::options::GlobalOptions;
use super::progress::reporter;
use super::retry::RetryOptions;
use super::trust::source_policy;
use std::sync::Arc;

use crate::copy::{copy_image, Compression, CopyOptions, LayerEdit, MultiArch};
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use crate::native::codec::NativeCodec;

/// The order `skopos copy --help` lists its flags in (clap ids).
pub const HELP_ORDER: &[&str] = &[
    "all",
    "multi_arch",
    "authfile",
    "src_authfile",
    "src_creds",
    "src_username",
    "src_password",
    "src_no_creds",
    "src_registry_token",
    "src_cert_dir",
    "src_tls_verify",
    "dest_authfile",
    "dest_creds",
    "dest_username",
    "dest_password",
    "dest_no_creds",
    "dest_registry_token",
    "dest_cert_dir",
    "dest_tls_verify",
    "preserve_digests",
    "digestfile",
    "format",
    "dest_compress",
    "dest_compress_format",
    "dest_compress_level",
    "dest_decompress",
    "image_parallel_copies",
    "quiet",
    "remove_signatures",
    "retry_times",
    "retry_delay",
    "sign_by",
    "sign_by_key_file",
    "sign_identity",
    "sign_passphrase_file",
];

/// Copy an IMAGE-NAME from one location to another
#[derive(Debug, Args)]
#[command(mut_args(help_order(HELP_ORDER)))]
pub struct CopyArgs {
    #[command(flatten)]
    pub flags: CopyFlags,
    /// How to handle multi-architecture images: system, all, or index-only
    #[arg(long, value_name = "LIST-MODE", value_parser = ["system", "all", "index-only"], conflicts_with = "all")]
    pub multi_arch: Option<String>,
    #[command(flatten)]
    pub source: SourceOptions,
    #[command(flatten)]
    pub destination: DestinationOptions,
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
    #[command(flatten)]
    pub retry: RetryOptions,
    /// Identity of signed image, must be a fully specified docker reference. Defaults to the target docker reference.
    #[arg(long, value_name = "DOCKER-REFERENCE")]
    pub sign_identity: Option<String>,
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
        match (self.flags.all, self.multi_arch.as_deref()) {
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
        layer_edit: args.layer_edit()?,
        codec: Some(Arc::new(NativeCodec { level: args.dest_compress_level })),
        policy: Some(source_policy(global, &source_name)?),
        signing: args.flags.signing(args.sign_identity.as_deref())?,
        ..args.flags.copy_options(global)?
    };
    let source_options = args.source.image_options(args.flags.authfile.as_ref());
    let destination_options = args.destination.image_options(args.flags.authfile.as_ref());
    let progress = reporter(args.flags.quiet);
    let report = args
        .retry
        .run(|| async {
            let source = open_source(&source_name, &source_options).await?;
            let destination = open_destination(&destination_name, &destination_options).await?;
            copy_image(&source, &destination, &options, &progress).await
        })
        .await?;
    if let Some(path) = &args.flags.digestfile {
        std::fs::write(path, report.digest.to_string())
            .map_err(|e| Error::io(format!("writing digest file {}", path.display()), e))?;
    }
    Ok(Vec::new())
}
