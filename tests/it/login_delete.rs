//! `login`, `logout` and `delete` against real registries (htpasswd, token, anonymous), with
//! skopeo as the oracle: each side must accept the auth file the other wrote, and messages and
//! exit codes follow skopeo 1.9.3 (except where noted).

use crate::common;

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::auth_cases::{seed_private, PRIVATE, WRONG_PASSWORD};
use common::*;

const TLS: &str = "--tls-verify=false";

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Runs `cmd` with `input` on stdin.
fn run_with_stdin(cmd: &mut Command, input: &str) -> Run {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// skopos login writes a 0600 file (creating its directories, keeping other keys) that skopeo
/// uses to read a private image.
fn login_then_skopeo_reads(reg: &Registry) {
    let seeded = seed_private(reg);
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("new/sub/auth.json");
    let authfile_s = authfile.to_str().unwrap();
    let image = reg.docker_ref(&seeded.name);
    // Without credentials skopeo cannot read the image, so the file is what makes it work.
    assert_ne!(skopeo(&["inspect", TLS, "--authfile", authfile_s, &image]).code, 0);

    let r = skopos(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &reg.host()]).ok();
    assert_eq!(r.stdout, "Login Succeeded!\n");
    assert!(!r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD));
    assert_eq!(mode(&authfile), 0o600);
    assert_eq!(read_json(&authfile)["auths"][reg.host()]["auth"], b64(&format!("{USER}:{PASSWORD}")));
    skopeo(&["inspect", TLS, "--authfile", authfile_s, &image]).ok();

    // Logging in again over an existing file keeps what else it holds.
    std::fs::write(
        &authfile,
        r#"{"auths":{"other.example":{"auth":"eDp5"}},"psFormat":"table {{.ID}}","credsStore":""}"#,
    )
    .unwrap();
    skopos(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &reg.host()]).ok();
    let v = read_json(&authfile);
    assert_eq!(v["auths"]["other.example"]["auth"], "eDp5");
    assert_eq!(v["psFormat"], "table {{.ID}}");
    assert_eq!(v["credsStore"], "");
    assert_eq!(v["auths"][reg.host()]["auth"], b64(&format!("{USER}:{PASSWORD}")));
    assert_eq!(mode(&authfile), 0o600);
    skopeo(&["inspect", TLS, "--authfile", authfile_s, &image]).ok();
}

#[test]
fn login_basic_file_is_used_by_skopeo() {
    login_then_skopeo_reads(&Registry::basic());
}

#[test]
fn login_token_file_is_used_by_skopeo() {
    login_then_skopeo_reads(&Registry::token());
}

/// skopeo login writes a file that skopos inspect reads with the same result as skopeo.
fn skopeo_login_then_skopos_reads(reg: &Registry) {
    let seeded = seed_private(reg);
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    let r = skopeo(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &reg.host()]).ok();
    assert_eq!(r.stdout, "Login Succeeded!\n");
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, "--authfile", authfile_s, &image]);
    // And skopos's --get-login reads it as skopeo's does.
    let ours = skopos(&["login", "--authfile", authfile_s, "--get-login", &reg.host()]).ok();
    assert_eq!(ours.stdout, format!("{USER}\n"));
    assert_eq!(ours.stdout, skopeo(&["login", "--authfile", authfile_s, "--get-login", &reg.host()]).ok().stdout);
}

#[test]
fn skopeo_login_basic_file_is_used_by_skopos() {
    skopeo_login_then_skopos_reads(&Registry::basic());
}

#[test]
fn skopeo_login_token_file_is_used_by_skopos() {
    skopeo_login_then_skopos_reads(&Registry::token());
}

