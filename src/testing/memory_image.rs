//! In-memory images for unit tests: a [`MemorySource`] and a [`MemoryDestination`] that record
//! every call in order, and [`TestImage`]/[`TestIndex`] to build small valid images.
//!
//! The source keeps the [`ImageSource`] contract: manifests come back decoded with their digest,
//! and blob streams are checked by a [`Verifier`] (a blob served damaged ends in an error). It can
//! be told to refuse a blob, serve one damaged, name a registry to mount from, or stream in small
//! chunks. The destination stores only blobs whose stream ended cleanly and matched their
//! digest and size; it can already hold blobs, mount some, or fail to store some.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::json;

use crate::digest::{Digest, Verifier};
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, ImageSource, MountOrigin};
use crate::manifest::{media_type, Manifest, ManifestKind};
use crate::registry::FetchedManifest;
use crate::signature::Signature;

/// Gzip layer media types of the two formats.
pub(crate) const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub(crate) const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// A small single-platform image: manifest, config and layer bytes.
#[derive(Clone, Debug)]
pub(crate) struct TestImage {
    pub manifest: Vec<u8>,
    pub media_type: &'static str,
    pub digest: Digest,
    pub config: Vec<u8>,
    pub layers: Vec<Vec<u8>>,
    pub architecture: String,
}

impl TestImage {
    /// An OCI image for linux/`architecture` with these layers.
    pub fn oci(architecture: &str, layers: &[&[u8]]) -> TestImage {
        TestImage::build(ManifestKind::OciManifest, architecture, layers)
    }

    /// A Docker schema 2 image for linux/`architecture` with these layers. Its config carries the
    /// Docker-only `container_config` and `docker_version`, which the OCI form drops.
    pub fn docker(architecture: &str, layers: &[&[u8]]) -> TestImage {
        TestImage::build(ManifestKind::DockerV2S2, architecture, layers)
    }

    fn build(kind: ManifestKind, architecture: &str, layers: &[&[u8]]) -> TestImage {
        let docker = kind == ManifestKind::DockerV2S2;
        let diff_ids: Vec<String> = layers.iter().map(|l| Digest::sha256(l).to_string()).collect();
        let mut config = json!({
            "architecture": architecture,
            "os": "linux",
            "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        if docker {
            config["container_config"] = json!({"Hostname": "builder"});
            config["docker_version"] = json!("24.0.0");
        }
        let config = serde_json::to_vec(&config).expect("json");
        let (config_type, layer_type) = if docker {
            (media_type::DOCKER_CONFIG, DOCKER_LAYER_GZIP)
        } else {
            (media_type::OCI_CONFIG, OCI_LAYER_GZIP)
        };
        let layer_descriptors: Vec<_> = layers
            .iter()
            .map(|l| json!({"mediaType": layer_type, "digest": Digest::sha256(l).to_string(), "size": l.len()}))
            .collect();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": kind.media_type(),
            "config": {"mediaType": config_type, "digest": Digest::sha256(&config).to_string(), "size": config.len()},
            "layers": layer_descriptors,
        });
        let manifest = serde_json::to_vec(&manifest).expect("json");
        TestImage {
            digest: Digest::sha256(&manifest),
            manifest,
            media_type: kind.media_type(),
            config,
            layers: layers.iter().map(|l| l.to_vec()).collect(),
            architecture: architecture.to_string(),
        }
    }

    /// The config's digest.
    pub fn config_digest(&self) -> Digest {
        Digest::sha256(&self.config)
    }

    /// The layers' digests, in manifest order.
    pub fn layer_digests(&self) -> Vec<Digest> {
        self.layers.iter().map(|l| Digest::sha256(l)).collect()
    }

    /// Config then layer digests: every blob the manifest names.
    pub fn blob_digests(&self) -> Vec<Digest> {
        std::iter::once(self.config_digest()).chain(self.layer_digests()).collect()
    }

    /// Config then layer bytes.
    pub fn blobs(&self) -> Vec<Vec<u8>> {
        std::iter::once(self.config.clone()).chain(self.layers.iter().cloned()).collect()
    }
}

