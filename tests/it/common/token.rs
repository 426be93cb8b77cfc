//! A token server for distribution's `auth: token` mode (Docker registry token auth).
//!
//! GET `/token?service=S&scope=repository:NAME:ACTIONS` with optional Basic credentials, and the
//! OAuth2 form POST (`grant_type=password` / `grant_type=refresh_token`) on the same path. The
//! issued JWT is RS256, carries the signing certificate in `x5c`, and grants pull+push on any
//! repository to the known user, and pull only on the public repositories to anonymous callers.

use super::http::{form_values, Message, Reply, Server};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// `iss` of issued tokens; the registry's `auth.token.issuer`.
pub const ISSUER: &str = "skopos-test-issuer";
/// `aud` of issued tokens; the registry's `auth.token.service`.
pub const SERVICE: &str = "skopos-test-registry";
/// Refresh token handed out by the OAuth2 password grant (the user name is appended).
const REFRESH_PREFIX: &str = "refresh-";

/// Who may get what from the token server.
#[derive(Clone)]
pub struct Policy {
    pub user: String,
    pub password: String,
    /// Repositories anonymous callers may pull.
    pub public_repos: Vec<String>,
}

/// The signing material: an RSA key (PKCS#1 PEM) and its self-signed certificate.
pub struct SigningKey {
    pub key_pem: Vec<u8>,
    /// Path of the certificate PEM, for the registry's `rootcertbundle`.
    pub cert_path: std::path::PathBuf,
    /// Base64 (standard) of the certificate DER, for the JWT `x5c` header.
    pub cert_der_b64: String,
}

