//! skopos against a registry with token authentication (an in-process token server),
//! compared with skopeo.

use crate::common;

use base64::Engine as _;

use common::auth_cases::*;
use common::*;

const TLS: &str = "--tls-verify=false";

#[test]
fn harness_seeds_images_with_token_auth() {
    let reg = Registry::token();
    let images = [
        seed_oci_image(&reg, "single/oci", "1.0"),
        seed_oci_index(&reg, "multi/oci", "latest"),
        seed_docker_image(&reg, "docker/v2s2", "v1"),
    ];
    let creds = format!("{USER}:{PASSWORD}");
    for seeded in &images {
        skopeo(&["inspect", TLS, "--creds", &creds, &reg.docker_ref(&seeded.name)]).ok();
    }
    let tags = seed_many_tags(&reg, "many/tags", 5);
    let out = skopeo(&["list-tags", TLS, "--creds", &creds, &reg.docker_ref("many/tags")]).ok();
    assert!(tags.iter().all(|t| out.stdout.contains(&format!("\"{t}\""))), "{}", out.stdout);
    let resp = common::http::get(&format!("{}/v2/", reg.base_url()), &[]).unwrap();
    assert_eq!(resp.status, 401);
    assert!(resp.header("www-authenticate").unwrap_or("").starts_with("Bearer realm="));
}

#[test]
fn harness_token_server_checks_credentials() {
    let reg = Registry::token();
    let realm = reg.token_server.as_ref().unwrap().realm();
    let scope = "service=skopos-test-registry&scope=repository:private/img:pull";
    let bad = common::token::basic_auth(USER, WRONG_PASSWORD);
    let resp = common::http::get(&format!("{realm}?{scope}"), &[("Authorization", &bad)]).unwrap();
    assert_eq!(resp.status, 401);
    // OAuth2 password grant, then refresh_token grant.
    let form = format!("grant_type=password&username={USER}&password={PASSWORD}&{scope}&client_id=t");
    let resp = common::http::request(
        "POST",
        &realm,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .unwrap();
    assert_eq!(resp.status, 200, "{}", resp.text());
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    let refresh = v["refresh_token"].as_str().unwrap();
    let form = format!("grant_type=refresh_token&refresh_token={refresh}&{scope}&client_id=t");
    let resp = common::http::request(
        "POST",
        &realm,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .unwrap();
    assert_eq!(resp.status, 200, "{}", resp.text());
    // The registry accepts the issued token.
    let seeded = seed_private(&reg);
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    let bearer = format!("Bearer {}", v["access_token"].as_str().unwrap());
    let url = format!("{}/v2/{}/tags/list", reg.base_url(), seeded.repo);
    let resp = common::http::get(&url, &[("Authorization", &bearer)]).unwrap();
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[test]
fn creds_flag() {
    read_with_creds(&Registry::token());
}

#[test]
fn username_and_password_flags() {
    read_with_username_password(&Registry::token());
}

#[test]
fn authfile_flag() {
    read_with_authfile(&Registry::token());
}

#[test]
fn registry_auth_file_env() {
    read_with_registry_auth_file_env(&Registry::token());
}

#[test]
fn wrong_credentials_exit_1() {
    wrong_credentials_fail(&Registry::token());
}

#[test]
fn no_credentials_exit_1() {
    no_credentials_fail(&Registry::token());
}

#[test]
fn no_creds_flag_ignores_authfile() {
    no_creds_ignores_authfile(&Registry::token());
}

/// The token server gives anonymous callers pull access to the public repository.
#[test]
fn anonymous_pull_of_public_repo() {
    let reg = Registry::token();
    let seeded = seed_oci_index(&reg, PUBLIC_REPO, "latest");
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, &image]);
    assert_same_output(&["inspect", TLS, "--raw", &image]);
    assert_same_output(&["inspect", TLS, "--config", &image]);
    assert_same_output(&["list-tags", TLS, &reg.docker_ref(PUBLIC_REPO)]);
}

/// `--registry-token` with a bearer token fetched from the token server beforehand.
#[test]
fn registry_token_flag() {
    let reg = Registry::token();
    let seeded = seed_private(&reg);
    let token = reg.token_server.as_ref().unwrap().fetch(&format!("repository:{PRIVATE}:pull"), Some((USER, PASSWORD)));
    let image = reg.docker_ref(&seeded.name);
    assert_same_inspect(&["inspect", TLS, "--registry-token", &token, &image]);
    assert_same_output(&["inspect", TLS, "--registry-token", &token, "--raw", &image]);
    assert_same_output(&["list-tags", TLS, "--registry-token", &token, &reg.docker_ref(PRIVATE)]);
}

/// A token without pull access to the repository (anonymous token for a private repo) fails.
#[test]
fn registry_token_without_access_fails() {
    let reg = Registry::token();
    let seeded = seed_private(&reg);
    let token = reg.token_server.as_ref().unwrap().fetch(&format!("repository:{PRIVATE}:pull"), None);
    let args = ["inspect", TLS, "--registry-token", &token, &reg.docker_ref(&seeded.name)];
    let reference = skopeo(&args);
    assert_ne!(reference.code, 0);
    let ours = skopos(&args);
    assert_clean_failure(&ours, reference.code);
}

/// A refresh token from the token server's OAuth2 password grant.
fn refresh_token(reg: &Registry) -> String {
    let realm = reg.token_server.as_ref().unwrap().realm();
    let form =
        format!("grant_type=password&username={USER}&password={PASSWORD}&service=skopos-test-registry&client_id=t");
    let resp = common::http::request(
        "POST",
        &realm,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .unwrap();
    assert_eq!(resp.status, 200, "{}", resp.text());
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    v["refresh_token"].as_str().unwrap().to_string()
}

#[test]
fn identity_token_in_authfile_uses_the_oauth2_post() {
    let reg = Registry::token();
    let seeded = seed_private(&reg);
    let dir = tempfile::TempDir::new().unwrap();
    let authfile = dir.path().join("auth.json");
    let write = |token: &str| {
        // As `docker login` stores an identity token: the user name with an empty password, and the token.
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:"));
        let doc = serde_json::json!({"auths": {reg.host(): {"auth": auth, "identitytoken": token}}});
        std::fs::write(&authfile, doc.to_string()).unwrap();
    };
    write(&refresh_token(&reg));
    let image = reg.docker_ref(&seeded.name);
    let authfile_arg = authfile.to_str().unwrap();
    assert_same_inspect(&["inspect", TLS, "--authfile", authfile_arg, &image]);
    assert_same_output(&["list-tags", TLS, "--authfile", authfile_arg, &reg.docker_ref(PRIVATE)]);

    write("refresh-nobody-knows-this");
    let run = skopos(&["inspect", TLS, "--authfile", authfile_arg, &image]);
    assert_clean_failure(&run, 1);
    assert!(!run.stderr.contains("refresh-nobody"), "the token leaked into: {}", run.stderr);
}
