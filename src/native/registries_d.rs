//! containers-registries.d(5): where the simple signatures of registry images live.
//!
//! A directory of `*.yaml` files (`--registries.d`, else `$HOME/.config/containers/registries.d`
//! if it exists, else `/etc/containers/registries.d`), merged: at most one `default-docker`
//! section across all files and at most one section per `docker:` scope, as containers/image
//! requires. For an image, the section of the most specific scope that says something applies
//! (the full reference, then its repository, namespaces and host, then `default-docker`);
//! without one, the built-in lookaside directory (`/var/lib/containers/sigstore` for root,
//! `$HOME/.local/share/containers/sigstore` otherwise), as containers/image does.
//!
//! ```yaml
//! default-docker:
//!   lookaside: https://sigstore.example.com
//! docker:
//!   registry.example.com/team:
//!     lookaside: http://localhost:8000/sigstore          # read
//!     lookaside-staging: file:///srv/sigstore-staging   # written by copy --sign-by
//! ```
//!
//! Keys skopos does not know are ignored, as containers/image ignores them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::reference::Reference;

/// The directory searched when `--registries.d` is not given.
pub fn default_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let user = Path::new(&home).join(".config/containers/registries.d");
        if user.is_dir() {
            return user;
        }
    }
    PathBuf::from("/etc/containers/registries.d")
}

static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Sets the directory (`--registries.d`) for the rest of the process; the first call wins.
pub fn set_dir(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// The configuration of the process's registries.d directory (`--registries.d` or the
/// default), read once.
pub fn current() -> Result<std::sync::Arc<RegistriesD>> {
    static LOADED: std::sync::OnceLock<std::result::Result<std::sync::Arc<RegistriesD>, String>> =
        std::sync::OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        let dir = DIR.get().cloned().unwrap_or_else(default_dir);
        RegistriesD::load(&dir).map(std::sync::Arc::new).map_err(|e| e.to_string())
    });
    loaded.clone().map_err(Error::Config)
}

/// The lookaside store of `reference`'s repository under the process's configuration.
pub fn lookaside_for(reference: &Reference) -> Result<crate::native::lookaside::Lookaside> {
    let config = current()?;
    Ok(crate::native::lookaside::Lookaside::new(
        config.lookaside_base(reference, false)?,
        config.lookaside_base(reference, true)?,
    ))
}

/// One configuration section (`default-docker`, or one scope under `docker`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Section {
    /// Read from, and written to when there is no staging location.
    pub lookaside: Option<String>,
    /// Written to by signing copies.
    #[serde(rename = "lookaside-staging")]
    pub lookaside_staging: Option<String>,
    /// The old name of `lookaside`.
    pub sigstore: Option<String>,
    /// The old name of `lookaside-staging`.
    #[serde(rename = "sigstore-staging")]
    pub sigstore_staging: Option<String>,
    /// Signatures as cosign attachments in the registry (sigstore signing).
    #[serde(rename = "use-sigstore-attachments")]
    pub use_sigstore_attachments: Option<bool>,
}

impl Section {
    /// The location this section names for reading (`write` false) or writing, if any.
    fn location(&self, write: bool) -> Option<&str> {
        let staging = [&self.lookaside_staging, &self.sigstore_staging];
        let main = [&self.lookaside, &self.sigstore];
        let candidates: &[&Option<String>] = if write { &[staging[0], staging[1], main[0], main[1]] } else { &main };
        candidates.iter().find_map(|v| v.as_deref().filter(|s| !s.is_empty()))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct File {
    #[serde(rename = "default-docker")]
    default_docker: Option<Section>,
    docker: BTreeMap<String, Section>,
}

/// The merged configuration of a registries.d directory.
#[derive(Debug, Clone, Default)]
pub struct RegistriesD {
    default_docker: Option<Section>,
    docker: BTreeMap<String, Section>,
}

impl RegistriesD {
    /// Reads every `*.yaml` file of `dir` (a missing directory is an empty configuration).
    pub fn load(dir: &Path) -> Result<RegistriesD> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegistriesD::default()),
            Err(e) => return Err(Error::io(format!("reading registries.d directory {}", dir.display()), e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml") && p.is_file())
            .collect();
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::io(format!("reading registries.d file {}", path.display()), e))?;
            files.push((path.display().to_string(), text));
        }
        RegistriesD::merge(files.iter().map(|(name, text)| (name.as_str(), text.as_str())))
    }

    /// Merges files given as (name, YAML text), refusing a section defined twice.
    pub fn merge<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RegistriesD> {
        let mut merged = RegistriesD::default();
        let mut default_from = String::new();
        let mut scope_from: BTreeMap<String, String> = BTreeMap::new();
        for (name, text) in files {
            let file: File = if text.trim().is_empty() {
                File::default()
            } else {
                serde_yaml::from_str(text).map_err(|e| Error::Config(format!("parsing {name}: {e}")))?
            };
            if let Some(section) = file.default_docker {
                if merged.default_docker.is_some() {
                    return Err(Error::Config(format!(
                        "Error parsing signature storage configuration: \"default-docker\" defined both in {default_from:?} and {name:?}"
                    )));
                }
                merged.default_docker = Some(section);
                default_from = name.to_string();
            }
            for (scope, section) in file.docker {
                if let Some(first) = scope_from.get(&scope) {
                    return Err(Error::Config(format!(
                        "Error parsing signature storage configuration: \"docker\" namespace {scope:?} defined both in {first:?} and {name:?}"
                    )));
                }
                scope_from.insert(scope.clone(), name.to_string());
                merged.docker.insert(scope, section);
            }
        }
        Ok(merged)
    }

