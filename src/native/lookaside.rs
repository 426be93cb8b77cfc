//! Lookaside signature storage: the simple signatures of registry images, kept beside the
//! registry at `<base>/<repository>@<algorithm>=<hex>/signature-<N>`, numbered from 1 until the
//! first one missing (containers/image's signature-protocols).
//!
//! `file://` locations are read and written (each file written whole to a temporary name and
//! renamed); `http://` and `https://` are read only, with no registry credentials sent, at most
//! [`MAX_SIGNATURES`] signatures of at most [`MAX_SIGNATURE_SIZE`] bytes each, and a 404 (or a
//! missing file) ending the list.

use std::io::Write;
use std::path::PathBuf;

use reqwest::Url;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::{Method, Request, Transport};
use crate::native::transport::{ReqwestTransport, TlsOptions};
use crate::signature::MAX_SIGNATURE_SIZE;

/// containers/image's limit on signatures per image, beyond which a store is assumed broken.
pub const MAX_SIGNATURES: usize = 128;

/// Redirects followed for one signature.
const MAX_REDIRECTS: usize = 10;

/// Where one repository's signatures are read from and written to.
#[derive(Debug, Clone)]
pub struct Lookaside {
    read_base: Url,
    write_base: Url,
}

impl Lookaside {
    /// A store that reads below `read_base` and writes below `write_base` (both including the
    /// repository path, from [`crate::native::registries_d::RegistriesD::lookaside_base`]).
    pub fn new(read_base: Url, write_base: Url) -> Self {
        Lookaside { read_base, write_base }
    }

    /// The URL of signature `index` (from 1) of the manifest `digest` below `base`.
    fn url(base: &Url, digest: &Digest, index: usize) -> Url {
        let mut url = base.clone();
        let path = format!("{}@{}={}/signature-{index}", base.path(), digest.algorithm().name(), digest.hex());
        url.set_path(&path);
        url
    }

    /// Every signature of the manifest `digest`, in order.
    pub async fn read(&self, digest: &Digest) -> Result<Vec<Vec<u8>>> {
        let mut signatures = Vec::new();
        let transport = match self.read_base.scheme() {
            "file" => None,
            "http" | "https" => Some(lookaside_transport(&self.read_base)?),
            _ => {
                return Err(Error::Config(format!("Unsupported scheme when reading signature from {}", self.read_base)))
            }
        };
        loop {
            let url = Self::url(&self.read_base, digest, signatures.len() + 1);
            let found = match &transport {
                None => read_file(&url)?,
                Some(transport) => read_http(transport, url).await?,
            };
            match found {
                Some(signature) => signatures.push(signature),
                None => return Ok(signatures),
            }
            if signatures.len() > MAX_SIGNATURES {
                return Err(Error::Signature(format!(
                    "the signature store {} has more than {MAX_SIGNATURES} signatures for {digest}, assuming that's unreasonable and a server error",
                    self.read_base
                )));
            }
        }
    }

    /// Whether signatures can be written (only `file://` locations can).
    pub fn check_writable(&self) -> Result<()> {
        match self.write_base.scheme() {
            "file" => Ok(()),
            "http" | "https" => Err(Error::Unsupported(format!(
                "Writing directly to a {} lookaside {} is not supported. Configure a lookaside-staging: location",
                self.write_base.scheme(),
                self.write_base
            ))),
            _ => Err(Error::Unsupported(format!("Unsupported scheme when writing signature to {}", self.write_base))),
        }
    }

    /// Makes `signatures` the signatures of `digest`: `signature-1` … `signature-N` written,
    /// any later ones left from before removed.
    pub fn write(&self, digest: &Digest, signatures: &[Vec<u8>]) -> Result<()> {
        self.check_writable()?;
        for (i, signature) in signatures.iter().enumerate() {
            let path = file_path(&Self::url(&self.write_base, digest, i + 1))?;
            write_atomically(&path, signature)?;
        }
        for index in signatures.len() + 1.. {
            let path = file_path(&Self::url(&self.write_base, digest, index))?;
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(Error::io(format!("removing old signature {}", path.display()), e)),
            }
        }
        Ok(())
    }
}

fn file_path(url: &Url) -> Result<PathBuf> {
    url.to_file_path().map_err(|()| Error::Config(format!("signature storage URL {url} is not a local path")))
}

fn read_file(url: &Url) -> Result<Option<Vec<u8>>> {
    read_signature_file(&file_path(url)?)
}

/// A signature file's bytes (at most [`MAX_SIGNATURE_SIZE`]), or `None` if there is no such file.
pub fn read_signature_file(path: &std::path::Path) -> Result<Option<Vec<u8>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading signature {}", path.display()), e)),
    };
    read_at_most(file, &path.display().to_string()).map(Some)
}

