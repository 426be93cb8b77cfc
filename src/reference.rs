//! Image references: `[registry/]repository[:tag][@digest]`, parsed and normalized as docker does.
//!
//! The grammar is distribution/reference's:
//!
//! ```text
//! reference      := name [ ":" tag ] [ "@" digest ]
//! name           := [ domain "/" ] remote-name
//! domain         := host [ ":" port ]
//! host           := domain-name | "[" ipv6 "]"      (domain-name covers IPv4 too)
//! domain-name    := component ( "." component )*    component: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
//! port           := [0-9]+
//! remote-name    := path-component ( "/" path-component )*
//! path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*
//! separator      := "." | "_" | "__" | "-"+
//! tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest         := algorithm ":" hex              (then checked by [`Digest::parse`])
//! ```
//!
//! Parsing follows docker's `ParseNormalizedNamed`: the first path component is a registry only
//! if it contains `.` or `:`, is `localhost`, or has uppercase letters; otherwise the registry is
//! `docker.io`, and a one-component name on `docker.io` gets `library/` in front. So `ubuntu`
//! becomes `docker.io/library/ubuntu`, and [`Reference::familiar`] turns it back.
//!
//! Everything is checked by hand, byte by byte: no regular expressions, so the wasm build stays
//! small. Parsing never panics and runs in time linear in the input.

use std::fmt;
use std::str::FromStr;

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Docker Hub's registry name, the one that names without a registry refer to.
pub const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's old index host; the reference grammar reads `index.docker.io/x` as `docker.io/x`.
pub const DOCKER_HUB_INDEX_HOST: &str = "index.docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// Docker Hub's web host, which serves the registry API as well.
pub const DOCKER_HUB_WEB_HOST: &str = "registry.hub.docker.com";
/// Every host name that means Docker Hub, [`DOCKER_HUB`] first.
pub const DOCKER_HUB_HOSTS: [&str; 4] = [DOCKER_HUB, DOCKER_HUB_INDEX_HOST, DOCKER_HUB_API_HOST, DOCKER_HUB_WEB_HOST];
/// The registry that names without one refer to.
const DEFAULT_DOMAIN: &str = DOCKER_HUB;
/// The old name of Docker Hub, normalized to [`DEFAULT_DOMAIN`].
const LEGACY_DEFAULT_DOMAIN: &str = DOCKER_HUB_INDEX_HOST;
/// The namespace of Docker Hub's official images.
const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The one registry name without `.` or `:` that is taken as a registry.
const LOCALHOST: &str = "localhost";
/// Longest allowed `registry/repository`, in bytes.
const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Longest allowed tag, in bytes.
const TAG_LENGTH_MAX: usize = 128;
/// The tag used when a reference has neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";

const REASON_FORMAT: &str = "invalid reference format";
const REASON_UPPERCASE: &str = "repository name must be lowercase";
const REASON_TOO_LONG: &str = "repository name must not be more than 255 characters";
const REASON_HEX_NAME: &str = "invalid repository name, cannot specify 64-byte hexadecimal strings";
const REASON_TAG: &str = "invalid tag format";

