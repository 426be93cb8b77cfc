//! Policy scopes per transport: which scope names a policy file may use, and the scopes an
//! image is looked up under, most specific first (containers/image's
//! `PolicyConfigurationIdentity` and `PolicyConfigurationNamespaces`).
//!
//! - `docker`: the identity is the fully expanded reference with its tag or digest
//!   (`docker.io/library/busybox:latest`); then the repository, each parent namespace, the
//!   registry host (with its port), and the wildcarded parent domains of the host without its
//!   port (`*.example.com`, `*.com`).
//! - `dir`: the resolved directory, then each parent directory (never `/`).
//! - `oci`, `oci-archive`: the resolved directory or file, then it again and each parent (never
//!   `/`); the image name inside a layout is not part of the identity.
//! - `docker-archive`: only the transport default `""`.

use crate::go;
use crate::reference::{self, Reference};

/// Checks a non-empty scope of `transport`; the error is the reason the scope is refused.
///
/// Transports skopos does not implement keep their scopes unchecked, as containers/image keeps
/// those of transports it does not know.
pub fn validate(transport: &str, scope: &str) -> Result<(), String> {
    match transport {
        "docker" => validate_docker(scope),
        "dir" => validate_path(scope, DIR_MESSAGES),
        "oci" | "oci-archive" => validate_path(scope, OCI_MESSAGES),
        "docker-archive" => Err("docker-archive: does not support any scopes except the default \"\" one".into()),
        _ => Ok(()),
    }
}

/// containers/image's messages for a relative and for an unclean path scope, by transport
/// (`{scope}` and `{clean}` are filled in).
const DIR_MESSAGES: [&str; 2] = [
    "Invalid scope {scope}: Must be an absolute path",
    "Invalid scope {scope}: Uses non-canonical format, perhaps try {clean}",
];
const OCI_MESSAGES: [&str; 2] = [
    "Invalid scope {scope}: must be an absolute path",
    "Invalid scope {scope}: Uses non-canonical path format, perhaps try with path {clean}",
];

/// An absolute, clean path other than `/`.
fn validate_path(scope: &str, [relative, non_canonical]: [&str; 2]) -> Result<(), String> {
    if !scope.starts_with('/') {
        return Err(relative.replace("{scope}", scope));
    }
    if scope == "/" {
        return Err("Invalid scope \"/\": Use the generic default scope \"\"".into());
    }
    let clean = go::path::clean(scope);
    if clean != scope {
        return Err(non_canonical.replace("{scope}", scope).replace("{clean}", &clean));
    }
    Ok(())
}

/// A docker scope must be one that [`docker_namespaces`] or [`docker_identity`] can produce:
/// `*.domain`, a registry host, or a fully expanded repository, namespace or reference.
///
/// containers/image accepts any string here (a scope that can never match is silently
/// ignored); skopos refuses such a scope so that a typo does not quietly fall back to a more
/// general policy.
fn validate_docker(scope: &str) -> Result<(), String> {
    if let Some(domain) = scope.strip_prefix("*.") {
        if reference::is_domain_name(domain) {
            return Ok(());
        }
        return Err(format!(
            "Invalid scope {scope}: a wildcard must be \"*.\" followed by a domain name without a port or path"
        ));
    }
    let expanded = || Reference::parse(scope).map(|r| r.to_string()).ok().filter(|e| e != scope);
    let not_expanded =
        |expanded: String| format!("Invalid scope {scope}: not in the fully expanded form, perhaps try {expanded}");
    let Some((registry, rest)) = scope.split_once('/') else {
        if reference::is_domain(scope) {
            return Ok(());
        }
        return Err(match expanded() {
            Some(e) => not_expanded(e),
            None => format!("Invalid scope {scope}: not a registry host name"),
        });
    };
    // The registry part must be one the reference grammar reads as a registry, as written.
    let is_registry = reference::is_domain(registry)
        && (registry.contains(['.', ':']) || registry == "localhost" || registry.chars().any(|c| c.is_uppercase()))
        && !reference::is_docker_hub(registry)
        || registry == reference::DOCKER_HUB;
    if !is_registry {
        let hint = if rest.contains([':', '@']) {
            expanded()
        } else if reference::is_docker_hub(registry) {
            Some(format!("{}/{rest}", reference::DOCKER_HUB))
        } else {
            Some(format!("{}/{scope}", reference::DOCKER_HUB)).filter(|_| reference::is_remote_name(scope))
        };
        return Err(match hint {
            Some(e) => not_expanded(e),
            None => format!("Invalid scope {scope}: {registry:?} is not a registry host name"),
        });
    }
    if !rest.contains([':', '@']) {
        // A repository or a namespace.
        if reference::is_remote_name(rest) && scope.len() <= 255 {
            return Ok(());
        }
        return Err(format!("Invalid scope {scope}: not a repository or namespace"));
    }
    let parsed = Reference::parse(scope).map_err(|e| format!("Invalid scope {scope}: {e}"))?;
    if parsed.tag().is_some() && parsed.digest().is_some() {
        return Err(format!("Invalid scope {scope}: a reference with both a tag and a digest never matches"));
    }
    match expanded() {
        Some(e) => Err(not_expanded(e)),
        None => Ok(()),
    }
}

