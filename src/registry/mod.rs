//! The distribution (OCI registry) protocol, target-agnostic over [`crate::http::Transport`].

pub mod api;
pub mod auth;
pub mod challenge;
pub mod client;
pub mod errors;
pub mod upload;
pub mod url;

#[cfg(test)]
mod tests;

pub use api::{FetchedManifest, ManifestHead};
pub use auth::Credentials;
pub use client::{ClientOptions, RegistryClient};
