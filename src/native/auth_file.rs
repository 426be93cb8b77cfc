//! Reading stored registry credentials the way containers tools do: `auth.json` /
//! `config.json` in their lookup order, base64 `auth` entries, identity tokens,
//! repository-scoped keys (`host/namespace/repo`), and docker credential helpers.

use crate::native::process::run_with_input;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::error::{Error, Result};
use crate::reference::{is_docker_hub, DOCKER_HUB, DOCKER_HUB_WEB_HOST};
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

fn env_path(key: &str) -> Option<PathBuf> {
    std::env::var_os(key).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The auth file that `login` and `logout` write when `--authfile` is not given, as
/// containers/image's `getPathToAuth`: `$XDG_RUNTIME_DIR/containers/auth.json` when
/// `XDG_RUNTIME_DIR` is set (it must exist), else `/run/containers/$UID/auth.json`.
/// It is also the first file read.
pub fn default_write_path() -> Result<PathBuf> {
    match env_path("XDG_RUNTIME_DIR") {
        Some(runtime) => {
            if !runtime.exists() {
                return Err(Error::Config(format!(
                    "{:?} directory set by $XDG_RUNTIME_DIR does not exist. Either create the directory or unset $XDG_RUNTIME_DIR.",
                    runtime.display().to_string()
                )));
            }
            Ok(runtime.join("containers/auth.json"))
        }
        None => Ok(PathBuf::from(format!("/run/containers/{}/auth.json", current_uid()))),
    }
}

/// The real user id of this process (the owner of `/proc/self`).
fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0)
}

/// The auth file to write: `--authfile` (or `REGISTRY_AUTH_FILE`) if given, else the default.
pub fn path_for_writing(explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(path) => Ok(path.to_path_buf()),
        None => default_write_path(),
    }
}

/// The auth files consulted, in order, when `--authfile` is not given.
pub fn default_auth_files() -> Vec<PathBuf> {
    let env = env_path;
    let home = env("HOME");
    let mut files = Vec::new();
    if let Ok(first) = default_write_path() {
        files.push(first);
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
    // containers/image's normalizeRegistry folds Docker Hub's index and API hosts, as written,
    // but not its web host: a key for that one stays its own.
    if key != DOCKER_HUB_WEB_HOST && is_docker_hub(key) {
        DOCKER_HUB.to_string()
    } else {
        key.to_string()
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
        let Some(file) = read_auth_file(&path)? else { continue };
        if let Some(found) = lookup_in(&file, &path, registry, repository)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Looks up the credentials stored for a login key (`host[:port]` or `host[:port]/repo/path`),
/// as `login --get-login` and `login` without `-u`/`-p` do.
pub fn lookup_key(explicit: Option<&Path>, key: &str) -> Result<Option<Credentials>> {
    match key.split_once('/') {
        Some((registry, repository)) => lookup(explicit, registry, repository),
        None => {
            let files = match explicit {
                Some(path) => vec![path.to_path_buf()],
                None => default_auth_files(),
            };
            for path in files {
                let Some(file) = read_auth_file(&path)? else { continue };
                if let Some(helper) = file.cred_helpers.get(key) {
                    return credential_helper(helper, key);
                }
                if let Some((_, entry)) = file.auths.iter().find(|(k, _)| normalize_key(k) == key || *k == key) {
                    return decode_entry(entry, &path, key).map(Some);
                }
                if let Some(store) = file.creds_store.as_ref().filter(|s| !s.is_empty()) {
                    if let Some(found) = credential_helper(store, key)? {
                        return Ok(Some(found));
                    }
                }
            }
            Ok(None)
        }
    }
}

fn read_auth_file(path: &Path) -> Result<Option<AuthFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading auth file {}", path.display()), e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Config(format!("auth file {} is not valid JSON: {e}", path.display())))
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
    let bad = || {
        Error::Config(format!(
            "auth file {}: the \"auth\" entry for {key} is not base64 of user:password",
            path.display()
        ))
    };
    let encoded = entry.auth.as_deref().unwrap_or("");
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (username, password) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Credentials::Basic { username: username.to_string(), password: password.to_string() })
}

// ---- Writing (login / logout) ----
//
// The file is edited as a JSON object so that every key skopos does not know (`psFormat`,
// `credsStore`, other tools' settings) and every other entry survives. It is written to a
// temporary file in the same directory with mode 0600 and renamed over the old one, so a reader
// never sees half a file and a failed login leaves it as it was.

/// What a logout found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// The entry (or the credential helper's entry) was removed.
    Removed,
    /// No credentials were stored under that key.
    NotLoggedIn,
}

