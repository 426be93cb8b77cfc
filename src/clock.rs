//! Wall-clock seconds on every target, for token lifetimes and log timestamps.
//!
//! `std::time::SystemTime` panics on wasm32-unknown-unknown, so there the time comes from the
//! JavaScript runtime through [`crate::wasm::clock`]; the core itself touches no JS.

/// Seconds since the Unix epoch.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_secs() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

#[cfg(target_arch = "wasm32")]
pub use crate::wasm::clock::now_secs;
