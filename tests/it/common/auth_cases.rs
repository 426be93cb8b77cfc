//! Scenarios shared by the Basic-auth and token-auth test binaries: a private repository read
//! with each way of passing credentials, compared with skopeo.

use super::*;

const TLS: &str = "--tls-verify=false";
/// The private repository the scenarios seed and read.
pub const PRIVATE: &str = "private/img";
/// A wrong password; it must never be echoed back.
pub const WRONG_PASSWORD: &str = "wrong-Pa55word-xyz";

/// Seeds `private/img:1.0` (and a second tag) with credentials.
pub fn seed_private(reg: &Registry) -> Seeded {
    let seeded = seed_oci_image(reg, PRIVATE, "1.0");
    seed_oci_image(reg, PRIVATE, "2.0");
    seeded
}

/// `--creds user:pass` for inspect (all forms) and list-tags.
pub fn read_with_creds(reg: &Registry) {
    let seeded = seed_private(reg);
    let creds = format!("{USER}:{PASSWORD}");
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, "--creds", &creds, &image]);
    assert_same_output(&["inspect", TLS, "--creds", &creds, "--raw", &image]);
    assert_same_output(&["inspect", TLS, "--creds", &creds, "--config", &image]);
    assert_same_output(&["list-tags", TLS, "--creds", &creds, &reg.docker_ref(PRIVATE)]);
}

/// `--username U --password P`.
pub fn read_with_username_password(reg: &Registry) {
    let seeded = seed_private(reg);
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, "--username", USER, "--password", PASSWORD, &image]);
    assert_same_output(&["list-tags", TLS, "--username", USER, "--password", PASSWORD, &reg.docker_ref(PRIVATE)]);
}

/// `--authfile auth.json`.
pub fn read_with_authfile(reg: &Registry) {
    let seeded = seed_private(reg);
    let dir = tempfile::TempDir::new().unwrap();
    let authfile = reg.write_authfile(dir.path());
    let authfile = authfile.to_str().unwrap();
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, "--authfile", authfile, &image]);
    assert_same_output(&["list-tags", TLS, "--authfile", authfile, &reg.docker_ref(PRIVATE)]);
}

/// `REGISTRY_AUTH_FILE=auth.json` in the environment.
pub fn read_with_registry_auth_file_env(reg: &Registry) {
    let seeded = seed_private(reg);
    let dir = tempfile::TempDir::new().unwrap();
    let authfile = reg.write_authfile(dir.path());
    let image = reg.docker_ref(&seeded.name);
    let args = ["inspect", TLS, "--raw", &image];
    let reference = run(skopeo_cmd(&args).env("REGISTRY_AUTH_FILE", &authfile)).ok();
    let ours = run(skopos_cmd(&args).env("REGISTRY_AUTH_FILE", &authfile));
    assert_eq!(ours.code, 0, "skopos with REGISTRY_AUTH_FILE: {}", ours.stderr);
    assert_eq!(ours.stdout, reference.stdout);
}

/// Wrong password: exit 1, one line about authentication, the password not echoed.
pub fn wrong_credentials_fail(reg: &Registry) {
    let seeded = seed_private(reg);
    let creds = format!("{USER}:{WRONG_PASSWORD}");
    let image = reg.docker_ref(&seeded.name);
    let reference = skopeo(&["inspect", TLS, "--creds", &creds, &image]);
    assert_eq!(reference.code, 1, "skopeo: {}", reference.stderr);
    for args in [
        vec!["inspect", TLS, "--creds", &creds, &image],
        vec!["list-tags", TLS, "--creds", &creds, PRIVATE_REPO_PLACEHOLDER],
    ] {
        let list_ref = reg.docker_ref(PRIVATE);
        let args: Vec<&str> =
            args.into_iter().map(|a| if a == PRIVATE_REPO_PLACEHOLDER { list_ref.as_str() } else { a }).collect();
        let r = skopos(&args);
        let line = assert_clean_failure(&r, 1);
        let lower = line.to_lowercase();
        assert!(lower.contains("auth"), "error does not mention authentication: {line}");
        assert!(!r.stderr.contains(WRONG_PASSWORD) && !r.stdout.contains(WRONG_PASSWORD), "password leaked: {line}");
    }
}

const PRIVATE_REPO_PLACEHOLDER: &str = "<private-repo>";

/// No credentials at all (and `--no-creds`): exit 1 like skopeo.
pub fn no_credentials_fail(reg: &Registry) {
    let seeded = seed_private(reg);
    let image = reg.docker_ref(&seeded.name);
    for args in [vec!["inspect", TLS, &image], vec!["inspect", TLS, "--no-creds", &image]] {
        let reference = skopeo(&args);
        assert_eq!(reference.code, 1, "skopeo {args:?}: {}", reference.stderr);
        let line = assert_clean_failure(&skopos(&args), 1);
        assert!(line.to_lowercase().contains("auth"), "error does not mention authentication: {line}");
    }
}

/// `--no-creds` wins over an authfile in the environment: still unauthorized.
pub fn no_creds_ignores_authfile(reg: &Registry) {
    let seeded = seed_private(reg);
    let dir = tempfile::TempDir::new().unwrap();
    let authfile = reg.write_authfile(dir.path());
    let args = ["inspect", TLS, "--no-creds", &reg.docker_ref(&seeded.name)];
    let reference = run(skopeo_cmd(&args).env("REGISTRY_AUTH_FILE", &authfile));
    let ours = run(skopos_cmd(&args).env("REGISTRY_AUTH_FILE", &authfile));
    assert_eq!(ours.code, reference.code, "skopeo: {} / skopos: {}", reference.stderr, ours.stderr);
}
