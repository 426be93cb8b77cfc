//! Choosing one image from an index for a platform (os / architecture / variant).
//!
//! The wanted platform defaults to the host's, and is overridden by `--override-os`,
//! `--override-arch` and `--override-variant`. Attestation entries (`unknown/unknown`) never match.

use super::types::{Descriptor, Index, Platform};
use crate::error::{Error, Result};

/// The platform an image is wanted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedPlatform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for WantedPlatform {
    fn default() -> Self {
        WantedPlatform::host()
    }
}

impl WantedPlatform {
    /// The platform of the machine skopos runs on (linux/amd64 on wasm).
    pub fn host() -> Self {
        let architecture = if cfg!(target_arch = "wasm32") { "amd64" } else { go_arch(std::env::consts::ARCH) };
        let os = if cfg!(target_arch = "wasm32") { "linux" } else { go_os(std::env::consts::OS) };
        WantedPlatform { os: os.to_string(), architecture: architecture.to_string(), variant: None }
    }

    /// The host platform with any of the three parts overridden.
    pub fn with_overrides(os: Option<&str>, arch: Option<&str>, variant: Option<&str>) -> Self {
        let host = WantedPlatform::host();
        WantedPlatform {
            os: os.map(str::to_string).unwrap_or(host.os),
            architecture: arch.map(str::to_string).unwrap_or(host.architecture),
            variant: variant.map(str::to_string).or(host.variant),
        }
    }

    /// Variants acceptable for this platform, best first. `None` means "any variant".
    fn acceptable_variants(&self) -> Option<Vec<&str>> {
        let wanted = self.variant.as_deref()?;
        let mut out = vec![wanted];
        if self.architecture == "arm" {
            // An armv7 machine runs v6 and v5 images too.
            let ladder = ["v8", "v7", "v6", "v5"];
            if let Some(pos) = ladder.iter().position(|v| *v == wanted) {
                out.extend(&ladder[pos + 1..]);
            }
        }
        if self.architecture == "arm64" && wanted == "v8" {
            out.push("");
        }
        Some(out)
    }

    fn describe_variant(&self) -> String {
        self.variant.clone().unwrap_or_default()
    }
}

/// Maps Rust's architecture names to the Go names images use.
pub fn go_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64le",
        "loongarch64" => "loong64",
        other => other,
    }
}

fn go_os(rust_os: &str) -> &str {
    match rust_os {
        "macos" => "darwin",
        other => other,
    }
}

/// Whether an index entry is an attestation or other non-runnable entry (`unknown/unknown`).
pub fn is_attestation(descriptor: &Descriptor) -> bool {
    let by_platform = descriptor.platform.as_ref().is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
    let by_annotation = descriptor
        .annotations
        .as_ref()
        .is_some_and(|a| a.get("vnd.docker.reference.type").map(String::as_str) == Some("attestation-manifest"));
    by_platform || by_annotation
}

fn matches(platform: &Platform, wanted: &WantedPlatform, variant: Option<&str>) -> bool {
    platform.os == wanted.os
        && platform.architecture == wanted.architecture
        && match variant {
            None => true,
            Some(v) => platform.variant.as_deref().unwrap_or("") == v,
        }
}

/// Picks the index entry for `wanted`: the first entry of the best acceptable variant.
pub fn choose<'a>(index: &'a Index, wanted: &WantedPlatform, kind_name: &str) -> Result<&'a Descriptor> {
    let candidates: Vec<(&Descriptor, &Platform)> = index
        .manifests
        .iter()
        .filter(|d| !is_attestation(d))
        .filter_map(|d| d.platform.as_ref().map(|p| (d, p)))
        .collect();
    let found = match wanted.acceptable_variants() {
        None => candidates.iter().find(|(_, p)| matches(p, wanted, None)),
        Some(variants) => variants.iter().find_map(|v| candidates.iter().find(|(_, p)| matches(p, wanted, Some(v)))),
    };
    found.map(|(d, _)| *d).ok_or_else(|| Error::NoMatchingPlatform {
        kind: kind_name.to_string(),
        os: wanted.os.clone(),
        arch: wanted.architecture.clone(),
        variant: wanted.describe_variant(),
    })
}
