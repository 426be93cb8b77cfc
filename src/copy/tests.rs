//! Unit tests of the copy engine over the in-memory images of [`crate::testing`]: the order of
//! writes, what a failure leaves behind, skip and mount decisions, and format conversion.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::{
    copy_image, BlobOutcome, Codec, Compression, CopyOptions, CopyReport, LayerEdit, MultiArch, Progress, Signer,
    Signing, TrustPolicy,
};
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::config::OciImage;
use crate::image::{BlobInfo, MountOrigin};
use crate::manifest::{media_type, Manifest, ManifestKind, WantedPlatform};
use crate::signature::Signature;
use crate::testing::memory_image::{DOCKER_LAYER_GZIP, OCI_LAYER_GZIP};
use crate::testing::{block_on, DestCall, MemoryDestination, MemorySource, SourceCall, TestImage, TestIndex};
use crate::Digest;

/// Progress events, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Start,
    Finished(Digest, BlobOutcome),
    Writing,
    Instance(usize, usize),
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Recorder {
    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
    fn push(&self, e: Event) {
        self.0.lock().unwrap().push(e);
    }
}

impl Progress for Recorder {
    fn start(&self) {
        self.push(Event::Start);
    }
    fn blob_finished(&self, blob: &BlobInfo, outcome: BlobOutcome) {
        self.push(Event::Finished(blob.digest.clone(), outcome));
    }
    fn writing_manifest(&self) {
        self.push(Event::Writing);
    }
    fn instance_started(&self, index: usize, count: usize) {
        self.push(Event::Instance(index, count));
    }
}

fn linux(architecture: &str) -> WantedPlatform {
    WantedPlatform { os: "linux".into(), architecture: architecture.into(), variant: None }
}

fn options() -> CopyOptions {
    CopyOptions { platform: linux("amd64"), ..Default::default() }
}

fn copy(source: &MemorySource, dest: &MemoryDestination, options: &CopyOptions) -> Result<CopyReport> {
    let progress: Arc<dyn Progress> = Arc::new(Recorder::default());
    block_on(copy_image(source, dest, options, &progress))
}

fn copy_recorded(
    source: &MemorySource,
    dest: &MemoryDestination,
    options: &CopyOptions,
) -> (Result<CopyReport>, Vec<Event>) {
    let recorder = Arc::new(Recorder::default());
    let progress: Arc<dyn Progress> = recorder.clone();
    let result = block_on(copy_image(source, dest, options, &progress));
    (result, recorder.events())
}

fn position(calls: &[DestCall], wanted: &DestCall) -> usize {
    calls.iter().position(|c| c == wanted).unwrap_or_else(|| panic!("{wanted:?} not in {calls:#?}"))
}

fn two_platforms() -> TestIndex {
    TestIndex::new(
        ManifestKind::OciIndex,
        vec![TestImage::oci("amd64", &[b"amd64 layer"]), TestImage::oci("arm64", &[b"arm64 layer", b"arm64 second"])],
    )
}

fn all() -> CopyOptions {
    CopyOptions { multi_arch: MultiArch::All, ..options() }
}

// ---- order ----

