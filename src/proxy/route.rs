//! What a `/v2/` proxy request is for: the upstream registry, the repository on it, and whether
//! it asks for a manifest, a blob, a tag list or the ping.
//!
//! The edge Worker hands [`resolve_path`] the part of its request path after `/v2/` and the
//! upstream its configuration picked, if any (containerd's `?ns=HOST`, or the request's host
//! mapped by `UPSTREAM_HOSTS`). Without one, a registry host as the first path component
//! (`ghcr.io/org/app/manifests/1.0`) names the upstream, else the default registry does. The
//! repository is then normalized by the [`Reference`] parser (a one-component Docker Hub name
//! gets `library/`), and tags and digests are checked by the reference grammar. Which upstreams
//! are allowed at all is the Worker's configuration, not decided here.

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::Method;
use crate::reference::{canonical_registry, is_tag, Reference};

/// What a request asks an upstream for, from the path after `/v2/<repository>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `manifests/REF`: a tag or a digest (already checked).
    Manifest { reference: String },
    /// `blobs/DIGEST`.
    Blob { digest: Digest },
    /// `tags/list`, with or without a query.
    Tags,
}

/// The kind of a `/v2/` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `/v2/` itself, the API version check.
    Ping,
    /// `/v2/NAME/manifests/REF`.
    Manifest,
    /// `/v2/NAME/blobs/DIGEST`.
    Blob,
    /// `/v2/NAME/tags/list`.
    Tags,
}

/// How the upstream of a request is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream<'a> {
    /// The request names its upstream apart from the path (`?ns=`, a mapped host name): the
    /// whole name is a repository there.
    Named(&'a str),
    /// The upstream when the name does not start with a registry host.
    Default(&'a str),
}

/// A resolved `/v2/` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyPath {
    /// The upstream registry, normalized (`docker.io`, `ghcr.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// The repository on it (`library/alpine`); `None` for the ping.
    pub repository: Option<String>,
    /// What is asked for.
    pub kind: Kind,
    /// The tag or digest of a manifest, the digest of a blob; `None` otherwise.
    pub reference: Option<String>,
    /// The path to ask the upstream for after `/v2/<repository>/` (`manifests/REF`,
    /// `blobs/DIGEST`, `tags/list`); `None` for the ping.
    pub path: Option<String>,
    /// Whether the answer is addressed by digest, so it never changes.
    pub by_digest: bool,
}

/// Resolves the part of a `/v2/` request path after `/v2/` (still percent-encoded, as in the
/// URL) to its upstream, repository and kind; see the [module documentation](self).
///
/// An empty path is the ping. A path that is not `NAME/manifests/REF`, `NAME/blobs/DIGEST` or
/// `NAME/tags/list` fails with [`Error::NotFound`]; an invalid name, tag or digest with
/// [`Error::InvalidReference`] or [`Error::InvalidDigest`].
pub fn resolve_path(path: &str, upstream: Upstream<'_>) -> Result<ProxyPath> {
    if path.is_empty() {
        let host = match upstream {
            Upstream::Named(host) | Upstream::Default(host) => host,
        };
        let registry = canonical_registry(host);
        return Ok(ProxyPath {
            registry,
            repository: None,
            kind: Kind::Ping,
            reference: None,
            path: None,
            by_digest: false,
        });
    }
    let (name, rest) =
        split_route(path).ok_or_else(|| Error::NotFound(format!("no such registry endpoint: /v2/{path}")))?;
    let name = decode(name)?;
    let rest = decode(&rest)?;
    let target = parse_target(&rest)?;
    let (registry, name) = match upstream {
        Upstream::Named(host) => (canonical_registry(host), name.as_str()),
        Upstream::Default(default) => match host_prefix(&name) {
            Some((host, rest)) => (canonical_registry(host), rest),
            None => (canonical_registry(default), name.as_str()),
        },
    };
    let repository = repository_on(&registry, name)?;
    let (kind, reference, by_digest) = match target {
        Target::Manifest { reference } => {
            let by_digest = reference.contains(':');
            (Kind::Manifest, Some(reference), by_digest)
        }
        Target::Blob { digest } => (Kind::Blob, Some(digest.to_string()), true),
        Target::Tags => (Kind::Tags, None, false),
    };
    Ok(ProxyPath { registry, repository: Some(repository), kind, reference, path: Some(rest), by_digest })
}

