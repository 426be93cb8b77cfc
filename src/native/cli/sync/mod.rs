//! `skopos sync --src docker|dir|yaml --dest docker|dir SOURCE DESTINATION`: copies every image
//! found at SOURCE to DESTINATION, as skopeo's `sync`.
//!
//! What it copies and where it puts it follow skopeo:
//! - `--src docker`: SOURCE is a repository (every tag) or one image (`repo:tag`, `repo@digest`);
//!   `--src dir`: every `dir:` image under the SOURCE directory; `--src yaml`: the images a
//!   YAML file names (see [`crate::native::sync_config`]).
//! - The destination is `DESTINATION/<last path component of the source>` (or the full source
//!   path with `--scoped`), joined as Go's `path.Join`, with `--append-suffix` added at the end.
//! - skopeo's log lines (`Copying image ref 1/3` with `from=` and `to=`) go to stderr, as its
//!   copy lines do here; `--dry-run` prints the `Would have copied` lines only.
//! - `--digestfile` gets one `DIGEST DESTINATION-IMAGE` line per image copied.
//!
//! Beyond skopeo:
//! - Before each copy, the destination is asked whether it already names the manifest the copy
//!   would write (the engine's `skip_if_present`: one `HEAD` on a registry); if so the image is
//!   skipped without reading any blob.
//! - A `dir:` destination that already holds an image is updated in place (blobs it has are
//!   kept and verified, `manifest.json` is replaced atomically) where skopeo refuses.
//! - Several images are copied at once (`--parallel-images`, default 4), each with its own blob
//!   parallelism. Destination names are all checked before anything is copied. Images of one
//!   repository often share blobs: one blob is uploaded to one destination repository by one
//!   copy at a time (the others then find it there), because distribution can lose a blob when
//!   two uploads of it finish at once ("blob unknown to registry" on the manifest).
//!
//! One job per module: `discover` finds the images at the source, `naming` names them at
//! the destination, `blob_locks` keeps uploads of one blob one at a time, `log` writes
//! skopeo's log lines; this module parses the flags and runs the copies.

mod blob_locks;
mod discover;
mod log;
mod naming;

use std::collections::BTreeMap;
use std::sync::Arc;

use clap::Args;
use futures_util::{stream, StreamExt};

use super::connect::{open_destination, open_source};
use super::copy_flags::{help_order, CopyFlags};
use super::endpoint_options::{DestinationOptions, SourceOptions};
use super::options::{GlobalOptions, ImageOptions};
use super::progress::reporter;
use super::retry::RetryOptions;
use super::trust::source_policy;
use crate::copy::{copy_image, CopyOptions, Progress};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use blob_locks::{BlobLocks, OneUploadPerBlob};
use discover::{images_to_copy, SourceGroup, SourceImage};
use log::Log;
use naming::Naming;

/// The order `skopos sync --help` lists its flags in (clap ids).
pub const HELP_ORDER: &[&str] = &[
    "src",
    "dest",
    "scoped",
    "all",
    "dry_run",
    "keep_going",
    "append_suffix",
    "digestfile",
    "preserve_digests",
    "format",
    "remove_signatures",
    "sign_by",
    "sign_by_key_file",
    "sign_passphrase_file",
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
    "retry_times",
    "retry_delay",
    "quiet",
    "image_parallel_copies",
    "parallel_images",
];

/// Synchronize one or more images from one location to another
#[derive(Debug, Args)]
#[command(
    mut_args(help_order(HELP_ORDER)),
    mut_arg("all", |a| a.help("Copy all images if SOURCE-IMAGE is a list")),
    mut_arg("digestfile", |a| a.help("Write the digests and image references of the resulting images to PATH, one per line")),
    mut_arg("preserve_digests", |a| a.help("Preserve digests of images and lists")),
    mut_arg("format", |a| a.help("MANIFEST TYPE (oci, v2s2) to use when syncing images to a destination")),
    mut_arg("image_parallel_copies", |a| a.help("Maximum number of blobs copied at once, per image")),
)]
pub struct SyncArgs {
    /// SOURCE transport type: docker, dir or yaml
    #[arg(short = 's', long = "src", value_name = "TRANSPORT", value_parser = ["docker", "dir", "yaml"])]
    pub src: String,
    /// DESTINATION transport type: docker or dir
    #[arg(short = 'd', long = "dest", value_name = "TRANSPORT", value_parser = ["docker", "dir"])]
    pub dest: String,
    /// Images at DESTINATION are prefixed using the full source image path as scope
    #[arg(long)]
    pub scoped: bool,
    /// Run without actually copying data
    #[arg(long)]
    pub dry_run: bool,
    /// Do not abort the sync if any image copy fails
    #[arg(long)]
    pub keep_going: bool,
    /// String to append to DESTINATION tags
    #[arg(long, value_name = "SUFFIX", default_value = "")]
    pub append_suffix: String,
    #[command(flatten)]
    pub flags: CopyFlags,
    #[command(flatten)]
    pub source: SourceOptions,
    #[command(flatten)]
    pub destination: DestinationOptions,
    #[command(flatten)]
    pub retry: RetryOptions,
    /// Maximum number of images copied at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel_images: usize,
    /// Where to copy from (a repository, an image, a directory or a YAML file, after --src)
    #[arg(value_name = "SOURCE")]
    pub source_arg: String,
    /// Where to copy to (a registry/namespace prefix or a directory, after --dest)
    #[arg(value_name = "DESTINATION")]
    pub destination_arg: String,
}

