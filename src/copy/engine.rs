//! The copy pipeline: read an image from any [`ImageSource`], write it to any
//! [`ImageDestination`].
//!
//! Order of work, which is what keeps destinations consistent: instance by instance, the blobs
//! of the instance (several at once, each streamed and verified) and then its manifest; last,
//! `commit` of the top-level manifest. The raw manifest bytes are passed on untouched unless a
//! format conversion is asked for, so digests are preserved.
//!
//! Trust comes first: before any blob is written, the top-level manifest and (for the images
//! the copy takes from an index) each instance manifest is read with its signatures and put to
//! the [`CopyOptions::policy`]; a refused image writes nothing. Signatures travel with the
//! image unless [`CopyOptions::remove_signatures`] (so a copy that would change a signed
//! manifest is refused), new ones are added with [`CopyOptions::signing`], and each image's
//! signatures are stored before its manifest is committed.
//!
//! With [`CopyOptions::skip_if_present`], the destination is asked (after the policy) whether
//! its name already points at the manifest the copy would write; if so nothing is written.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};

use super::compression::{self, Codec, Compression, LayerEdit};
use super::convert::{self, convert_manifest, TargetFormat};
use super::progress::{BlobOutcome, Progress};
use super::trust::{Signing, TrustPolicy};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, ImageSource};
use crate::manifest::{media_type, Manifest, ManifestKind, Parsed, WantedPlatform};
use crate::registry::FetchedManifest;
use crate::signature::Signature;

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
    /// Copy nothing when the destination already names the manifest this copy would write
    /// ([`ImageDestination::has_manifest`]); asked only when the manifest is passed on unchanged.
    pub skip_if_present: bool,
    /// The trust policy the source image must satisfy; `None` checks nothing (library use: the
    /// CLI always sets one).
    pub policy: Option<Arc<dyn TrustPolicy>>,
    /// Leave the source's signatures behind (`--remove-signatures`).
    pub remove_signatures: bool,
    /// Sign every manifest written (`--sign-by`).
    pub signing: Option<Signing>,
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
            skip_if_present: false,
            policy: None,
            remove_signatures: false,
            signing: None,
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
    /// The destination already had it ([`CopyOptions::skip_if_present`]): nothing was copied.
    pub skipped: bool,
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
    let top = Admitted::read(source, None, options).await?;
    if options.skip_if_present {
        if let Some(report) = already_present(destination, &top.fetched, options).await? {
            progress.already_present(&report.digest);
            return Ok(report);
        }
    }
    let instances = match (top.fetched.manifest.as_index(), options.multi_arch) {
        (None, _) | (Some(_), MultiArch::IndexOnly) => Vec::new(),
        (Some(_), MultiArch::System) => {
            let chosen = top.fetched.manifest.choose_instance(&options.platform)?.digest.clone();
            vec![Admitted::read(source, Some(&chosen), options).await?]
        }
        (Some(index), MultiArch::All) => {
            let mut instances = Vec::with_capacity(index.manifests.len());
            for entry in &index.manifests {
                instances.push(Admitted::read(source, Some(&entry.digest), options).await?);
            }
            instances
        }
    };
    let carries_signatures = std::iter::once(&top).chain(&instances).any(|image| !image.signatures.is_empty());
    if carries_signatures || options.signing.is_some() {
        destination
            .signature_support()
            .map_err(|e| Error::Unsupported(format!("Can not copy signatures to {}: {e}", destination.describe())))?;
    }
    progress.start();
    if !top.fetched.manifest.kind().is_index() || options.multi_arch == MultiArch::System {
        let image = if top.fetched.manifest.kind().is_index() { &instances[0] } else { &top };
        let (raw, media_type, digest) = copy_single(source, destination, image, options, progress).await?;
        progress.writing_manifest();
        let signatures = image.signatures_for(&raw, destination, options, progress)?;
        destination.put_signatures(None, &digest, &signatures).await?;
        destination.commit(&raw, &media_type, &digest).await?;
        return Ok(CopyReport { digest, media_type, skipped: false });
    }
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
    if destination.required_kinds().is_some_and(|kinds| !kinds.contains(&top.fetched.manifest.kind())) {
        return Err(Error::Unsupported(format!(
            "{} cannot store this kind of index without converting it, which is not supported; copy one platform",
            destination.describe()
        )));
    }
    let count = instances.len();
    for (i, instance) in instances.iter().enumerate() {
        progress.instance_started(i + 1, count);
        if instance.fetched.manifest.kind().is_index() {
            return Err(Error::Unsupported(format!("nested index {} is not supported", instance.fetched.digest)));
        }
        let (raw, media_type, digest) = copy_single(source, destination, instance, options, progress).await?;
        destination.put_instance_manifest(&raw, &media_type, &digest).await?;
        let signatures = instance.signatures_for(&raw, destination, options, progress)?;
        destination.put_signatures(Some(&digest), &digest, &signatures).await?;
    }
    progress.writing_manifest();
    let (raw, media_type, digest) =
        (top.fetched.manifest.raw(), top.fetched.manifest.media_type(), &top.fetched.digest);
    let signatures = top.signatures_for(raw, destination, options, progress)?;
    destination.put_signatures(None, digest, &signatures).await?;
    destination.commit(raw, media_type, digest).await?;
    Ok(CopyReport { digest: digest.clone(), media_type: media_type.to_string(), skipped: false })
}