/// The identity of a docker image: `registry/repository:tag` or `registry/repository@digest`.
/// `reference` has exactly one of tag and digest.
pub fn docker_identity(reference: &Reference) -> String {
    match (reference.tag(), reference.digest()) {
        (Some(tag), _) => format!("{}:{tag}", reference.name()),
        (None, Some(digest)) => format!("{}@{digest}", reference.name()),
        (None, None) => reference.name(),
    }
}

/// The docker namespaces of `reference`, most specific first: the repository, its parent
/// namespaces, the registry, then `*.` wildcards of the host's parent domains.
pub fn docker_namespaces(reference: &Reference) -> Vec<String> {
    let mut namespaces = Vec::new();
    let mut name = reference.name();
    loop {
        namespaces.push(name.clone());
        match name.rfind('/') {
            Some(slash) => name.truncate(slash),
            None => break,
        }
    }
    // `name` is now the registry; its wildcards leave out any port.
    let mut host = match name.find(':') {
        Some(colon) => &name[..colon],
        None => name.as_str(),
    };
    while let Some(dot) = host.find('.') {
        host = &host[dot + 1..];
        namespaces.push(format!("*.{host}"));
    }
    namespaces
}

/// `dir:` namespaces: each parent directory of the resolved path, `/` excluded.
pub fn dir_namespaces(resolved: &str) -> Vec<String> {
    let mut namespaces = Vec::new();
    let mut path = resolved;
    while let Some(slash) = path.rfind('/').filter(|at| *at > 0) {
        path = &path[..slash];
        namespaces.push(path.to_string());
    }
    namespaces
}