#[test]
fn an_image_is_its_blobs_then_commit() {
    let image = TestImage::oci("amd64", &[b"one", b"two"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let report = copy(&source, &dest, &options()).unwrap();
    assert_eq!(
        report,
        CopyReport { digest: image.digest.clone(), media_type: image.media_type.to_string(), skipped: false }
    );
    let calls = dest.calls();
    assert_eq!(calls.last(), Some(&DestCall::Commit(image.digest.clone())));
    assert_eq!(calls.iter().filter(|c| matches!(c, DestCall::Commit(_))).count(), 1);
    for digest in image.blob_digests() {
        assert!(position(&calls, &DestCall::PutBlob(digest.clone())) < calls.len() - 1);
        assert_eq!(dest.blob(&digest), image.blobs().into_iter().find(|b| Digest::sha256(b) == digest));
    }
    assert!(dest.instance_manifests().is_empty());
    assert_eq!(dest.committed().unwrap().raw, image.manifest, "the bytes pass untouched");
}

#[test]
fn one_at_a_time_the_config_comes_first_then_layers_in_order() {
    let image = TestImage::oci("amd64", &[b"one", b"two", b"three"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    copy(&source, &dest, &CopyOptions { parallel: 1, ..options() }).unwrap();
    let puts: Vec<Digest> =
        dest.calls().into_iter().filter_map(|c| if let DestCall::PutBlob(d) = c { Some(d) } else { None }).collect();
    assert_eq!(puts, image.blob_digests());
    let mut expected = vec![SourceCall::Manifest(None), SourceCall::Signatures(image.digest.clone())];
    expected.extend(image.blob_digests().into_iter().map(SourceCall::Blob));
    assert_eq!(source.calls(), expected);
}

#[test]
fn an_index_goes_instance_by_instance_then_commit_of_the_index() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
    let (report, events) = copy_recorded(&source, &dest, &all());
    let report = report.unwrap();
    assert_eq!(report.digest, index.digest);
    assert_eq!(report.media_type, media_type::OCI_INDEX);
    let calls = dest.calls();
    let (first, second) = (&index.images[0], &index.images[1]);
    let first_manifest = position(&calls, &DestCall::InstanceManifest(first.digest.clone()));
    let second_manifest = position(&calls, &DestCall::InstanceManifest(second.digest.clone()));
    let commit = position(&calls, &DestCall::Commit(index.digest.clone()));
    for digest in first.blob_digests() {
        assert!(position(&calls, &DestCall::PutBlob(digest)) < first_manifest, "instance 1's blobs, then its manifest");
    }
    for digest in second.blob_digests() {
        let at = position(&calls, &DestCall::PutBlob(digest));
        assert!(first_manifest < at && at < second_manifest, "instance 2 starts after instance 1 is done");
    }
    assert_eq!(commit, calls.len() - 1);
    assert_eq!(dest.committed().unwrap().raw, index.manifest);
    let written: Vec<_> = dest.instance_manifests().into_iter().map(|m| (m.digest, m.raw)).collect();
    assert_eq!(
        written,
        [(first.digest.clone(), first.manifest.clone()), (second.digest.clone(), second.manifest.clone())]
    );
    let instances: Vec<_> = events.iter().filter(|e| matches!(e, Event::Instance(..))).cloned().collect();
    assert_eq!(instances, [Event::Instance(1, 2), Event::Instance(2, 2)]);
    assert_eq!(events.first(), Some(&Event::Start));
    assert_eq!(events.last(), Some(&Event::Writing));
}

#[test]
fn one_platform_of_an_index_is_copied_and_committed_alone() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
    let report = copy(&source, &dest, &CopyOptions { platform: linux("arm64"), ..options() }).unwrap();
    let arm = &index.images[1];
    assert_eq!(report.digest, arm.digest);
    assert_eq!(dest.committed().unwrap().raw, arm.manifest);
    assert_eq!(dest.blob_digests().len(), 3);
    assert!(dest.instance_manifests().is_empty());
    let manifests: Vec<_> = source.calls().into_iter().filter(|c| matches!(c, SourceCall::Manifest(_))).collect();
    assert_eq!(manifests, [SourceCall::Manifest(None), SourceCall::Manifest(Some(arm.digest.clone()))]);
}

#[test]
fn no_image_for_the_platform_writes_nothing() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
    let err = copy(&source, &dest, &CopyOptions { platform: linux("s390x"), ..options() }).unwrap_err();
    assert_eq!(err.code(), "NO_MATCHING_PLATFORM");
    assert!(dest.calls().is_empty());
}

#[test]
fn index_only_writes_just_the_index() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
    copy(&source, &dest, &CopyOptions { multi_arch: MultiArch::IndexOnly, ..options() }).unwrap();
    assert_eq!(dest.calls(), [DestCall::Signatures(index.digest.clone(), 0), DestCall::Commit(index.digest.clone())]);
    assert_eq!(source.calls(), [SourceCall::Manifest(None), SourceCall::Signatures(index.digest.clone())]);
}

