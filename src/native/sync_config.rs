//! The YAML source file of `sync --src yaml`, and the tag filters it names.
//!
//! ```yaml
//! registry.example.com:
//!   images:                 # repository: [tag or digest, ...]; an empty list means every tag
//!     busybox: []
//!     redis: ["1.0", "sha256:0123…"]
//!   images-by-tag-regex:    # repository: regular expression (unanchored, as Go's MatchString)
//!     nginx: ^1\.13\.[12]-alpine-perl$
//!   images-by-semver:       # repository: semver constraint, tags parsed leniently (`v1.2`)
//!     alpine: ">= 3.12.0"
//!   credentials: {username: john, password: this is a secret}
//!   tls-verify: true
//!   cert-dir: /home/john/certs
//! ```
//!
//! Registries and repositories are visited in sorted order (skopeo walks Go maps, in no set order).
//! Keys skopos does not know are ignored, as skopeo ignores them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole file: registry host → what to take from it.
pub type SourceConfig = BTreeMap<String, RegistryConfig>;

/// One registry's section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegistryConfig {
    /// Repository → tags or digests (`None` or empty: every tag).
    pub images: BTreeMap<String, Option<Vec<String>>>,
    /// Repository → regular expression that tags must match.
    #[serde(rename = "images-by-tag-regex")]
    pub images_by_tag_regex: BTreeMap<String, String>,
    /// Repository → semver constraint that tags must satisfy.
    #[serde(rename = "images-by-semver")]
    pub images_by_semver: BTreeMap<String, String>,
    /// Credentials for this registry.
    pub credentials: YamlCredentials,
    /// `false` turns TLS verification off (and allows plain HTTP) for this registry.
    #[serde(rename = "tls-verify")]
    pub tls_verify: Option<bool>,
    /// A `--cert-dir` for this registry.
    #[serde(rename = "cert-dir")]
    pub cert_dir: Option<String>,
}

/// `credentials: {username, password}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YamlCredentials {
    pub username: String,
    pub password: String,
}

impl RegistryConfig {
    /// Whether the section names no repository at all (skopeo warns and skips it).
    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && self.images_by_tag_regex.is_empty() && self.images_by_semver.is_empty()
    }
}

/// Reads and parses the YAML file at `path`.
pub fn load(path: &Path) -> Result<SourceConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    parse(&text).map_err(|e| Error::Config(format!("Failed to unmarshal {:?}: {e}", path.display().to_string())))
}

/// Parses the YAML text of a source file. An empty document is an empty config.
pub fn parse(text: &str) -> std::result::Result<SourceConfig, String> {
    if text.trim().is_empty() {
        return Ok(SourceConfig::new());
    }
    let config: Option<SourceConfig> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    Ok(config.unwrap_or_default())
}

/// A tag filter from `images-by-tag-regex` or `images-by-semver`.
#[derive(Debug, Clone)]
pub enum TagFilter {
    Regex(regex::Regex),
    Semver(Constraint),
}

impl TagFilter {
    /// A regex filter; Go's RE2 syntax is close to the `regex` crate's.
    pub fn regex(pattern: &str) -> Result<TagFilter> {
        regex::Regex::new(pattern)
            .map(TagFilter::Regex)
            .map_err(|e| Error::Config(format!("invalid tag regular expression {pattern:?}: {e}")))
    }

    /// A semver filter.
    pub fn semver(constraint: &str) -> Result<TagFilter> {
        Constraint::parse(constraint).map(TagFilter::Semver)
    }

    /// Whether `tag` passes.
    pub fn matches(&self, tag: &str) -> bool {
        match self {
            TagFilter::Regex(re) => re.is_match(tag),
            TagFilter::Semver(c) => parse_version(tag).is_some_and(|v| c.matches(&v)),
        }
    }
}