/// A parsed, normalized image reference such as `docker.io/library/ubuntu:22.04`.
///
/// It always has a registry and a repository; the tag and the digest are each optional, and
/// both may be present (`name:tag@digest`, where the digest is what gets pulled).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference, normalizing docker's short forms (`ubuntu` → `docker.io/library/ubuntu`).
    ///
    /// Fails with [`Error::InvalidReference`] when the input does not follow the grammar, when the
    /// repository has uppercase letters, when `registry/repository` is longer than 255 bytes,
    /// when the whole input is 64 hex digits (an image ID, not a name), or when the digest is
    /// malformed or uses an algorithm other than sha256 and sha512.
    pub fn parse(input: &str) -> Result<Reference> {
        let fail = |reason: &str| Error::InvalidReference { input: input.to_string(), reason: reason.to_string() };

        if is_image_id(input) {
            return Err(fail(REASON_HEX_NAME));
        }
        let (domain, remainder) = split_docker_domain(input);
        let remote = remainder.split(':').next().unwrap_or_default();
        if has_uppercase(remote) {
            return Err(fail(REASON_UPPERCASE));
        }
        let parts = split_remainder(&remainder).ok_or_else(|| fail(REASON_FORMAT))?;
        if !is_domain(domain) {
            // distribution would read this first component as part of the path, leaving the
            // reference without a registry; skopos needs one, so only the error text follows it.
            let as_path = domain.to_lowercase();
            let reason =
                if as_path != domain && is_path_component(&as_path) { REASON_UPPERCASE } else { REASON_FORMAT };
            return Err(fail(reason));
        }
        if domain.len() + 1 + parts.path.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(fail(REASON_TOO_LONG));
        }
        let digest = match parts.digest {
            Some(text) => Some(Digest::parse(text).map_err(|e| fail(&digest_reason(e)))?),
            None => None,
        };
        Ok(Reference {
            domain: domain.to_string(),
            path: parts.path.to_string(),
            tag: parts.tag.map(str::to_string),
            digest,
        })
    }

    /// The registry host, with its port if one was given: `docker.io`, `localhost:5000`, `[::1]:5000`.
    pub fn registry(&self) -> &str {
        &self.domain
    }

    /// The repository path without the registry: `library/ubuntu`.
    pub fn repository(&self) -> &str {
        &self.path
    }

    /// The full name without tag or digest: `docker.io/library/ubuntu`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The tag, if the reference has one.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if the reference has one.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The short form docker shows (its `FamiliarString`): `docker.io/` and, for one-component
    /// official images, `library/` are dropped. `docker.io/library/ubuntu:22.04` → `ubuntu:22.04`.
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        self.push_tag_and_digest(&mut out);
        out
    }

    /// The same repository with `tag` in place of any tag it had; a digest is kept.
    ///
    /// Fails with [`Error::InvalidReference`] if `tag` does not follow the tag grammar.
    pub fn with_tag(&self, tag: &str) -> Result<Reference> {
        if !is_tag(tag) {
            return Err(Error::InvalidReference { input: tag.to_string(), reason: REASON_TAG.to_string() });
        }
        Ok(Reference { tag: Some(tag.to_string()), ..self.clone() })
    }

    /// The image this reference pulls: itself when it has a tag or a digest, else the same
    /// repository tagged [`DEFAULT_TAG`] (`alpine` → `alpine:latest`), as docker and skopeo do.
    pub fn or_latest(&self) -> Reference {
        if self.tag.is_some() || self.digest.is_some() {
            self.clone()
        } else {
            Reference { tag: Some(DEFAULT_TAG.to_string()), ..self.clone() }
        }
    }

    /// The same repository with `digest` in place of any digest it had; a tag is kept.
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference { digest: Some(digest), ..self.clone() }
    }

    /// The repository alone, without tag or digest.
    pub fn without_tag_or_digest(&self) -> Reference {
        Reference { tag: None, digest: None, ..self.clone() }
    }

    /// The tag or digest to use in a `/v2/<name>/manifests/<here>` URL: the digest if present,
    /// else the tag, else `latest`.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => DEFAULT_TAG.to_string(),
        }
    }

    fn familiar_name(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return self.name();
        }
        match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(official) if !official.contains('/') => official.to_string(),
            _ => self.path.clone(),
        }
    }

    fn push_tag_and_digest(&self, out: &mut String) {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(&digest.to_string());
        }
    }
}

impl FromStr for Reference {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Reference::parse(s)
    }
}

impl fmt::Display for Reference {
    /// The full normalized form, `docker.io/library/ubuntu:22.04[@sha256:…]`; no tag is added.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name();
        self.push_tag_and_digest(&mut out);
        f.write_str(&out)
    }
}

/// Whether `host` is one of Docker Hub's host names ([`DOCKER_HUB_HOSTS`]), written as they are.
pub fn is_docker_hub(host: &str) -> bool {
    DOCKER_HUB_HOSTS.contains(&host)
}

/// A registry host as skopos names it: trimmed, lower-case, and any of Docker Hub's host names
/// as [`DOCKER_HUB`] (`Registry-1.Docker.io` → `docker.io`). The edge Worker names its upstreams
/// this way (`canonicalRegistry` in the npm package).
pub fn canonical_registry(host: &str) -> String {
    let lower = host.trim().to_ascii_lowercase();
    if is_docker_hub(&lower) {
        DOCKER_HUB.to_string()
    } else {
        lower
    }
}

/// The host that serves `registry`'s API: [`DOCKER_HUB_API_HOST`] for [`DOCKER_HUB`], else the
/// registry itself.
pub fn api_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        DOCKER_HUB_API_HOST
    } else {
        registry
    }
}