/// A source manifest the trust policy admitted, with the signatures the copy carries along.
struct Admitted {
    fetched: FetchedManifest,
    /// The source's signatures to copy (none with `remove_signatures`).
    signatures: Vec<Signature>,
}

impl Admitted {
    /// Reads the top-level manifest (`instance` `None`) or an instance, with its signatures
    /// when the policy looks at them or the copy carries them, and puts it to the policy.
    async fn read<S: ImageSource>(source: &S, instance: Option<&Digest>, options: &CopyOptions) -> Result<Admitted> {
        let fetched = source.manifest(instance).await?;
        let policy_needs = options.policy.as_ref().is_some_and(|p| p.needs_signatures());
        let signatures = if policy_needs || !options.remove_signatures {
            source.signatures(instance, &fetched.digest).await?
        } else {
            Vec::new()
        };
        if let Some(policy) = &options.policy {
            policy.admit(fetched.manifest.raw(), &signatures)?;
        }
        let signatures = if options.remove_signatures { Vec::new() } else { signatures };
        Ok(Admitted { fetched, signatures })
    }

    /// The signatures to store with the manifest `raw` that the copy writes for this image: the
    /// source's (which the copy kept valid, see `copy_single`), and a new one if signing.
    fn signatures_for<D: ImageDestination>(
        &self,
        raw: &[u8],
        destination: &D,
        options: &CopyOptions,
        progress: &Arc<dyn Progress>,
    ) -> Result<Vec<Signature>> {
        let mut signatures = self.signatures.clone();
        if let Some(signing) = &options.signing {
            let identity = match signing.identity.clone().or_else(|| destination.docker_reference()) {
                Some(identity) => identity,
                None => {
                    return Err(Error::Unsupported(format!(
                        "Cannot determine canonical Docker reference for destination {}",
                        destination.describe()
                    )))
                }
            };
            progress.signing();
            signatures.push(signing.signer.sign(raw, &identity)?);
        }
        if !signatures.is_empty() {
            progress.storing_signatures();
        }
        Ok(signatures)
    }
}

/// The report of a copy skipped because the destination already names the manifest it would
/// write: the top-level manifest, or with `--multi-arch system` the chosen instance. Only asked
/// when the copy passes that manifest on unchanged; a failed question means "copy".
async fn already_present<D: ImageDestination>(
    destination: &D,
    top: &FetchedManifest,
    options: &CopyOptions,
) -> Result<Option<CopyReport>> {
    if options.format.is_some() || options.layer_edit.is_some() {
        return Ok(None);
    }
    let (digest, media_type, kind) = if top.manifest.kind().is_index() && options.multi_arch == MultiArch::System {
        let chosen = top.manifest.choose_instance(&options.platform)?;
        (chosen.digest.clone(), chosen.media_type.clone(), ManifestKind::from_media_type(&chosen.media_type))
    } else {
        (top.digest.clone(), top.manifest.media_type().to_string(), Some(top.manifest.kind()))
    };
    if let (Some(kinds), Some(kind)) = (destination.required_kinds(), kind) {
        if !kinds.contains(&kind) {
            return Ok(None); // the copy converts it, so writes another digest
        }
    }
    match destination.has_manifest(&digest).await {
        Ok(true) => Ok(Some(CopyReport { digest, media_type, skipped: true })),
        Ok(false) | Err(_) => Ok(None),
    }
}