#[test]
fn a_blob_shared_by_two_instances_is_read_once() {
    let shared: &[u8] = b"shared base layer";
    let index = TestIndex::new(
        ManifestKind::OciIndex,
        vec![TestImage::oci("amd64", &[shared, b"amd64"]), TestImage::oci("arm64", &[shared, b"arm64"])],
    );
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
    copy(&source, &dest, &all()).unwrap();
    let shared_digest = Digest::sha256(shared);
    assert_eq!(source.blob_reads().iter().filter(|d| **d == shared_digest).count(), 1);
    assert_eq!(dest.calls().iter().filter(|c| **c == DestCall::PutBlob(shared_digest.clone())).count(), 1);
}

#[test]
fn a_layer_listed_twice_is_copied_once() {
    let image = TestImage::oci("amd64", &[b"same", b"same"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    copy(&source, &dest, &options()).unwrap();
    assert_eq!(source.blob_reads().len(), 2, "config and the one layer");
}

// ---- failures ----

#[test]
fn nothing_is_committed_when_a_blob_cannot_be_stored() {
    let image = TestImage::oci("amd64", &[b"one", b"two"]);
    let bad = image.layer_digests()[1].clone();
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new().with_failing_blob(&bad));
    let err = copy(&source, &dest, &options()).unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(dest.committed(), None);
    assert!(!dest.calls().iter().any(|c| matches!(c, DestCall::Commit(_) | DestCall::InstanceManifest(_))));
    assert!(dest.blob(&bad).is_none());
}

#[test]
fn nothing_is_committed_when_a_source_blob_is_damaged() {
    let image = TestImage::oci("amd64", &[b"one", b"two"]);
    let bad = image.layer_digests()[0].clone();
    let (source, dest) =
        (MemorySource::image(&image).with_damaged_blob(&bad).with_chunk_size(2), MemoryDestination::new());
    let err = copy(&source, &dest, &options()).unwrap_err();
    assert_eq!(err.code(), "DIGEST_MISMATCH");
    assert_eq!(dest.committed(), None);
    assert!(dest.blob(&bad).is_none(), "a damaged blob is never stored");
}

#[test]
fn nothing_is_committed_when_a_source_blob_cannot_be_read() {
    let image = TestImage::docker("amd64", &[b"one"]);
    let bad = image.config_digest();
    let (source, dest) = (MemorySource::image(&image).with_refused_blob(&bad), MemoryDestination::new());
    assert_eq!(copy(&source, &dest, &options()).unwrap_err().code(), "NETWORK");
    assert_eq!(dest.committed(), None);
}

#[test]
fn a_failing_instance_leaves_the_index_uncommitted() {
    let index = two_platforms();
    let bad = index.images[1].layer_digests()[1].clone();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new().with_failing_blob(&bad));
    assert!(copy(&source, &dest, &all()).is_err());
    let written: Vec<_> = dest.instance_manifests().into_iter().map(|m| m.digest).collect();
    assert_eq!(written, [index.images[0].digest.clone()], "the first instance is complete, the second is not");
    assert_eq!(dest.committed(), None);
}