    /// The sections that may apply to `reference`, most specific first.
    fn sections_for<'a>(&'a self, reference: &Reference) -> impl Iterator<Item = &'a Section> + 'a {
        let reference = reference.or_latest();
        let mut scopes = vec![crate::policy::scope::docker_identity(&reference)];
        scopes.extend(crate::policy::scope::docker_namespaces(&reference));
        scopes.into_iter().filter_map(|scope| self.docker.get(&scope)).chain(self.default_docker.iter())
    }

    /// The lookaside base URL for `reference`'s repository (for writing if `write`): the
    /// configured location, or the built-in directory, with the repository path appended.
    pub fn lookaside_base(&self, reference: &Reference, write: bool) -> Result<Url> {
        let configured = self.sections_for(reference).find_map(|s| s.location(write));
        let mut base = match configured {
            Some(location) => Url::parse(location)
                .map_err(|e| Error::Config(format!("Invalid signature storage URL {location}: {e}")))?,
            None => builtin_lookaside(),
        };
        let path = format!("{}/{}", base.path().trim_end_matches('/'), reference.repository());
        base.set_path(&path);
        Ok(base)
    }

    /// Whether `reference`'s signatures are sigstore attachments in the registry.
    pub fn use_sigstore_attachments(&self, reference: &Reference) -> bool {
        self.sections_for(reference).find_map(|s| s.use_sigstore_attachments).unwrap_or(false)
    }
}

/// containers/image's built-in lookaside directory: for root `/var/lib/containers/sigstore`,
/// for other users `$HOME/.local/share/containers/sigstore`.
fn builtin_lookaside() -> Url {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let dir = match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) if !root => Path::new(&home).join(".local/share/containers/sigstore"),
        _ => PathBuf::from("/var/lib/containers/sigstore"),
    };
    Url::from_directory_path(&dir)
        .unwrap_or_else(|()| Url::parse("file:///var/lib/containers/sigstore").expect("valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn the_most_specific_scope_that_names_a_location_wins() {
        let config = RegistriesD::merge([
            ("a.yaml", "default-docker:\n  lookaside: https://default.example/sigs\n"),
            (
                "b.yaml",
                "docker:\n  reg.example:5000:\n    lookaside: http://host.example/all\n  reg.example:5000/team/app:\n    lookaside-staging: file:///staging\n",
            ),
        ])
        .unwrap();
        let app = reference("reg.example:5000/team/app:1");
        assert_eq!(config.lookaside_base(&app, true).unwrap().as_str(), "file:///staging/team/app");
        // The repository's section names nothing to read from, so the host's applies.
        assert_eq!(config.lookaside_base(&app, false).unwrap().as_str(), "http://host.example/all/team/app");
        let other = reference("elsewhere.example/x/y");
        assert_eq!(config.lookaside_base(&other, false).unwrap().as_str(), "https://default.example/sigs/x/y");
        assert_eq!(
            config.lookaside_base(&reference("busybox"), false).unwrap().as_str(),
            "https://default.example/sigs/library/busybox"
        );
    }

    #[test]
    fn old_key_names_and_staging_order() {
        let config = RegistriesD::merge([(
            "old.yaml",
            "docker:\n  r.example:\n    sigstore: https://read.example\n    sigstore-staging: file:///w\n",
        )])
        .unwrap();
        let r = reference("r.example/a");
        assert_eq!(config.lookaside_base(&r, false).unwrap().as_str(), "https://read.example/a");
        assert_eq!(config.lookaside_base(&r, true).unwrap().as_str(), "file:///w/a");
    }

    #[test]
    fn without_configuration_the_builtin_directory_is_used() {
        let config = RegistriesD::default();
        let base = config.lookaside_base(&reference("r.example/a/b:t"), true).unwrap();
        assert_eq!(base.scheme(), "file");
        assert!(base.path().ends_with("/sigstore/a/b"), "{base}");
    }

    #[test]
    fn a_section_defined_twice_is_refused() {
        let err =
            RegistriesD::merge([("1.yaml", "docker:\n  r.example: {}\n"), ("2.yaml", "docker:\n  r.example: {}\n")])
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Error parsing signature storage configuration: \"docker\" namespace \"r.example\" defined both in \"1.yaml\" and \"2.yaml\""
        );
        let err =
            RegistriesD::merge([("1.yaml", "default-docker: {}\n"), ("2.yaml", "default-docker: {}\n")]).unwrap_err();
        assert!(err.to_string().contains("\"default-docker\" defined both in \"1.yaml\" and \"2.yaml\""), "{err}");
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let err = RegistriesD::merge([("bad.yaml", "docker: [1, 2]\n")]).unwrap_err();
        assert!(err.to_string().starts_with("parsing bad.yaml: "), "{err}");
        let config = RegistriesD::merge([("u.yaml", "docker:\n  r.example:\n    lookaside: '::not a url'\n")]).unwrap();
        let err = config.lookaside_base(&reference("r.example/a"), false).unwrap_err();
        assert!(err.to_string().starts_with("Invalid signature storage URL ::not a url"), "{err}");
    }

    #[test]
    fn sigstore_attachments_follow_the_scopes() {
        let config = RegistriesD::merge([(
            "s.yaml",
            "default-docker:\n  use-sigstore-attachments: true\ndocker:\n  r.example/a:\n    use-sigstore-attachments: false\n",
        )])
        .unwrap();
        assert!(!config.use_sigstore_attachments(&reference("r.example/a:1")));
        assert!(config.use_sigstore_attachments(&reference("r.example/b")));
    }
}
