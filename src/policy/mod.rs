//! The containers trust policy (containers-policy.json(5)), as skopeo and containers/image
//! honour it: which requirements apply to an image, and whether the image meets them.
//!
//! - [`config`] parses the file strictly ([`Policy::parse`]).
//! - [`scope`] checks scope names and computes the scopes an image is looked up under.
//! - [`subject`] is what the policy knows of an image ([`PolicySubject`]).
//! - [`identity`] holds the `signedIdentity` rules.
//! - [`evaluate`] resolves the requirements of one image with their keys ([`ImagePolicy`]) and
//!   checks its signatures.
//!
//! Target-agnostic: the caller passes the file's bytes, resolves local paths, and reads key
//! files through [`KeyFiles`].

pub mod config;
pub mod evaluate;
pub mod identity;
pub(crate) mod json;
pub mod scope;
pub mod subject;

pub use config::Requirement;
pub use evaluate::ImagePolicy;
pub use subject::PolicySubject;

use crate::error::{Error, Result};
use config::PolicyConfig;

/// A parsed policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    config: PolicyConfig,
}

/// Reads the key files `signedBy` requirements name (`keyPath`, `keyPaths`).
pub trait KeyFiles {
    /// The bytes of the file at `path`; the error names the path.
    fn read(&self, path: &str) -> Result<Vec<u8>>;
}

impl Policy {
    /// Parses policy.json bytes. `origin` names the file in messages:
    /// `invalid policy in "/etc/containers/policy.json": Unknown key "keyPth" (at default[0])`.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Policy> {
        config::parse(bytes)
            .map(|config| Policy { config })
            .map_err(|message| Error::Config(format!("invalid policy in {origin:?}: {message}")))
    }

    /// `{"default": [{"type": "insecureAcceptAnything"}]}`, the policy the distributions install.
    pub fn accept_anything() -> Policy {
        Policy {
            config: PolicyConfig { default: vec![Requirement::InsecureAcceptAnything], transports: Default::default() },
        }
    }

    /// The requirements that apply to `subject`: those of the most specific scope of its
    /// transport (its identity, then its namespaces in order, then the transport's `""`),
    /// else the global `default`.
    pub fn requirements_for(&self, subject: &PolicySubject) -> &[Requirement] {
        if let Some(scopes) = self.config.transports.get(subject.transport()) {
            let candidates = std::iter::once(subject.identity())
                .chain(subject.namespaces().iter().map(String::as_str))
                .chain(std::iter::once(""));
            for candidate in candidates {
                if let Some(requirements) = scopes.get(candidate) {
                    return requirements;
                }
            }
        }
        &self.config.default
    }

    /// The requirements that apply to `subject` with their key material loaded (a missing or
    /// unreadable key file, or bad keyData, is an error now, before any copy starts).
    pub fn for_subject(&self, subject: &PolicySubject, keys: &dyn KeyFiles) -> Result<ImagePolicy> {
        ImagePolicy::resolve(subject, self.requirements_for(subject), keys)
    }
}

#[cfg(test)]
mod tests;