#[test]
fn a_missing_instance_manifest_writes_no_index() {
    let index = two_platforms();
    let mut partial = index.clone();
    partial.images.truncate(1);
    // The source has only the first instance, but the index names both.
    let source =
        MemorySource::index(&TestIndex { manifest: index.manifest.clone(), digest: index.digest.clone(), ..partial });
    let dest = MemoryDestination::new();
    assert_eq!(copy(&source, &dest, &all()).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(dest.committed(), None);
}

// ---- skip and mount ----

#[test]
fn blobs_the_destination_has_are_not_read() {
    let image = TestImage::oci("amd64", &[b"one", b"two"]);
    let dest = MemoryDestination::new().with_blob(&image.config).with_blob(&image.layers[0]);
    let source = MemorySource::image(&image);
    let (result, events) = copy_recorded(&source, &dest, &options());
    result.unwrap();
    assert_eq!(source.blob_reads(), [image.layer_digests()[1].clone()]);
    let puts: Vec<_> = dest.calls().into_iter().filter(|c| matches!(c, DestCall::PutBlob(_))).collect();
    assert_eq!(puts, [DestCall::PutBlob(image.layer_digests()[1].clone())]);
    assert!(events.contains(&Event::Finished(image.config_digest(), BlobOutcome::Skipped)));
    assert!(events.contains(&Event::Finished(image.layer_digests()[1].clone(), BlobOutcome::Copied)));
    assert!(dest.committed().is_some());
}

#[test]
fn a_mount_is_tried_before_an_upload_and_a_mounted_blob_is_not_read() {
    let image = TestImage::oci("amd64", &[b"one", b"two"]);
    let mountable = image.layer_digests()[0].clone();
    let source = MemorySource::image(&image).with_mount_origin("reg.example", "library/base");
    let dest = MemoryDestination::new().with_mountable(&mountable);
    let (result, events) = copy_recorded(&source, &dest, &options());
    result.unwrap();
    let calls = dest.calls();
    let origin = MountOrigin { registry: "reg.example".into(), repository: "library/base".into() };
    for digest in image.blob_digests() {
        let has = position(&calls, &DestCall::HasBlob(digest.clone()));
        let mount = position(&calls, &DestCall::TryMount(digest.clone(), origin.clone()));
        assert!(has < mount, "the destination is asked first");
        if digest == mountable {
            assert!(!calls.contains(&DestCall::PutBlob(digest.clone())));
        } else {
            assert!(mount < position(&calls, &DestCall::PutBlob(digest.clone())));
        }
    }
    assert!(!source.blob_reads().contains(&mountable));
    assert_eq!(source.blob_reads().len(), 2);
    assert!(events.contains(&Event::Finished(mountable, BlobOutcome::Mounted)));
    assert!(dest.mounted().len() == 1);
}

#[test]
fn a_present_blob_is_not_mounted() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_mount_origin("reg.example", "base");
    let dest = MemoryDestination::new().with_blob(&image.config).with_blob(&image.layers[0]);
    copy(&source, &dest, &options()).unwrap();
    assert!(!dest.calls().iter().any(|c| matches!(c, DestCall::TryMount(..))));
}

#[test]
fn without_a_mount_origin_no_mount_is_tried() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let dest = MemoryDestination::new().with_mountable(&image.layer_digests()[0]);
    copy(&MemorySource::image(&image), &dest, &options()).unwrap();
    assert!(!dest.calls().iter().any(|c| matches!(c, DestCall::TryMount(..))));
    assert!(dest.blob(&image.layer_digests()[0]).is_some());
}

// ---- format conversion ----

fn committed_manifest(dest: &MemoryDestination) -> (Manifest, crate::manifest::ImageManifest) {
    let committed = dest.committed().expect("committed");
    let manifest = Manifest::decode(committed.raw.clone(), Some(&committed.media_type)).unwrap();
    assert_eq!(committed.digest, Digest::sha256(&committed.raw));
    let image = manifest.as_image().unwrap().clone();
    (manifest, image)
}

