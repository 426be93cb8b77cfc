//! The WebAssembly face of skopos (compiled only for `wasm32`).
//!
//! Everything here adapts the target-agnostic core to JavaScript runtimes: browsers (window and
//! web workers), Node 20+, and Cloudflare's workerd. [`FetchTransport`] is the HTTP transport,
//! which speaks through the runtime's global `fetch`; `api` is the `#[wasm_bindgen]` JavaScript
//! API of the npm package (`parseReference`, `inspect`, `getManifest`, …); `layer` adds
//! `listLayer` and `readLayerFile`, which read a layer's files as its bytes stream in; `proxy` is
//! the upstream half of the edge worker's `/v2/` registry proxy (`proxyFetch`).

pub mod api;
pub mod clock;
pub mod fetch;
pub mod layer;
pub mod proxy;

pub use fetch::{is_browser, FetchTransport};
