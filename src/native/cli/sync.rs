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
//! - Before each copy to a registry, one `HEAD` on the destination manifest; if it already has
//!   the digest the copy would write, the image is skipped without reading any blob.
//! - A `dir:` destination that already holds an image is updated in place (blobs it has are
//!   kept and verified, `manifest.json` is replaced atomically) where skopeo refuses.
//! - Several images are copied at once (`--parallel-images`, default 4), each with its own blob
//!   parallelism. Destination names are all checked before anything is copied. Images of one
//!   repository often share blobs: one blob is uploaded to one destination repository by one
//!   copy at a time (the others then find it there), because distribution can lose a blob when
//!   two uploads of it finish at once ("blob unknown to registry" on the manifest).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use futures_util::{stream, StreamExt};

use super::connect::{open_destination, open_source, registry_client, AnyDestination};
use super::copy_flags::{help_order, CopyFlags};
use super::endpoint_options::{DestinationOptions, SourceOptions};
use super::options::{GlobalOptions, ImageOptions};
use super::progress::reporter;
use super::retry::RetryOptions;
use crate::copy::{copy_image, CopyOptions, Progress};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::go::path as go_path;
use crate::go::time::rfc3339_utc;
use crate::http::ByteStream;
use crate::image::name::ImageName;
use crate::image::{BlobInfo, ImageDestination, MountOrigin};
use crate::manifest::ManifestKind;
use crate::native::sync_config::{self, RegistryConfig, TagFilter};
use crate::reference::Reference;

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

/// A set of images read with the same options (skopeo's repository descriptor).
struct SourceGroup {
    options: ImageOptions,
    images: Vec<SourceImage>,
}

/// One image found at the source.
struct SourceImage {
    name: ImageName,
    /// As skopeo names it in logs: `docker://host/repo:tag`, `dir:path`.
    display: String,
    /// What is joined to DESTINATION (before `--scoped` is applied).
    suffix: String,
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
    let options = CopyOptions { skip_if_present: true, ..args.flags.copy_options(global)? };

    let groups = args.retry.run(|| images_to_copy(args, &source_options, &log)).await?;
    let mut jobs = Vec::new();
    for group in &groups {
        for (i, image) in group.images.iter().enumerate() {
            let (destination, to) = destination_for(args, &image.suffix)?;
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
            let result = args.retry.run(|| copy_one(job, destination_options, options, progress, locks)).await;
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
    destination_options: &ImageOptions,
    options: &CopyOptions,
    progress: &Arc<dyn Progress>,
    locks: &BlobLocks,
) -> Result<Done> {
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

/// One lock per (destination repository, blob digest), shared by the copies of a sync.
#[derive(Default)]
struct BlobLocks(std::sync::Mutex<HashMap<String, Arc<futures_util::lock::Mutex<()>>>>);

impl BlobLocks {
    fn get(&self, key: String) -> Arc<futures_util::lock::Mutex<()>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default().clone()
    }
}

/// A destination whose blob uploads go one at a time per blob: a copy that waited for another
/// one's upload of the same blob looks again and sends nothing if it is there now.
struct OneUploadPerBlob<'a> {
    inner: &'a AnyDestination,
    /// The destination repository (or directory).
    scope: String,
    locks: &'a BlobLocks,
}

impl ImageDestination for OneUploadPerBlob<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn supports_index(&self) -> bool {
        self.inner.supports_index()
    }

    fn required_kinds(&self) -> Option<&'static [ManifestKind]> {
        self.inner.required_kinds()
    }

    async fn has_manifest(&self, digest: &Digest) -> Result<bool> {
        self.inner.has_manifest(digest).await
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        self.inner.has_blob(blob).await
    }

    async fn try_mount(&self, blob: &BlobInfo, origin: &MountOrigin) -> Result<bool> {
        self.inner.try_mount(blob, origin).await
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        let lock = self.locks.get(format!("{} {}", self.scope, blob.digest));
        let _one_at_a_time = lock.lock().await;
        if self.inner.has_blob(blob).await.unwrap_or(false) {
            return Ok(());
        }
        self.inner.put_blob(blob, stream).await
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        self.inner.put_new_blob(stream, media_type).await
    }

    async fn put_instance_manifest(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.inner.put_instance_manifest(raw, media_type, digest).await
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.inner.commit(raw, media_type, digest).await
    }
}

/// The destination image for a source suffix, and its name as skopeo logs it.
fn destination_for(args: &SyncArgs, suffix: &str) -> Result<(ImageName, String)> {
    let suffix = if args.scoped { suffix.to_string() } else { go_path::base(suffix) };
    let target = format!("{}{}", go_path::join(&[&args.destination_arg, &suffix]), args.append_suffix);
    match args.dest.as_str() {
        "docker" => {
            let reference = Reference::parse(&target).map_err(|e| {
                Error::Config(format!(
                    "Cannot obtain a valid image reference for transport \"docker\" and reference \"//{target}\": {e}"
                ))
            })?;
            let display = format!("docker://{}", reference.familiar());
            Ok((ImageName::Docker { reference, explicit: true }, display))
        }
        _ => Ok((ImageName::Dir { path: target.clone() }, format!("dir:{target}"))),
    }
}