#[test]
fn format_oci_converts_a_docker_image_and_its_config() {
    let image = TestImage::docker("amd64", &[b"one", b"two"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let format = Some(super::TargetFormat::Oci);
    let report = copy(&source, &dest, &CopyOptions { format, ..options() }).unwrap();
    let (manifest, converted) = committed_manifest(&dest);
    assert_eq!(manifest.kind(), ManifestKind::OciManifest);
    assert_eq!(report.media_type, media_type::OCI_MANIFEST);
    assert_eq!(report.digest, dest.committed().unwrap().digest);
    assert_ne!(report.digest, image.digest);
    assert_eq!(converted.config.media_type, media_type::OCI_CONFIG);
    assert_ne!(converted.config.digest, image.config_digest(), "the config is re-encoded in the OCI shape");
    let config = dest.blob(&converted.config.digest).expect("the new config is stored");
    assert_eq!(converted.config.size, config.len() as i64);
    let text = String::from_utf8(config.clone()).unwrap();
    assert!(!text.contains("container_config") && !text.contains("docker_version"), "{text}");
    assert_eq!(OciImage::from_bytes(&config).unwrap(), OciImage::from_bytes(&image.config).unwrap());
    let layers: Vec<_> = converted.layers.iter().map(|l| (l.media_type.as_str(), l.digest.clone())).collect();
    let expected: Vec<_> = image.layer_digests().into_iter().map(|d| (OCI_LAYER_GZIP, d)).collect();
    assert_eq!(layers, expected, "layers keep their bytes, with OCI names");
    let config_put = position(&dest.calls(), &DestCall::PutBlob(converted.config.digest.clone()));
    assert!(config_put < position(&dest.calls(), &DestCall::Commit(report.digest)));
}

#[test]
fn format_v2s2_converts_an_oci_image_keeping_its_config() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let report = copy(&source, &dest, &CopyOptions { format: Some(super::TargetFormat::V2s2), ..options() }).unwrap();
    let (manifest, converted) = committed_manifest(&dest);
    assert_eq!(manifest.kind(), ManifestKind::DockerV2S2);
    assert_eq!(report.media_type, media_type::DOCKER_V2S2);
    assert_eq!(converted.config.media_type, media_type::DOCKER_CONFIG);
    assert_eq!(converted.config.digest, image.config_digest());
    assert_eq!(dest.blob(&image.config_digest()), Some(image.config.clone()));
    assert_eq!(converted.layers[0].media_type, DOCKER_LAYER_GZIP);
}

#[test]
fn the_format_an_image_already_has_changes_nothing() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let report = copy(&source, &dest, &CopyOptions { format: Some(super::TargetFormat::Oci), ..options() }).unwrap();
    assert_eq!(report.digest, image.digest);
    assert_eq!(dest.committed().unwrap().raw, image.manifest);
}

#[test]
fn a_destination_that_requires_a_kind_gets_it_converted() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image);
    let dest = MemoryDestination::new().requiring(&[ManifestKind::DockerV2S2, ManifestKind::DockerV2S1Signed]);
    copy(&source, &dest, &options()).unwrap();
    assert_eq!(committed_manifest(&dest).0.kind(), ManifestKind::DockerV2S2);
}

#[test]
fn preserve_digests_refuses_a_conversion_before_reading_anything() {
    let image = TestImage::docker("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let format = Some(super::TargetFormat::Oci);
    let err = copy(&source, &dest, &CopyOptions { format, preserve_digests: true, ..options() }).unwrap_err();
    assert_eq!(err.code(), "UNSUPPORTED");
    assert!(source.calls().is_empty());
    assert!(dest.calls().is_empty());
}

#[test]
fn preserve_digests_refuses_a_required_conversion_before_any_blob() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new().requiring(&[ManifestKind::DockerV2S2]));
    let err = copy(&source, &dest, &CopyOptions { preserve_digests: true, ..options() }).unwrap_err();
    assert!(err.to_string().contains("--preserve-digests"), "{err}");
    assert!(source.blob_reads().is_empty());
    assert!(dest.calls().is_empty());
}

#[test]
fn a_whole_index_is_not_converted() {
    let index = two_platforms();
    for opts in [
        CopyOptions { format: Some(super::TargetFormat::V2s2), ..all() },
        CopyOptions { layer_edit: Some(LayerEdit::Decompress), ..all() },
    ] {
        let (source, dest) = (MemorySource::index(&index), MemoryDestination::new());
        assert_eq!(copy(&source, &dest, &opts).unwrap_err().code(), "UNSUPPORTED");
        assert!(dest.calls().is_empty());
    }
}

#[test]
fn an_index_is_refused_by_a_destination_without_indexes() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new().without_index());
    let err = copy(&source, &dest, &all()).unwrap_err();
    assert!(err.to_string().contains("memory: cannot store a multi-platform index"), "{err}");
    assert!(dest.calls().is_empty());
    // One platform of it is fine.
    copy(&source, &dest, &options()).unwrap();
    assert_eq!(dest.committed().unwrap().digest, index.images[0].digest);
}

#[test]
fn an_index_of_a_kind_the_destination_cannot_store_is_refused() {
    let index = two_platforms();
    let (source, dest) = (MemorySource::index(&index), MemoryDestination::new().requiring(&[ManifestKind::DockerList]));
    assert_eq!(copy(&source, &dest, &all()).unwrap_err().code(), "UNSUPPORTED");
    assert!(dest.calls().is_empty());
}