#[test]
fn password_stdin() {
    let reg = Registry::basic();
    let seeded = seed_private(&reg);
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    let r = run_with_stdin(
        &mut skopos_cmd(&["login", TLS, "--authfile", authfile_s, "-u", USER, "--password-stdin", &reg.host()]),
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Login Succeeded!\n");
    assert!(!r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD));
    // The line end is not part of the password.
    assert_eq!(read_json(&authfile)["auths"][reg.host()]["auth"], b64(&format!("{USER}:{PASSWORD}")));
    skopeo(&["inspect", TLS, "--authfile", authfile_s, &reg.docker_ref(&seeded.name)]).ok();

    // --password-stdin needs --username, and not --password too; skopeo refuses both as well.
    for args in [
        vec!["login", TLS, "--authfile", authfile_s, "--password-stdin", &reg.host()],
        vec!["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, "--password-stdin", &reg.host()],
    ] {
        let theirs = run_with_stdin(&mut skopeo_cmd(&args), PASSWORD);
        assert_eq!(theirs.code, 1);
        let ours = run_with_stdin(&mut skopos_cmd(&args), PASSWORD);
        assert_clean_failure(&ours, 1);
    }
}

#[test]
fn password_prompt_without_terminal_fails_cleanly() {
    let reg = Registry::basic();
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let r = run_with_stdin(
        &mut skopos_cmd(&["login", TLS, "--authfile", authfile.to_str().unwrap(), "-u", USER, &reg.host()]),
        &format!("{PASSWORD}\n"),
    );
    let line = assert_clean_failure(&r, 1);
    assert!(line.contains("terminal"), "{line}");
    assert!(!authfile.exists());
}

#[test]
fn get_login() {
    let reg = Registry::basic();
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    skopos(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &reg.host()]).ok();
    let args = ["login", "--authfile", authfile_s, "--get-login", &reg.host()];
    let ours = skopos(&args).ok();
    assert_eq!(ours.stdout, format!("{USER}\n"));
    assert_eq!(ours.stdout, skopeo(&args).ok().stdout);

    // Not logged in there: exit 1 on both, with the registry named.
    let args = ["login", "--authfile", authfile_s, "--get-login", "nowhere.example:5000"];
    assert_eq!(skopeo(&args).code, 1);
    let line = assert_clean_failure(&skopos(&args), 1);
    assert!(line.contains("not logged into nowhere.example:5000"), "{line}");
}

/// A refused password: exit 1, one line, the file byte-identical, the password never shown.
fn wrong_password(reg: &Registry) {
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    let before = format!(
        "{{\"auths\": {{\"{}\": {{\"auth\": \"{}\"}}, \"other.example\": {{\"auth\": \"eDp5\"}}}}, \"x\": 1}}\n",
        reg.host(),
        b64(&format!("{USER}:{PASSWORD}"))
    );
    std::fs::write(&authfile, &before).unwrap();
    let args = ["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", WRONG_PASSWORD, &reg.host()];
    let theirs = skopeo(&args);
    assert_eq!(theirs.code, 1, "skopeo: {}", theirs.stderr);
    assert_eq!(std::fs::read_to_string(&authfile).unwrap(), before);

    let ours = skopos(&args);
    let line = assert_clean_failure(&ours, 1);
    assert!(line.contains("invalid username/password"), "{line}");
    assert!(!ours.stdout.contains(WRONG_PASSWORD) && !ours.stderr.contains(WRONG_PASSWORD));
    assert!(!ours.stdout.contains("Login Succeeded"));
    assert_eq!(std::fs::read_to_string(&authfile).unwrap(), before);

    // A wrong password for a file that does not exist yet creates nothing.
    let fresh = dir.path().join("fresh/auth.json");
    let ours =
        skopos(&["login", TLS, "--authfile", fresh.to_str().unwrap(), "-u", USER, "-p", WRONG_PASSWORD, &reg.host()]);
    assert_clean_failure(&ours, 1);
    assert!(!fresh.exists());
}

#[test]
fn wrong_password_basic() {
    wrong_password(&Registry::basic());
}

#[test]
fn wrong_password_token() {
    wrong_password(&Registry::token());
}

/// An auth file with two registries and a key skopos does not know.
fn two_entry_file(path: &Path, host: &str) -> String {
    let text = format!(
        "{{\"auths\": {{\"{host}\": {{\"auth\": \"{}\"}}, \"other.example\": {{\"auth\": \"eDp5\"}}}}, \"psFormat\": \"x\"}}",
        b64(&format!("{USER}:{PASSWORD}"))
    );
    std::fs::write(path, &text).unwrap();
    text
}

