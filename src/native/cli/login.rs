//! `skopos login`: check credentials against a registry, then store them in the auth file.
//!
//! As skopeo 1.9.3 (containers/common `auth.Login`): the REGISTRY argument may be `host[:port]`,
//! an `http(s)://` URL (reduced to its host), or `host[:port]/repo/path` for credentials scoped
//! to a namespace. The credentials are verified against `/v2/` before anything is written; a
//! refusal leaves the file untouched. The password is never printed or logged.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::Args;

use super::options::GlobalOptions;
use crate::error::{Error, Result};
use crate::native::auth_file;
use crate::native::transport::{ReqwestTransport, TlsOptions};
use crate::reference::Reference;
use crate::registry::{ClientOptions, Credentials, RegistryClient};

/// Login to a container registry on a specified server
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, env = "REGISTRY_AUTH_FILE", value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// Use certificates at the specified path to access the registry
    #[arg(long, value_name = "PATH")]
    pub cert_dir: Option<PathBuf>,
    /// Return the current login user for the registry
    #[arg(long)]
    pub get_login: bool,
    /// Password for registry
    #[arg(short = 'p', long)]
    pub password: Option<String>,
    /// Take the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Require HTTPS and verify certificates when accessing the registry
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
    /// Username for registry
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Write more detailed information to stdout
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// The registry: host[:port], optionally followed by /repository/path
    #[arg(value_name = "REGISTRY")]
    pub registry: Option<String>,
}

/// A login key: what the auth file is keyed by, and the registry host it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKey {
    pub key: String,
    pub registry: String,
}

/// Parses a REGISTRY argument as containers/common's `parseCredentialsKey` does with
/// repositories accepted.
pub fn parse_key(arg: &str) -> Result<LoginKey> {
    let key = replace_url_by_host_port(arg);
    let Some((registry, _)) = key.split_once('/') else {
        return Ok(LoginKey { registry: key.clone(), key });
    };
    let registry = registry.to_string();
    let reference = Reference::parse(&key).map_err(|e| Error::Config(format!("parse reference from {key:?}: {e}")))?;
    if reference.tag().is_some() || reference.digest().is_some() {
        return Err(Error::Config(format!("reference {key:?} contains tag or digest")));
    }
    if reference.registry() != registry || reference.name() != key {
        return Err(Error::Config(format!("parse reference from {key:?}: repository name must be canonical")));
    }
    Ok(LoginKey { key, registry })
}

/// `https://host:port/anything` → `host:port`; anything else unchanged.
fn replace_url_by_host_port(arg: &str) -> String {
    match arg.strip_prefix("https://").or_else(|| arg.strip_prefix("http://")) {
        Some(rest) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let host = &rest[..end];
            host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host).to_string()
        }
        None => arg.to_string(),
    }
}

/// A client that checks `username`/`password` against `registry`.
pub fn check_client(
    registry: &str,
    tls_verify: Option<bool>,
    cert_dir: Option<PathBuf>,
    credentials: Credentials,
) -> Result<RegistryClient<ReqwestTransport>> {
    let verify = tls_verify.unwrap_or(true);
    let transport = ReqwestTransport::new(registry, &TlsOptions { verify, cert_dir })?;
    Ok(RegistryClient::new(
        transport,
        registry,
        ClientOptions { credentials: Some(credentials), allow_http: !verify, base_url: None },
    ))
}

