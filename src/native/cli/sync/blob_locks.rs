//! One upload per blob and destination repository at a time, across the parallel copies of a
//! `sync`: images of one repository often share blobs, and distribution can lose a blob when
//! two uploads of it finish at once ("blob unknown to registry" on the manifest). A copy that
//! waited for another one's upload finds the blob there and sends nothing.

use std::collections::HashMap;
use std::sync::Arc;

use crate::digest::Digest;
use crate::error::Result;
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, MountOrigin};
use crate::manifest::ManifestKind;

/// One lock per (destination repository, blob digest), shared by the copies of a sync.
#[derive(Default)]
pub(super) struct BlobLocks(std::sync::Mutex<HashMap<String, Arc<futures_util::lock::Mutex<()>>>>);

impl BlobLocks {
    /// The lock for `key`, made on first use.
    fn get(&self, key: String) -> Arc<futures_util::lock::Mutex<()>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default().clone()
    }
}

/// A destination whose blob uploads go one at a time per blob: a copy that waited for another
/// one's upload of the same blob looks again and sends nothing if it is there now.
pub(super) struct OneUploadPerBlob<'a, D> {
    /// The destination written to.
    pub(super) inner: &'a D,
    /// The destination repository (or directory).
    pub(super) scope: String,
    /// The locks of the whole sync.
    pub(super) locks: &'a BlobLocks,
}

impl<D: ImageDestination> ImageDestination for OneUploadPerBlob<'_, D> {
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

    fn docker_reference(&self) -> Option<String> {
        self.inner.docker_reference()
    }

    fn signature_support(&self) -> Result<()> {
        self.inner.signature_support()
    }

    async fn put_signatures(
        &self,
        instance: Option<&Digest>,
        digest: &Digest,
        signatures: &[crate::signature::Signature],
    ) -> Result<()> {
        self.inner.put_signatures(instance, digest, signatures).await
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        self.inner.commit(raw, media_type, digest).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use bytes::Bytes;
    use futures_util::{stream, FutureExt, TryStreamExt};

    use super::*;
    use crate::error::Error;

    /// Has a blob once it was put; counts the puts and the bytes that reached it.
    #[derive(Default)]
    struct Counting {
        stored: AtomicBool,
        puts: AtomicUsize,
        head_fails: bool,
    }

    impl ImageDestination for Counting {
        fn describe(&self) -> String {
            "counting:".into()
        }

        async fn has_blob(&self, _blob: &BlobInfo) -> Result<bool> {
            if self.head_fails {
                return Err(Error::Unsupported("HEAD failed".into()));
            }
            Ok(self.stored.load(Ordering::SeqCst))
        }

        async fn put_blob(&self, _blob: &BlobInfo, stream: ByteStream) -> Result<()> {
            let _: Vec<Bytes> = stream.try_collect().await?;
            self.puts.fetch_add(1, Ordering::SeqCst);
            self.stored.store(true, Ordering::SeqCst);
            Ok(())
        }

        async fn put_new_blob(&self, _stream: ByteStream, _media_type: &str) -> Result<BlobInfo> {
            Err(Error::Unsupported("not here".into()))
        }

        async fn put_instance_manifest(&self, _raw: &[u8], _media_type: &str, _digest: &Digest) -> Result<()> {
            Ok(())
        }

        async fn commit(&self, _raw: &[u8], _media_type: &str, _digest: &Digest) -> Result<()> {
            Ok(())
        }
    }

    fn blob() -> BlobInfo {
        BlobInfo { digest: Digest::sha256(b"layer"), size: Some(5), media_type: "layer".into() }
    }

    fn body() -> ByteStream {
        Box::pin(stream::once(async { Ok(Bytes::from_static(b"layer")) }))
    }

    #[test]
    fn one_lock_per_repository_and_blob() {
        let locks = BlobLocks::default();
        assert!(Arc::ptr_eq(&locks.get("h/a sha256:1".into()), &locks.get("h/a sha256:1".into())));
        assert!(!Arc::ptr_eq(&locks.get("h/a sha256:1".into()), &locks.get("h/b sha256:1".into())));
        assert!(!Arc::ptr_eq(&locks.get("h/a sha256:1".into()), &locks.get("h/a sha256:2".into())));
    }

    #[test]
    fn a_blob_another_copy_uploaded_is_not_sent_again() {
        let inner = Counting::default();
        let locks = BlobLocks::default();
        let first = OneUploadPerBlob { inner: &inner, scope: "h/ns/app".into(), locks: &locks };
        let second = OneUploadPerBlob { inner: &inner, scope: "h/ns/app".into(), locks: &locks };
        first.put_blob(&blob(), body()).now_or_never().unwrap().unwrap();
        second.put_blob(&blob(), body()).now_or_never().unwrap().unwrap();
        assert_eq!(inner.puts.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_look_means_the_upload_goes_ahead() {
        let inner = Counting { head_fails: true, ..Counting::default() };
        let locks = BlobLocks::default();
        let wrapper = OneUploadPerBlob { inner: &inner, scope: "h/ns/app".into(), locks: &locks };
        wrapper.put_blob(&blob(), body()).now_or_never().unwrap().unwrap();
        wrapper.put_blob(&blob(), body()).now_or_never().unwrap().unwrap();
        assert_eq!(inner.puts.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_held_lock_makes_the_other_upload_wait() {
        let inner = Counting::default();
        let locks = BlobLocks::default();
        let wrapper = OneUploadPerBlob { inner: &inner, scope: "h/ns/app".into(), locks: &locks };
        let blob = blob();
        let held = locks.get(format!("h/ns/app {}", blob.digest));
        let guard = held.try_lock().expect("free");
        let mut waiting = Box::pin(wrapper.put_blob(&blob, body()));
        assert!((&mut waiting).now_or_never().is_none(), "waits while another copy uploads");
        drop(guard);
        waiting.now_or_never().expect("runs once the lock is free").unwrap();
        assert_eq!(inner.puts.load(Ordering::SeqCst), 1);
    }
}
