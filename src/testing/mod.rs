//! Test doubles for unit tests, so any module's tests can run the registry client and the copy
//! engine in milliseconds: no process, no socket, no waiting.
//!
//! - [`fake_transport`]: a scripted [`crate::http::Transport`] (a table of answers; every request
//!   recorded with its headers and body; `sleep` recorded, never slept).
//! - [`memory_image`]: an in-memory [`crate::image::ImageSource`] and
//!   [`crate::image::ImageDestination`] that record the order of calls, and small valid images.

pub(crate) mod fake_transport;
pub(crate) mod memory_image;

pub(crate) use fake_transport::{FakeTransport, Reply, Route};
pub(crate) use memory_image::{DestCall, MemoryDestination, MemorySource, SourceCall, TestImage, TestIndex};

/// Runs a future to completion on a single-threaded runtime with no I/O or timer driver (so
/// nothing under test can open a socket or really sleep).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime").block_on(future)
}
