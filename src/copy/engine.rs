//! The copy pipeline: read an image from any [`ImageSource`], write it to any
//! [`ImageDestination`].
//!
//! Order of work, which is what keeps destinations consistent: every blob of every instance
//! (several at once, each streamed and verified), then the instance manifests of an index, then
//! `commit` of the top-level manifest. The raw manifest bytes are passed on untouched unless a
//! format conversion is asked for, so digests are preserved.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};

use super::compression::{self, Codec, Compression, LayerEdit};
use super::convert::{self, convert_manifest, TargetFormat};
use super::progress::{BlobOutcome, Progress};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, ImageSource};
use crate::manifest::{media_type, Manifest, Parsed, WantedPlatform};
use crate::registry::FetchedManifest;

/// Which images of a multi-platform index to copy (skopeo's `--multi-arch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MultiArch {
    /// Only the image for the wanted platform.
    #[default]
    System,
    /// The index and every image in it (`--all`).
    All,
    /// Only the index itself; its images must already be at the destination.
    IndexOnly,
}

/// How to copy.
#[derive(Clone)]
pub struct CopyOptions {
    pub multi_arch: MultiArch,
    pub platform: WantedPlatform,
    /// Blobs copied at once.
    pub parallel: usize,
    /// Refuse anything that would change the manifest digest.
    pub preserve_digests: bool,
    /// Convert manifests (and configs) to this format.
    pub format: Option<TargetFormat>,
    /// Change the compression of layers.
    pub layer_edit: Option<LayerEdit>,
    /// The codec that re-encodes layers for `layer_edit`.
    pub codec: Option<Arc<dyn Codec>>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            multi_arch: MultiArch::System,
            platform: WantedPlatform::host(),
            parallel: 6,
            preserve_digests: false,
            format: None,
            layer_edit: None,
            codec: None,
        }
    }
}

/// What a copy wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// The digest of the top-level manifest written to the destination.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
}

/// Copies the image `source` points at to `destination`.
pub async fn copy_image<S: ImageSource, D: ImageDestination>(
    source: &S,
    destination: &D,
    options: &CopyOptions,
    progress: &Arc<dyn Progress>,
) -> Result<CopyReport> {
    if options.preserve_digests && options.format.is_some() {
        return Err(Error::Unsupported(
            "--format would change the manifest digest, which --preserve-digests forbids".into(),
        ));
    }
    progress.start();
    let top = source.manifest(None).await?;
    if !top.manifest.kind().is_index() {
        let (raw, media_type, digest) = copy_single(source, destination, &top, options, progress).await?;
        progress.writing_manifest();
        destination.commit(&raw, &media_type, &digest).await?;
        return Ok(CopyReport { digest, media_type });
    }
    match options.multi_arch {
        MultiArch::System => {
            let chosen = top.manifest.choose_instance(&options.platform)?.digest.clone();
            let instance = source.manifest(Some(&chosen)).await?;
            let (raw, media_type, digest) = copy_single(source, destination, &instance, options, progress).await?;
            progress.writing_manifest();
            destination.commit(&raw, &media_type, &digest).await?;
            Ok(CopyReport { digest, media_type })
        }
        MultiArch::All | MultiArch::IndexOnly => {
            if !destination.supports_index() {
                return Err(Error::Unsupported(format!(
                    "{} cannot store a multi-platform index; copy one platform with --multi-arch system",
                    destination.describe()
                )));
            }
            if options.format.is_some() || options.layer_edit.is_some() {
                return Err(Error::Unsupported(
                    "changing the format or compression of a whole index is not supported; copy one platform".into(),
                ));
            }
            if destination.required_kinds().is_some_and(|kinds| !kinds.contains(&top.manifest.kind())) {
                return Err(Error::Unsupported(format!(
                    "{} cannot store this kind of index without converting it, which is not supported; copy one platform",
                    destination.describe()
                )));
            }
            let index = top.manifest.as_index().expect("checked is_index");
            if options.multi_arch == MultiArch::All {
                let count = index.manifests.len();
                for (i, entry) in index.manifests.iter().enumerate() {
                    progress.instance_started(i + 1, count);
                    let instance = source.manifest(Some(&entry.digest)).await?;
                    if instance.manifest.kind().is_index() {
                        return Err(Error::Unsupported(format!("nested index {} is not supported", entry.digest)));
                    }
                    let (raw, media_type, digest) =
                        copy_single(source, destination, &instance, options, progress).await?;
                    destination.put_instance_manifest(&raw, &media_type, &digest).await?;
                }
            }
            progress.writing_manifest();
            destination.commit(top.manifest.raw(), top.manifest.media_type(), &top.digest).await?;
            Ok(CopyReport { digest: top.digest.clone(), media_type: top.manifest.media_type().to_string() })
        }
    }
}