#[test]
fn logout_one_and_all() {
    let reg = Registry::basic();
    let dir = tempfile::tempdir().unwrap();
    let ours_file = dir.path().join("ours.json");
    let theirs_file = dir.path().join("theirs.json");
    two_entry_file(&ours_file, &reg.host());
    two_entry_file(&theirs_file, &reg.host());

    let theirs = skopeo(&["logout", "--authfile", theirs_file.to_str().unwrap(), &reg.host()]).ok();
    let ours = skopos(&["logout", "--authfile", ours_file.to_str().unwrap(), &reg.host()]).ok();
    assert_eq!(ours.stdout, format!("Removed login credentials for {}\n", reg.host()));
    assert_eq!(ours.stdout, theirs.stdout);
    let v = read_json(&ours_file);
    assert!(v["auths"].get(reg.host()).is_none(), "{v}");
    assert_eq!(v["auths"]["other.example"]["auth"], "eDp5");
    assert_eq!(v["psFormat"], "x");
    assert_eq!(mode(&ours_file), 0o600);
    // The entry is really gone: skopeo's --get-login no longer finds it.
    assert_eq!(skopeo(&["login", "--authfile", ours_file.to_str().unwrap(), "--get-login", &reg.host()]).code, 1);

    // Not logged in any more: exit 1 on both, naming the registry.
    let args = |f: &Path| vec!["logout".to_string(), "--authfile".into(), f.to_str().unwrap().into(), reg.host()];
    let theirs = run(skopeo_cmd(&[]).args(args(&theirs_file)));
    assert_eq!(theirs.code, 1);
    let before = std::fs::read(&ours_file).unwrap();
    let ours = run(skopos_cmd(&[]).args(args(&ours_file)));
    let line = assert_clean_failure(&ours, 1);
    assert!(line.contains(&format!("not logged into {}", reg.host())), "{line}");
    assert_eq!(std::fs::read(&ours_file).unwrap(), before);

    // --all
    two_entry_file(&ours_file, &reg.host());
    two_entry_file(&theirs_file, &reg.host());
    let theirs = skopeo(&["logout", "--authfile", theirs_file.to_str().unwrap(), "--all"]).ok();
    let ours = skopos(&["logout", "--authfile", ours_file.to_str().unwrap(), "--all"]).ok();
    assert_eq!(ours.stdout, "Removed login credentials for all registries\n");
    assert_eq!(ours.stdout, theirs.stdout);
    let v = read_json(&ours_file);
    assert_eq!(v["auths"], serde_json::json!({}));
    assert_eq!(v["psFormat"], "x");

    // An explicit auth file that does not exist is an error for logout, as in skopeo.
    let missing = dir.path().join("missing.json");
    assert_eq!(skopeo(&["logout", "--authfile", missing.to_str().unwrap(), &reg.host()]).code, 1);
    assert_clean_failure(&skopos(&["logout", "--authfile", missing.to_str().unwrap(), &reg.host()]), 1);
    assert!(!missing.exists());
}

#[test]
fn repository_scoped_login() {
    let reg = Registry::basic();
    let seeded = seed_private(&reg);
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    let key = format!("{}/private", reg.host());
    skopos(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &key]).ok();
    let v = read_json(&authfile);
    assert_eq!(v["auths"][&key]["auth"], b64(&format!("{USER}:{PASSWORD}")));
    assert!(v["auths"].get(reg.host()).is_none());
    // skopeo applies the namespaced entry to private/img.
    skopeo(&["inspect", TLS, "--authfile", authfile_s, &reg.docker_ref(&seeded.name)]).ok();
    assert_eq!(skopos(&["login", "--authfile", authfile_s, "--get-login", &key]).ok().stdout, format!("{USER}\n"));
    // A tag is refused by both.
    let tagged = format!("{}/{PRIVATE}:1.0", reg.host());
    let args = ["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &tagged];
    assert_eq!(skopeo(&args).code, 1);
    let line = assert_clean_failure(&skopos(&args), 1);
    assert!(line.contains("contains tag or digest"), "{line}");
    skopos(&["logout", "--authfile", authfile_s, &key]).ok();
    assert!(read_json(&authfile)["auths"].get(&key).is_none());
}

