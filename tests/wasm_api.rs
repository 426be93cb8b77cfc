//! The JavaScript API (`skopos::wasm::api`) under Node: references, digests and error codes,
//! checked against the shared vectors (embedded, since the tests cannot read files).
//!
//! Run with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test wasm_api`.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use skopos::wasm::api::{get_blob, js_manifest_digest, parse_reference, verify_digest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const DIGESTS: &str = include_str!("vectors/digests.tsv");
const CONTENT: &str = include_str!("vectors/digests_content.tsv");
const MANIFEST_DIGESTS: &str = include_str!("vectors/manifests/digests.tsv");

/// Manifest fixtures embedded by name.
const MANIFESTS: &[(&str, &str)] = &[
    ("containers-image__v2s2.manifest.json", include_str!("vectors/manifests/containers-image__v2s2.manifest.json")),
    ("containers-image__ociv1.manifest.json", include_str!("vectors/manifests/containers-image__ociv1.manifest.json")),
    (
        "containers-image__ociv1.image.index.json",
        include_str!("vectors/manifests/containers-image__ociv1.image.index.json"),
    ),
    (
        "containers-image__v2list.manifest.json",
        include_str!("vectors/manifests/containers-image__v2list.manifest.json"),
    ),
    ("containers-image__v2s1.manifest.json", include_str!("vectors/manifests/containers-image__v2s1.manifest.json")),
    (
        "containers-image__v2s1-unsigned.manifest.json",
        include_str!("vectors/manifests/containers-image__v2s1-unsigned.manifest.json"),
    ),
    (
        "containers-image__v2s1-invalid-signatures.manifest.json",
        include_str!("vectors/manifests/containers-image__v2s1-invalid-signatures.manifest.json"),
    ),
];

fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split('\t').collect())
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// The thrown value must be a JS `Error` with this `code` and a message.
fn assert_error(thrown: JsValue, code: &str) -> String {
    let error: &js_sys::Error = thrown.dyn_ref().expect("an Error object is thrown");
    assert_eq!(text(&thrown, "code").as_deref(), Some(code), "{:?}", String::from(error.message()));
    let message = String::from(error.message());
    assert!(!message.is_empty());
    message
}

fn hex_decode(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[wasm_bindgen_test]
fn parse_reference_normalizes_docker_names() {
    let r = parse_reference("ubuntu").unwrap();
    assert_eq!(text(&r, "registry").as_deref(), Some("docker.io"));
    assert_eq!(text(&r, "repository").as_deref(), Some("library/ubuntu"));
    assert_eq!(text(&r, "name").as_deref(), Some("docker.io/library/ubuntu"));
    assert!(get(&r, "tag").is_null());
    assert!(get(&r, "digest").is_null());
    assert_eq!(text(&r, "familiar").as_deref(), Some("ubuntu"));
    assert_eq!(text(&r, "string").as_deref(), Some("docker.io/library/ubuntu"));

    let digest = "sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b";
    let r = parse_reference(&format!("docker://localhost:5000/team/app:v1@{digest}")).unwrap();
    assert_eq!(text(&r, "registry").as_deref(), Some("localhost:5000"));
    assert_eq!(text(&r, "repository").as_deref(), Some("team/app"));
    assert_eq!(text(&r, "tag").as_deref(), Some("v1"));
    assert_eq!(text(&r, "digest").as_deref(), Some(digest));
    assert_eq!(text(&r, "familiar").as_deref(), Some(format!("localhost:5000/team/app:v1@{digest}").as_str()));
}

#[wasm_bindgen_test]
fn parse_reference_throws_coded_errors() {
    for bad in ["", "a//b", "alpine:bad tag", "a:b:c", "docker://", "oci:/tmp/layout", "docker:alpine"] {
        let thrown = parse_reference(bad).err().unwrap_or_else(|| panic!("{bad:?} must be refused"));
        assert_error(thrown, "INVALID_REFERENCE");
    }
    let message = assert_error(parse_reference("library/Ubuntu").err().unwrap(), "INVALID_REFERENCE");
    assert!(message.contains("lowercase"), "{message}");
}

#[wasm_bindgen_test]
fn verify_digest_follows_go_digest_validity() {
    let mut invalid = 0;
    for row in rows(DIGESTS) {
        let input = row[0].replace("\\n", "\n");
        match row[1] {
            "yes" => assert!(verify_digest(b"", &input).is_ok(), "{input:?} is a valid digest"),
            _ => {
                assert_error(verify_digest(b"", &input).err().unwrap(), "INVALID_DIGEST");
                invalid += 1;
            }
        }
    }
    assert!(invalid > 20);
}

#[wasm_bindgen_test]
fn verify_digest_checks_content() {
    for row in rows(CONTENT) {
        let bytes = hex_decode(row[1]);
        assert!(verify_digest(&bytes, row[3]).unwrap(), "{}", row[0]);
        assert!(verify_digest(&bytes, row[4]).unwrap(), "{}", row[0]);
        let mut changed = bytes.clone();
        changed.push(b'!');
        assert!(!verify_digest(&changed, row[3]).unwrap(), "{}", row[0]);
        assert!(!verify_digest(&changed, row[4]).unwrap(), "{}", row[0]);
    }
}

#[wasm_bindgen_test]
fn manifest_digest_matches_fixtures() {
    for (file, body) in MANIFESTS {
        let row = rows(MANIFEST_DIGESTS).find(|r| r[0] == *file).unwrap_or_else(|| panic!("{file} in digests.tsv"));
        let result = js_manifest_digest(body.as_bytes());
        if file.contains("invalid-signatures") {
            assert_error(result.err().unwrap(), "MANIFEST_INVALID");
        } else {
            assert_eq!(result.unwrap(), row[3], "{file}");
        }
    }
}

#[wasm_bindgen_test]
fn get_blob_refuses_bad_arguments_at_once() {
    let digest = format!("sha256:{}", "0".repeat(64));
    let thrown = get_blob("127.0.0.1:1/x:tag".into(), digest.clone(), None).err().unwrap();
    assert_error(thrown, "INVALID_REFERENCE");
    let thrown = get_blob("127.0.0.1:1/x".into(), "sha256:short".into(), None).err().unwrap();
    assert_error(thrown, "INVALID_DIGEST");
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"signal".into(), &controller.signal()).unwrap();
    let thrown = get_blob("127.0.0.1:1/x".into(), digest, Some(options.into())).err().unwrap();
    assert_error(thrown, "CANCELLED");
}
