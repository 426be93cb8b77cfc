//! Lookaside signature storage for the trust tests: a staging directory that signing copies write
//! to (`file://`), the same directory served over HTTP (the `lookaside` that copies read), and the
//! registries.d file that says so, for one registry host.
//!
//! The server answers files from the directory and 404 otherwise, logs every request path, and
//! can be told to misbehave ([`Fault`]) to test how a reader copes.

use super::http::{percent_decode, Reply, Server};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// How the lookaside server answers requests for existing and missing files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Files as they are, 404 for missing ones.
    None,
    /// `200 text/html` with an error page, for every request.
    Html,
    /// `500` for every request.
    ServerError,
    /// A redirect to the same path with one more `/x` query step, forever.
    RedirectLoop,
}

/// A signature staging directory, its HTTP server and a registries.d directory naming both.
pub struct Lookaside {
    /// Holds `staging/` (the signatures) and `registries.d/` (the YAML).
    dir: TempDir,
    server: Server,
    requests: Arc<Mutex<Vec<String>>>,
    fault: Arc<Mutex<Fault>>,
}

impl Lookaside {
    /// Storage for images of registry `host` (`127.0.0.1:PORT`): `lookaside-staging` is the
    /// staging directory as a `file://` URL, `lookaside` the server's URL.
    pub fn for_host(host: &str) -> Lookaside {
        let dir = TempDir::new().unwrap();
        let staging = dir.path().join("staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::create_dir_all(dir.path().join("registries.d")).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let fault = Arc::new(Mutex::new(Fault::None));
        let server = {
            let (staging, requests, fault) = (staging.clone(), requests.clone(), fault.clone());
            Server::start(move |req| {
                requests.lock().unwrap().push(req.target.clone());
                answer(&staging, &req.target, *fault.lock().unwrap())
            })
        };
        let lookaside = Lookaside { dir, server, requests, fault };
        lookaside.write_config(host, &lookaside.server.base_url());
        lookaside
    }

    /// Rewrites the registries.d file: `host` reads from `read_url` and stages to the directory.
    pub fn write_config(&self, host: &str, read_url: &str) {
        let yaml = format!(
            "docker:\n  {host}:\n    lookaside: {read_url}\n    lookaside-staging: file://{}\n",
            self.staging().display()
        );
        std::fs::write(self.registries_d().join("trust-tests.yaml"), yaml).unwrap();
    }

    /// The registries.d directory (for `--registries.d`).
    pub fn registries_d(&self) -> PathBuf {
        self.dir.path().join("registries.d")
    }

    /// `--registries.d` as a string.
    pub fn registries_d_arg(&self) -> String {
        self.registries_d().display().to_string()
    }

    /// The staging directory signatures are written to and served from.
    pub fn staging(&self) -> PathBuf {
        self.dir.path().join("staging")
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Where signature `n` of `repository`'s manifest `digest` (`sha256:…`) lives in the directory.
    pub fn signature_path(&self, repository: &str, digest: &str, n: usize) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        self.staging().join(format!("{repository}@sha256={hex}/signature-{n}"))
    }

    /// The signatures stored for `repository`'s `digest`, in order.
    pub fn signatures(&self, repository: &str, digest: &str) -> Vec<Vec<u8>> {
        (1..).map_while(|n| std::fs::read(self.signature_path(repository, digest, n)).ok()).collect()
    }

    /// Stores `signatures` as the only signatures of `repository`'s `digest`.
    pub fn put_signatures(&self, repository: &str, digest: &str, signatures: &[Vec<u8>]) {
        let first = self.signature_path(repository, digest, 1);
        let dir = first.parent().unwrap();
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        for (i, sig) in signatures.iter().enumerate() {
            std::fs::write(self.signature_path(repository, digest, i + 1), sig).unwrap();
        }
    }

    /// Request targets the server has seen, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }

    /// Changes how the server answers from now on.
    pub fn set_fault(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }
}

/// The server's answer to `target` under `fault`.
fn answer(staging: &Path, target: &str, fault: Fault) -> Reply {
    let path = percent_decode(target.split('?').next().unwrap_or(""));
    match fault {
        Fault::Html => {
            return Reply::new(200, "text/html; charset=utf-8", "<html><body><h1>Welcome</h1></body></html>")
        }
        Fault::ServerError => return Reply::new(500, "text/plain", "internal error\n"),
        Fault::RedirectLoop => {
            let next = match target.split_once('?') {
                Some((p, q)) => format!("{p}?{q}x"),
                None => format!("{path}?x"),
            };
            return Reply::new(302, "text/plain", "").with_header("Location", &next);
        }
        Fault::None => {}
    }
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|c| c == "..") {
        return Reply::new(404, "text/plain", "not found\n");
    }
    match std::fs::read(staging.join(relative)) {
        Ok(bytes) if !relative.is_empty() => Reply::new(200, "application/octet-stream", bytes),
        _ => Reply::new(404, "text/plain", "not found\n"),
    }
}

/// A policy.json file in a temp directory.
pub struct PolicyFile {
    dir: TempDir,
}

impl PolicyFile {
    /// Writes `policy` (any JSON value) as `policy.json`.
    pub fn new(policy: &serde_json::Value) -> PolicyFile {
        PolicyFile::from_text(&serde_json::to_string_pretty(policy).unwrap())
    }

    /// Writes `text` as `policy.json` (for malformed policies).
    pub fn from_text(text: &str) -> PolicyFile {
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join("policy.json"), text).unwrap();
        PolicyFile { dir }
    }

    /// The file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("policy.json")
    }

    /// The path as a string (for `--policy`).
    pub fn arg(&self) -> String {
        self.path().display().to_string()
    }
}