#[test]
fn default_auth_file_under_xdg_runtime_dir_and_registry_auth_file() {
    let reg = Registry::basic();
    let seeded = seed_private(&reg);
    let runtime = tempfile::tempdir().unwrap();
    let image = reg.docker_ref(&seeded.name);
    let r = run(
        skopos_cmd(&["login", TLS, "-u", USER, "-p", PASSWORD, &reg.host()]).env("XDG_RUNTIME_DIR", runtime.path())
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = runtime.path().join("containers/auth.json");
    assert_eq!(mode(&written), 0o600);
    // skopeo finds it without --authfile, in the same place.
    run(skopeo_cmd(&["inspect", TLS, &image]).env("XDG_RUNTIME_DIR", runtime.path())).ok();
    let r = run(skopos_cmd(&["logout", &reg.host()]).env("XDG_RUNTIME_DIR", runtime.path())).ok();
    assert_eq!(r.stdout, format!("Removed login credentials for {}\n", reg.host()));
    assert_ne!(run(skopeo_cmd(&["inspect", TLS, &image]).env("XDG_RUNTIME_DIR", runtime.path())).code, 0);

    // REGISTRY_AUTH_FILE counts as --authfile.
    let env_file = runtime.path().join("env/auth.json");
    let r = run(skopos_cmd(&["login", TLS, "-u", USER, "-p", PASSWORD, &reg.host()])
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("REGISTRY_AUTH_FILE", &env_file));
    assert_eq!(r.code, 0, "{}", r.stderr);
    skopeo(&["inspect", TLS, "--authfile", env_file.to_str().unwrap(), &image]).ok();
}

/// The digest skopeo reports for `image`.
fn digest_of(image: &str, extra: &[&str]) -> String {
    let mut args = vec!["inspect", TLS, "--format", "{{.Digest}}"];
    args.extend_from_slice(extra);
    args.push(image);
    skopeo(&args).ok().stdout.trim().to_string()
}

#[test]
fn delete_by_tag_and_digest_anonymous() {
    let reg = Registry::anonymous();
    let by_tag = seed_oci_image(&reg, "del/tag", "1.0");
    let by_digest = seed_oci_image(&reg, "del/digest", "1.0");
    let keep = seed_oci_image(&reg, "del/keep", "1.0");
    let oracle = seed_oci_image(&reg, "del/oracle", "1.0");

    // skopeo prints nothing on success; neither does skopos.
    let theirs = skopeo(&["delete", TLS, &reg.docker_ref(&oracle.name)]).ok();
    assert_eq!(theirs.stdout, "");
    let ours = skopos(&["delete", TLS, &reg.docker_ref(&by_tag.name)]).ok();
    assert_eq!(ours.stdout, "");
    assert_ne!(skopeo(&["inspect", TLS, &reg.docker_ref(&by_tag.name)]).code, 0);

    let digest = digest_of(&reg.docker_ref(&by_digest.name), &[]);
    assert!(digest.starts_with("sha256:"), "{digest}");
    let pinned = reg.docker_ref(&format!("{}@{digest}", by_digest.repo));
    skopos(&["delete", TLS, &pinned]).ok();
    assert_ne!(skopeo(&["inspect", TLS, &pinned]).code, 0);
    assert_ne!(skopeo(&["inspect", TLS, &reg.docker_ref(&by_digest.name)]).code, 0);

    // Other repositories are untouched.
    skopeo(&["inspect", TLS, &reg.docker_ref(&keep.name)]).ok();

    // Missing tag, repository or digest: exit 2 (skopeo 1.9.3 exits 1 here).
    for missing in [
        reg.docker_ref("del/keep:nope"),
        reg.docker_ref("no/such:1.0"),
        reg.docker_ref(&format!("del/keep@sha256:{}", "0".repeat(64))),
        reg.docker_ref(&by_tag.name),
    ] {
        assert_ne!(skopeo(&["delete", TLS, &missing]).code, 0);
        assert_clean_failure(&skopos(&["delete", TLS, &missing]), 2);
    }
    skopeo(&["inspect", TLS, &reg.docker_ref(&keep.name)]).ok();
}

#[test]
fn delete_only_docker_transport() {
    let dir = tempfile::tempdir().unwrap();
    let r = skopos(&["delete", &format!("dir:{}", dir.path().display())]);
    let line = assert_clean_failure(&r, 1);
    assert!(line.contains("not implemented for dir"), "{line}");
    assert!(dir.path().exists());
}

#[test]
fn delete_with_token_auth() {
    let reg = Registry::token();
    let seeded = seed_private(&reg);
    let creds = format!("{USER}:{PASSWORD}");
    let image = reg.docker_ref(&seeded.name);
    // Anonymous callers may not delete (or even read) it.
    let r = skopos(&["delete", TLS, &image]);
    assert_ne!(r.code, 0);
    assert_clean_failure(&r, r.code);
    skopeo(&["inspect", TLS, "--creds", &creds, &image]).ok();

    // Through an auth file written by login.
    let dir = tempfile::tempdir().unwrap();
    let authfile = dir.path().join("auth.json");
    let authfile_s = authfile.to_str().unwrap();
    skopos(&["login", TLS, "--authfile", authfile_s, "-u", USER, "-p", PASSWORD, &reg.host()]).ok();
    skopos(&["delete", TLS, "--authfile", authfile_s, &image]).ok();
    assert_ne!(skopeo(&["inspect", TLS, "--creds", &creds, &image]).code, 0);

    // By digest, with --creds.
    let other = seed_oci_image(&reg, "private/other", "1.0");
    let digest = digest_of(&reg.docker_ref(&other.name), &["--creds", &creds]);
    let pinned = reg.docker_ref(&format!("{}@{digest}", other.repo));
    skopos(&["delete", TLS, "--creds", &creds, &pinned]).ok();
    assert_ne!(skopeo(&["inspect", TLS, "--creds", &creds, &pinned]).code, 0);

    // Missing tag with credentials: exit 2.
    assert_clean_failure(&skopos(&["delete", TLS, "--creds", &creds, &reg.docker_ref("private/other:nope")]), 2);
}