#[test]
fn a_nested_index_is_refused_before_its_parent_is_committed() {
    let inner = two_platforms();
    let outer_entry = TestImage {
        manifest: inner.manifest.clone(),
        media_type: inner.media_type,
        digest: inner.digest.clone(),
        ..TestImage::oci("amd64", &[])
    };
    let outer = TestIndex::new(ManifestKind::OciIndex, vec![outer_entry.clone()]);
    let source = MemorySource::index(&outer);
    let dest = MemoryDestination::new();
    let err = copy(&source, &dest, &all()).unwrap_err();
    assert!(err.to_string().contains("nested index"), "{err}");
    assert_eq!(dest.committed(), None);
}

// ---- layer compression ----

/// "Compresses" by prefixing `zstd:`: enough to see the engine store what the codec made.
struct MarkingCodec;

impl Codec for MarkingCodec {
    fn transcode(&self, input: ByteStream, from: Compression, to: Compression) -> Result<ByteStream> {
        assert_eq!((from, to), (Compression::Gzip, Compression::Zstd));
        use futures_util::StreamExt;
        Ok(Box::pin(futures_util::stream::once(async { Ok(Bytes::from_static(b"zstd:")) }).chain(input)))
    }
}

#[test]
fn a_compression_change_stores_new_layers_and_rewrites_the_manifest() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let edit = CopyOptions {
        layer_edit: Some(LayerEdit::Compress(Compression::Zstd)),
        codec: Some(Arc::new(MarkingCodec)),
        ..options()
    };
    let report = copy(&source, &dest, &edit).unwrap();
    let (_, written) = committed_manifest(&dest);
    let new_layer = Digest::sha256(b"zstd:one");
    assert_eq!(written.layers[0].digest, new_layer);
    assert_eq!(written.layers[0].size, 8);
    assert_eq!(written.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
    assert_eq!(written.config.digest, image.config_digest());
    assert_eq!(dest.blob(&new_layer).unwrap(), b"zstd:one");
    assert!(dest.calls().contains(&DestCall::PutNewBlob("application/vnd.oci.image.layer.v1.tar+zstd".into())));
    assert_ne!(report.digest, image.digest);
}

#[test]
fn a_compression_change_without_a_codec_is_refused() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let edit = CopyOptions { layer_edit: Some(LayerEdit::Decompress), ..options() };
    assert_eq!(copy(&source, &dest, &edit).unwrap_err().code(), "UNSUPPORTED");
    assert!(dest.calls().is_empty());
}

#[test]
fn zstd_layers_cannot_go_into_a_docker_image() {
    let image = TestImage::docker("amd64", &[b"one"]);
    let (source, dest) = (MemorySource::image(&image), MemoryDestination::new());
    let edit = CopyOptions {
        layer_edit: Some(LayerEdit::Compress(Compression::Zstd)),
        codec: Some(Arc::new(MarkingCodec)),
        ..options()
    };
    assert!(copy(&source, &dest, &edit).unwrap_err().to_string().contains("--format oci"));
    assert_eq!(dest.committed(), None);
}

// ---- trust: the policy, signatures carried, new signatures ----

/// A policy that records what it was shown and refuses images whose manifest has `refused`.
struct FakePolicy {
    refused: Option<Digest>,
    needs_signatures: bool,
    seen: Mutex<Vec<(Digest, Vec<Vec<u8>>)>>,
}

impl FakePolicy {
    fn new(refused: Option<&Digest>, needs_signatures: bool) -> Arc<FakePolicy> {
        Arc::new(FakePolicy { refused: refused.cloned(), needs_signatures, seen: Mutex::new(Vec::new()) })
    }
    fn seen(&self) -> Vec<(Digest, Vec<Vec<u8>>)> {
        self.seen.lock().unwrap().clone()
    }
}

impl TrustPolicy for FakePolicy {
    fn needs_signatures(&self) -> bool {
        self.needs_signatures
    }
    fn admit(&self, manifest: &[u8], signatures: &[Signature]) -> Result<()> {
        let digest = Digest::sha256(manifest);
        self.seen.lock().unwrap().push((digest.clone(), signatures.iter().map(Signature::to_blob).collect()));
        if self.refused.as_ref() == Some(&digest) {
            return Err(Error::PolicyDenied {
                image: "memory:source".into(),
                requirement: "reject".into(),
                reason: "refused".into(),
            });
        }
        Ok(())
    }
}

