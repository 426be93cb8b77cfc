//! Image names with a transport prefix, parsed as skopeo parses them:
//! `docker://REF`, `dir:PATH`, `oci:PATH[:REF]`, `oci-archive:PATH[:REF]`, `docker-archive:PATH[:REF]`.

use std::fmt;

use crate::error::{Error, Result};
use crate::reference::Reference;

/// A transport and what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageName {
    /// An image in a registry. `latest` is applied when the reference has neither tag nor digest
    /// (except for whole-repository commands, which look at [`ImageName::Docker::explicit`]).
    Docker { reference: Reference, explicit: bool },
    /// A `dir:` directory.
    Dir { path: String },
    /// An `oci:` image layout, optionally naming an image inside it.
    Oci { path: String, image: Option<String> },
    /// An `oci-archive:` tarball of an OCI layout.
    OciArchive { path: String, image: Option<String> },
    /// A `docker-archive:` tarball (`docker save` format), optionally naming an image.
    DockerArchive { path: String, image: Option<String> },
}

/// The transports skopos knows, by prefix.
pub const TRANSPORTS: &[&str] = &["docker", "dir", "oci", "oci-archive", "docker-archive"];

impl ImageName {
    /// Parses `transport:reference`.
    pub fn parse(input: &str) -> Result<ImageName> {
        let invalid = |reason: String| Error::InvalidImageName { input: input.to_string(), reason };
        let (transport, rest) =
            input.split_once(':').ok_or_else(|| invalid("expected colon-separated transport:reference".into()))?;
        match transport {
            "docker" => {
                let spec = rest
                    .strip_prefix("//")
                    .ok_or_else(|| invalid("docker: reference does not start with //".into()))?;
                let reference = Reference::parse(spec)?;
                let explicit = reference.tag().is_some() || reference.digest().is_some();
                Ok(ImageName::Docker { reference, explicit })
            }
            "dir" => Ok(ImageName::Dir { path: non_empty_path(rest, input)? }),
            "oci" | "oci-archive" | "docker-archive" => {
                let (path, image) = match rest.split_once(':') {
                    Some((path, image)) => (path, Some(image.to_string()).filter(|i| !i.is_empty())),
                    None => (rest, None),
                };
                let path = non_empty_path(path, input)?;
                Ok(match transport {
                    "oci" => ImageName::Oci { path, image },
                    "oci-archive" => ImageName::OciArchive { path, image },
                    _ => ImageName::DockerArchive { path, image },
                })
            }
            other => Err(invalid(format!("unknown transport {other:?} (known: {})", TRANSPORTS.join(", ")))),
        }
    }

    /// The transport's name.
    pub fn transport(&self) -> &'static str {
        match self {
            ImageName::Docker { .. } => "docker",
            ImageName::Dir { .. } => "dir",
            ImageName::Oci { .. } => "oci",
            ImageName::OciArchive { .. } => "oci-archive",
            ImageName::DockerArchive { .. } => "docker-archive",
        }
    }
}

fn non_empty_path(path: &str, input: &str) -> Result<String> {
    if path.is_empty() {
        return Err(Error::InvalidImageName { input: input.to_string(), reason: "empty path".into() });
    }
    Ok(path.to_string())
}

impl fmt::Display for ImageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_image = |path: &str, image: &Option<String>| match image {
            Some(i) => format!("{path}:{i}"),
            None => path.to_string(),
        };
        match self {
            ImageName::Docker { reference, .. } => write!(f, "docker://{reference}"),
            ImageName::Dir { path } => write!(f, "dir:{path}"),
            ImageName::Oci { path, image } => write!(f, "oci:{}", with_image(path, image)),
            ImageName::OciArchive { path, image } => write!(f, "oci-archive:{}", with_image(path, image)),
            ImageName::DockerArchive { path, image } => write!(f, "docker-archive:{}", with_image(path, image)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports() {
        let d = ImageName::parse("docker://alpine").unwrap();
        assert!(
            matches!(&d, ImageName::Docker { explicit: false, reference } if reference.name() == "docker.io/library/alpine")
        );
        assert!(matches!(ImageName::parse("docker://a:1").unwrap(), ImageName::Docker { explicit: true, .. }));
        assert_eq!(ImageName::parse("dir:/tmp/x").unwrap(), ImageName::Dir { path: "/tmp/x".into() });
        assert_eq!(
            ImageName::parse("oci:/tmp/x:v1").unwrap(),
            ImageName::Oci { path: "/tmp/x".into(), image: Some("v1".into()) }
        );
        assert_eq!(ImageName::parse("oci:/tmp/x").unwrap(), ImageName::Oci { path: "/tmp/x".into(), image: None });
        assert!(ImageName::parse("nope:foo").unwrap_err().to_string().contains("unknown transport \"nope\""));
        assert!(ImageName::parse("alpine").unwrap_err().to_string().contains("transport:reference"));
        assert!(ImageName::parse("docker:alpine").unwrap_err().to_string().contains("//"));
        assert!(ImageName::parse("docker://x/UPPER").is_err());
        assert!(ImageName::parse("dir:").is_err());
        assert_eq!(ImageName::parse("oci:/a/b:t").unwrap().to_string(), "oci:/a/b:t");
    }
}
