//! Progress reporting for copies: the engine reports events, each face decides how to show them
//! (progress bars or skopeo's lines on a terminal's stderr, nothing with `-q`, JS callbacks).

use crate::digest::Digest;
use crate::image::BlobInfo;

/// What happened to one blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOutcome {
    /// The bytes were sent.
    Copied,
    /// The destination already had it.
    Skipped,
    /// The destination registry mounted it from another repository.
    Mounted,
}

/// Receives copy events. Every method has an empty default.
pub trait Progress: crate::http::MaybeSend + crate::http::MaybeSync {
    /// Copying starts, before any blob.
    fn start(&self) {}
    /// A blob is about to be copied.
    fn blob_started(&self, _blob: &BlobInfo) {}
    /// `bytes` more bytes of the blob went through.
    fn blob_advanced(&self, _blob: &BlobInfo, _bytes: u64) {}
    /// The blob is done.
    fn blob_finished(&self, _blob: &BlobInfo, _outcome: BlobOutcome) {}
    /// The manifest is being written (skopeo: "Writing manifest to image destination").
    fn writing_manifest(&self) {}
    /// A new signature is being made (skopeo: "Signing manifest using simple signing").
    fn signing(&self) {}
    /// Signatures are being stored with a manifest (skopeo: "Storing signatures"); only
    /// reported when there are some.
    fn storing_signatures(&self) {}
    /// One instance of an index is being copied (`index` of `count`).
    fn instance_started(&self, _index: usize, _count: usize) {}
    /// Nothing is copied: the destination already names this manifest
    /// ([`super::CopyOptions::skip_if_present`]); no other event comes.
    fn already_present(&self, _digest: &Digest) {}
}

/// Reports nothing (`--quiet`).
pub struct Silent;

impl Progress for Silent {}
