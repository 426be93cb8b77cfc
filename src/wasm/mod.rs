//! The WebAssembly face of skopos (compiled only for `wasm32`).
//!
//! Everything here adapts the target-agnostic core to JavaScript runtimes: browsers (window and
//! web workers), Node 20+, and Cloudflare's workerd. For now it holds the HTTP transport,
//! [`FetchTransport`], which speaks through the runtime's global `fetch`.

pub mod fetch;

pub use fetch::{is_browser, FetchTransport};