/// A multi-platform index over [`TestImage`]s (each entry's platform is linux/its architecture).
#[derive(Clone, Debug)]
pub(crate) struct TestIndex {
    pub manifest: Vec<u8>,
    pub media_type: &'static str,
    pub digest: Digest,
    pub images: Vec<TestImage>,
}

impl TestIndex {
    /// An OCI index (or a Docker manifest list when `kind` is [`ManifestKind::DockerList`]).
    pub fn new(kind: ManifestKind, images: Vec<TestImage>) -> TestIndex {
        let entries: Vec<_> = images
            .iter()
            .map(|i| {
                json!({
                    "mediaType": i.media_type,
                    "digest": i.digest.to_string(),
                    "size": i.manifest.len(),
                    "platform": {"architecture": i.architecture, "os": "linux"},
                })
            })
            .collect();
        let manifest =
            serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": kind.media_type(), "manifests": entries}))
                .expect("json");
        TestIndex { digest: Digest::sha256(&manifest), manifest, media_type: kind.media_type(), images }
    }
}

/// A call made to a [`MemorySource`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SourceCall {
    /// `manifest(instance)`.
    Manifest(Option<Digest>),
    /// `blob(digest, …)`.
    Blob(Digest),
    /// `signatures(…, digest)`.
    Signatures(Digest),
}

/// An image source held in memory.
pub(crate) struct MemorySource {
    top: (Vec<u8>, String),
    instances: HashMap<Digest, (Vec<u8>, String)>,
    blobs: HashMap<Digest, Vec<u8>>,
    damaged: HashSet<Digest>,
    refused: HashSet<Digest>,
    chunk_size: usize,
    origin: Option<MountOrigin>,
    /// Signatures by manifest digest.
    signatures: HashMap<Digest, Vec<Signature>>,
    calls: Mutex<Vec<SourceCall>>,
}

impl MemorySource {
    /// A source whose top-level manifest is `raw` of `media_type`, with no blobs yet.
    pub fn new(raw: &[u8], media_type: &str) -> MemorySource {
        MemorySource {
            top: (raw.to_vec(), media_type.to_string()),
            instances: HashMap::new(),
            blobs: HashMap::new(),
            damaged: HashSet::new(),
            refused: HashSet::new(),
            chunk_size: 1 << 20,
            origin: None,
            signatures: HashMap::new(),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Gives the manifest `digest` these signatures.
    pub fn with_signatures(mut self, digest: &Digest, signatures: &[&[u8]]) -> MemorySource {
        self.signatures
            .insert(digest.clone(), signatures.iter().map(|s| Signature::SimpleSigning(s.to_vec())).collect());
        self
    }

    /// A source of one image and its blobs.
    pub fn image(image: &TestImage) -> MemorySource {
        MemorySource::new(&image.manifest, image.media_type).with_blobs_of(image)
    }

    /// A source of an index, its instances and all their blobs.
    pub fn index(index: &TestIndex) -> MemorySource {
        let mut source = MemorySource::new(&index.manifest, index.media_type);
        for image in &index.images {
            source.instances.insert(image.digest.clone(), (image.manifest.clone(), image.media_type.to_string()));
            source = source.with_blobs_of(image);
        }
        source
    }

    fn with_blobs_of(mut self, image: &TestImage) -> MemorySource {
        for blob in image.blobs() {
            self.blobs.insert(Digest::sha256(&blob), blob);
        }
        self
    }

    /// Serves this blob with its last byte changed (the verified stream then ends in an error).
    pub fn with_damaged_blob(mut self, digest: &Digest) -> MemorySource {
        self.damaged.insert(digest.clone());
        self
    }

    /// Fails `blob()` for this digest at once.
    pub fn with_refused_blob(mut self, digest: &Digest) -> MemorySource {
        self.refused.insert(digest.clone());
        self
    }

    /// Streams blobs in chunks of at most `size` bytes.
    pub fn with_chunk_size(mut self, size: usize) -> MemorySource {
        self.chunk_size = size.max(1);
        self
    }

    /// Says the blobs live in `repository` of `registry` (for cross-repository mounts).
    pub fn with_mount_origin(mut self, registry: &str, repository: &str) -> MemorySource {
        self.origin = Some(MountOrigin { registry: registry.into(), repository: repository.into() });
        self
    }

    /// Every call, in order.
    pub fn calls(&self) -> Vec<SourceCall> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The digests `blob()` was asked for, in order.
    pub fn blob_reads(&self) -> Vec<Digest> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                SourceCall::Blob(d) => Some(d),
                SourceCall::Manifest(_) | SourceCall::Signatures(_) => None,
            })
            .collect()
    }

    fn record(&self, call: SourceCall) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).push(call);
    }
}