/// Signatures as their stored bytes, to compare with what tests gave the source.
fn blobs(signatures: Vec<Signature>) -> Vec<Vec<u8>> {
    signatures.iter().map(Signature::to_blob).collect()
}

/// Signs by prefixing the payload, so tests can read back what was signed.
struct PrefixSigner;

impl Signer for PrefixSigner {
    fn sign(&self, manifest: &[u8], docker_reference: &str) -> Result<Signature> {
        crate::copy::trust::sign_simple(manifest, docker_reference, |payload| {
            Ok([b"SIGNED:".as_slice(), payload].concat())
        })
    }
}

fn with_policy(policy: &Arc<FakePolicy>, options: CopyOptions) -> CopyOptions {
    CopyOptions { policy: Some(policy.clone() as Arc<dyn TrustPolicy>), ..options }
}

#[test]
fn a_refused_image_writes_nothing() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"sig"]);
    let dest = MemoryDestination::new();
    let policy = FakePolicy::new(Some(&image.digest), true);
    let err = copy(&source, &dest, &with_policy(&policy, options())).unwrap_err();
    assert_eq!(err.code(), "POLICY_DENIED");
    assert_eq!(err.to_string(), "Source image rejected: memory:source: reject: refused");
    assert!(dest.calls().is_empty(), "{:?}", dest.calls());
    assert!(source.blob_reads().is_empty());
    assert_eq!(policy.seen(), [(image.digest.clone(), vec![b"sig".to_vec()])]);
}

#[test]
fn every_instance_is_admitted_before_anything_is_written() {
    let index = two_platforms();
    let second = index.images[1].digest.clone();
    let source = MemorySource::index(&index);
    let dest = MemoryDestination::new();
    let policy = FakePolicy::new(Some(&second), true);
    let err = copy(&source, &dest, &with_policy(&policy, all())).unwrap_err();
    assert_eq!(err.code(), "POLICY_DENIED");
    assert!(dest.calls().is_empty(), "the first instance was not written either: {:?}", dest.calls());
    let seen: Vec<Digest> = policy.seen().into_iter().map(|(d, _)| d).collect();
    assert_eq!(seen, [index.digest.clone(), index.images[0].digest.clone(), second]);
}

#[test]
fn one_platform_of_an_index_is_admitted_with_the_index() {
    let index = two_platforms();
    let amd64 = index.images[0].digest.clone();
    let source = MemorySource::index(&index).with_signatures(&amd64, &[b"amd64 sig"]);
    let dest = MemoryDestination::new();
    let policy = FakePolicy::new(None, true);
    copy(&source, &dest, &with_policy(&policy, options())).unwrap();
    assert_eq!(policy.seen(), [(index.digest.clone(), vec![]), (amd64.clone(), vec![b"amd64 sig".to_vec()])]);
    assert_eq!(blobs(dest.signatures(&amd64)), [b"amd64 sig".to_vec()], "the instance's signatures go with it");
}

#[test]
fn signatures_travel_with_the_image_and_are_stored_before_commit() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"first", b"second"]);
    let dest = MemoryDestination::new();
    copy(&source, &dest, &options()).unwrap();
    assert_eq!(blobs(dest.signatures(&image.digest)), [b"first".to_vec(), b"second".to_vec()]);
    let calls = dest.calls();
    assert!(
        position(&calls, &DestCall::Signatures(image.digest.clone(), 2))
            < position(&calls, &DestCall::Commit(image.digest.clone()))
    );
}

#[test]
fn each_image_of_an_index_keeps_its_own_signatures() {
    let index = two_platforms();
    let (amd64, arm64) = (index.images[0].digest.clone(), index.images[1].digest.clone());
    let source = MemorySource::index(&index)
        .with_signatures(&index.digest, &[b"index sig"])
        .with_signatures(&arm64, &[b"arm64 sig"]);
    let dest = MemoryDestination::new();
    copy(&source, &dest, &all()).unwrap();
    assert_eq!(blobs(dest.signatures(&index.digest)), [b"index sig".to_vec()]);
    assert_eq!(blobs(dest.signatures(&arm64)), [b"arm64 sig".to_vec()]);
    assert!(blobs(dest.signatures(&amd64)).is_empty());
}