/// Stores `username`/`password` under `key` (`auths[key].auth = base64(user:password)`), or in
/// the credential helper that `credHelpers[key]` names. Creates the file and its directories.
pub fn store_credentials(path: &Path, key: &str, username: &str, password: &str) -> Result<()> {
    let mut root = read_object(path)?;
    if let Some(helper) = helper_for(&root, key) {
        let input = serde_json::json!({"ServerURL": key, "Username": username, "Secret": password}).to_string();
        return run_helper(&helper, "store", key, &input).map(|_| ());
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let auths = object_entry(&mut root, "auths", path)?;
    match auths.get_mut(key).and_then(|v| v.as_object_mut()) {
        // Keep other fields of an existing entry (`email`…), but an old identity token would win
        // over the new password when reading, so it goes.
        Some(entry) => {
            entry.insert("auth".into(), encoded.into());
            entry.remove("identitytoken");
        }
        None => {
            auths.insert(key.to_string(), serde_json::json!({ "auth": encoded }));
        }
    }
    write_object(path, &root)
}

/// Removes the credentials stored under `key` (and under legacy spellings of the same key, such
/// as `https://key/v1/`), or erases them from the credential helper that `credHelpers[key]` names.
pub fn remove_credentials(path: &Path, key: &str) -> Result<Removed> {
    let mut root = read_object(path)?;
    if let Some(helper) = helper_for(&root, key) {
        return Ok(if run_helper(&helper, "erase", key, key)? { Removed::Removed } else { Removed::NotLoggedIn });
    }
    let Some(auths) = root.get_mut("auths").and_then(|v| v.as_object_mut()) else { return Ok(Removed::NotLoggedIn) };
    let before = auths.len();
    auths.retain(|k, _| !(k == key || normalize_key(k) == key));
    if auths.len() == before {
        return Ok(Removed::NotLoggedIn);
    }
    write_object(path, &root)?;
    Ok(Removed::Removed)
}

/// Removes every `auths` entry, and erases the entries of every registry listed in `credHelpers`
/// from its helper. Other keys stay.
pub fn remove_all_credentials(path: &Path) -> Result<()> {
    let mut root = read_object(path)?;
    let helpers: Vec<(String, String)> = root
        .get("credHelpers")
        .and_then(|v| v.as_object())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default();
    if let Some(auths) = root.get_mut("auths").and_then(|v| v.as_object_mut()) {
        auths.clear();
    }
    if path.exists() {
        write_object(path, &root)?;
    }
    for (registry, helper) in helpers {
        run_helper(&helper, "erase", &registry, &registry)?;
    }
    Ok(())
}

fn helper_for(root: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    root.get("credHelpers")?.get(key)?.as_str().filter(|h| !h.is_empty()).map(str::to_string)
}

/// The file as a JSON object; a missing or empty file is an empty object.
fn read_object(path: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => return Err(Error::io(format!("reading auth file {}", path.display()), e)),
    };
    if text.trim().is_empty() {
        return Ok(Default::default());
    }
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::Config(format!("auth file {} does not hold a JSON object", path.display()))),
        Err(e) => Err(Error::Config(format!("auth file {} is not valid JSON: {e}", path.display()))),
    }
}

fn object_entry<'a>(
    root: &'a mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    path: &Path,
) -> Result<&'a mut serde_json::Map<String, serde_json::Value>> {
    let value = root.entry(key.to_string()).or_insert_with(|| serde_json::json!({}));
    if value.is_null() {
        *value = serde_json::json!({});
    }
    value
        .as_object_mut()
        .ok_or_else(|| Error::Config(format!("auth file {}: {key:?} is not a JSON object", path.display())))
}

/// Writes the file atomically with mode 0600 (indented with tabs, as containers tools write it),
/// creating its directory (mode 0700) if needed.
fn write_object(path: &Path, root: &serde_json::Map<String, serde_json::Value>) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| Error::io(format!("creating directory {}", dir.display()), e))?;
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    serde::Serialize::serialize(root, &mut serializer)
        .map_err(|e| Error::Config(format!("encoding auth file: {e}")))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "auth.json".into());
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let temp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(format!("writing auth file {}", path.display()), e)
    })
}

