//! A throw-away `docker-registry` (CNCF distribution 2.8) on a loopback port.

use super::http;
use super::token::{Policy, SigningKey, TokenServer, ISSUER, SERVICE};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The user name every authenticated setup accepts.
pub const USER: &str = "alice";
/// Its password.
pub const PASSWORD: &str = "s3cret-Pa55";
/// The repository the token server lets anonymous callers pull.
pub const PUBLIC_REPO: &str = "public/img";

/// A free TCP port on 127.0.0.1 (bound once and released, so a race is possible but unlikely).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How a [`Registry`] authenticates clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    Anonymous,
    Basic,
    Token,
}

/// A running registry; the process is killed and its storage removed on Drop.
pub struct Registry {
    pub port: u16,
    pub auth: AuthKind,
    /// Present for [`AuthKind::Token`].
    pub token_server: Option<TokenServer>,
    /// For a registry started with [`Registry::tls`]: a directory holding only the throwaway
    /// CA as `ca.crt` (usable as `--cert-dir`). None for plain-HTTP registries.
    pub ca_dir: Option<PathBuf>,
    child: Child,
    _dir: TempDir,
}

impl Registry {
    /// A registry with no authentication.
    pub fn anonymous() -> Registry {
        Registry::start(AuthKind::Anonymous)
    }

    /// A registry with htpasswd (Basic) authentication for [`USER`]/[`PASSWORD`].
    pub fn basic() -> Registry {
        Registry::start(AuthKind::Basic)
    }

    /// A registry with token authentication through an in-process [`TokenServer`].
    pub fn token() -> Registry {
        Registry::start(AuthKind::Token)
    }

    /// A registry with `auth` serving HTTPS only, with a server certificate for `127.0.0.1`
    /// signed by a fresh CA (see [`Registry::ca_dir`]). Plain-HTTP helpers (`base_url`,
    /// `authorization`, [`super::seed_many_tags`]) do not work against it; skopeo seeding does.
    pub fn tls(auth: AuthKind) -> Registry {
        Registry::launch(auth, true)
    }

    /// A plain-HTTP registry with `auth`.
    pub fn start(auth: AuthKind) -> Registry {
        Registry::launch(auth, false)
    }

    /// Writes the config for `auth` (and TLS files if `tls`), starts `docker-registry serve`
    /// and waits until it answers.
    fn launch(auth: AuthKind, tls: bool) -> Registry {
        let dir = TempDir::new().unwrap();
        let port = free_port();
        let (auth_yaml, token_server) = match auth {
            AuthKind::Anonymous => (String::new(), None),
            AuthKind::Basic => (basic_auth_yaml(dir.path()), None),
            AuthKind::Token => {
                let (yaml, server) = token_auth_yaml(dir.path());
                (yaml, Some(server))
            }
        };
        let (tls_yaml, ca_dir) = if tls {
            let files = super::tls::generate(dir.path());
            (files.http_tls_yaml(), Some(files.ca_dir))
        } else {
            (String::new(), None)
        };
        let config = dir.path().join("config.yml");
        std::fs::write(&config, config_yaml(dir.path(), port, &tls_yaml, &auth_yaml)).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry (apt-get install docker-registry)");
        let mut reg = Registry { port, auth, token_server, ca_dir, child, _dir: dir };
        reg.wait_ready();
        reg
    }

    /// Polls `GET /v2/` until it answers 200 or 401 (10 s at most). A TLS registry is polled
    /// in plain HTTP too: Go's server answers that with `400` ("Client sent an HTTP request to
    /// an HTTPS server"), which is enough to know it listens.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let ready: &[u16] = if self.ca_dir.is_some() { &[400] } else { &[200, 401] };
        while Instant::now() < deadline {
            if let Ok(resp) = http::get(&format!("http://{}/v2/", self.host()), &[]) {
                if ready.contains(&resp.status) {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self._dir.path().join("registry.log")).unwrap_or_default();
                panic!("docker-registry exited with {status}: {log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry on port {} did not become ready", self.port);
    }

    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The registry's storage root (`rootdirectory`), to watch what a command wrote.
    pub fn storage_dir(&self) -> PathBuf {
        self._dir.path().join("data")
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// `docker://127.0.0.1:PORT/{name}` where `name` is `repo[:tag|@digest]`.
    pub fn docker_ref(&self, name: &str) -> String {
        format!("docker://{}/{name}", self.host())
    }

    /// `user:password` for authenticated setups, None for anonymous.
    pub fn creds(&self) -> Option<String> {
        (self.auth != AuthKind::Anonymous).then(|| format!("{USER}:{PASSWORD}"))
    }

    /// An `Authorization` header value valid for pushing/pulling `repo` directly over HTTP.
    pub fn authorization(&self, repo: &str) -> Option<String> {
        match self.auth {
            AuthKind::Anonymous => None,
            AuthKind::Basic => Some(super::token::basic_auth(USER, PASSWORD)),
            AuthKind::Token => {
                let ts = self.token_server.as_ref().unwrap();
                Some(format!("Bearer {}", ts.fetch(&format!("repository:{repo}:pull,push"), Some((USER, PASSWORD)))))
            }
        }
    }

    /// Writes a containers `auth.json` for this registry into `dir` and returns its path.
    pub fn write_authfile(&self, dir: &Path) -> std::path::PathBuf {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
        let path = dir.join("auth.json");
        let body = serde_json::json!({"auths": {self.host(): {"auth": auth}}});
        std::fs::write(&path, serde_json::to_vec_pretty(&body).unwrap()).unwrap();
        path
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The distribution config: filesystem storage under `dir`, deletes on, quiet logs;
/// `tls_yaml` goes under `http:` (indented, or empty).
fn config_yaml(dir: &Path, port: u16, tls_yaml: &str, auth_yaml: &str) -> String {
    format!(
        "version: 0.1\n\
         log:\n  level: error\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
         http:\n  addr: 127.0.0.1:{port}\n\
         {tls_yaml}\
         {auth_yaml}",
        dir.join("data").display()
    )
}

/// Writes an htpasswd file (bcrypt) for [`USER`] and returns the `auth:` section.
fn basic_auth_yaml(dir: &Path) -> String {
    let hash = bcrypt::hash_with_result(PASSWORD, 4).unwrap().format_for_version(bcrypt::Version::TwoY);
    let path = dir.join("htpasswd");
    std::fs::write(&path, format!("{USER}:{hash}\n")).unwrap();
    format!("auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n", path.display())
}

/// Starts a token server with a fresh key and returns the `auth:` section and the server.
fn token_auth_yaml(dir: &Path) -> (String, TokenServer) {
    let key = SigningKey::generate(dir);
    let policy = Policy { user: USER.into(), password: PASSWORD.into(), public_repos: vec![PUBLIC_REPO.into()] };
    let server = TokenServer::start(&key, policy);
    let yaml = format!(
        "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
        server.realm(),
        key.cert_path.display()
    );
    (yaml, server)
}