/// Parses a tag as a version the way Masterminds/semver's `NewVersion` does (skopeo's library):
/// an optional leading `v`, one to three numeric parts (missing ones are 0), then optional
/// `-prerelease` and `+build`. `v1.2` is 1.2.0; `latest` is not a version.
pub fn parse_version(tag: &str) -> Option<semver::Version> {
    let rest = tag.strip_prefix('v').unwrap_or(tag);
    let (rest, build) = match rest.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let number = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u64>().ok());
    let mut version = semver::Version::new(number(0)?, number(1)?, number(2)?);
    if let Some(pre) = pre {
        version.pre = semver::Prerelease::new(pre).ok()?;
    }
    if let Some(build) = build {
        version.build = semver::BuildMetadata::new(build).ok()?;
    }
    Some(version)
}

/// A Masterminds-style constraint: `||`-separated alternatives, each a set of comparators
/// separated by commas or spaces (`>= 1.2, < 2`), with `=`, `!=`, `>`, `>=`, `<`, `<=` (`=<`),
/// `~` (`~>`), `^`, wildcards (`1.2.x`, `*`), hyphen ranges (`1.2 - 1.4`) and bare versions
/// meaning `=`.
#[derive(Debug, Clone)]
pub struct Constraint {
    alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone)]
struct Alternative {
    required: Option<semver::VersionReq>,
    excluded: Vec<semver::VersionReq>,
}

impl Constraint {
    /// Parses a constraint.
    pub fn parse(text: &str) -> Result<Constraint> {
        let bad = |why: &str| Error::Config(format!("invalid semver constraint {text:?}: {why}"));
        let mut alternatives = Vec::new();
        for group in text.split("||") {
            let tokens = comparator_tokens(group);
            if tokens.is_empty() {
                return Err(bad("empty constraint"));
            }
            let mut required = Vec::new();
            let mut excluded = Vec::new();
            for token in tokens {
                if let Some(version) = token.strip_prefix("!=") {
                    let req = semver::VersionReq::parse(&format!("={}", strip_v(version)))
                        .map_err(|e| bad(&e.to_string()))?;
                    excluded.push(req);
                } else {
                    required.push(token);
                }
            }
            let required = if required.is_empty() {
                None
            } else {
                Some(semver::VersionReq::parse(&required.join(", ")).map_err(|e| bad(&e.to_string()))?)
            };
            alternatives.push(Alternative { required, excluded });
        }
        Ok(Constraint { alternatives })
    }

    /// Whether `version` satisfies one of the alternatives.
    pub fn matches(&self, version: &semver::Version) -> bool {
        self.alternatives.iter().any(|alt| {
            alt.required.as_ref().is_none_or(|req| req.matches(version))
                && !alt.excluded.iter().any(|ex| ex.matches(version))
        })
    }
}

fn strip_v(version: &str) -> &str {
    version.strip_prefix('v').unwrap_or(version)
}

const OPERATORS: &[&str] = &["!=", ">=", "<=", "=<", "~>", "=", ">", "<", "~", "^"];

/// Splits one `||` alternative into comparators in the `semver` crate's spelling
/// (`>=1.2.0`, `=1.3.0`), expanding hyphen ranges and bare versions.
fn comparator_tokens(group: &str) -> Vec<String> {
    let words: Vec<&str> = group.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        // An operator alone (`>= 1.2`) joins the next word.
        if OPERATORS.contains(&word) && i + 1 < words.len() {
            out.push(normalize(&format!("{word}{}", words[i + 1])));
            i += 2;
            continue;
        }
        // `A - B` is `>= A, <= B`.
        if i + 2 < words.len() && words[i + 1] == "-" {
            out.push(format!(">={}", strip_v(word)));
            out.push(format!("<={}", strip_v(words[i + 2])));
            i += 3;
            continue;
        }
        out.push(normalize(word));
        i += 1;
    }
    out
}