/// Every image at the source, grouped as skopeo groups them.
async fn images_to_copy(args: &SyncArgs, options: &ImageOptions, log: &Log) -> Result<Vec<SourceGroup>> {
    let source = args.source_arg.as_str();
    match args.src.as_str() {
        "docker" => {
            let reference = Reference::parse(source).map_err(|e| {
                Error::Config(format!(
                    "Cannot obtain a valid image reference for transport \"docker\" and reference {source:?}: {e}"
                ))
            })?;
            let images = if reference.tag().is_some() || reference.digest().is_some() {
                vec![docker_image(reference)]
            } else {
                let images = repository_images(&reference, options).await?;
                if images.is_empty() {
                    return Err(Error::Sync(format!("No images to sync found in {source:?}")));
                }
                images
            };
            Ok(vec![SourceGroup { options: options.clone(), images }])
        }
        "dir" => {
            std::fs::metadata(source).map_err(|e| Error::io("Invalid source directory specified", e))?;
            let mut dirs = Vec::new();
            find_dir_images(source, &mut dirs)?;
            if dirs.is_empty() {
                return Err(Error::Sync(format!("No images to sync found in {source:?}")));
            }
            let images = dirs
                .into_iter()
                .map(|path| {
                    // skopeo: TrimPrefix(image path, SOURCE), or SOURCE's base when that is empty.
                    let suffix = match path.strip_prefix(source).unwrap_or(&path) {
                        "" => go_path::base(source),
                        rest => rest.to_string(),
                    };
                    SourceImage { name: ImageName::Dir { path: path.clone() }, display: format!("dir:{path}"), suffix }
                })
                .collect();
            Ok(vec![SourceGroup { options: options.clone(), images }])
        }
        _ => {
            let config = sync_config::load(Path::new(source))?;
            let mut groups = Vec::new();
            for (registry, section) in &config {
                groups.extend(yaml_registry_groups(registry, section, options, log).await);
            }
            Ok(groups)
        }
    }
}

fn docker_image(reference: Reference) -> SourceImage {
    SourceImage {
        display: format!("docker://{}", reference.familiar()),
        suffix: reference.to_string(),
        name: ImageName::Docker { reference, explicit: true },
    }
}

/// Every tag of a repository, as images.
async fn repository_images(repository: &Reference, options: &ImageOptions) -> Result<Vec<SourceImage>> {
    let client = registry_client(repository, options)?;
    let tags = client
        .list_tags(repository.repository())
        .await
        .map_err(|e| Error::Sync(format!("Error determining repository tags for repo {}: {e}", repository.name())))?;
    Ok(tags.iter().filter_map(|tag| repository.with_tag(tag).ok()).map(docker_image).collect())
}

