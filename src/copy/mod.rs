//! Copying images between any source and any destination, target-agnostic.

pub mod compression;
pub mod convert;
pub mod engine;
pub mod progress;
pub mod trust;

#[cfg(test)]
mod tests;

pub use compression::{Codec, Compression, LayerEdit};
pub use convert::TargetFormat;
pub use engine::{copy_image, CopyOptions, CopyReport, MultiArch};
pub use progress::{BlobOutcome, Progress, Silent};
pub use trust::{Signer, Signing, TrustPolicy};