/// Copies one image's blobs and returns the manifest to write (edited or converted if asked).
async fn copy_single<S: ImageSource, D: ImageDestination>(
    source: &S,
    destination: &D,
    image: &FetchedManifest,
    options: &CopyOptions,
    progress: &Arc<dyn Progress>,
) -> Result<(Vec<u8>, String, Digest)> {
    let wanted_format = options.format.or_else(|| {
        destination
            .required_kinds()
            .filter(|kinds| !kinds.contains(&image.manifest.kind()))
            .map(|kinds| TargetFormat::for_kind(kinds[0]))
    });
    if options.preserve_digests && (wanted_format.is_some() || options.layer_edit.is_some()) {
        return Err(Error::Unsupported(format!(
            "copying to {} this way changes the manifest digest, which --preserve-digests forbids",
            destination.describe()
        )));
    }
    let edit = match (options.layer_edit, &options.codec) {
        (Some(edit), Some(codec)) => Some((edit, codec.clone())),
        (Some(_), None) => return Err(Error::Unsupported("changing layer compression is not available here".into())),
        (None, _) => None,
    };
    let origin = source.mount_origin();
    let jobs = blobs_of(&image.manifest)?.into_iter().map(|blob| {
        let origin = origin.clone();
        let edit = edit.clone();
        async move {
            let change = edit.as_ref().and_then(|(edit, codec)| {
                let from = compression::compression_of(&blob.media_type)?;
                (from != edit.target()).then(|| (from, edit.target(), codec.clone()))
            });
            match change {
                None => copy_blob(source, destination, &blob, origin.as_ref(), progress).await.map(|()| None),
                Some((from, to, codec)) => {
                    // Name the new layer in the format the manifest will end up in.
                    let final_type = match wanted_format {
                        Some(TargetFormat::Oci) => convert::docker_layer_to_oci(&blob.media_type)?.to_string(),
                        _ => blob.media_type.clone(),
                    };
                    let media_type = compression::with_compression(&final_type, to)?;
                    let recode = Recode { media_type, from, to, codec: &*codec };
                    transcode_blob(source, destination, &blob, &recode, progress).await.map(Some)
                }
            }
        }
    });
    let edited: Vec<(Digest, BlobInfo)> = stream::iter(jobs)
        .buffer_unordered(options.parallel.max(1))
        .try_filter_map(|x| async move { Ok(x) })
        .try_collect()
        .await?;
    let manifest = if edited.is_empty() { image.manifest.clone() } else { replace_layers(&image.manifest, &edited)? };
    let conversion = match wanted_format {
        Some(format) => {
            let config = match manifest.as_image() {
                Some(m) => Some(
                    crate::image::source::blob_bytes(source, &m.config.digest, crate::image::inspect::MAX_CONFIG_SIZE)
                        .await?,
                ),
                None => None,
            };
            convert_manifest(&manifest, config.as_deref(), format)?
        }
        None => None,
    };
    match conversion {
        None if edited.is_empty() => {
            Ok((image.manifest.raw().to_vec(), image.manifest.media_type().to_string(), image.digest.clone()))
        }
        None => {
            let digest = Digest::sha256(manifest.raw());
            Ok((manifest.raw().to_vec(), manifest.media_type().to_string(), digest))
        }
        Some(converted) => {
            if let Some((config_info, config_bytes)) = converted.new_config {
                if !destination.has_blob(&config_info).await? {
                    let body: ByteStream =
                        Box::pin(stream::once(async move { Ok::<Bytes, Error>(Bytes::from(config_bytes)) }));
                    destination.put_blob(&config_info, body).await?;
                }
            }
            let digest = Digest::sha256(&converted.raw);
            Ok((converted.raw, converted.media_type.to_string(), digest))
        }
    }
}

/// How one layer is re-encoded: its compression before and after, and its new media type.
struct Recode<'a> {
    media_type: String,
    from: Compression,
    to: Compression,
    codec: &'a dyn Codec,
}