/// The groups one registry section of the YAML file yields: `images` first, then
/// `images-by-tag-regex`, then `images-by-semver`, one group per repository. Problems with one
/// repository are logged and that repository skipped, as skopeo does.
async fn yaml_registry_groups(
    registry: &str,
    section: &RegistryConfig,
    base: &ImageOptions,
    log: &Log,
) -> Vec<SourceGroup> {
    let mut options = base.clone();
    if let Some(verify) = section.tls_verify {
        options.tls_verify = Some(verify);
    }
    if let Some(dir) = &section.cert_dir {
        options.cert_dir = Some(PathBuf::from(dir));
    }
    if !section.credentials.username.is_empty() || !section.credentials.password.is_empty() {
        options.creds = None;
        options.no_creds = false;
        options.registry_token = None;
        options.username = Some(section.credentials.username.clone());
        options.password = Some(section.credentials.password.clone());
    }
    let mut groups = Vec::new();
    if section.is_empty() {
        log.warn("No images specified for registry", &[("registry", registry)]);
        return groups;
    }
    let repository = |repo: &str| -> Option<Reference> {
        match Reference::parse(&format!("{registry}/{repo}")) {
            Ok(r) if r.tag().is_none() && r.digest().is_none() => Some(r),
            Ok(_) => {
                log.error(
                    "Error parsing repository name, skipping",
                    &[("registry", registry), ("repo", repo), ("error", "input names a reference, not a repository")],
                );
                None
            }
            Err(e) => {
                log.error(
                    "Error parsing repository name, skipping",
                    &[("registry", registry), ("repo", repo), ("error", &e.to_string())],
                );
                None
            }
        }
    };

    for (repo, refs) in &section.images {
        let Some(repo_ref) = repository(repo) else { continue };
        let refs = refs.as_deref().unwrap_or_default();
        let images = if refs.is_empty() {
            match repository_images(&repo_ref, &options).await {
                Ok(images) => images,
                Err(e) => {
                    log.error(
                        "Error processing repo, skipping",
                        &[("registry", registry), ("repo", repo), ("error", &e.to_string())],
                    );
                    continue;
                }
            }
        } else {
            let mut images = Vec::new();
            for item in refs {
                let named = match Digest::parse(item) {
                    Ok(digest) => Ok(repo_ref.with_digest(digest)),
                    Err(_) => repo_ref.with_tag(item),
                };
                match named {
                    Ok(r) => images.push(docker_image(r)),
                    Err(e) => log.error("Error parsing ref, skipping", &[("ref", item), ("error", &e.to_string())]),
                }
            }
            images
        };
        if images.is_empty() {
            log.warn("No refs to sync found", &[("registry", registry), ("repo", repo)]);
            continue;
        }
        groups.push(SourceGroup { options: options.clone(), images });
    }

    for (collection, make) in [
        (&section.images_by_tag_regex, TagFilter::regex as fn(&str) -> Result<TagFilter>),
        (&section.images_by_semver, TagFilter::semver as fn(&str) -> Result<TagFilter>),
    ] {
        // As skopeo, one bad filter drops its whole collection for this registry.
        let filters: Result<Vec<(&String, TagFilter)>> =
            collection.iter().map(|(repo, text)| make(text).map(|f| (repo, f))).collect();
        let filters = match filters {
            Ok(filters) => filters,
            Err(e) => {
                log.error(&e.to_string(), &[("registry", registry)]);
                continue;
            }
        };
        for (repo, filter) in filters {
            let Some(repo_ref) = repository(repo) else { continue };
            let images = match repository_images(&repo_ref, &options).await {
                Ok(images) => images,
                Err(e) => {
                    log.error(
                        "Error processing repo, skipping",
                        &[("registry", registry), ("repo", repo), ("error", &e.to_string())],
                    );
                    continue;
                }
            };
            let images: Vec<SourceImage> = images
                .into_iter()
                .filter(|image| matches!(&image.name, ImageName::Docker { reference, .. } if reference.tag().is_some_and(|t| filter.matches(t))))
                .collect();
            if images.is_empty() {
                log.warn("No refs to sync found", &[("registry", registry), ("repo", repo)]);
                continue;
            }
            groups.push(SourceGroup { options: options.clone(), images });
        }
    }
    groups
}

/// The `dir:` images under `root`: every directory holding a `manifest.json`, not looked into
/// further, in lexical order (skopeo's `filepath.WalkDir`). Paths are built as Go builds them.
fn find_dir_images(root: &str, found: &mut Vec<String>) -> Result<()> {
    let read = |path: &str| -> Result<Vec<(String, bool)>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| Error::io(format!("Error walking the path {path:?}"), e))? {
            let entry = entry.map_err(|e| Error::io(format!("Error walking the path {path:?}"), e))?;
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            entries.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
        }
        entries.sort();
        Ok(entries)
    };
    if !Path::new(root).is_dir() {
        return Ok(());
    }
    let entries = read(root)?;
    if entries.iter().any(|(name, is_dir)| name == "manifest.json" && !is_dir) {
        found.push(go_path::clean(root));
        return Ok(());
    }
    for (name, is_dir) in entries {
        if is_dir {
            let child = if root.ends_with('/') { format!("{root}{name}") } else { format!("{root}/{name}") };
            find_dir_images(&child, found)?;
        }
    }
    Ok(())
}

/// skopeo's log lines (logrus' text format) on stderr; `-q` keeps warnings and errors only.
struct Log {
    quiet: bool,
}

impl Log {
    fn info(&self, msg: &str, fields: &[(&str, &str)]) {
        if !self.quiet {
            log_line("info", msg, fields);
        }
    }

    fn warn(&self, msg: &str, fields: &[(&str, &str)]) {
        log_line("warning", msg, fields);
    }

    fn error(&self, msg: &str, fields: &[(&str, &str)]) {
        log_line("error", msg, fields);
    }
}

fn log_line(level: &str, msg: &str, fields: &[(&str, &str)]) {
    use std::io::Write;
    let mut line =
        format!("time=\"{}\" level={level} msg={}", rfc3339_utc(crate::clock::now_secs() as i64), logfmt(msg));
    for (key, value) in fields {
        line.push_str(&format!(" {key}={}", logfmt(value)));
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A logrus text value: bare when it is made of `[A-Za-z0-9-._/@^+]`, else Go-quoted.
fn logfmt(value: &str) -> String {
    let bare = !value.is_empty()
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '@' | '^' | '+'));
    if bare {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_values_and_times() {
        assert_eq!(logfmt("ns/app"), "ns/app");
        assert_eq!(logfmt("docker://h:1/a"), "\"docker://h:1/a\"");
        assert_eq!(logfmt("say \"hi\""), "\"say \\\"hi\\\"\"");
    }
}