/// Runs `docker-credential-NAME ACTION` with `input` on stdin. `Ok(false)` when the helper says
/// it holds no credentials for `registry`.
fn run_helper(name: &str, action: &str, registry: &str, input: &str) -> Result<bool> {
    let program = format!("docker-credential-{name}");
    let output = run_with_input(
        program.as_ref(),
        &[action.as_ref()],
        input.as_bytes(),
        &format!("running credential helper {program}"),
    )?;
    if output.status.success() {
        return Ok(true);
    }
    if String::from_utf8_lossy(&output.stdout).contains("credentials not found") {
        return Ok(false);
    }
    Err(Error::Config(format!("credential helper {program} {action} failed for {registry}")))
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
    let output = run_with_input(
        program.as_ref(),
        &["get".as_ref()],
        registry.as_bytes(),
        &format!("running credential helper {program}"),
    )?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stdout);
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(Error::Config(format!("credential helper {program} failed for {registry}")));
    }
    let answer: Answer = serde_json::from_slice(&output.stdout).map_err(|_| {
        Error::Config(format!("credential helper {program} answered something other than credential JSON"))
    })?;
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
        assert_eq!(
            get("reg.example:5000", "team/app"),
            Some(Credentials::Basic { username: "team".into(), password: "two".into() })
        );
        assert_eq!(
            get("reg.example:5000", "other/app"),
            Some(Credentials::Basic { username: "all".into(), password: "one".into() })
        );
        assert_eq!(
            get("docker.io", "library/alpine"),
            Some(Credentials::Basic { username: "hub".into(), password: "three:with:colons".into() })
        );
        assert_eq!(get("tok.example", "x"), Some(Credentials::IdentityToken("refresh".into())));
        assert_eq!(get("nowhere.example", "x"), None);
    }

    #[test]
    fn auth_keys_fold_docker_hub_as_containers_image_does() {
        for key in [
            "docker.io",
            "index.docker.io",
            "https://index.docker.io/v1/",
            "registry-1.docker.io",
            "http://registry-1.docker.io",
        ] {
            assert_eq!(normalize_key(key), DOCKER_HUB, "{key}");
        }
        // The web host and other spellings stay keys of their own.
        assert_eq!(normalize_key("registry.hub.docker.com"), "registry.hub.docker.com");
        assert_eq!(normalize_key("Index.Docker.io"), "Index.Docker.io");
        assert_eq!(normalize_key("https://reg.example:5000/v2/"), "reg.example:5000");
        assert_eq!(normalize_key("reg.example/team"), "reg.example/team");
    }

    #[test]
    fn writing_keeps_other_keys_and_reads_back() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            r#"{"auths": {"https://reg.example/v1/": {"auth": "eDp5"}, "keep.example": {"auth": "eDp5"}}, "psFormat": "x"}"#,
        );
        store_credentials(&path, "new.example:5000/ns", "u", "p:w").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["psFormat"], "x");
        assert_eq!(v["auths"]["keep.example"]["auth"], "eDp5");
        assert_eq!(
            lookup(Some(&path), "new.example:5000", "ns/app").unwrap(),
            Some(Credentials::Basic { username: "u".into(), password: "p:w".into() })
        );
        assert!(lookup_key(Some(&path), "new.example:5000/ns").unwrap().is_some());
        // A legacy URL key is removed by its host name.
        assert_eq!(remove_credentials(&path, "reg.example").unwrap(), Removed::Removed);
        assert_eq!(remove_credentials(&path, "reg.example").unwrap(), Removed::NotLoggedIn);
        remove_all_credentials(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v, serde_json::json!({"auths": {}, "psFormat": "x"}));
        // Directories are created; a missing file is not created by --all.
        let nested = dir.path().join("a/b/auth.json");
        store_credentials(&nested, "r", "u", "p").unwrap();
        assert!(nested.exists());
        let absent = dir.path().join("absent.json");
        remove_all_credentials(&absent).unwrap();
        assert!(!absent.exists());
        // Something that is not an object is refused and left alone.
        let bad = write(dir.path(), "[1]");
        assert!(store_credentials(&bad, "r", "u", "p").is_err());
        assert_eq!(std::fs::read_to_string(&bad).unwrap(), "[1]");
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