/// Copies a layer whose compression changes: source bytes (verified), re-encoded, stored under
/// the digest of the new bytes. Returns the layer's old digest and its new description.
async fn transcode_blob<S: ImageSource, D: ImageDestination>(
    source: &S,
    destination: &D,
    blob: &BlobInfo,
    recode: &Recode<'_>,
    progress: &Arc<dyn Progress>,
) -> Result<(Digest, BlobInfo)> {
    progress.blob_started(blob);
    let body = counting(source.blob(&blob.digest, blob.size).await?, blob.clone(), progress.clone());
    let stored =
        destination.put_new_blob(recode.codec.transcode(body, recode.from, recode.to)?, &recode.media_type).await?;
    progress.blob_finished(blob, BlobOutcome::Copied);
    Ok((blob.digest.clone(), stored))
}

/// The manifest with the given layers replaced (digest, size, media type), other fields kept.
fn replace_layers(manifest: &Manifest, edited: &[(Digest, BlobInfo)]) -> Result<Manifest> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(manifest.raw()).map_err(|e| Error::InvalidManifest(e.to_string()))?;
    let layers = doc
        .get_mut("layers")
        .and_then(|l| l.as_array_mut())
        .ok_or_else(|| Error::InvalidManifest("no layers".into()))?;
    for layer in layers.iter_mut() {
        let old = layer.get("digest").and_then(|d| d.as_str()).map(str::to_string);
        if let Some((_, new)) = edited.iter().find(|(d, _)| Some(d.to_string()) == old) {
            layer["mediaType"] = new.media_type.clone().into();
            layer["digest"] = new.digest.to_string().into();
            layer["size"] = new.size.unwrap_or(0).into();
        }
    }
    let raw = crate::output::json::to_go_json_compact(&doc).into_bytes();
    Manifest::decode(raw, Some(manifest.media_type()))
}

/// The blobs an image manifest refers to, config first, each once.
fn blobs_of(manifest: &Manifest) -> Result<Vec<BlobInfo>> {
    let mut blobs: Vec<BlobInfo> = Vec::new();
    let mut push = |digest: &Digest, size: i64, media_type: &str| {
        if !blobs.iter().any(|b| &b.digest == digest) {
            let size = u64::try_from(size).ok();
            blobs.push(BlobInfo { digest: digest.clone(), size, media_type: media_type.to_string() });
        }
    };
    match manifest.parsed() {
        Parsed::Image(m) => {
            push(&m.config.digest, m.config.size, &m.config.media_type);
            for layer in &m.layers {
                if layer.urls.as_ref().is_some_and(|u| !u.is_empty()) && media_type::is_foreign_layer(&layer.media_type)
                {
                    continue; // foreign layers stay where their URLs point
                }
                push(&layer.digest, layer.size, &layer.media_type);
            }
        }
        Parsed::Schema1(m) => {
            for layer in m.fs_layers.iter().rev() {
                push(&layer.blob_sum, -1, media_type::DOCKER_LAYER_GZIP);
            }
        }
        Parsed::Index(_) => return Err(Error::Unsupported("an index is not an image".into())),
    }
    Ok(blobs)
}

/// Copies one blob unless the destination has it or can mount it.
async fn copy_blob<S: ImageSource, D: ImageDestination>(
    source: &S,
    destination: &D,
    blob: &BlobInfo,
    origin: Option<&crate::image::MountOrigin>,
    progress: &Arc<dyn Progress>,
) -> Result<()> {
    progress.blob_started(blob);
    if destination.has_blob(blob).await? {
        progress.blob_finished(blob, BlobOutcome::Skipped);
        return Ok(());
    }
    if let Some(origin) = origin {
        if destination.try_mount(blob, origin).await? {
            progress.blob_finished(blob, BlobOutcome::Mounted);
            return Ok(());
        }
    }
    let body = source.blob(&blob.digest, blob.size).await?;
    let counted = counting(body, blob.clone(), progress.clone());
    destination.put_blob(blob, counted).await?;
    progress.blob_finished(blob, BlobOutcome::Copied);
    Ok(())
}

/// Reports each chunk's size to `progress` as it passes.
fn counting(body: ByteStream, blob: BlobInfo, progress: Arc<dyn Progress>) -> ByteStream {
    Box::pin(body.inspect_ok(move |chunk| progress.blob_advanced(&blob, chunk.len() as u64)))
}