/// Copies one image's blobs and returns the manifest to write (edited or converted if asked).
async fn copy_single<S: ImageSource, D: ImageDestination>(
    source: &S,
    destination: &D,
    admitted: &Admitted,
    options: &CopyOptions,
    progress: &Arc<dyn Progress>,
) -> Result<(Vec<u8>, String, Digest)> {
    let image = &admitted.fetched;
    let wanted_format = options.format.or_else(|| {
        destination
            .required_kinds()
            .filter(|kinds| !kinds.contains(&image.manifest.kind()))
            .map(|kinds| TargetFormat::for_kind(kinds[0]))
    });
    let changes_manifest = wanted_format.is_some() || options.layer_edit.is_some();
    if options.preserve_digests && changes_manifest {
        return Err(Error::Unsupported(format!(
            "copying to {} this way changes the manifest digest, which --preserve-digests forbids",
            destination.describe()
        )));
    }
    if !admitted.signatures.is_empty() && changes_manifest {
        return Err(Error::Unsupported(format!(
            "copying to {} this way changes the manifest, which would invalidate its signatures; use --remove-signatures to copy without them",
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

#[cfg(test)]
mod skip_if_present_tests {
    //! `skip_if_present` against an in-memory source and a destination that records each call.

    use std::collections::HashMap;
    use std::sync::Mutex;

    use futures_util::FutureExt;

    use super::*;
    use crate::manifest::ManifestKind;

    const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

    /// Manifests by digest (the top one also under `None`) and blobs, all in memory.
    struct MemorySource {
        top: FetchedManifest,
        manifests: HashMap<Digest, FetchedManifest>,
        blobs: HashMap<Digest, Vec<u8>>,
    }

    fn fetched(raw: String, media_type: &str) -> FetchedManifest {
        let digest = Digest::sha256(raw.as_bytes());
        FetchedManifest { manifest: Manifest::decode(raw.into_bytes(), Some(media_type)).unwrap(), digest }
    }

    /// An OCI image of a config and one layer, whose bytes are `seed`-dependent.
    fn image(seed: &str, blobs: &mut HashMap<Digest, Vec<u8>>) -> FetchedManifest {
        let config = format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"{seed}\"}}").into_bytes();
        let layer = format!("layer of {seed}").into_bytes();
        let (config_digest, layer_digest) = (Digest::sha256(&config), Digest::sha256(&layer));
        let raw = format!(
            "{{\"schemaVersion\":2,\"mediaType\":\"{OCI_MANIFEST}\",\
             \"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{config_digest}\",\"size\":{}}},\
             \"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{layer_digest}\",\"size\":{}}}]}}",
            config.len(),
            layer.len()
        );
        blobs.insert(config_digest, config);
        blobs.insert(layer_digest, layer);
        fetched(raw, OCI_MANIFEST)
    }

    impl MemorySource {
        fn single() -> Self {
            let mut blobs = HashMap::new();
            let top = image("one", &mut blobs);
            MemorySource { top, manifests: HashMap::new(), blobs }
        }

        /// An index of an amd64 and an arm64 image.
        fn index() -> Self {
            let mut blobs = HashMap::new();
            let (amd, arm) = (image("amd64", &mut blobs), image("arm64", &mut blobs));
            let entry = |m: &FetchedManifest, arch: &str| {
                format!(
                    "{{\"mediaType\":\"{OCI_MANIFEST}\",\"digest\":\"{}\",\"size\":{},\"platform\":{{\"architecture\":\"{arch}\",\"os\":\"linux\"}}}}",
                    m.digest,
                    m.manifest.raw().len()
                )
            };
            let raw = format!(
                "{{\"schemaVersion\":2,\"mediaType\":\"{OCI_INDEX}\",\"manifests\":[{},{}]}}",
                entry(&amd, "amd64"),
                entry(&arm, "arm64")
            );
            let manifests = [(amd.digest.clone(), amd), (arm.digest.clone(), arm)].into_iter().collect();
            MemorySource { top: fetched(raw, OCI_INDEX), manifests, blobs }
        }
    }

    impl ImageSource for MemorySource {
        async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
            match instance {
                None => Ok(self.top.clone()),
                Some(d) => self.manifests.get(d).cloned().ok_or_else(|| Error::NotFound(d.to_string())),
            }
        }

        async fn blob(&self, digest: &Digest, _size: Option<u64>) -> Result<ByteStream> {
            let bytes = self.blobs.get(digest).cloned().ok_or_else(|| Error::NotFound(digest.to_string()))?;
            Ok(Box::pin(stream::once(async move { Ok(Bytes::from(bytes)) })))
        }

        fn docker_name(&self) -> Option<String> {
            None
        }
    }

    /// What `has_manifest` answers.
    enum Names {
        Digest(Digest),
        Nothing,
        Fails,
    }

    /// Records every call; names what `names` says.
    struct RecordingDestination {
        names: Names,
        calls: Mutex<Vec<String>>,
    }

    impl RecordingDestination {
        fn new(names: Names) -> Self {
            RecordingDestination { names, calls: Mutex::new(Vec::new()) }
        }

        fn record(&self, call: String) {
            self.calls.lock().unwrap().push(call);
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
    }

    impl ImageDestination for RecordingDestination {
        fn describe(&self) -> String {
            "memory:".into()
        }

        async fn has_manifest(&self, digest: &Digest) -> Result<bool> {
            self.record(format!("has_manifest {digest}"));
            match &self.names {
                Names::Digest(named) => Ok(named == digest),
                Names::Nothing => Ok(false),
                Names::Fails => Err(Error::Unsupported("HEAD failed".into())),
            }
        }

        async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
            self.record(format!("has_blob {}", blob.digest));
            Ok(false)
        }

        async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
            let _: Vec<Bytes> = stream.try_collect().await?;
            self.record(format!("put_blob {}", blob.digest));
            Ok(())
        }

        async fn put_new_blob(&self, _stream: ByteStream, _media_type: &str) -> Result<BlobInfo> {
            Err(Error::Unsupported("not in these tests".into()))
        }

        async fn put_instance_manifest(&self, _raw: &[u8], _media_type: &str, digest: &Digest) -> Result<()> {
            self.record(format!("put_instance_manifest {digest}"));
            Ok(())
        }

        async fn commit(&self, _raw: &[u8], _media_type: &str, digest: &Digest) -> Result<()> {
            self.record(format!("commit {digest}"));
            Ok(())
        }
    }

    /// Progress events, in order.
    #[derive(Default)]
    struct Events(Mutex<Vec<String>>);

    impl Progress for Events {
        fn start(&self) {
            self.0.lock().unwrap().push("start".into());
        }

        fn already_present(&self, digest: &Digest) {
            self.0.lock().unwrap().push(format!("already_present {digest}"));
        }

        fn writing_manifest(&self) {
            self.0.lock().unwrap().push("writing_manifest".into());
        }
    }

    fn options(skip_if_present: bool) -> CopyOptions {
        CopyOptions {
            platform: WantedPlatform { os: "linux".into(), architecture: "amd64".into(), variant: None },
            skip_if_present,
            ..CopyOptions::default()
        }
    }

    /// Runs a copy to completion (every future here is ready at once) with recorded progress.
    fn copy(
        source: &MemorySource,
        destination: &RecordingDestination,
        options: &CopyOptions,
    ) -> (Result<CopyReport>, Vec<String>) {
        let events = Arc::new(Events::default());
        let progress: Arc<dyn Progress> = events.clone();
        let result =
            copy_image(source, destination, options, &progress).now_or_never().expect("in-memory copy is ready");
        let seen = events.0.lock().unwrap().clone();
        (result, seen)
    }

    #[test]
    fn a_destination_naming_the_manifest_gets_no_write() {
        let source = MemorySource::single();
        let digest = source.top.digest.clone();
        let destination = RecordingDestination::new(Names::Digest(digest.clone()));
        let (report, events) = copy(&source, &destination, &options(true));
        let report = report.unwrap();
        assert!(report.skipped);
        assert_eq!(report.digest, digest);
        assert_eq!(report.media_type, OCI_MANIFEST);
        assert_eq!(destination.calls(), vec![format!("has_manifest {digest}")]);
        assert_eq!(events, vec![format!("already_present {digest}")], "no start, no manifest write");
    }

    #[test]
    fn another_manifest_at_the_destination_means_a_full_copy() {
        let source = MemorySource::single();
        let digest = source.top.digest.clone();
        let other = Digest::sha256(b"something else");
        for names in [Names::Digest(other), Names::Nothing, Names::Fails] {
            let destination = RecordingDestination::new(names);
            let (report, events) = copy(&source, &destination, &options(true));
            let report = report.unwrap();
            assert!(!report.skipped);
            assert_eq!(report.digest, digest);
            let calls = destination.calls();
            assert_eq!(calls.first(), Some(&format!("has_manifest {digest}")));
            assert_eq!(calls.iter().filter(|c| c.starts_with("put_blob")).count(), 2, "{calls:?}");
            assert_eq!(calls.last(), Some(&format!("commit {digest}")));
            assert_eq!(events, vec!["start", "writing_manifest"]);
        }
    }

    #[test]
    fn without_the_option_the_destination_is_not_asked() {
        let source = MemorySource::single();
        let digest = source.top.digest.clone();
        let destination = RecordingDestination::new(Names::Digest(digest.clone()));
        let (report, events) = copy(&source, &destination, &options(false));
        assert!(!report.unwrap().skipped);
        let calls = destination.calls();
        assert!(!calls.iter().any(|c| c.starts_with("has_manifest")), "{calls:?}");
        assert_eq!(calls.last(), Some(&format!("commit {digest}")));
        assert_eq!(events, vec!["start", "writing_manifest"]);
    }

    #[test]
    fn a_changed_manifest_is_not_looked_for() {
        // Changing layer compression writes another digest: asking would be meaningless.
        let source = MemorySource::single();
        let destination = RecordingDestination::new(Names::Digest(source.top.digest.clone()));
        let options = CopyOptions { layer_edit: Some(LayerEdit::Decompress), ..options(true) };
        let (report, _) = copy(&source, &destination, &options);
        assert!(report.is_err(), "no codec was given");
        assert!(!destination.calls().iter().any(|c| c.starts_with("has_manifest")), "{:?}", destination.calls());
    }

    #[test]
    fn an_index_is_looked_for_by_the_manifest_the_copy_would_name() {
        let source = MemorySource::index();
        let index = source.top.digest.clone();
        let amd64 = source.top.manifest.choose_instance(&options(true).platform).unwrap().digest.clone();
        assert_ne!(index, amd64);

        // --multi-arch system writes the amd64 image under the name.
        let destination = RecordingDestination::new(Names::Digest(amd64.clone()));
        let (report, _) = copy(&source, &destination, &options(true));
        let report = report.unwrap();
        assert!(report.skipped);
        assert_eq!(report.digest, amd64);
        assert_eq!(ManifestKind::from_media_type(&report.media_type), Some(ManifestKind::OciManifest));

        // --all writes the index: the amd64 image under the name is not enough.
        let all = CopyOptions { multi_arch: MultiArch::All, ..options(true) };
        let destination = RecordingDestination::new(Names::Digest(amd64.clone()));
        let (report, _) = copy(&source, &destination, &all);
        let report = report.unwrap();
        assert!(!report.skipped);
        assert_eq!(report.digest, index);
        let calls = destination.calls();
        assert_eq!(calls[0], format!("has_manifest {index}"));
        assert_eq!(calls.iter().filter(|c| c.starts_with("put_instance_manifest")).count(), 2);
        assert_eq!(calls.last(), Some(&format!("commit {index}")));

        let destination = RecordingDestination::new(Names::Digest(index.clone()));
        let (report, _) = copy(&source, &destination, &all);
        assert!(report.unwrap().skipped);
        assert_eq!(destination.calls(), vec![format!("has_manifest {index}")]);
    }
}
