//! [`VerifiedStream`]: the one byte stream that is checked against a digest as it passes.
//!
//! Every verified read in skopos goes through it: registry blobs (`registry::api`), the edge
//! Worker's blob relay (`wasm::proxy`), and the blobs of `dir:`, `oci:` and archive sources
//! (`native::layout`). It passes chunks on as they arrive and feeds them to a [`Verifier`]; a
//! body that is too long fails as soon as it passes the expected size, and one that is damaged
//! or cut short ends with an error item in place of a clean end. After an error it ends.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;

use super::Verifier;
use crate::error::Result;
use crate::http::ByteStream;

/// A byte stream checked against a digest as it passes; its last item is an error on mismatch.
pub struct VerifiedStream {
    inner: ByteStream,
    verifier: Option<Verifier>,
}

impl VerifiedStream {
    /// Wraps `inner` so that it is verified by `verifier`.
    pub fn new(inner: ByteStream, verifier: Verifier) -> Self {
        VerifiedStream { inner, verifier: Some(verifier) }
    }

    /// The verified stream as a [`ByteStream`].
    pub fn boxed(self) -> ByteStream {
        Box::pin(self)
    }
}

impl Stream for VerifiedStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(verifier) = this.verifier.as_mut() else { return Poll::Ready(None) };
        let item = match this.inner.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => match verifier.update(&chunk) {
                Ok(()) => return Poll::Ready(Some(Ok(chunk))),
                Err(e) => Some(Err(e)),
            },
            Poll::Ready(Some(Err(e))) => Some(Err(e)),
            Poll::Ready(None) => this.verifier.take().expect("checked above").finish().err().map(Err),
        };
        this.verifier = None;
        Poll::Ready(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{Algorithm, Digest};
    use crate::error::Error;

    const BODY: &[u8] = b"the bytes of a blob, in several chunks";

    /// Every item of a stream whose inner stream is always ready.
    fn collect(mut stream: VerifiedStream) -> Vec<Result<Bytes>> {
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut items = Vec::new();
        loop {
            match Pin::new(&mut stream).poll_next(&mut cx) {
                Poll::Ready(Some(item)) => items.push(item),
                Poll::Ready(None) => return items,
                Poll::Pending => panic!("the test stream is always ready"),
            }
        }
    }

    fn verified(chunks: &[&[u8]], digest: &Digest, size: Option<u64>) -> Vec<Result<Bytes>> {
        let items: Vec<Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let inner: ByteStream = Box::pin(futures_util::stream::iter(items));
        collect(VerifiedStream::new(inner, Verifier::new(digest.clone(), size, "blob b")))
    }

    fn bytes_of(items: &[Result<Bytes>]) -> Vec<u8> {
        items.iter().filter_map(|i| i.as_ref().ok()).flat_map(|b| b.to_vec()).collect()
    }

    #[test]
    fn good_body_passes_unchanged_and_ends_cleanly() {
        let digest = Digest::sha256(BODY);
        for size in [None, Some(BODY.len() as u64)] {
            let items = verified(&[BODY], &digest, size);
            assert!(items.iter().all(|i| i.is_ok()), "{size:?}");
            assert_eq!(bytes_of(&items), BODY);
        }
    }

    #[test]
    fn split_body_is_verified_across_chunks() {
        let digest = Digest::of(Algorithm::Sha512, BODY);
        let chunks: Vec<&[u8]> = BODY.chunks(5).chain([&b""[..]]).collect();
        let items = verified(&chunks, &digest, Some(BODY.len() as u64));
        assert_eq!(items.len(), chunks.len());
        assert!(items.iter().all(|i| i.is_ok()));
        assert_eq!(bytes_of(&items), BODY);
    }

    #[test]
    fn short_body_ends_with_a_size_mismatch() {
        let digest = Digest::sha256(BODY);
        let items = verified(&[&BODY[..10]], &digest, Some(BODY.len() as u64));
        assert_eq!(items.len(), 2);
        assert!(
            matches!(items[1], Err(Error::SizeMismatch { expected, actual: 10, .. }) if expected == BODY.len() as u64)
        );
        // Without a size, a short body is a digest mismatch at its end.
        let items = verified(&[&BODY[..10]], &digest, None);
        assert!(matches!(items.last(), Some(Err(Error::DigestMismatch { .. }))));
    }

    #[test]
    fn long_body_fails_as_it_passes_the_size_and_stops() {
        let digest = Digest::sha256(BODY);
        let items = verified(&[BODY, b"more", b"and more"], &digest, Some(BODY.len() as u64));
        // The right bytes pass, the first extra chunk is the error, nothing comes after it.
        assert_eq!(items.len(), 2);
        assert_eq!(bytes_of(&items), BODY);
        assert!(matches!(items[1], Err(Error::SizeMismatch { .. })));
    }

    #[test]
    fn damaged_body_ends_with_a_digest_mismatch_naming_it() {
        let digest = Digest::sha256(BODY);
        let mut damaged = BODY.to_vec();
        damaged[3] ^= 0x20;
        let (head, tail) = damaged.split_at(20);
        // With a known size the error replaces the last chunk; without, it follows the bytes.
        let items = verified(&[head, tail], &digest, Some(BODY.len() as u64));
        assert_eq!(items.len(), 2);
        let err = items[1].as_ref().unwrap_err();
        assert_eq!(err.code(), "DIGEST_MISMATCH");
        assert!(err.to_string().contains("blob b"), "{err}");
        let items = verified(&[head, tail], &digest, None);
        assert_eq!(items.len(), 3);
        assert!(matches!(items[2], Err(Error::DigestMismatch { .. })));
    }

    #[test]
    fn an_error_of_the_inner_stream_ends_it() {
        let inner: ByteStream = Box::pin(futures_util::stream::iter([
            Ok(Bytes::from_static(b"abc")),
            Err(Error::Network("connection reset".into())),
            Ok(Bytes::from_static(b"def")),
        ]));
        let items = collect(VerifiedStream::new(inner, Verifier::new(Digest::sha256(b"abcdef"), None, "b")));
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(Error::Network(_))));
    }
}