impl ImageSource for MemorySource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        self.record(SourceCall::Manifest(instance.cloned()));
        let (raw, media_type) = match instance {
            None => &self.top,
            Some(d) => self.instances.get(d).ok_or_else(|| Error::NotFound(format!("no manifest {d}")))?,
        };
        let manifest = Manifest::decode(raw.clone(), Some(media_type))?;
        let digest = manifest.digest()?;
        Ok(FetchedManifest { manifest, digest })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        self.record(SourceCall::Blob(digest.clone()));
        if self.refused.contains(digest) {
            return Err(Error::Network(format!("reading blob {digest}: connection reset")));
        }
        let mut bytes = self.blobs.get(digest).ok_or_else(|| Error::NotFound(format!("no blob {digest}")))?.clone();
        if self.damaged.contains(digest) {
            if let Some(last) = bytes.last_mut() {
                *last ^= 0xff;
            }
        }
        let mut verifier = Verifier::new(digest.clone(), size, format!("blob {digest}"));
        let mut items = Vec::new();
        for chunk in bytes.chunks(self.chunk_size) {
            match verifier.update(chunk) {
                Ok(()) => items.push(Ok(Bytes::copy_from_slice(chunk))),
                Err(e) => {
                    items.push(Err(e));
                    break;
                }
            }
        }
        if !matches!(items.last(), Some(Err(_))) {
            if let Err(e) = verifier.finish() {
                items.push(Err(e));
            }
        }
        Ok(Box::pin(futures_util::stream::iter(items)))
    }

    fn docker_name(&self) -> Option<String> {
        None
    }

    async fn signatures(&self, _instance: Option<&Digest>, digest: &Digest) -> Result<Vec<Signature>> {
        self.record(SourceCall::Signatures(digest.clone()));
        Ok(self.signatures.get(digest).cloned().unwrap_or_default())
    }

    fn mount_origin(&self) -> Option<MountOrigin> {
        self.origin.clone()
    }
}

/// A call made to a [`MemoryDestination`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DestCall {
    HasBlob(Digest),
    TryMount(Digest, MountOrigin),
    PutBlob(Digest),
    /// `put_new_blob` with this media type.
    PutNewBlob(String),
    InstanceManifest(Digest),
    /// `put_signatures` for the manifest with this digest, with this many signatures.
    Signatures(Digest, usize),
    Commit(Digest),
}

/// What `commit` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Committed {
    pub raw: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

#[derive(Default)]
struct DestState {
    blobs: HashMap<Digest, Vec<u8>>,
    mounted: HashSet<Digest>,
    instance_manifests: Vec<Committed>,
    committed: Option<Committed>,
    signatures: HashMap<Digest, Vec<Signature>>,
    calls: Vec<DestCall>,
}

/// An image destination held in memory.
pub(crate) struct MemoryDestination {
    state: Mutex<DestState>,
    mountable: HashSet<Digest>,
    failing: HashSet<Digest>,
    supports_index: bool,
    required_kinds: Option<&'static [ManifestKind]>,
    /// Why signatures cannot be stored, if they cannot.
    no_signatures: Option<&'static str>,
}

impl Default for MemoryDestination {
    fn default() -> Self {
        MemoryDestination::new()
    }
}

impl MemoryDestination {
    /// An empty destination that stores every kind of manifest and indexes.
    pub fn new() -> MemoryDestination {
        MemoryDestination {
            state: Mutex::new(DestState::default()),
            mountable: HashSet::new(),
            failing: HashSet::new(),
            supports_index: true,
            required_kinds: None,
            no_signatures: None,
        }
    }

