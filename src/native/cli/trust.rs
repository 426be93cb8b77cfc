//! A command's trust settings: the policy (policy.json) that every image it reads must satisfy,
//! and the signers of `--sign-by` and `--sign-by-key-file`.
//!
//! The policy file is `--policy`, else `$HOME/.config/containers/policy.json`, else
//! `/etc/containers/policy.json`, as skopeo looks for it. One deliberate difference: when none
//! of them exists and none was named, skopeo refuses to run, while skopos applies the
//! distributions' default policy (`insecureAcceptAnything`) and says so under `--debug`. A named
//! or found file that cannot be read or parsed is an error, never ignored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::options::GlobalOptions;
use crate::copy::{Signer, Signing, TrustPolicy};
use crate::error::{Error, Result};
use crate::image::name::ImageName;
use crate::native::gpg::GpgSigner;
use crate::policy::{KeyFiles, Policy, PolicySubject};
use crate::signature::SigningKey;

/// Key files (`keyPath`, `keyPaths`) larger than this are refused.
const MAX_KEY_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Where the policy comes from, for messages.
enum PolicySource {
    File(PathBuf),
    Default,
    Insecure,
}

/// The policy file to use: the named one, else the first of the user's and the system's that
/// exists, else none.
fn policy_path(global: &GlobalOptions) -> Option<PathBuf> {
    if let Some(path) = &global.policy {
        return Some(path.clone());
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    let user = home.map(|h| Path::new(&h).join(".config/containers/policy.json"));
    [user, Some(PathBuf::from("/etc/containers/policy.json"))].into_iter().flatten().find(|p| p.exists())
}

/// The process's policy, read once.
fn policy(global: &GlobalOptions) -> Result<Arc<Policy>> {
    static LOADED: OnceLock<std::result::Result<Arc<Policy>, String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let source = if global.insecure_policy {
                PolicySource::Insecure
            } else {
                policy_path(global).map_or(PolicySource::Default, PolicySource::File)
            };
            let policy = match &source {
                PolicySource::Insecure => Policy::accept_anything(),
                PolicySource::Default => {
                    if global.debug {
                        eprintln!(
                            "DEBUG no policy.json found ($HOME/.config/containers/policy.json, /etc/containers/policy.json): accepting any image, as the distributions' default policy does"
                        );
                    }
                    Policy::accept_anything()
                }
                PolicySource::File(path) => {
                    let bytes = std::fs::read(path)
                        .map_err(|e| Error::io(format!("reading policy file {}", path.display()), e).to_string())?;
                    if global.debug {
                        eprintln!("DEBUG using policy file {}", path.display());
                    }
                    Policy::parse(&bytes, &path.display().to_string()).map_err(|e| e.to_string())?
                }
            };
            Ok(Arc::new(policy))
        })
        .clone()
        .map_err(Error::Config)
}

/// Reads key files named by the policy, bounded in size.
struct FsKeyFiles;

impl KeyFiles for FsKeyFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>> {
        let reading = |e| Error::io(format!("reading key file {path}"), e);
        let file = std::fs::File::open(path).map_err(reading)?;
        crate::native::bounded_read::read_at_most(file, MAX_KEY_FILE_SIZE)
            .map_err(reading)?
            .ok_or_else(|| Error::Config(format!("key file {path} is larger than {MAX_KEY_FILE_SIZE} bytes")))
    }
}

/// A path made absolute and free of symlinks, as containers/image resolves `dir:`/`oci:` paths
/// before matching policy scopes (a path that does not exist yet keeps its last components).
fn resolve_path(path: &str) -> Result<String> {
    let absolute = std::path::absolute(path).map_err(|e| Error::io(format!("resolving {path}"), e))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let full = rest.iter().rev().fold(real, |p: PathBuf, c| p.join(c));
                return Ok(full.display().to_string());
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => return Ok(absolute.display().to_string()),
            },
        }
    }
}

/// The policy every image read from `name` must satisfy, with its key files read.
pub fn source_policy(global: &GlobalOptions, name: &ImageName) -> Result<Arc<dyn TrustPolicy>> {
    let policy = policy(global)?;
    let subject = PolicySubject::from_image_name(name, &resolve_path)?;
    Ok(Arc::new(policy.for_subject(&subject, &FsKeyFiles)?))
}

/// The passphrase of `--sign-passphrase-file` (its first line), if given.
pub fn read_passphrase(path: Option<&Path>) -> Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading passphrase file {}", path.display()), e))?;
    Ok(Some(text.lines().next().unwrap_or("").to_string()))
}

/// The signer `--sign-by FINGERPRINT` (GnuPG) or `--sign-by-key-file PATH` asks for.
pub fn signer(
    sign_by: Option<&str>,
    key_file: Option<&Path>,
    passphrase_file: Option<&Path>,
) -> Result<Option<Arc<dyn Signer>>> {
    match (sign_by, key_file) {
        (Some(_), Some(_)) => Err(Error::Config("--sign-by and --sign-by-key-file cannot be used together".into())),
        (Some(fingerprint), None) => {
            Ok(Some(Arc::new(GpgSigner::new(fingerprint, passphrase_file.map(Path::to_path_buf)))))
        }
        (None, Some(path)) => {
            let bytes =
                std::fs::read(path).map_err(|e| Error::io(format!("reading signing key {}", path.display()), e))?;
            let passphrase = read_passphrase(passphrase_file)?;
            Ok(Some(Arc::new(SigningKey::parse(&bytes, passphrase.as_deref())?)))
        }
        (None, None) if passphrase_file.is_some() => {
            Err(Error::Config("--sign-passphrase-file needs --sign-by or --sign-by-key-file".into()))
        }
        (None, None) => Ok(None),
    }
}

/// The engine's signing settings for these flags.
pub fn signing(
    sign_by: Option<&str>,
    key_file: Option<&Path>,
    passphrase_file: Option<&Path>,
    identity: Option<&str>,
) -> Result<Option<Signing>> {
    let Some(signer) = signer(sign_by, key_file, passphrase_file)? else {
        if identity.is_some() {
            return Err(Error::Config("--sign-identity needs --sign-by or --sign-by-key-file".into()));
        }
        return Ok(None);
    };
    if let Some(identity) = identity {
        crate::reference::Reference::parse(identity)?;
    }
    Ok(Some(Signing { signer, identity: identity.map(str::to_string) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_through_symlinks_and_keep_missing_parts() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let canonical = real.canonicalize().unwrap();
        let through = resolve_path(&dir.path().join("link/new/img").display().to_string()).unwrap();
        assert_eq!(through, canonical.join("new/img").display().to_string());
    }

    #[test]
    fn signing_flags_must_fit_together() {
        let err = signing(Some("ABC"), Some(Path::new("/k")), None, None).err().unwrap();
        assert_eq!(err.to_string(), "--sign-by and --sign-by-key-file cannot be used together");
        let err = signing(None, None, Some(Path::new("/p")), None).err().unwrap();
        assert_eq!(err.to_string(), "--sign-passphrase-file needs --sign-by or --sign-by-key-file");
        let err = signing(None, None, None, Some("r.example/a:b")).err().unwrap();
        assert_eq!(err.to_string(), "--sign-identity needs --sign-by or --sign-by-key-file");
        assert!(signing(Some("ABC"), None, None, Some("not a reference")).is_err());
        assert!(signing(None, None, None, None).unwrap().is_none());
    }
}