/// One copy to run.
struct Job<'a> {
    group: &'a SourceGroup,
    number: usize,
    count: usize,
    source: &'a SourceImage,
    destination: ImageName,
    to: String,
}

/// How a job ended well.
enum Done {
    Copied(Digest),
    AlreadyThere(Digest),
}

/// Runs `sync`; everything goes to stderr, nothing to stdout.
pub async fn run(args: &SyncArgs, global: &GlobalOptions) -> Result<Vec<u8>> {
    if args.src == "dir" && args.dest == "dir" {
        return Err(Error::Config("sync from 'dir' to 'dir' not implemented, consider using rsync instead".into()));
    }
    let log = Log { quiet: args.flags.quiet };
    let source_options = args.source.image_options(args.flags.authfile.as_ref());
    let destination_options = args.destination.image_options(args.flags.authfile.as_ref());
    let options =
        CopyOptions { skip_if_present: true, signing: args.flags.signing(None)?, ..args.flags.copy_options(global)? };

    let groups = args.retry.run(|| images_to_copy(&args.src, &args.source_arg, &source_options, &log)).await?;
    let naming = Naming::new(&args.dest, &args.destination_arg, args.scoped, &args.append_suffix);
    let mut jobs = Vec::new();
    for group in &groups {
        for (i, image) in group.images.iter().enumerate() {
            let (destination, to) = naming.destination(&image.suffix)?;
            jobs.push(Job { group, number: i + 1, count: group.images.len(), source: image, destination, to });
        }
    }

    if args.dry_run {
        log.warn("Running in dry-run mode", &[]);
        for job in &jobs {
            log.info(
                &format!("Would have copied image ref {}/{}", job.number, job.count),
                &[("from", &job.source.display), ("to", &job.to)],
            );
        }
        log.info(&format!("Would have synced {} images from {} sources", jobs.len(), groups.len()), &[]);
        return Ok(Vec::new());
    }

    if let Some(path) = &args.flags.digestfile {
        std::fs::write(path, b"")
            .map_err(|e| Error::io(format!("Error creating digest file {}", path.display()), e))?;
    }
    let progress = reporter(args.flags.quiet);
    let locks = BlobLocks::default();
    let locks = &locks;
    let mut results = stream::iter(jobs.iter().enumerate().map(|(index, job)| {
        let (log, options, progress, destination_options) = (&log, &options, &progress, &destination_options);
        async move {
            log.info(
                &format!("Copying image ref {}/{}", job.number, job.count),
                &[("from", &job.source.display), ("to", &job.to)],
            );
            let result = args.retry.run(|| copy_one(job, global, destination_options, options, progress, locks)).await;
            (index, result)
        }
    }))
    .buffer_unordered(args.parallel_images.max(1));

    let mut digests = BTreeMap::new();
    let mut failed = false;
    let mut stopped = None;
    while let Some((index, result)) = results.next().await {
        let job = &jobs[index];
        match result {
            Ok(Done::Copied(digest)) => {
                digests.insert(index, digest);
            }
            Ok(Done::AlreadyThere(digest)) => {
                log.info(
                    "Skipping: image already present at destination",
                    &[("from", &job.source.display), ("to", &job.to)],
                );
                digests.insert(index, digest);
            }
            Err(e) if args.keep_going => {
                failed = true;
                log.error(&format!("Error copying ref {:?}", job.source.display), &[("error", &e.to_string())]);
            }
            Err(e) => {
                stopped = Some(Error::Sync(format!("Error copying ref {:?}: {e}", job.source.display)));
                break;
            }
        }
    }
    drop(results);

    if let Some(path) = &args.flags.digestfile {
        let lines: String = digests.iter().map(|(index, digest)| format!("{digest} {}\n", jobs[*index].to)).collect();
        std::fs::write(path, lines)
            .map_err(|e| Error::io(format!("Failed to write digest to file {}", path.display()), e))?;
    }
    if let Some(e) = stopped {
        return Err(e);
    }
    log.info(&format!("Synced {} images from {} sources", digests.len(), groups.len()), &[]);
    if failed {
        return Err(Error::Sync("Sync failed due to previous reported error(s) for one or more images".into()));
    }
    Ok(Vec::new())
}

/// Copies one image, unless the destination already names the manifest it would write.
async fn copy_one(
    job: &Job<'_>,
    global: &GlobalOptions,
    destination_options: &ImageOptions,
    options: &CopyOptions,
    progress: &Arc<dyn Progress>,
    locks: &BlobLocks,
) -> Result<Done> {
    let options = &CopyOptions { policy: Some(source_policy(global, &job.source.name)?), ..options.clone() };
    let source = open_source(&job.source.name, &job.group.options).await?;
    let destination = open_destination(&job.destination, destination_options).await?;
    let scope = match &job.destination {
        ImageName::Docker { reference, .. } => reference.name(),
        other => format!("{other:?}"),
    };
    let destination = OneUploadPerBlob { inner: &destination, scope, locks };
    let report = copy_image(&source, &destination, options, progress).await?;
    Ok(if report.skipped { Done::AlreadyThere(report.digest) } else { Done::Copied(report.digest) })
}