    /// A destination that cannot store signatures, saying `why`.
    pub fn without_signatures(mut self, why: &'static str) -> MemoryDestination {
        self.no_signatures = Some(why);
        self
    }

    /// The signatures stored for the manifest `digest`.
    pub fn signatures(&self, digest: &Digest) -> Vec<Signature> {
        self.lock().signatures.get(digest).cloned().unwrap_or_default()
    }

    /// Already holds this blob.
    pub fn with_blob(self, bytes: &[u8]) -> MemoryDestination {
        self.lock().blobs.insert(Digest::sha256(bytes), bytes.to_vec());
        self
    }

    /// Can mount this blob from any origin.
    pub fn with_mountable(mut self, digest: &Digest) -> MemoryDestination {
        self.mountable.insert(digest.clone());
        self
    }

    /// Fails to store this blob (after reading none of it).
    pub fn with_failing_blob(mut self, digest: &Digest) -> MemoryDestination {
        self.failing.insert(digest.clone());
        self
    }

    /// Cannot store an index.
    pub fn without_index(mut self) -> MemoryDestination {
        self.supports_index = false;
        self
    }

    /// Stores only manifests of these kinds.
    pub fn requiring(mut self, kinds: &'static [ManifestKind]) -> MemoryDestination {
        self.required_kinds = Some(kinds);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DestState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, call: DestCall) {
        self.lock().calls.push(call);
    }

    /// Every call, in order.
    pub fn calls(&self) -> Vec<DestCall> {
        self.lock().calls.clone()
    }

    /// The bytes of a stored blob.
    pub fn blob(&self, digest: &Digest) -> Option<Vec<u8>> {
        self.lock().blobs.get(digest).cloned()
    }

    /// The digests of every stored blob, sorted.
    pub fn blob_digests(&self) -> Vec<Digest> {
        let mut digests: Vec<Digest> = self.lock().blobs.keys().cloned().collect();
        digests.sort_by_key(|d| d.to_string());
        digests
    }

    /// The digests mounted, in order.
    pub fn mounted(&self) -> HashSet<Digest> {
        self.lock().mounted.clone()
    }

    /// The instance manifests written, in order.
    pub fn instance_manifests(&self) -> Vec<Committed> {
        self.lock().instance_manifests.clone()
    }

    /// What `commit` wrote, if it was called.
    pub fn committed(&self) -> Option<Committed> {
        self.lock().committed.clone()
    }

    async fn read_all(stream: ByteStream) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut stream = stream;
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }
}

impl ImageDestination for MemoryDestination {
    fn describe(&self) -> String {
        "memory:".to_string()
    }

    fn supports_index(&self) -> bool {
        self.supports_index
    }