/// Splits `NAME/manifests/REF`, `NAME/blobs/DIGEST` or `NAME/tags/list` into the name and the
/// rest; the name may hold slashes, the reference not.
fn split_route(path: &str) -> Option<(&str, String)> {
    if let Some(name) = path.strip_suffix("/tags/list") {
        return (!name.is_empty()).then(|| (name, "tags/list".to_string()));
    }
    let (head, last) = path.rsplit_once('/')?;
    let (name, kind) = head.rsplit_once('/')?;
    let known = kind == "manifests" || kind == "blobs";
    (known && !name.is_empty() && !last.is_empty()).then(|| (name, format!("{kind}/{last}")))
}

/// Percent-decodes one piece of a request path (`sha256%3A…` → `sha256:…`).
fn decode(piece: &str) -> Result<String> {
    percent_decode_str(piece).decode_utf8().map(|text| text.into_owned()).map_err(|_| Error::InvalidReference {
        input: piece.to_string(),
        reason: "not UTF-8 once percent-decoded".into(),
    })
}

/// The registry host a name starts with and the rest, by the reference parser's rule (the first
/// component has a `.` or `:`, is `localhost`, or has uppercase letters).
fn host_prefix(name: &str) -> Option<(&str, &str)> {
    let (first, rest) = name.split_once('/')?;
    let probe = Reference::parse(&format!("{first}/x/y")).ok()?;
    (probe.repository() == "x/y").then_some((first, rest))
}

/// The repository `name` means on `registry`, normalized by the reference parser (`alpine` on
/// `docker.io` is `library/alpine`).
fn repository_on(registry: &str, name: &str) -> Result<String> {
    let reference = Reference::parse(&format!("{registry}/{name}"))?;
    if reference.registry() != registry || reference.tag().is_some() || reference.digest().is_some() {
        return Err(Error::InvalidReference {
            input: format!("{registry}/{name}"),
            reason: "not a repository name of this registry".into(),
        });
    }
    Ok(reference.repository().to_string())
}

/// Refuses a repository that is not a valid name on `registry` (or that the registry's
/// normalization would change, such as a Docker Hub name without `library/`).
pub fn check_repository(registry: &str, repository: &str) -> Result<()> {
    let reference = Reference::parse(&format!("{registry}/{repository}"))?;
    if reference.registry() != registry
        || reference.repository() != repository
        || reference.tag().is_some()
        || reference.digest().is_some()
    {
        return Err(Error::InvalidReference {
            input: format!("{registry}/{repository}"),
            reason: "not a repository name of this registry".into(),
        });
    }
    Ok(())
}

/// Parses `manifests/REF`, `blobs/DIGEST` or `tags/list[?query]`.
pub fn parse_target(path: &str) -> Result<Target> {
    let invalid = |reason: &str| Error::InvalidReference { input: path.to_string(), reason: reason.to_string() };
    if let Some(reference) = path.strip_prefix("manifests/") {
        if reference.contains(':') {
            Digest::parse(reference)?;
        } else if !is_tag(reference) {
            return Err(invalid("not a valid tag"));
        }
        return Ok(Target::Manifest { reference: reference.to_string() });
    }
    if let Some(digest) = path.strip_prefix("blobs/") {
        return Ok(Target::Blob { digest: Digest::parse(digest)? });
    }
    if path == "tags/list" || path.starts_with("tags/list?") {
        return Ok(Target::Tags);
    }
    Err(invalid("the proxy serves manifests, blobs and tag lists only"))
}

/// The method of a proxied request: `GET` or `HEAD`; the proxy never writes to a registry.
pub fn parse_method(method: &str) -> Result<Method> {
    match method {
        "GET" => Ok(Method::Get),
        "HEAD" => Ok(Method::Head),
        other => {
            Err(Error::Unsupported(format!("the proxy only reads from registries; method {other} is not allowed")))
        }
    }
}