#[test]
fn remove_signatures_leaves_them_behind_and_does_not_read_them_when_no_policy_needs_them() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"sig"]);
    let dest = MemoryDestination::new();
    let policy = FakePolicy::new(None, false);
    copy(&source, &dest, &with_policy(&policy, CopyOptions { remove_signatures: true, ..options() })).unwrap();
    assert!(blobs(dest.signatures(&image.digest)).is_empty());
    assert!(!source.calls().iter().any(|c| matches!(c, SourceCall::Signatures(_))), "{:?}", source.calls());
    // A policy that looks at signatures still gets them, though they are not copied.
    let policy = FakePolicy::new(None, true);
    let dest = MemoryDestination::new();
    copy(&source, &dest, &with_policy(&policy, CopyOptions { remove_signatures: true, ..options() })).unwrap();
    assert_eq!(policy.seen()[0].1, [b"sig".to_vec()]);
    assert!(blobs(dest.signatures(&image.digest)).is_empty());
}

#[test]
fn a_copy_that_would_invalidate_signatures_is_refused_before_any_blob() {
    let image = TestImage::docker("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"sig"]);
    let dest = MemoryDestination::new();
    let err = copy(&source, &dest, &CopyOptions { format: Some(super::TargetFormat::Oci), ..options() }).unwrap_err();
    assert!(err.to_string().contains("would invalidate its signatures; use --remove-signatures"), "{err}");
    assert!(dest.calls().is_empty());
    // Without the signatures the conversion goes ahead.
    let dest = MemoryDestination::new();
    let options = CopyOptions { format: Some(super::TargetFormat::Oci), remove_signatures: true, ..options() };
    copy(&source, &dest, &options).unwrap();
    assert!(dest.committed().is_some());
}

#[test]
fn a_destination_without_signature_storage_refuses_a_signed_image_up_front() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"sig"]);
    let dest = MemoryDestination::new().without_signatures("Pushing signatures for OCI images is not supported");
    let err = copy(&source, &dest, &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Can not copy signatures to memory:: Pushing signatures for OCI images is not supported"
    );
    assert!(dest.calls().is_empty());
    // An unsigned image goes there fine.
    let unsigned = MemorySource::image(&image);
    let dest = MemoryDestination::new().without_signatures("no");
    copy(&unsigned, &dest, &options()).unwrap();
}

#[test]
fn signing_adds_a_signature_naming_the_destination_and_the_written_digest() {
    let image = TestImage::oci("amd64", &[b"one"]);
    let source = MemorySource::image(&image).with_signatures(&image.digest, &[b"old"]);
    let dest = MemoryDestination::new();
    let signing = Signing { signer: Arc::new(PrefixSigner), identity: None };
    copy(&source, &dest, &CopyOptions { signing: Some(signing), ..options() }).unwrap();
    let stored = blobs(dest.signatures(&image.digest));
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0], b"old");
    let payload = stored[1].strip_prefix(b"SIGNED:".as_slice()).expect("made by the signer");
    let parsed = crate::signature::UntrustedSignature::parse(payload).unwrap();
    assert_eq!(parsed.docker_manifest_digest, image.digest);
    assert_eq!(parsed.docker_reference, "memory.example/destination:latest");
    // --sign-identity names another reference.
    let dest = MemoryDestination::new();
    let signing = Signing { signer: Arc::new(PrefixSigner), identity: Some("other.example/x:1".into()) };
    copy(&MemorySource::image(&image), &dest, &CopyOptions { signing: Some(signing), ..options() }).unwrap();
    let stored = blobs(dest.signatures(&image.digest));
    let parsed = crate::signature::UntrustedSignature::parse(&stored[0][b"SIGNED:".len()..]).unwrap();
    assert_eq!(parsed.docker_reference, "other.example/x:1");
}
