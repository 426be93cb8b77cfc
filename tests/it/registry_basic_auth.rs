//! skopos against a registry with htpasswd (Basic) authentication, compared with skopeo.

use crate::common;

use common::auth_cases::*;
use common::*;

#[test]
fn harness_seeds_images_with_basic_auth() {
    let reg = Registry::basic();
    let images = [
        seed_oci_image(&reg, "single/oci", "1.0"),
        seed_oci_index(&reg, "multi/oci", "latest"),
        seed_docker_image(&reg, "docker/v2s2", "v1"),
    ];
    let creds = format!("{USER}:{PASSWORD}");
    for seeded in &images {
        skopeo(&["inspect", "--tls-verify=false", "--creds", &creds, &reg.docker_ref(&seeded.name)]).ok();
    }
    let tags = seed_many_tags(&reg, "many/tags", 5);
    let out = skopeo(&["list-tags", "--tls-verify=false", "--creds", &creds, &reg.docker_ref("many/tags")]).ok();
    assert!(tags.iter().all(|t| out.stdout.contains(&format!("\"{t}\""))), "{}", out.stdout);
    // Unauthenticated access is really refused.
    let resp = common::http::get(&format!("{}/v2/", reg.base_url()), &[]).unwrap();
    assert_eq!(resp.status, 401);
    assert!(resp.header("www-authenticate").unwrap_or("").starts_with("Basic"));
}

#[test]
fn creds_flag() {
    read_with_creds(&Registry::basic());
}

#[test]
fn username_and_password_flags() {
    read_with_username_password(&Registry::basic());
}

#[test]
fn authfile_flag() {
    read_with_authfile(&Registry::basic());
}

#[test]
fn registry_auth_file_env() {
    read_with_registry_auth_file_env(&Registry::basic());
}

#[test]
fn wrong_credentials_exit_1() {
    wrong_credentials_fail(&Registry::basic());
}

#[test]
fn no_credentials_exit_1() {
    no_credentials_fail(&Registry::basic());
}

#[test]
fn no_creds_flag_ignores_authfile() {
    no_creds_ignores_authfile(&Registry::basic());
}