/// One comparator with its operator spelled for the `semver` crate; no operator means `=`
/// (the `semver` crate would read it as `^`), a lone wildcard stays a wildcard.
fn normalize(comparator: &str) -> String {
    for op in OPERATORS {
        if let Some(version) = comparator.strip_prefix(op) {
            let op = match *op {
                "=<" => "<=",
                "~>" => "~",
                other => other,
            };
            return format!("{op}{}", strip_v(version.trim()));
        }
    }
    if comparator == "*" || comparator.eq_ignore_ascii_case("x") {
        return "*".into();
    }
    format!("={}", strip_v(comparator))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_section() {
        let text = "reg.example.com:\n  images:\n    busybox: []\n    redis: [\"1.0\", sha256:0123]\n    empty:\n  images-by-tag-regex:\n    nginx: ^1\\.\n  images-by-semver:\n    alpine: \">= 3.12.0\"\n  credentials:\n    username: john\n    password: s3cret\n  tls-verify: false\n  cert-dir: /certs\n  unknown-key: 1\n";
        let config = parse(text).unwrap();
        let reg = &config["reg.example.com"];
        assert_eq!(reg.images["busybox"], Some(vec![]));
        assert_eq!(reg.images["redis"], Some(vec!["1.0".to_string(), "sha256:0123".to_string()]));
        assert_eq!(reg.images["empty"], None);
        assert_eq!(reg.images_by_tag_regex["nginx"], "^1\\.");
        assert_eq!(reg.images_by_semver["alpine"], ">= 3.12.0");
        assert_eq!(reg.credentials.username, "john");
        assert_eq!(reg.tls_verify, Some(false));
        assert_eq!(reg.cert_dir.as_deref(), Some("/certs"));
        assert!(parse("").unwrap().is_empty());
        assert!(parse("reg: [1, 2]").is_err());
    }

    #[test]
    fn versions_are_parsed_leniently() {
        assert_eq!(parse_version("v1.2.3"), Some(semver::Version::new(1, 2, 3)));
        assert_eq!(parse_version("1.2"), Some(semver::Version::new(1, 2, 0)));
        assert_eq!(parse_version("3"), Some(semver::Version::new(3, 0, 0)));
        assert_eq!(parse_version("1.3.0-rc1").unwrap().pre.as_str(), "rc1");
        assert_eq!(parse_version("latest"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(parse_version("build-0002"), None);
    }

    #[test]
    fn constraints() {
        let check = |c: &str, tag: &str| TagFilter::semver(c).unwrap().matches(tag);
        assert!(check(">= 1.2.0", "1.2.0"));
        assert!(check(">= 1.2.0", "v2.0.0"));
        assert!(!check(">= 1.2.0", "v1.0.0"));
        assert!(!check(">= 1.2.0", "1.3.0-rc1"), "prereleases are left out unless asked for");
        assert!(!check(">= 1.2.0", "latest"));
        assert!(check(">=1.0, <2", "1.9.9"));
        assert!(check(">= 1.0 < 2", "1.9.9"));
        assert!(!check(">= 1.0 < 2", "2.0.0"));
        assert!(check("1.2.0", "v1.2.0"));
        assert!(!check("1.2.0", "1.2.1"));
        assert!(check("~1.2", "1.2.7"));
        assert!(check("^1.2", "1.9.0"));
        assert!(check("1.2 - 1.4", "1.3.0"));
        assert!(!check("1.2 - 1.4", "1.5.0"));
        assert!(check("< 1 || >= 3", "3.1.0"));
        assert!(!check("< 1 || >= 3", "2.0.0"));
        assert!(check("!= 1.2.0", "1.2.1"));
        assert!(!check(">= 1, != 1.2.0", "1.2.0"));
        assert!(TagFilter::semver("not a version").is_err());
    }

    #[test]
    fn regexes_are_unanchored() {
        let f = TagFilter::regex("^v?1\\.").unwrap();
        assert!(f.matches("v1.0.0") && f.matches("1.2.0") && !f.matches("2.1.0"));
        assert!(TagFilter::regex("rc").unwrap().matches("1.3.0-rc1"));
        assert!(TagFilter::regex("(").is_err());
    }
}
