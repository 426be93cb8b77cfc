//! skopos against a registry serving HTTPS with a certificate from a throwaway CA:
//! default verification, `--cert-dir`, `--tls-verify=false`, broken certificate directories,
//! and Basic auth over verified TLS. Compared with skopeo where both succeed.

use crate::common;

use common::*;

/// `--cert-dir` followed by the registry's CA directory.
fn cert_dir_flag(reg: &Registry) -> String {
    format!("--cert-dir={}", reg.ca_dir.as_ref().expect("a TLS registry").display())
}

#[test]
fn harness_tls_registry_serves_https_only() {
    let reg = Registry::tls(AuthKind::Anonymous);
    let seeded = seed_oci_image(&reg, "tls/oci", "1.0");
    skopeo(&["inspect", "--tls-verify=false", &reg.docker_ref(&seeded.name)]).ok();
    // Plain HTTP is answered with Go's "HTTP request to an HTTPS server" 400.
    let resp = common::http::get(&format!("http://{}/v2/", reg.host()), &[]).unwrap();
    assert_eq!(resp.status, 400, "{}", resp.text());
}

#[test]
fn unknown_ca_is_refused_by_default() {
    let reg = Registry::tls(AuthKind::Anonymous);
    let seeded = seed_oci_image(&reg, "tls/oci", "1.0");
    let image = reg.docker_ref(&seeded.name);
    let reference = skopeo(&["inspect", &image]);
    assert_ne!(reference.code, 0, "skopeo trusted an unknown CA: {}", reference.stdout);
    let ours = skopos(&["inspect", &image]);
    assert!(ours.stdout.is_empty(), "printed output without a trusted certificate: {}", ours.stdout);
    let line = assert_clean_failure(&ours, 1);
    assert!(line.to_lowercase().contains("certificate"), "error does not mention the certificate: {line}");
    let tags = skopos(&["list-tags", &reg.docker_ref("tls/oci")]);
    assert_clean_failure(&tags, 1);
}

#[test]
fn cert_dir_with_the_ca_verifies() {
    let reg = Registry::tls(AuthKind::Anonymous);
    let single = seed_oci_image(&reg, "tls/oci", "1.0");
    let index = seed_oci_index(&reg, "tls/index", "latest");
    let flag = cert_dir_flag(&reg);
    assert_same_inspect(&["inspect", &flag, &reg.docker_ref(&single.name)]);
    assert_same_inspect(&["inspect", &flag, &reg.docker_ref(&index.name)]);
    assert_same_output(&["inspect", &flag, "--raw", &reg.docker_ref(&index.name)]);
    let out = assert_same_output(&["list-tags", &flag, &reg.docker_ref("tls/oci")]);
    assert!(out.contains("\"1.0\""), "{out}");
    // `--cert-dir DIR` as two arguments works the same.
    let dir = reg.ca_dir.as_ref().unwrap().to_str().unwrap().to_string();
    assert_same_inspect(&["inspect", "--cert-dir", &dir, &reg.docker_ref(&single.name)]);
}

#[test]
fn tls_verify_false_works_over_tls_without_the_ca() {
    let reg = Registry::tls(AuthKind::Anonymous);
    let seeded = seed_oci_image(&reg, "tls/oci", "1.0");
    let image = reg.docker_ref(&seeded.name);
    // The registry only speaks TLS, so success means an unverified TLS connection was used.
    assert_same_inspect(&["inspect", "--tls-verify=false", &image]);
    let verified = skopos(&["inspect", &cert_dir_flag(&reg), &image]).ok();
    let unverified = skopos(&["inspect", "--tls-verify=false", &image]).ok();
    assert_eq!(verified.stdout, unverified.stdout);
}

#[test]
fn missing_cert_dir_is_a_clear_error() {
    let reg = Registry::tls(AuthKind::Anonymous);
    let seeded = seed_oci_image(&reg, "tls/oci", "1.0");
    let missing = tempfile::TempDir::new().unwrap().path().join("no-such-dir");
    let flag = format!("--cert-dir={}", missing.display());
    let line = assert_clean_failure(&skopos(&["inspect", &flag, &reg.docker_ref(&seeded.name)]), 1);
    assert!(line.contains("no-such-dir"), "error does not name the directory: {line}");
    // skopeo ignores a missing --cert-dir, then fails on the unknown CA.
    assert_ne!(skopeo(&["inspect", &flag, &reg.docker_ref(&seeded.name)]).code, 0);
}

/// Runs skopos and skopeo `inspect` with a `--cert-dir` holding the registry's CA and an
/// `x.crt` with `content`. skopos must fail with one line naming `x.crt`; skopeo (which ignores
/// unparsable `.crt` files) must still succeed thanks to `ca.crt`.
fn assert_broken_crt_refused(content: &[u8]) {
    let reg = Registry::tls(AuthKind::Anonymous);
    let seeded = seed_oci_image(&reg, "tls/oci", "1.0");
    let image = reg.docker_ref(&seeded.name);
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::copy(reg.ca_dir.as_ref().unwrap().join("ca.crt"), dir.path().join("ca.crt")).unwrap();
    std::fs::write(dir.path().join("x.crt"), content).unwrap();
    let flag = format!("--cert-dir={}", dir.path().display());
    let reference = skopeo(&["inspect", &flag, &image]);
    assert_eq!(reference.code, 0, "skopeo no longer ignores a broken x.crt: {}", reference.stderr);
    let line = assert_clean_failure(&skopos(&["inspect", &flag, &image]), 1);
    assert!(line.contains("x.crt"), "error does not name the file: {line}");
}

#[test]
fn cert_dir_with_invalid_der_in_pem_armour_is_a_clear_error() {
    assert_broken_crt_refused(b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
}

#[test]
fn cert_dir_with_non_pem_crt_is_a_clear_error() {
    assert_broken_crt_refused(b"this is not a certificate\n");
}

#[test]
fn basic_auth_over_verified_tls() {
    let reg = Registry::tls(AuthKind::Basic);
    let seeded = seed_oci_image(&reg, "private/oci", "1.0");
    let creds = reg.creds().unwrap();
    let flag = cert_dir_flag(&reg);
    assert_same_inspect(&["inspect", &flag, "--creds", &creds, &reg.docker_ref(&seeded.name)]);
    assert_same_output(&["list-tags", &flag, "--creds", &creds, &reg.docker_ref("private/oci")]);
    let line = assert_clean_failure(&skopos(&["inspect", &flag, &reg.docker_ref(&seeded.name)]), 1);
    assert!(!line.to_lowercase().contains("certificate"), "TLS should have worked: {line}");
    assert_clean_failure(
        &skopos(&["inspect", &flag, "--creds", &format!("{USER}:wrong"), &reg.docker_ref(&seeded.name)]),
        1,
    );
}
