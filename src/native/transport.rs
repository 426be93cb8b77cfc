//! The native HTTP transport: reqwest over rustls, with skopeo's TLS options
//! (`--tls-verify`, `--cert-dir`, and the per-host `certs.d` directories).

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};

use crate::error::{Error, Result};
use crate::http::{Headers, Method, Request, RequestBody, Response, Transport};

/// TLS settings for one registry.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Verify server certificates (default true).
    pub verify: bool,
    /// A directory of `*.crt` CA certificates and `*.cert`/`*.key` client pairs.
    pub cert_dir: Option<PathBuf>,
}

/// A reqwest-backed [`Transport`].
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

/// The directories searched for a host's certificates when `--cert-dir` is not given.
pub fn default_cert_dirs(host: &str) -> Vec<PathBuf> {
    ["/etc/containers/certs.d", "/etc/docker/certs.d"]
        .iter()
        .map(|d| Path::new(d).join(host))
        .filter(|p| p.is_dir())
        .collect()
}

impl ReqwestTransport {
    /// A transport for talking to `host` with `tls`.
    pub fn new(host: &str, tls: &TlsOptions) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent())
            .connect_timeout(Duration::from_secs(30))
            .danger_accept_invalid_certs(!tls.verify);
        let dirs = match &tls.cert_dir {
            Some(dir) => vec![dir.clone()],
            None => default_cert_dirs(host),
        };
        for dir in dirs {
            builder = add_cert_dir(builder, &dir)?;
        }
        let client =
            builder.build().map_err(|e| Error::Config(format!("cannot set up the HTTP client: {}", chain(&e))))?;
        Ok(ReqwestTransport { client })
    }
}

fn add_cert_dir(mut builder: reqwest::ClientBuilder, dir: &Path) -> Result<reqwest::ClientBuilder> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading certificate directory {}", dir.display()), e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in &paths {
        let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(format!("reading {}", p.display()), e));
        match path.extension().and_then(|e| e.to_str()) {
            Some("crt") => {
                for der in ca_certificates(&read(path)?, path)? {
                    let cert = reqwest::Certificate::from_der(&der).map_err(|e| {
                        Error::Config(format!("{}: unusable CA certificate: {}", path.display(), chain(&e)))
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
            }
            Some("cert") => {
                let key_path = path.with_extension("key");
                if !key_path.exists() {
                    return Err(Error::Config(format!(
                        "missing client certificate key {} for {}",
                        key_path.display(),
                        path.display()
                    )));
                }
                let mut pem = read(path)?;
                pem.extend_from_slice(b"\n");
                pem.extend_from_slice(&read(&key_path)?);
                let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                    Error::Config(format!("{}: unusable client certificate: {}", path.display(), chain(&e)))
                })?;
                builder = builder.identity(identity);
            }
            Some("key") if !path.with_extension("cert").exists() => {
                return Err(Error::Config(format!(
                    "missing client certificate {} for key {}",
                    path.with_extension("cert").display(),
                    path.display()
                )));
            }
            _ => {}
        }
    }
    Ok(builder)
}

/// The CA certificates of a PEM `.crt` file, each checked to be a usable trust anchor.
fn ca_certificates(pem: &[u8], path: &Path) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>> {
    use rustls_pki_types::pem::PemObject;
    let certs = rustls_pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Config(format!("{}: not a PEM certificate file: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::Config(format!("{}: no PEM certificate in it", path.display())));
    }
    for cert in &certs {
        let mut store = rustls::RootCertStore::empty();
        store
            .add(cert.clone())
            .map_err(|e| Error::Config(format!("{}: unusable CA certificate: {e}", path.display())))?;
    }
    Ok(certs)
}

/// An error and its causes on one line, without repeating a cause that its parent already quotes.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn to_reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

impl Transport for ReqwestTransport {
    async fn send(&self, request: Request) -> Result<Response> {
        let method_name = request.method.as_str();
        let mut builder = self.client.request(to_reqwest_method(request.method), &request.url);
        for (name, value) in request.headers.iter() {
            builder = builder.header(name, value);
        }
        builder = match request.body {
            RequestBody::Empty => builder,
            RequestBody::Bytes(bytes) => builder.body(bytes),
            RequestBody::Stream { stream, length: Some(length) } => {
                builder.header("Content-Length", length.to_string()).body(reqwest::Body::wrap_stream(stream))
            }
            RequestBody::Stream { stream, length: None } => builder.body(reqwest::Body::wrap_stream(stream)),
        };
        let shown_url = request.url.split('?').next().unwrap_or(&request.url).to_string();
        let response = builder
            .send()
            .await
            .map_err(|e| Error::Network(format!("{method_name} {shown_url}: {}", chain(&e.without_url()))))?;
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.append(name.as_str(), value);
            }
        }
        let status = response.status().as_u16();
        let url = request.url;
        if debug_enabled() {
            // The query may carry a pre-signed signature (CDN redirects): log the path only.
            let shown = url.split('?').next().unwrap_or(&url);
            eprintln!("DEBUG {method_name} {shown} -> {status}");
        }
        let body =
            response.bytes_stream().map_err(move |e| Error::Network(format!("reading {url}: {}", chain(&e)))).boxed();
        Ok(Response { status, headers, body })
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }
}

static USER_AGENT_PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Puts `prefix` before skopos's own User-Agent (`--user-agent-prefix`), for the rest of the
/// process; the first call wins.
pub fn set_user_agent_prefix(prefix: &str) {
    let _ = USER_AGENT_PREFIX.set(prefix.chars().filter(|c| !c.is_control()).collect());
}

/// The User-Agent header: `skopos/VERSION`, after the prefix if one was set.
fn user_agent() -> String {
    let own = concat!("skopos/", env!("CARGO_PKG_VERSION"));
    match USER_AGENT_PREFIX.get() {
        Some(prefix) if !prefix.is_empty() => format!("{prefix} {own}"),
        _ => own.to_string(),
    }
}

static DEBUG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns `--debug` request logging on or off.
pub fn set_debug(on: bool) {
    DEBUG.store(on, std::sync::atomic::Ordering::Relaxed);
}

fn debug_enabled() -> bool {
    DEBUG.load(std::sync::atomic::Ordering::Relaxed)
}