/// Reads a whole signature file, refusing more than [`MAX_SIGNATURE_SIZE`] bytes before they
/// are held.
pub fn read_at_most(file: impl std::io::Read, what: &str) -> Result<Vec<u8>> {
    crate::native::bounded_read::read_at_most(file, MAX_SIGNATURE_SIZE)
        .map_err(|e| Error::io(format!("reading signature {what}"), e))?
        .ok_or_else(|| Error::Signature(format!("signature {what} is larger than {MAX_SIGNATURE_SIZE} bytes")))
}

/// A transport for a lookaside server: certificate verification on, no credentials.
fn lookaside_transport(base: &Url) -> Result<ReqwestTransport> {
    let host = match (base.host_str(), base.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => return Err(Error::Config(format!("signature storage URL {base} has no host"))),
    };
    ReqwestTransport::new(&host, &TlsOptions { verify: true, cert_dir: None })
}

async fn read_http(transport: &ReqwestTransport, mut url: Url) -> Result<Option<Vec<u8>>> {
    for _ in 0..=MAX_REDIRECTS {
        let response = transport.send(Request::new(Method::Get, url.as_str())).await?;
        match response.status {
            200 => {
                let shown = url.to_string();
                let is_html =
                    response.headers.get("content-type").is_some_and(|t| t.trim_start().starts_with("text/html"));
                if is_html {
                    return Err(Error::Signature(format!(
                        "reading signature from {shown}: the server answered with an HTML page, not a signature"
                    )));
                }
                let body = response.bytes_limited(MAX_SIGNATURE_SIZE, &format!("signature {shown}")).await?;
                return Ok(Some(body));
            }
            404 => return Ok(None),
            301 | 302 | 303 | 307 | 308 => {
                let location = response.headers.get("location").ok_or_else(|| Error::Redirect {
                    url: url.to_string(),
                    reason: "redirect without a Location".into(),
                })?;
                let next = url.join(location).map_err(|e| Error::Redirect {
                    url: url.to_string(),
                    reason: format!("unusable Location {location:?}: {e}"),
                })?;
                if url.scheme() == "https" && next.scheme() != "https" {
                    return Err(Error::Redirect {
                        url: url.to_string(),
                        reason: "refusing a redirect from https to another scheme".into(),
                    });
                }
                url = next;
            }
            status => {
                return Err(Error::Signature(format!(
                    "Error reading signature from {url}: status {status} ({})",
                    reason_phrase(status)
                )))
            }
        }
    }
    Err(Error::Redirect { url: url.to_string(), reason: format!("more than {MAX_REDIRECTS} redirects") })
}

fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("unknown status")
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so a reader never
/// sees half a signature.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().ok_or_else(|| Error::Config(format!("no directory for {}", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    temp.write_all(bytes).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    temp.persist(path).map_err(|e| Error::io(format!("writing {}", path.display()), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest() -> Digest {
        Digest::sha256(b"manifest")
    }

    #[test]
    fn urls_follow_the_lookaside_layout() {
        let base = Url::parse("https://sigs.example/store/team/app").unwrap();
        let url = Lookaside::url(&base, &digest(), 2);
        assert_eq!(url.as_str(), format!("https://sigs.example/store/team/app@sha256={}/signature-2", digest().hex()));
    }

    #[test]
    fn file_stores_round_trip_and_shrink() {
        let dir = tempfile::tempdir().unwrap();
        let base = Url::from_directory_path(dir.path()).unwrap().join("repo/name").unwrap();
        let store = Lookaside::new(base.clone(), base);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert!(rt.block_on(store.read(&digest())).unwrap().is_empty());
        store.write(&digest(), &[b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]).unwrap();
        assert_eq!(
            rt.block_on(store.read(&digest())).unwrap(),
            vec![b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]
        );
        store.write(&digest(), &[b"only".to_vec()]).unwrap();
        assert_eq!(rt.block_on(store.read(&digest())).unwrap(), vec![b"only".to_vec()]);
        let written = dir.path().join(format!("repo/name@sha256={}/signature-1", digest().hex()));
        assert_eq!(std::fs::read(written).unwrap(), b"only");
    }

    #[test]
    fn http_stores_cannot_be_written() {
        let base = Url::parse("https://sigs.example/a").unwrap();
        let err = Lookaside::new(base.clone(), base).write(&digest(), &[b"x".to_vec()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Writing directly to a https lookaside https://sigs.example/a is not supported. Configure a lookaside-staging: location"
        );
    }

    #[test]
    fn oversized_signatures_are_refused_before_they_are_held() {
        let big = std::io::repeat(0x89).take(MAX_SIGNATURE_SIZE + 10);
        use std::io::Read;
        let err = read_at_most(big, "s").unwrap_err();
        assert_eq!(err.to_string(), format!("signature s is larger than {MAX_SIGNATURE_SIZE} bytes"));
    }
}