    fn required_kinds(&self) -> Option<&'static [ManifestKind]> {
        self.required_kinds
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        self.record(DestCall::HasBlob(blob.digest.clone()));
        let state = self.lock();
        Ok(state.blobs.contains_key(&blob.digest) || state.mounted.contains(&blob.digest))
    }

    async fn try_mount(&self, blob: &BlobInfo, origin: &MountOrigin) -> Result<bool> {
        self.record(DestCall::TryMount(blob.digest.clone(), origin.clone()));
        let mountable = self.mountable.contains(&blob.digest);
        if mountable {
            self.lock().mounted.insert(blob.digest.clone());
        }
        Ok(mountable)
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        self.record(DestCall::PutBlob(blob.digest.clone()));
        if self.failing.contains(&blob.digest) {
            return Err(Error::Network(format!("storing blob {}: disk full", blob.digest)));
        }
        let bytes = Self::read_all(stream).await?;
        if let Some(size) = blob.size.filter(|s| *s != bytes.len() as u64) {
            return Err(Error::SizeMismatch { what: "stored blob".into(), expected: size, actual: bytes.len() as u64 });
        }
        blob.digest.verify(&bytes, "stored blob")?;
        self.lock().blobs.insert(blob.digest.clone(), bytes);
        Ok(())
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        self.record(DestCall::PutNewBlob(media_type.to_string()));
        let bytes = Self::read_all(stream).await?;
        let digest = Digest::sha256(&bytes);
        let info = BlobInfo { digest: digest.clone(), size: Some(bytes.len() as u64), media_type: media_type.into() };
        self.lock().blobs.insert(digest, bytes);
        Ok(info)
    }

    async fn put_instance_manifest(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.record(DestCall::InstanceManifest(digest.clone()));
        let written = Committed { raw: raw.to_vec(), media_type: media_type.into(), digest: digest.clone() };
        self.lock().instance_manifests.push(written);
        Ok(())
    }

    fn docker_reference(&self) -> Option<String> {
        Some("memory.example/destination:latest".into())
    }

    fn signature_support(&self) -> Result<()> {
        match self.no_signatures {
            Some(why) => Err(Error::Unsupported(why.into())),
            None => Ok(()),
        }
    }

    async fn put_signatures(
        &self,
        _instance: Option<&Digest>,
        digest: &Digest,
        signatures: &[Signature],
    ) -> Result<()> {
        self.record(DestCall::Signatures(digest.clone(), signatures.len()));
        if !signatures.is_empty() {
            self.signature_support()?;
        }
        self.lock().signatures.insert(digest.clone(), signatures.to_vec());
        Ok(())
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.record(DestCall::Commit(digest.clone()));
        self.lock().committed =
            Some(Committed { raw: raw.to_vec(), media_type: media_type.into(), digest: digest.clone() });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::read_limited;
    use crate::testing::block_on;

    #[test]
    fn test_images_are_valid_and_consistent() {
        for image in [TestImage::oci("amd64", &[b"one", b"two"]), TestImage::docker("arm64", &[b"x"])] {
            let m = Manifest::decode(image.manifest.clone(), None).unwrap();
            assert_eq!(m.media_type(), image.media_type);
            assert_eq!(m.digest().unwrap(), image.digest);
            let parsed = m.as_image().unwrap();
            assert_eq!(parsed.config.digest, image.config_digest());
            assert_eq!(parsed.layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>(), image.layer_digests());
        }
        let index = TestIndex::new(ManifestKind::OciIndex, vec![TestImage::oci("amd64", &[b"a"])]);
        let m = Manifest::decode(index.manifest.clone(), None).unwrap();
        assert_eq!(m.as_index().unwrap().manifests[0].digest, index.images[0].digest);
    }

    #[test]
    fn source_streams_verified_blobs_and_records_calls() {
        let image = TestImage::oci("amd64", &[b"hello world"]);
        let layer = image.layer_digests()[0].clone();
        let source = MemorySource::image(&image).with_chunk_size(4);
        let bytes = block_on(async { read_limited(source.blob(&layer, Some(11)).await.unwrap(), 100, "b").await });
        assert_eq!(bytes.unwrap(), b"hello world");
        let damaged = MemorySource::image(&image).with_damaged_blob(&layer);
        let result = block_on(async { read_limited(damaged.blob(&layer, None).await.unwrap(), 100, "b").await });
        assert!(matches!(result, Err(Error::DigestMismatch { .. })), "{result:?}");
        assert_eq!(source.calls(), vec![SourceCall::Blob(layer)]);
    }

    #[test]
    fn destination_stores_only_verified_blobs() {
        let dest = MemoryDestination::new();
        let good = Digest::sha256(b"abc");
        let info = BlobInfo { digest: good.clone(), size: Some(3), media_type: OCI_LAYER_GZIP.into() };
        let body = |b: &'static [u8]| -> ByteStream { Box::pin(futures_util::stream::iter([Ok(Bytes::from(b))])) };
        block_on(dest.put_blob(&info, body(b"abc"))).unwrap();
        assert!(block_on(dest.put_blob(&info, body(b"abd"))).is_err());
        let other = BlobInfo { digest: Digest::sha256(b"xyz"), ..info.clone() };
        assert!(block_on(dest.put_blob(&other, body(b"abc"))).is_err());
        assert_eq!(dest.blob_digests(), vec![good]);
    }
}
