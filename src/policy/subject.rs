//! What the policy knows of an image: its transport, the scopes it is looked up under, its
//! Docker reference if it has one, and its name as containers/image prints it in messages
//! (`transports.ImageName`).

use super::scope;
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use crate::reference::Reference;

/// An image as the trust policy sees it. Built from an [`ImageName`] by
/// [`PolicySubject::from_image_name`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySubject {
    transport: &'static str,
    identity: String,
    namespaces: Vec<String>,
    docker_reference: Option<Reference>,
    name: String,
}

impl PolicySubject {
    /// The subject for `name`. `resolve_path` turns a `dir:`/`oci:`/`oci-archive:` path into
    /// its absolute, symlink-free form (the native face resolves against the file system); a
    /// `docker://` reference without tag or digest gets `latest`; one with both a tag and a
    /// digest is refused, as containers/image refuses it.
    pub fn from_image_name(name: &ImageName, resolve_path: &dyn Fn(&str) -> Result<String>) -> Result<PolicySubject> {
        let subject = |identity: String, namespaces, docker_reference, described: String| PolicySubject {
            transport: name.transport(),
            identity,
            namespaces,
            docker_reference,
            name: described,
        };
        Ok(match name {
            ImageName::Docker { reference, .. } => {
                let reference = reference.or_latest();
                if reference.tag().is_some() && reference.digest().is_some() {
                    return Err(Error::InvalidImageName {
                        input: name.to_string(),
                        reason: "Docker references with both a tag and digest are currently not supported".into(),
                    });
                }
                let described = format!("docker://{}", reference.familiar());
                subject(
                    scope::docker_identity(&reference),
                    scope::docker_namespaces(&reference),
                    Some(reference),
                    described,
                )
            }
            ImageName::Dir { path } => {
                let resolved = resolve_path(path)?;
                subject(resolved.clone(), scope::dir_namespaces(&resolved), None, format!("dir:{path}"))
            }
            ImageName::Oci { path, image } | ImageName::OciArchive { path, image } => {
                let resolved = resolve_path(path)?;
                let described = format!("{}:{path}:{}", name.transport(), image.as_deref().unwrap_or(""));
                subject(resolved.clone(), scope::oci_namespaces(&resolved), None, described)
            }
            ImageName::DockerArchive { path, image } => {
                let (reference, described) = match image.as_deref() {
                    None => (None, format!("docker-archive:{path}")),
                    Some(index) if index.starts_with('@') => (None, format!("docker-archive:{path}:{index}")),
                    Some(named) => {
                        let reference = Reference::parse(named)?.or_latest();
                        if reference.digest().is_some() {
                            return Err(Error::InvalidImageName {
                                input: name.to_string(),
                                reason: "docker-archive doesn't support digest references".into(),
                            });
                        }
                        let described = format!("docker-archive:{path}:{reference}");
                        (Some(reference), described)
                    }
                };
                // docker-archive: has no scopes but the transport default.
                subject(String::new(), Vec::new(), reference, described)
            }
        })
    }

    /// The image as messages name it: `docker://127.0.0.1:5000/a/b:t`, `dir:/path`.
    pub fn describe(&self) -> String {
        self.name.clone()
    }

    /// The transport's name (`docker`, `dir`…), the key under `transports` in the policy.
    pub fn transport(&self) -> &str {
        self.transport
    }

    /// The scope that names exactly this image (containers/image's `PolicyConfigurationIdentity`).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The enclosing scopes, most specific first (`PolicyConfigurationNamespaces`).
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// The image's Docker reference, which `signedIdentity` rules compare with; `None` for
    /// transports without one.
    pub fn docker_reference(&self) -> Option<&Reference> {
        self.docker_reference.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(name: &str) -> PolicySubject {
        let resolve = |path: &str| Ok(format!("/resolved/{}", path.trim_start_matches("./")));
        PolicySubject::from_image_name(&ImageName::parse(name).unwrap(), &resolve).unwrap()
    }

    #[test]
    fn docker_subjects() {
        let s = subject("docker://127.0.0.1:5000/a/b:t");
        assert_eq!(s.describe(), "docker://127.0.0.1:5000/a/b:t");
        assert_eq!(s.transport(), "docker");
        assert_eq!(s.identity(), "127.0.0.1:5000/a/b:t");
        assert_eq!(
            s.namespaces(),
            ["127.0.0.1:5000/a/b", "127.0.0.1:5000/a", "127.0.0.1:5000", "*.0.0.1", "*.0.1", "*.1"]
        );
        let hub = subject("docker://busybox");
        assert_eq!(hub.describe(), "docker://busybox:latest");
        assert_eq!(hub.identity(), "docker.io/library/busybox:latest");
        assert_eq!(hub.docker_reference().map(|r| r.to_string()).as_deref(), Some("docker.io/library/busybox:latest"));
        let both = ImageName::parse(
            "docker://quay.io/a/b:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )
        .unwrap();
        let err = PolicySubject::from_image_name(&both, &|p| Ok(p.to_string())).unwrap_err();
        assert!(err.to_string().contains("both a tag and digest"), "{err}");
    }

    #[test]
    fn path_subjects_use_the_resolved_path() {
        let dir = subject("dir:./images/x");
        assert_eq!(dir.describe(), "dir:./images/x");
        assert_eq!(dir.identity(), "/resolved/images/x");
        assert_eq!(dir.namespaces(), ["/resolved/images", "/resolved"]);
        assert_eq!(dir.docker_reference(), None);
        let oci = subject("oci:layout:v1");
        assert_eq!(oci.describe(), "oci:layout:v1");
        assert_eq!(oci.identity(), "/resolved/layout", "the image inside the layout is not part of the identity");
        assert_eq!(oci.namespaces(), ["/resolved/layout", "/resolved"]);
        assert_eq!(subject("oci-archive:a.tar").describe(), "oci-archive:a.tar:");
        let failing = |_: &str| Err(Error::NotFound("no such directory".into()));
        assert!(PolicySubject::from_image_name(&ImageName::parse("dir:/x").unwrap(), &failing).is_err());
    }

    #[test]
    fn docker_archive_subjects() {
        let plain = subject("docker-archive:/a.tar");
        assert_eq!((plain.identity(), plain.namespaces().len()), ("", 0));
        assert_eq!(plain.docker_reference(), None);
        let named = subject("docker-archive:/a.tar:busybox");
        assert_eq!(named.describe(), "docker-archive:/a.tar:docker.io/library/busybox:latest");
        assert_eq!(
            named.docker_reference().map(|r| r.to_string()).as_deref(),
            Some("docker.io/library/busybox:latest")
        );
        assert_eq!(subject("docker-archive:/a.tar:@1").describe(), "docker-archive:/a.tar:@1");
    }
}
