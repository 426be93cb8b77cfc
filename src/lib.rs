//! skopos: container images and registries, as a library.
//!
//! The core (references, digests, manifests, the registry protocol, image sources and the
//! inspect model) is target-agnostic and async over the [`http::Transport`] trait. The native
//! face (`native`, the `skopos` CLI) and the WebAssembly face (`wasm`, the npm package) are thin
//! adapters over it. See ARCHITECTURE.md for the map.

pub mod clock;
pub mod copy;
pub mod digest;
pub mod error;
pub mod go;
pub mod http;
pub mod image;
pub mod layer;
pub mod manifest;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod output;
pub mod policy;
pub mod proxy;
pub mod reference;
pub mod registry;
pub mod signature;
pub mod sigstore;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use digest::Digest;
pub use error::{Error, Result};
pub use reference::Reference;
