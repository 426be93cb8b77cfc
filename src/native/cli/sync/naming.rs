//! Where `sync` puts each image, as skopeo names it: `DESTINATION` joined (Go's `path.Join`)
//! with the source's last path component, or its whole path with `--scoped`, then
//! `--append-suffix`; and the name skopeo logs for it (`docker://…`, `dir:…`).

use crate::error::{Error, Result};
use crate::go::path as go_path;
use crate::image::name::ImageName;
use crate::reference::Reference;

/// The destination flags of one `sync`.
pub(super) struct Naming<'a> {
    /// `--dest`: `docker` or `dir`.
    transport: &'a str,
    /// DESTINATION: a registry/namespace prefix or a directory.
    prefix: &'a str,
    /// `--scoped`: keep the source's whole path.
    scoped: bool,
    /// `--append-suffix`, added to the end of the name.
    append_suffix: &'a str,
}

impl<'a> Naming<'a> {
    /// Names under `prefix` for the `transport` of `--dest`.
    pub(super) fn new(transport: &'a str, prefix: &'a str, scoped: bool, append_suffix: &'a str) -> Self {
        Naming { transport, prefix, scoped, append_suffix }
    }

    /// The destination image for a source suffix, and its name as skopeo logs it.
    pub(super) fn destination(&self, suffix: &str) -> Result<(ImageName, String)> {
        let suffix = if self.scoped { suffix.to_string() } else { go_path::base(suffix) };
        let target = format!("{}{}", go_path::join(&[self.prefix, &suffix]), self.append_suffix);
        match self.transport {
            "docker" => {
                let reference = Reference::parse(&target).map_err(|e| {
                    Error::Config(format!(
                        "Cannot obtain a valid image reference for transport \"docker\" and reference \"//{target}\": {e}"
                    ))
                })?;
                let display = format!("docker://{}", reference.familiar());
                Ok((ImageName::Docker { reference, explicit: true }, display))
            }
            _ => Ok((ImageName::Dir { path: target.clone() }, format!("dir:{target}"))),
        }
    }
}

/// The suffix of a `dir:` image found under SOURCE, as skopeo: the image's path with SOURCE
/// trimmed from its front, or SOURCE's base name when nothing is left.
pub(super) fn dir_suffix(source: &str, image_path: &str) -> String {
    match image_path.strip_prefix(source).unwrap_or(image_path) {
        "" => go_path::base(source),
        rest => rest.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docker(name: &str) -> ImageName {
        ImageName::Docker { reference: Reference::parse(name).unwrap(), explicit: true }
    }

    #[test]
    fn the_last_component_goes_under_the_prefix() {
        let naming = Naming::new("docker", "127.0.0.1:5000/mirror", false, "");
        let (name, shown) = naming.destination("127.0.0.1:5001/ns/app:1.0.0").unwrap();
        assert_eq!(name, docker("127.0.0.1:5000/mirror/app:1.0.0"));
        assert_eq!(shown, "docker://127.0.0.1:5000/mirror/app:1.0.0");
        // A trailing slash on the prefix is cleaned away, as path.Join does.
        let (name, _) = Naming::new("docker", "127.0.0.1:5000/mirror/", false, "").destination("h/app:2").unwrap();
        assert_eq!(name, docker("127.0.0.1:5000/mirror/app:2"));
    }

    #[test]
    fn scoped_keeps_the_whole_source_path() {
        let naming = Naming::new("docker", "127.0.0.1:5000/mirror", true, "");
        let (name, shown) = naming.destination("registry.example/ns/app:1.0.0").unwrap();
        assert_eq!(name, docker("127.0.0.1:5000/mirror/registry.example/ns/app:1.0.0"));
        assert_eq!(shown, "docker://127.0.0.1:5000/mirror/registry.example/ns/app:1.0.0");
        // As with skopeo, a source registry with a port cannot be a path component.
        assert!(naming.destination("127.0.0.1:5001/ns/app:1.0.0").is_err());
    }

    #[test]
    fn the_suffix_is_appended_to_the_tag() {
        let naming = Naming::new("docker", "127.0.0.1:5000/m", false, "-mirrored");
        let (name, _) = naming.destination("127.0.0.1:5001/ns/app:1.0.0").unwrap();
        assert_eq!(name, docker("127.0.0.1:5000/m/app:1.0.0-mirrored"));
    }

    #[test]
    fn dir_destinations_are_paths() {
        let (name, shown) = Naming::new("dir", "/tmp/x", false, "").destination("127.0.0.1:5001/ns/app:1").unwrap();
        assert_eq!(name, ImageName::Dir { path: "/tmp/x/app:1".into() });
        assert_eq!(shown, "dir:/tmp/x/app:1");
        let (name, _) = Naming::new("dir", "/tmp/x", true, "").destination("127.0.0.1:5001/ns/app:1").unwrap();
        assert_eq!(name, ImageName::Dir { path: "/tmp/x/127.0.0.1:5001/ns/app:1".into() });
    }

    #[test]
    fn an_impossible_registry_name_is_refused_as_skopeo_says() {
        let naming = Naming::new("docker", "127.0.0.1:5000/Mirror", false, "");
        let Err(Error::Config(message)) = naming.destination("h/app:1") else { panic!("an upper-case repository") };
        assert!(
            message.starts_with(
                "Cannot obtain a valid image reference for transport \"docker\" and reference \"//127.0.0.1:5000/Mirror/app:1\": "
            ),
            "{message}"
        );
        // The suffix can spoil a tag too.
        assert!(Naming::new("docker", "h:5000/m", false, " bad").destination("h/app:1").is_err());
    }

    #[test]
    fn dir_sources_are_named_by_what_follows_source() {
        assert_eq!(dir_suffix("/data", "/data/ns/app:1"), "/ns/app:1");
        assert_eq!(dir_suffix("/data/app", "/data/app"), "app", "the image is SOURCE itself");
        assert_eq!(dir_suffix("./data", "data/app"), "data/app", "no common prefix after cleaning");
    }
}
