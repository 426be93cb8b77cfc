//! Which images `sync` copies, grouped as skopeo groups them: `--src docker` (one image, or
//! every tag of a repository), `--src dir` (every `dir:` image under a directory, found as Go's
//! `filepath.WalkDir` finds them) and `--src yaml` (the images, tag regexes and semver ranges of
//! each registry in the file, with that registry's TLS and credentials).

use std::path::{Path, PathBuf};

use super::log::Log;
use super::naming;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::go::path as go_path;
use crate::image::name::ImageName;
use crate::native::cli::connect::registry_client;
use crate::native::cli::options::ImageOptions;
use crate::native::sync_config::{self, RegistryConfig, TagFilter};
use crate::reference::Reference;

/// A set of images read with the same options (skopeo's repository descriptor).
pub(super) struct SourceGroup {
    pub(super) options: ImageOptions,
    pub(super) images: Vec<SourceImage>,
}

/// One image found at the source.
pub(super) struct SourceImage {
    pub(super) name: ImageName,
    /// As skopeo names it in logs: `docker://host/repo:tag`, `dir:path`.
    pub(super) display: String,
    /// What is joined to DESTINATION (before `--scoped` is applied).
    pub(super) suffix: String,
}

/// Every image at the source, grouped as skopeo groups them.
pub(super) async fn images_to_copy(
    transport: &str,
    source: &str,
    options: &ImageOptions,
    log: &Log,
) -> Result<Vec<SourceGroup>> {
    match transport {
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
                    let suffix = naming::dir_suffix(source, &path);
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
