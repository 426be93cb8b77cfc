//! Reading stored registry credentials the way containers tools do: `auth.json` /
//! `config.json` in their lookup order, base64 `auth` entries, identity tokens,
//! repository-scoped keys (`host/namespace/repo`), and docker credential helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::registry::Credentials;

#[derive(serde::Deserialize, Default)]
struct AuthFile {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The auth files consulted, in order, when `--authfile` is not given.
pub fn default_auth_files() -> Vec<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = env("HOME");
    let mut files = Vec::new();
    if let Some(runtime) = env("XDG_RUNTIME_DIR") {
        files.push(runtime.join("containers/auth.json"));
    }
    match env("XDG_CONFIG_HOME") {
        Some(config) => files.push(config.join("containers/auth.json")),
        None => files.extend(home.as_ref().map(|h| h.join(".config/containers/auth.json"))),
    }
    match env("DOCKER_CONFIG") {
        Some(dir) => files.push(dir.join("config.json")),
        None => files.extend(home.as_ref().map(|h| h.join(".docker/config.json"))),
    }
    files
}

/// The keys under which credentials for `registry/repository` may be stored, most specific first.
fn candidate_keys(registry: &str, repository: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut scoped = format!("{registry}/{repository}");
    loop {
        keys.push(scoped.clone());
        match scoped.rfind('/') {
            Some(i) => scoped.truncate(i),
            None => break,
        }
    }
    keys
}

/// A stored key in canonical form: `https://index.docker.io/v1/` → `docker.io`.
fn normalize_key(key: &str) -> String {
    let stripped = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://"));
    let key = match stripped {
        Some(rest) => rest.split('/').next().unwrap_or(rest),
        None => key,
    };
    match key {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        other => other.to_string(),
    }
}

/// Looks up credentials for an image in `registry`/`repository`.
///
/// With `explicit` (from `--authfile` or `REGISTRY_AUTH_FILE`) only that file is read;
/// otherwise the default files are read in order. Missing files hold no credentials.
pub fn lookup(explicit: Option<&Path>, registry: &str, repository: &str) -> Result<Option<Credentials>> {
    let files = match explicit {
        Some(path) => vec![path.to_path_buf()],
        None => default_auth_files(),
    };
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(format!("reading auth file {}", path.display()), e)),
        };
        let file: AuthFile = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("auth file {} is not valid JSON: {e}", path.display())))?;
        if let Some(found) = lookup_in(&file, &path, registry, repository)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

fn lookup_in(file: &AuthFile, path: &Path, registry: &str, repository: &str) -> Result<Option<Credentials>> {
    if let Some(helper) = file.cred_helpers.get(registry) {
        return credential_helper(helper, registry);
    }
    for key in candidate_keys(registry, repository) {
        let entry = file.auths.iter().find(|(k, _)| normalize_key(k) == key || *k == &key);
        if let Some((_, entry)) = entry {
            return decode_entry(entry, path, &key).map(Some);
        }
    }
    match &file.creds_store {
        Some(store) if !store.is_empty() => credential_helper(store, registry),
        _ => Ok(None),
    }
}

fn decode_entry(entry: &AuthEntry, path: &Path, key: &str) -> Result<Credentials> {
    if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Credentials::IdentityToken(token.clone()));
    }
    let bad = || Error::Config(format!("auth file {}: the \"auth\" entry for {key} is not base64 of user:password", path.display()));
    let encoded = entry.auth.as_deref().unwrap_or("");
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (username, password) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Credentials::Basic { username: username.to_string(), password: password.to_string() })
}

/// Asks `docker-credential-NAME get` for the credentials of `registry`.
fn credential_helper(name: &str, registry: &str) -> Result<Option<Credentials>> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "Username", default)]
        username: String,
        #[serde(rename = "Secret", default)]
        secret: String,
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("running credential helper {program}"), e))?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("piped");
        stdin.write_all(registry.as_bytes()).map_err(|e| Error::io(format!("writing to {program}"), e))?;
    }
    let output = child.wait_with_output().map_err(|e| Error::io(format!("running credential helper {program}"), e))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stdout);
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(Error::Config(format!("credential helper {program} failed for {registry}")));
    }
    let answer: Answer = serde_json::from_slice(&output.stdout)
        .map_err(|_| Error::Config(format!("credential helper {program} answered something other than credential JSON")))?;
    Ok(Some(if answer.username == "<token>" {
        Credentials::IdentityToken(answer.secret)
    } else {
        Credentials::Basic { username: answer.username, password: answer.secret }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("auth.json");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn scoped_keys_win_and_docker_hub_urls_normalize() {
        let dir = tempfile::tempdir().unwrap();
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let path = write(
            dir.path(),
            &format!(
                r#"{{"auths": {{"reg.example:5000": {{"auth": "{}"}}, "reg.example:5000/team/app": {{"auth": "{}"}},
                "https://index.docker.io/v1/": {{"auth": "{}"}}, "tok.example": {{"auth": "", "identitytoken": "refresh"}}}}}}"#,
                b64("all:one"),
                b64("team:two"),
                b64("hub:three:with:colons")
            ),
        );
        let get = |r: &str, repo: &str| lookup(Some(&path), r, repo).unwrap();
        assert_eq!(get("reg.example:5000", "team/app"), Some(Credentials::Basic { username: "team".into(), password: "two".into() }));
        assert_eq!(get("reg.example:5000", "other/app"), Some(Credentials::Basic { username: "all".into(), password: "one".into() }));
        assert_eq!(
            get("docker.io", "library/alpine"),
            Some(Credentials::Basic { username: "hub".into(), password: "three:with:colons".into() })
        );
        assert_eq!(get("tok.example", "x"), Some(Credentials::IdentityToken("refresh".into())));
        assert_eq!(get("nowhere.example", "x"), None);
    }

    #[test]
    fn bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "{not json");
        let err = lookup(Some(&path), "r", "x").unwrap_err();
        assert!(err.to_string().contains("auth.json"), "{err}");
        let missing = dir.path().join("missing.json");
        assert_eq!(lookup(Some(&missing), "r", "x").unwrap(), None);
        let path = write(dir.path(), r#"{"auths": {"r": {"auth": "!!"}}}"#);
        assert!(lookup(Some(&path), "r", "x").unwrap_err().to_string().contains("base64"));
    }
}