/// The reason text of a digest error, to be carried by a reference error.
fn digest_reason(err: Error) -> String {
    match err {
        Error::InvalidDigest { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// Docker's `splitDockerDomain`: the registry candidate and the rest (`repository[:tag][@digest]`).
///
/// The candidate is not validated here. The rest gets `library/` in front for one-component
/// names on Docker Hub.
fn split_docker_domain(input: &str) -> (&str, String) {
    let (domain, rest) = match input.split_once('/') {
        None => (DEFAULT_DOMAIN, input),
        Some((first, rest)) if first == LOCALHOST => (first, rest),
        Some((first, rest)) if first == LEGACY_DEFAULT_DOMAIN => (DEFAULT_DOMAIN, rest),
        Some((first, rest)) if first.contains(['.', ':']) || has_uppercase(first) => (first, rest),
        Some(_) => (DEFAULT_DOMAIN, input),
    };
    if domain == DEFAULT_DOMAIN && !rest.contains('/') {
        (domain, format!("{OFFICIAL_REPO_PREFIX}{rest}"))
    } else {
        (domain, rest.to_string())
    }
}

/// The checked pieces of `repository[:tag][@digest]`; the digest text is not yet parsed.
struct Remainder<'a> {
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// Splits and checks `repository[:tag][@digest]`; `None` if any piece breaks the grammar.
fn split_remainder(remainder: &str) -> Option<Remainder<'_>> {
    let (name_and_tag, digest) = match remainder.split_once('@') {
        Some((before, digest)) => (before, Some(digest)),
        None => (remainder, None),
    };
    let (path, tag) = match name_and_tag.split_once(':') {
        Some((path, tag)) => (path, Some(tag)),
        None => (name_and_tag, None),
    };
    let ok = is_remote_name(path) && tag.is_none_or(is_tag) && digest.is_none_or(is_digest_shape);
    ok.then_some(Remainder { path, tag, digest })
}

/// Whether the whole input is 64 lowercase hex digits, which docker reserves for image IDs.
fn is_image_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether lowercasing changes `s` (Go's `strings.ToLower(s) != s`).
fn has_uppercase(s: &str) -> bool {
    s.chars().any(|c| c.to_lowercase().ne(std::iter::once(c)))
}

/// `domain := host [":" port]`: a registry name as the grammar allows it (`example.com`,
/// `localhost:5000`, `[::1]:5000`).
pub fn is_domain(domain: &str) -> bool {
    let host_end = if domain.starts_with('[') {
        match domain.find(']') {
            Some(close) => close + 1,
            None => return false,
        }
    } else {
        domain.find(':').unwrap_or(domain.len())
    };
    let (host, port) = domain.split_at(host_end);
    let port_ok = port.is_empty() || port.strip_prefix(':').is_some_and(is_port);
    port_ok && (is_ipv6_literal(host) || is_domain_name(host))
}

/// `port := [0-9]+`.
fn is_port(port: &str) -> bool {
    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
}

/// `"[" [a-fA-F0-9:]+ "]"`: IPv6 in compressed or full form, no zone, no embedded IPv4.
fn is_ipv6_literal(host: &str) -> bool {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .is_some_and(|ip| !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'))
}

/// Dot-separated domain-name components, no port (this also accepts dotted IPv4 addresses).
pub fn is_domain_name(host: &str) -> bool {
    host.split('.').all(is_domain_component)
}

/// `[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?`.
fn is_domain_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `path-component ("/" path-component)*`: a repository path without its registry.
pub fn is_remote_name(path: &str) -> bool {
    path.split('/').all(is_path_component)
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else { return false };
    if !is_lower_alnum(*first) || !is_lower_alnum(*last) {
        return false;
    }
    // Since both ends are alphanumeric, every run of other bytes sits between two alphanumerics.
    bytes.split(|b| is_lower_alnum(*b)).all(|run| run.is_empty() || is_separator(run))
}

/// `separator := "." | "_" | "__" | "-"+`.
fn is_separator(run: &[u8]) -> bool {
    matches!(run, b"." | b"_" | b"__") || run.iter().all(|b| *b == b'-')
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Whether `tag` is a valid tag: `tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    match bytes.first() {
        Some(first) => {
            bytes.len() <= TAG_LENGTH_MAX
                && is_word(*first)
                && bytes.iter().all(|b| is_word(*b) || matches!(b, b'.' | b'-'))
        }
        None => false,
    }
}

/// The digest shape the reference grammar allows before the digest itself is checked:
/// `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ":" [0-9a-fA-F]{32,}`.
fn is_digest_shape(text: &str) -> bool {
    let Some((algorithm, hex)) = text.split_once(':') else { return false };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|part| {
        let bytes = part.as_bytes();
        bytes.first().is_some_and(|b| b.is_ascii_alphabetic()) && bytes.iter().all(|b| b.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256_F: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    const SHA256_BUSYBOX: &str = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    const IMAGE_ID: &str = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

    fn sha512_f() -> String {
        format!("sha512:{}", "f".repeat(128))
    }

    /// Parses `input` and checks registry, repository, tag, digest and the full string form.
    fn check_ok(input: &str, registry: &str, repository: &str, tag: Option<&str>, digest: Option<&str>) {
        let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(r.registry(), registry, "registry of {input:?}");
        assert_eq!(r.repository(), repository, "repository of {input:?}");
        assert_eq!(r.tag(), tag, "tag of {input:?}");
        assert_eq!(r.digest().map(|d| d.to_string()).as_deref(), digest, "digest of {input:?}");
        let mut full = format!("{registry}/{repository}");
        if let Some(t) = tag {
            full.push(':');
            full.push_str(t);
        }
        if let Some(d) = digest {
            full.push('@');
            full.push_str(d);
        }
        assert_eq!(r.to_string(), full, "display of {input:?}");
        assert_eq!(Reference::parse(&full).unwrap(), r, "round trip of {input:?}");
    }

    fn reason_of(input: &str) -> String {
        match Reference::parse(input) {
            Ok(r) => panic!("{input:?} should be refused, got {r}"),
            Err(Error::InvalidReference { input: echoed, reason }) => {
                assert_eq!(echoed, input);
                reason
            }
            Err(other) => panic!("{input:?}: wrong error variant {other:?}"),
        }
    }

    fn check_err(input: &str, reason: &str) {
        assert_eq!(reason_of(input), reason, "reason for {input:?}");
    }

    #[test]
    fn docker_hub_names() {
        for (input, repository) in [
            ("debian", "library/debian"),
            ("library/debian", "library/debian"),
            ("docker.io/debian", "library/debian"),
            ("docker.io/library/debian", "library/debian"),
            ("index.docker.io/debian", "library/debian"),
            ("index.docker.io/library/debian", "library/debian"),
            ("docker/docker", "docker/docker"),
            ("docker.io/docker/docker", "docker/docker"),
            ("index.docker.io/docker/docker", "docker/docker"),
            ("docker.io/library/foo/bar", "library/foo/bar"),
            ("store/foo/bar", "store/foo/bar"),
            ("other/library", "other/library"),
            ("test_com/foo", "test_com/foo"),
            ("docker-rules/docker", "docker-rules/docker"),
            ("docker---rules/docker", "docker---rules/docker"),
            ("dock__er/docker", "dock__er/docker"),
            ("d/docker", "d/docker"),
            ("jess/t", "jess/t"),
            ("ubuntu-12.04-base", "library/ubuntu-12.04-base"),
            ("a_b__c-d--e/f.g_h", "a_b__c-d--e/f.g_h"),
            // Without a '/', a first component is never a registry, whatever it looks like.
            ("localhost", "library/localhost"),
            ("192.168.0.1", "library/192.168.0.1"),
            ("test.com", "library/test.com"),
            (
                "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            ),
            // A 64-hex name is allowed once a registry makes clear it is a name.
            (&format!("docker.io/{IMAGE_ID}"), &format!("library/{IMAGE_ID}")),
        ] {
            check_ok(input, "docker.io", repository, None, None);
        }
    }

    #[test]
    fn other_registries() {
        for (input, registry, repository) in [
            ("localhost/foo", "localhost", "foo"),
            ("localhost/library/debian", "localhost", "library/debian"),
            ("localhost:5000/foo", "localhost:5000", "foo"),
            ("LOCALDOMAIN/debian", "LOCALDOMAIN", "debian"),
            ("Docker/docker", "Docker", "docker"),
            ("DOCKER/docker", "DOCKER", "docker"),
            ("Foo/bar", "Foo", "bar"),
            ("test.com/foo", "test.com", "foo"),
            ("test.com:8080/foo", "test.com:8080", "foo"),
            ("test-com:8080/foo", "test-com:8080", "foo"),
            ("test:5000/repo", "test:5000", "repo"),
            ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
            ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
            ("127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker"),
            ("127.0.0.1:5000/debian", "127.0.0.1:5000", "debian"),
            ("192.168.0.1:8/debian", "192.168.0.1:8", "debian"),
            ("192.168.1.1/repo", "192.168.1.1", "repo"),
            ("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux"),
            ("example.com/private/moonbase", "example.com", "private/moonbase"),
            ("quay.io/docker.io/foo", "quay.io", "docker.io/foo"),
            ("[::1]:5000/foo", "[::1]:5000", "foo"),
            ("[fc00::1]:5000/docker", "[fc00::1]:5000", "docker"),
            ("[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker"),
            ("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian"),
            ("[2001:db8::1]/repo", "[2001:db8::1]", "repo"),
            ("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo"),
            ("[2001:DB8::1]:5000/repo", "[2001:DB8::1]:5000", "repo"),
            // Only docker.io gets library/ in front of one-component names.
            ("example.com/ubuntu", "example.com", "ubuntu"),
        ] {
            check_ok(input, registry, repository, None, None);
        }
    }

    #[test]
    fn tags_and_digests() {
        let sha512 = sha512_f();
        let long_tag = "t".repeat(128);
        // (input, registry, repository, tag, digest)
        type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
        let cases: &[Case] = &[
            ("ubuntu:22.04", "docker.io", "library/ubuntu", Some("22.04"), None),
            ("lowercase:Uppercase", "docker.io", "library/lowercase", Some("Uppercase"), None),
            ("test.com:tag", "docker.io", "library/test.com", Some("tag"), None),
            ("test.com:5000", "docker.io", "library/test.com", Some("5000"), None),
            ("192.168.0.1:80", "docker.io", "library/192.168.0.1", Some("80"), None),
            ("foo_bar.com:8080", "docker.io", "library/foo_bar.com", Some("8080"), None),
            ("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", Some("8080"), None),
            ("localhost:5000/foo:bar", "localhost:5000", "foo", Some("bar"), None),
            ("test:5000/repo:tag", "test:5000", "repo", Some("tag"), None),
            (
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                "sub-dom1.foo.com",
                "bar/baz/quux",
                Some("some-long-tag"),
                None,
            ),
            (
                "b.gcr.io/test.example.com/my-app:test.example.com",
                "b.gcr.io",
                "test.example.com/my-app",
                Some("test.example.com"),
                None,
            ),
            ("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", Some("5050"), None),
            ("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", Some("tag"), None),
            ("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", Some("tag"), None),
            ("foo:_under.score-dash", "docker.io", "library/foo", Some("_under.score-dash"), None),
            ("foo:T", "docker.io", "library/foo", Some("T"), None),
            (&format!("foo:{long_tag}"), "docker.io", "library/foo", Some(&long_tag), None),
            (&format!("test:5000/repo@{SHA256_F}"), "test:5000", "repo", None, Some(SHA256_F)),
            (&format!("test:5000/repo:tag@{SHA256_F}"), "test:5000", "repo", Some("tag"), Some(SHA256_F)),
            (&format!("[2001:db8::1]:5000/repo@{SHA256_F}"), "[2001:db8::1]:5000", "repo", None, Some(SHA256_F)),
            (
                &format!("[2001:db8::1]:5000/repo:tag@{SHA256_F}"),
                "[2001:db8::1]:5000",
                "repo",
                Some("tag"),
                Some(SHA256_F),
            ),
            (
                &format!("busybox:latest@{SHA256_BUSYBOX}"),
                "docker.io",
                "library/busybox",
                Some("latest"),
                Some(SHA256_BUSYBOX),
            ),
            (&format!("redis@{SHA256_BUSYBOX}"), "docker.io", "library/redis", None, Some(SHA256_BUSYBOX)),
            (
                &format!("xn--7o8h.com/myimage:xn--7o8h.com@{sha512}"),
                "xn--7o8h.com",
                "myimage",
                Some("xn--7o8h.com"),
                Some(&sha512),
            ),
        ];
        for (input, registry, repository, tag, digest) in cases {
            check_ok(input, registry, repository, *tag, *digest);
        }
    }

    #[test]
    fn malformed_references() {
        for input in [
            "",
            " ",
            ":justtag",
            ":",
            "@",
            &format!("@{SHA256_F}"),
            &format!(":tag@{SHA256_F}"),
            "/",
            "/foo",
            "foo/",
            "docker/",
            "docker.io/",
            "localhost/",
            "foo//bar",
            "docker///docker",
            "docker.io/docker///docker",
            "https://github.com/docker/docker",
            "-docker",
            "-docker/docker",
            "docker-/docker",
            "-docker-/docker",
            "-docker.io/docker/docker",
            "____/____",
            "_docker/_docker",
            "dock..er/docker",
            "dock_.er/docker",
            "dock-.er/docker",
            "dock___er/docker",
            "foo/.bar",
            "foo/bar.",
            "foo/bar-",
            "foo/bar_",
            "aa/asdf$$^/aa",
            "foo bar",
            "foo\n",
            "ubuntü",
            "ü/foo",
            "Ü/foo",
            "fc00::1:5000/debian",
            "[fc00::1]",
            "[fc00::1]:5000",
            "[2001:db8::1]:tag",
            "[fe80::1%eth0]:5000/debian",
            "[fe80::1%@invalidzone]:5000/repo",
            "[2001:db8:3:4::192.0.2.33]:5000/debian",
            "[]:5000/foo",
            "[::1/foo",
            "::1]/foo",
            "localhost:/foo",
            "localhost:50a/foo",
            "localhost:5000:6000/foo",
            "exa_mple.com/foo",
            "-example.com/foo",
            "example-.com/foo",
            "example..com/foo",
            ".example.com/foo",
            // distribution would take these as path components and leave the registry empty.
            "foo_bar.com/x",
            "a__b.c/foo",
            // Bad tags.
            "foo:",
            "foo:-bar",
            "foo:.bar",
            "foo:ta/g",
            "foo:ta:g",
            "foo:tag!",
            "foo:täg",
            &format!("foo:{}", "t".repeat(129)),
            // Digests that do not have the grammar's shape.
            "foo@",
            "foo@sha256",
            "foo@sha256:",
            "foo@sha256:abc",
            "foo@256:ffffffffffffffffffffffffffffffff",
            &format!("foo@{SHA256_F}@{SHA256_F}"),
            &format!("foo@{SHA256_F}:tag"),
        ] {
            check_err(input, "invalid reference format");
        }
    }

    #[test]
    fn invalid_digests() {
        check_err("repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length");
        check_err(&format!("validname@invaliddigest:{}", "f".repeat(64)), "unsupported digest algorithm");
        check_err(&format!("foo@sha384:{}", "f".repeat(96)), "unsupported digest algorithm");
        check_err(&format!("foo@sha256:{}", "F".repeat(64)), "invalid checksum digest format");
        check_err(&format!("foo:tag@Sha256:{}", "f".repeat(64)), "invalid checksum digest format");
    }

    #[test]
    fn uppercase_repositories() {
        for input in [
            "Uppercase:tag",
            "UBUNTU",
            "docker/Docker",
            "docker.io/docker/Docker",
            "docker.io/Docker",
            "test:5000/Uppercase/lowercase:tag",
            "localhost:5000/Foo",
            "example.com/foo/Bar@sha256:ffffffffffffffffffffffffffffffff",
            // An uppercase first component is read as a registry; if it is no valid host, the
            // problem is the case of what would be a repository.
            "Foo_Bar/baz",
        ] {
            check_err(input, "repository name must be lowercase");
        }
    }

    #[test]
    fn image_ids_are_not_names() {
        check_err(IMAGE_ID, "invalid repository name, cannot specify 64-byte hexadecimal strings");
        // Only the bare 64-hex string is refused; anything around it makes it a name.
        check_ok(&format!("{IMAGE_ID}:latest"), "docker.io", &format!("library/{IMAGE_ID}"), Some("latest"), None);
        check_ok(&IMAGE_ID[..63], "docker.io", &format!("library/{}", &IMAGE_ID[..63]), None, None);
        check_ok(&format!("{IMAGE_ID}0"), "docker.io", &format!("library/{IMAGE_ID}0"), None, None);
    }

    #[test]
    fn name_length_limit() {
        // registry + "/" + repository may be 255 bytes; the tag and digest do not count.
        let at_limit = format!("example.com/{}", "a".repeat(243));
        assert_eq!(at_limit.len(), 255);
        check_ok(&format!("{at_limit}:tag"), "example.com", &"a".repeat(243), Some("tag"), None);
        check_ok(&format!("{at_limit}@{SHA256_F}"), "example.com", &"a".repeat(243), None, Some(SHA256_F));
        check_err(&format!("example.com/{}", "a".repeat(244)), "repository name must not be more than 255 characters");

        // Normalization counts: 255 bytes of path alone grow past the limit under docker.io/.
        let path = format!("{}a", "a/".repeat(127));
        assert_eq!(path.len(), 255);
        check_err(&format!("{path}:tag"), "repository name must not be more than 255 characters");
        check_err(&format!("{}a:tag", "a/".repeat(128)), "repository name must not be more than 255 characters");
        let namespace = "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(4);
        check_err(&format!("{}x/docker", namespace), "repository name must not be more than 255 characters");
    }

    #[test]
    fn huge_inputs_do_not_panic() {
        for input in
            ["a".repeat(1 << 20), "/".repeat(100_000), format!("{}:{}", "a".repeat(10_000), "b".repeat(10_000))]
        {
            assert!(Reference::parse(&input).is_err());
        }
    }

    #[test]
    fn familiar_strings() {
        for (input, familiar) in [
            ("ubuntu", "ubuntu"),
            ("ubuntu:22.04", "ubuntu:22.04"),
            ("docker.io/library/ubuntu:22.04", "ubuntu:22.04"),
            ("index.docker.io/library/ubuntu", "ubuntu"),
            ("docker.io/foo", "foo"),
            ("fooo/bar", "fooo/bar"),
            ("index.docker.io/fooo/bar", "fooo/bar"),
            ("docker.io/library/foo/bar", "library/foo/bar"),
            ("other/library", "other/library"),
            ("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase"),
            ("example.com:8000/privatebasee", "example.com:8000/privatebasee"),
            ("localhost/foo", "localhost/foo"),
            ("Foo/bar", "Foo/bar"),
            ("FOO/bar", "FOO/bar"),
            ("quay.io/library/ubuntu", "quay.io/library/ubuntu"),
        ] {
            assert_eq!(Reference::parse(input).unwrap().familiar(), familiar, "familiar of {input:?}");
        }
        let with_both = format!("busybox:latest@{SHA256_BUSYBOX}");
        assert_eq!(Reference::parse(&format!("docker.io/library/{with_both}")).unwrap().familiar(), with_both);
    }

    #[test]
    fn display_never_invents_a_tag() {
        let r: Reference = "ubuntu".parse().unwrap();
        assert_eq!(r.to_string(), "docker.io/library/ubuntu");
        assert_eq!(r.name(), "docker.io/library/ubuntu");
        assert_eq!(r.tag(), None);
        assert_eq!(r.manifest_reference(), "latest");
    }

    #[test]
    fn manifest_reference_prefers_digest() {
        let tagged = Reference::parse("quay.io/a/b:v1").unwrap();
        assert_eq!(tagged.manifest_reference(), "v1");
        let both = Reference::parse(&format!("quay.io/a/b:v1@{SHA256_F}")).unwrap();
        assert_eq!(both.manifest_reference(), SHA256_F);
        let digested = Reference::parse(&format!("quay.io/a/b@{SHA256_F}")).unwrap();
        assert_eq!(digested.manifest_reference(), SHA256_F);
    }

    #[test]
    fn with_tag_and_digest() {
        let base = Reference::parse("test.com:8000/foo").unwrap();
        assert_eq!(base.with_tag("TAG5").unwrap().to_string(), "test.com:8000/foo:TAG5");
        assert_eq!(base.with_tag("v1").unwrap().with_tag("v2").unwrap().tag(), Some("v2"));

        let digest = Digest::parse(SHA256_F).unwrap();
        let digested = base.with_digest(digest.clone());
        assert_eq!(digested.to_string(), format!("test.com:8000/foo@{SHA256_F}"));
        let both = digested.with_tag("v1").unwrap();
        assert_eq!(both.to_string(), format!("test.com:8000/foo:v1@{SHA256_F}"));
        assert_eq!(both.with_digest(digest).tag(), Some("v1"));
        assert_eq!(both.without_tag_or_digest(), base);
        assert_eq!(both.without_tag_or_digest().to_string(), "test.com:8000/foo");

        for bad in ["", "-foo", ".foo", "a/b", "a:b", "a@b", "tåg", &"t".repeat(129)] {
            let err = base.with_tag(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_REFERENCE", "{bad:?}");
        }
        assert!(base.with_tag(&"t".repeat(128)).is_ok());
    }

    #[test]
    fn errors_name_the_input() {
        let err = Reference::parse("docker/Docker").unwrap_err();
        assert_eq!(err.code(), "INVALID_REFERENCE");
        assert_eq!(err.to_string(), "invalid reference \"docker/Docker\": repository name must be lowercase");
    }

    #[test]
    fn equal_references_hash_alike() {
        use std::collections::HashSet;
        let set: HashSet<Reference> =
            ["ubuntu", "docker.io/library/ubuntu", "index.docker.io/ubuntu", "library/ubuntu"]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn or_latest_tags_only_a_bare_name() {
        let bare = Reference::parse("alpine").unwrap();
        assert_eq!(bare.or_latest().to_string(), "docker.io/library/alpine:latest");
        assert_eq!(bare.or_latest().tag(), Some(DEFAULT_TAG));
        assert_eq!(bare.or_latest().manifest_reference(), bare.manifest_reference());
        let tagged = Reference::parse("alpine:3.20").unwrap();
        assert_eq!(tagged.or_latest(), tagged);
        let digested = Reference::parse(&format!("alpine@{SHA256_BUSYBOX}")).unwrap();
        assert_eq!(digested.or_latest(), digested, "a digest is enough: no tag is added");
        let both = Reference::parse(&format!("alpine:3@{SHA256_BUSYBOX}")).unwrap();
        assert_eq!(both.or_latest(), both);
    }

    #[test]
    fn docker_hub_hosts_fold_to_docker_io() {
        for host in DOCKER_HUB_HOSTS {
            assert!(is_docker_hub(host), "{host}");
            assert_eq!(canonical_registry(host), DOCKER_HUB);
            assert_eq!(canonical_registry(&format!(" {} ", host.to_uppercase())), DOCKER_HUB);
        }
        assert_eq!(DOCKER_HUB_HOSTS[0], DOCKER_HUB);
        for other in ["ghcr.io", "docker.io.example", "hub.docker.com", "127.0.0.1:5000", "localhost"] {
            assert!(!is_docker_hub(other), "{other}");
            assert_eq!(canonical_registry(other), other);
        }
        assert_eq!(canonical_registry("Registry.Example:5000"), "registry.example:5000");
        // is_docker_hub compares as written; canonical_registry lower-cases first.
        assert!(!is_docker_hub("Docker.io"));
    }

    #[test]
    fn only_the_index_host_is_docker_hub_in_references() {
        // docker's grammar folds index.docker.io alone; the other hosts stay registries of their own.
        assert_eq!(Reference::parse("index.docker.io/alpine").unwrap().registry(), DOCKER_HUB);
        for host in [DOCKER_HUB_API_HOST, DOCKER_HUB_WEB_HOST] {
            let r = Reference::parse(&format!("{host}/library/alpine")).unwrap();
            assert_eq!(r.registry(), host);
        }
    }

    #[test]
    fn api_host_of_docker_hub() {
        assert_eq!(api_host(DOCKER_HUB), DOCKER_HUB_API_HOST);
        assert_eq!(api_host("ghcr.io"), "ghcr.io");
        assert_eq!(api_host(DOCKER_HUB_INDEX_HOST), DOCKER_HUB_INDEX_HOST);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Strings built from the pieces references are made of, so that many of them parse.
        fn reference_like() -> impl Strategy<Value = String> {
            let domain = prop_oneof![
                Just(String::new()),
                Just("localhost/".to_string()),
                Just("index.docker.io/".to_string()),
                "[a-zA-Z0-9.-]{1,12}(:[0-9]{1,5})?/",
                "\\[[0-9a-f:]{1,10}\\](:[0-9]{1,4})?/",
            ];
            let path = "[a-z0-9._-]{1,10}(/[a-z0-9._-]{1,10}){0,3}";
            let tag = prop_oneof![Just(String::new()), ":[A-Za-z0-9_.-]{0,12}"];
            let digest = prop_oneof![
                Just(String::new()),
                "@sha256:[0-9a-f]{64}",
                "@sha512:[0-9a-f]{128}",
                "@[a-z0-9]{1,6}:[0-9a-fA-F]{30,70}",
            ];
            (domain, path, tag, digest).prop_map(|(d, p, t, g)| format!("{d}{p}{t}{g}"))
        }

        /// Arbitrary strings over the characters that matter to the grammar.
        fn grammar_soup() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9./:@_\\[\\]-]{0,40}"
        }

        fn check_round_trip(input: &str) -> Result<(), TestCaseError> {
            if let Ok(r) = Reference::parse(input) {
                let shown = r.to_string();
                let again = Reference::parse(&shown);
                prop_assert!(again.is_ok(), "{input:?} parsed, but its form {shown:?} did not: {again:?}");
                let again = again.unwrap();
                prop_assert_eq!(&again, &r);
                prop_assert_eq!(again.to_string(), shown);
                prop_assert_eq!(r.name().len(), r.registry().len() + 1 + r.repository().len());
                prop_assert!(r.name().len() <= NAME_TOTAL_LENGTH_MAX);
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_strings_never_panic(input in any::<String>()) {
                check_round_trip(&input)?;
            }

            #[test]
            fn grammar_soup_round_trips(input in grammar_soup()) {
                check_round_trip(&input)?;
            }

            #[test]
            fn reference_like_round_trips(input in reference_like()) {
                check_round_trip(&input)?;
            }

            #[test]
            fn valid_pieces_always_parse(
                path in "[a-z0-9]{1,8}((\\.|_|__|-{1,3})[a-z0-9]{1,8}){0,2}(/[a-z0-9]{1,8}){0,2}",
                tag in "[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}",
                port in proptest::option::of(0u32..70000),
            ) {
                let domain = match port { Some(p) => format!("registry.example:{p}"), None => "registry.example".to_string() };
                let input = format!("{domain}/{path}:{tag}");
                let r = Reference::parse(&input);
                prop_assert!(r.is_ok(), "{input:?}: {r:?}");
                let r = r.unwrap();
                prop_assert_eq!(r.registry(), domain.as_str());
                prop_assert_eq!(r.repository(), path.as_str());
                prop_assert_eq!(r.tag(), Some(tag.as_str()));
                prop_assert_eq!(r.to_string(), input);
            }
        }
    }
}