/// `oci:` and `oci-archive:` namespaces: the resolved path itself, then each parent, `/` excluded.
pub fn oci_namespaces(resolved: &str) -> Vec<String> {
    let mut namespaces = Vec::new();
    let mut path = resolved;
    while let Some(slash) = path.rfind('/') {
        if path == "/" {
            break;
        }
        namespaces.push(path.to_string());
        path = &path[..slash];
    }
    namespaces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docker(reference: &str) -> Reference {
        Reference::parse(reference).unwrap()
    }

    #[test]
    fn docker_identity_and_namespaces() {
        let r = docker("example.com:5000/ns/sub/repo:1.0");
        assert_eq!(docker_identity(&r), "example.com:5000/ns/sub/repo:1.0");
        assert_eq!(
            docker_namespaces(&r),
            [
                "example.com:5000/ns/sub/repo",
                "example.com:5000/ns/sub",
                "example.com:5000/ns",
                "example.com:5000",
                "*.com"
            ]
        );
        let busybox = docker("busybox:latest");
        assert_eq!(docker_identity(&busybox), "docker.io/library/busybox:latest");
        assert_eq!(
            docker_namespaces(&busybox),
            ["docker.io/library/busybox", "docker.io/library", "docker.io", "*.io"]
        );
        let deep = docker("a.b.example.org/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_eq!(
            docker_identity(&deep),
            "a.b.example.org/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            docker_namespaces(&deep),
            ["a.b.example.org/x", "a.b.example.org", "*.b.example.org", "*.example.org", "*.org"]
        );
        assert_eq!(docker_namespaces(&docker("localhost:5000/a:t")), ["localhost:5000/a", "localhost:5000"]);
    }

    #[test]
    fn path_namespaces() {
        assert_eq!(dir_namespaces("/var/lib/images/busybox"), ["/var/lib/images", "/var/lib", "/var"]);
        assert_eq!(dir_namespaces("/top"), Vec::<String>::new());
        assert_eq!(oci_namespaces("/var/lib/layout"), ["/var/lib/layout", "/var/lib", "/var"]);
        assert_eq!(oci_namespaces("/top"), ["/top"]);
    }

    #[test]
    fn docker_scopes() {
        for ok in [
            "docker.io",
            "localhost",
            "example.com:5000",
            "[::1]:5000",
            "*.example.com",
            "*.com",
            "docker.io/library",
            "docker.io/library/busybox",
            "docker.io/library/busybox:latest",
            "quay.io/ns/repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "example.com:5000/ns",
        ] {
            assert_eq!(validate("docker", ok), Ok(()), "{ok}");
        }
        let err = validate("docker", "busybox:latest").unwrap_err();
        assert!(err.contains("perhaps try docker.io/library/busybox:latest"), "{err}");
        assert!(validate("docker", "docker.io/busybox:1")
            .unwrap_err()
            .contains("perhaps try docker.io/library/busybox:1"));
        assert!(validate("docker", "*.example.com:5000").unwrap_err().contains("wildcard"));
        assert!(validate("docker", "example*.*.com").is_err());
        assert!(validate("docker", "*.example.com/ns").is_err());
        assert!(validate("docker", "Docker.io/library/X").is_err());
        assert_eq!(validate("docker", "docker.io/openshift"), Ok(()), "a namespace of Docker Hub");
        assert!(validate("docker", "index.docker.io/library").unwrap_err().contains("perhaps try docker.io/library"));
        assert!(validate("docker", "library/busybox").unwrap_err().contains("perhaps try docker.io/library/busybox"));
        assert!(validate("docker", "quay.io/UPPER").unwrap_err().contains("not a repository or namespace"));
        assert!(validate("docker", "bad host").unwrap_err().contains("not a registry host"));
        assert!(validate(
            "docker",
            "quay.io/a:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )
        .unwrap_err()
        .contains("both a tag and a digest"));
    }

    #[test]
    fn path_scopes() {
        assert_eq!(validate("dir", "/var/images"), Ok(()));
        assert_eq!(validate("dir", "relative").unwrap_err(), "Invalid scope relative: Must be an absolute path");
        assert_eq!(validate("dir", "/").unwrap_err(), "Invalid scope \"/\": Use the generic default scope \"\"");
        assert_eq!(
            validate("dir", "/a/../b/").unwrap_err(),
            "Invalid scope /a/../b/: Uses non-canonical format, perhaps try /b"
        );
        assert_eq!(validate("oci", "/a/layout"), Ok(()));
        assert_eq!(
            validate("oci-archive", "/a//b.tar").unwrap_err(),
            "Invalid scope /a//b.tar: Uses non-canonical path format, perhaps try with path /a/b.tar"
        );
        assert_eq!(validate("oci", "a/b").unwrap_err(), "Invalid scope a/b: must be an absolute path");
        assert_eq!(
            validate("docker-archive", "/x.tar").unwrap_err(),
            "docker-archive: does not support any scopes except the default \"\" one"
        );
        // Transports skopos does not implement keep their scopes as written.
        assert_eq!(validate("containers-storage", "anything at all"), Ok(()));
        assert_eq!(validate("atomic", "hostname:5000/myns/official"), Ok(()));
    }
}