/// Runs `login` and returns what goes to stdout (prompts are written directly, before).
pub async fn run(args: &LoginArgs, _global: &GlobalOptions) -> Result<Vec<u8>> {
    let Some(arg) = args.registry.as_deref() else {
        return Err(Error::Config("please provide a registry to login to".into()));
    };
    let LoginKey { key, registry } = parse_key(arg)?;
    let authfile = args.authfile.as_deref();

    if args.get_login {
        return match auth_file::lookup_key(authfile, &key)? {
            Some(Credentials::Basic { username, .. }) if !username.is_empty() => {
                Ok(format!("{username}\n").into_bytes())
            }
            _ => Err(Error::Config(format!("not logged into {key}"))),
        };
    }

    let mut password = args.password.clone().unwrap_or_default();
    if args.password_stdin {
        if !password.is_empty() {
            return Err(Error::Config("Can't specify both --password-stdin and --password".into()));
        }
        if args.username.as_deref().unwrap_or("").is_empty() {
            return Err(Error::Config("Must provide --username with --password-stdin".into()));
        }
        password = read_password_stdin()?;
    }
    let username = args.username.clone().unwrap_or_default();
    let mut out = Vec::new();

    let stored = auth_file::lookup_key(authfile, &key).ok().flatten();
    let stored_user = match &stored {
        Some(Credentials::Basic { username, .. }) => username.clone(),
        _ => String::new(),
    };
    // No user name and no password: try what is stored, as skopeo does.
    if username.is_empty() && password.is_empty() {
        if let Some(credentials @ Credentials::Basic { .. }) = stored.clone() {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "Authenticating with existing credentials for {key}");
            let _ = stdout.flush();
            let client = check_client(&registry, args.tls_verify, args.cert_dir.clone(), credentials)?;
            if client.check_credentials().await? {
                out.extend_from_slice(
                    format!("Existing credentials are valid. Already logged in to {registry}\n").as_bytes(),
                );
                return Ok(out);
            }
            let _ = writeln!(stdout, "Existing credentials are invalid, please enter valid username and password");
        }
    }

    let username = if username.is_empty() { prompt_username(&stored_user)? } else { username };
    if password.is_empty() {
        password = prompt_password()?;
    }
    let credentials = Credentials::Basic { username: username.clone(), password: password.clone() };
    let client = check_client(&registry, args.tls_verify, args.cert_dir.clone(), credentials)?;
    let accepted = client.check_credentials().await?;
    if !accepted {
        return Err(Error::Auth(format!("logging into {key:?}: invalid username/password")));
    }
    let path = auth_file::path_for_writing(authfile)?;
    auth_file::store_credentials(&path, &key, &username, &password)?;
    if args.verbose {
        out.extend_from_slice(format!("Used:  {}\n", path.display()).as_bytes());
    }
    out.extend_from_slice(b"Login Succeeded!\n");
    Ok(out)
}

/// The password from stdin: every line, joined without the line ends (as Go's `bufio.Scanner`
/// loop in containers/common).
fn read_password_stdin() -> Result<String> {
    let mut raw = Vec::new();
    std::io::stdin().lock().read_to_end(&mut raw).map_err(|e| Error::io("reading the password from stdin", e))?;
    let text = String::from_utf8(raw).map_err(|_| Error::Config("the password on stdin is not UTF-8".into()))?;
    Ok(text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect())
}

fn prompt_username(stored: &str) -> Result<String> {
    let mut stdout = std::io::stdout().lock();
    let prompt = if stored.is_empty() { "Username: ".to_string() } else { format!("Username ({stored}): ") };
    let _ = stdout.write_all(prompt.as_bytes());
    let _ = stdout.flush();
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("reading username", e))?;
    if read == 0 {
        return Err(Error::Config("getting username and password: reading username: EOF".into()));
    }
    let name = line.trim();
    Ok(if name.is_empty() { stored.to_string() } else { name.to_string() })
}

fn prompt_password() -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Config(
            "getting username and password: cannot prompt for a password: standard input is not a terminal (use --password or --password-stdin)".into(),
        ));
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(b"Password: ");
    let _ = stdout.flush();
    let password =
        rpassword::read_password().map_err(|e| Error::io("getting username and password: reading password", e))?;
    let _ = stdout.write_all(b"\n");
    let _ = stdout.flush();
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_skopeo_reads_them() {
        let k = |s: &str| parse_key(s).map(|k| (k.key, k.registry));
        assert_eq!(k("quay.io").unwrap(), ("quay.io".into(), "quay.io".into()));
        assert_eq!(k("127.0.0.1:5000/ns/repo").unwrap(), ("127.0.0.1:5000/ns/repo".into(), "127.0.0.1:5000".into()));
        assert_eq!(k("https://127.0.0.1:5000/v2/").unwrap(), ("127.0.0.1:5000".into(), "127.0.0.1:5000".into()));
        assert_eq!(k("http://reg.example").unwrap(), ("reg.example".into(), "reg.example".into()));
        assert!(k("127.0.0.1:5000/ns/repo:tag").unwrap_err().to_string().contains("contains tag or digest"));
        assert!(k("foo/bar").is_err());
        assert!(k("reg.example/UPPER").is_err());
    }
}