impl SigningKey {
    /// Generates an RSA key and a self-signed certificate in `dir` with the openssl CLI.
    pub fn generate(dir: &Path) -> SigningKey {
        let key = dir.join("token.key");
        let cert = dir.join("token.crt");
        let ok = Command::new("openssl")
            .args(["genrsa", "-traditional", "-out"])
            .arg(&key)
            .arg("2048")
            .output()
            .expect("run openssl genrsa")
            .status
            .success();
        assert!(ok, "openssl genrsa failed");
        let ok = Command::new("openssl")
            .args(["req", "-x509", "-new", "-subj", "/CN=token", "-days", "1", "-key"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("run openssl req")
            .status
            .success();
        assert!(ok, "openssl req failed");
        let cert_pem = std::fs::read_to_string(&cert).unwrap();
        // The DER base64 is the PEM body without the armour lines.
        let cert_der_b64: String = cert_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        SigningKey { key_pem: std::fs::read(&key).unwrap(), cert_path: cert, cert_der_b64 }
    }
}

/// A running token server. Stops on Drop.
pub struct TokenServer {
    server: Server,
}

impl TokenServer {
    /// Starts serving tokens signed with `key` under `policy`.
    pub fn start(key: &SigningKey, policy: Policy) -> TokenServer {
        let encoding = EncodingKey::from_rsa_pem(&key.key_pem).expect("parse RSA key");
        let mut header = Header::new(Algorithm::RS256);
        header.x5c = Some(vec![key.cert_der_b64.clone()]);
        let issuer = Arc::new(Issuer { encoding, header, policy, serial: AtomicU64::new(0) });
        let server = Server::start(move |req| issuer.answer(req));
        TokenServer { server }
    }

    /// The realm URL to put in the registry config (`http://127.0.0.1:PORT/token`).
    pub fn realm(&self) -> String {
        format!("{}/token", self.server.base_url())
    }

    /// Fetches a token for `scope` directly, as a client would (for `--registry-token`).
    pub fn fetch(&self, scope: &str, creds: Option<(&str, &str)>) -> String {
        let url = format!("{}?service={SERVICE}&scope={scope}", self.realm());
        let auth = creds.map(|(u, p)| basic_auth(u, p));
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let resp = super::http::get(&url, &headers).expect("token request");
        assert_eq!(resp.status, 200, "token server said {}: {}", resp.status, resp.text());
        let v: Value = serde_json::from_slice(&resp.body).unwrap();
        v["token"].as_str().unwrap().to_string()
    }
}

/// `Basic base64(user:pass)`
pub fn basic_auth(user: &str, pass: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

/// The token-issuing logic behind the HTTP endpoint.
struct Issuer {
    encoding: EncodingKey,
    header: Header,
    policy: Policy,
    serial: AtomicU64,
}

/// Who the caller proved to be.
enum Caller {
    Anonymous,
    User(String),
}

impl Issuer {
    /// Handles GET (Docker token protocol) and POST (OAuth2 form) on `/token`.
    fn answer(&self, req: &Message) -> Reply {
        if req.path() != "/token" {
            return Reply::new(404, "text/plain", "not found");
        }
        let (caller, scopes, service, with_refresh) = match req.method.as_str() {
            "GET" => match self.caller_from_header(req.header("authorization")) {
                Some(c) => (c, req.query_all("scope"), req.query_all("service"), false),
                None => return unauthorized(),
            },
            "POST" => {
                let form = req.text();
                match self.caller_from_form(&form) {
                    Some(c) => (c, form_values(&form, "scope"), form_values(&form, "service"), true),
                    None => return unauthorized(),
                }
            }
            _ => return Reply::new(405, "text/plain", "method not allowed"),
        };
        let service = service.into_iter().next().unwrap_or_default();
        // A `scope` value may hold several space-separated scopes.
        let scopes: Vec<String> = scopes.iter().flat_map(|s| s.split(' ').map(str::to_string)).collect();
        let access: Vec<Value> = scopes.iter().filter_map(|s| self.grant(&caller, s)).collect();
        let token = self.sign(&caller, &service, access);
        let mut body = json!({"token": token, "access_token": token, "expires_in": 300,
                              "issued_at": "2024-01-01T00:00:00Z"});
        if let (true, Caller::User(u)) = (with_refresh, &caller) {
            body["refresh_token"] = json!(format!("{REFRESH_PREFIX}{u}"));
        }
        Reply::new(200, "application/json", body.to_string())
    }

    /// Anonymous without a header; the user with correct Basic credentials; None otherwise.
    fn caller_from_header(&self, auth: Option<&str>) -> Option<Caller> {
        let Some(auth) = auth else { return Some(Caller::Anonymous) };
        let b64 = auth.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (u, p) = text.split_once(':')?;
        self.check(u, p)
    }

    /// The caller of an OAuth2 form POST (password or refresh_token grant).
    fn caller_from_form(&self, form: &str) -> Option<Caller> {
        let field = |k| form_values(form, k).into_iter().next().unwrap_or_default();
        match field("grant_type").as_str() {
            "password" => self.check(&field("username"), &field("password")),
            "refresh_token" => {
                let user = field("refresh_token").strip_prefix(REFRESH_PREFIX)?.to_string();
                (user == self.policy.user).then_some(Caller::User(user))
            }
            _ => None,
        }
    }

    /// The user if the password matches.
    fn check(&self, user: &str, pass: &str) -> Option<Caller> {
        (user == self.policy.user && pass == self.policy.password).then(|| Caller::User(user.to_string()))
    }

    /// The access entry granted for one `repository:NAME:ACTIONS` scope, if any.
    fn grant(&self, caller: &Caller, scope: &str) -> Option<Value> {
        let (kind, rest) = scope.split_once(':')?;
        let (name, actions) = rest.rsplit_once(':')?;
        if kind != "repository" {
            return None;
        }
        let wanted: Vec<&str> = actions.split(',').collect();
        let allowed: Vec<&str> = match caller {
            Caller::User(_) => vec!["pull", "push", "delete", "*"],
            Caller::Anonymous if self.policy.public_repos.iter().any(|r| r == name) => vec!["pull"],
            Caller::Anonymous => vec![],
        };
        let actions: Vec<&str> = wanted.into_iter().filter(|a| allowed.contains(a)).collect();
        Some(json!({"type": "repository", "name": name, "actions": actions}))
    }

    /// A signed JWT for `caller` with `access`.
    fn sign(&self, caller: &Caller, service: &str, access: Vec<Value>) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let sub = match caller {
            Caller::User(u) => u.clone(),
            Caller::Anonymous => String::new(),
        };
        let claims = json!({
            "iss": ISSUER, "aud": service, "sub": sub,
            "exp": now + 300, "nbf": now - 10, "iat": now,
            "jti": format!("jti-{}", self.serial.fetch_add(1, Ordering::SeqCst)),
            "access": access,
        });
        jsonwebtoken::encode(&self.header, &claims, &self.encoding).expect("sign token")
    }
}

/// The 401 answer for bad credentials.
fn unauthorized() -> Reply {
    Reply::new(401, "application/json", r#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#)
}
