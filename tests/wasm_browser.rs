//! The JavaScript API (`skopos::wasm::api`) in headless Chromium against real registries: one
//! that sends CORS headers and one that does not.
//!
//! Run with `tests/browser/run.sh`, which starts and seeds the registries and passes their
//! addresses, the seeded image's manifest digest and its architecture at compile time through
//! `SKOPOS_TEST_REGISTRY`, `SKOPOS_TEST_REGISTRY_NO_CORS`, `SKOPOS_TEST_DIGEST` and
//! `SKOPOS_TEST_ARCH`; the digests of a two-platform index and of its images through
//! `SKOPOS_TEST_MULTI_INDEX`, `SKOPOS_TEST_MULTI_AMD64` and `SKOPOS_TEST_MULTI_ARM64`; and the
//! digest of a blob corrupted in the registry's storage through `SKOPOS_TEST_CORRUPT_BLOB`.
//! Built without them, every test fails and says so.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use skopos::wasm::api::{get_blob, get_manifest, inspect, list_tags, parse_reference, platforms};
use skopos::wasm::is_browser;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const REPOSITORY: &str = "browser/hello";

fn setting(value: Option<&'static str>, name: &str) -> &'static str {
    match value {
        Some(v) if !v.is_empty() => v,
        _ => panic!("{name} was not set when this test was built: run tests/browser/run.sh, which starts the registries and sets it"),
    }
}

fn registry() -> &'static str {
    setting(option_env!("SKOPOS_TEST_REGISTRY"), "SKOPOS_TEST_REGISTRY")
}

fn registry_no_cors() -> &'static str {
    setting(option_env!("SKOPOS_TEST_REGISTRY_NO_CORS"), "SKOPOS_TEST_REGISTRY_NO_CORS")
}

fn expected_digest() -> &'static str {
    setting(option_env!("SKOPOS_TEST_DIGEST"), "SKOPOS_TEST_DIGEST")
}

fn expected_arch() -> &'static str {
    setting(option_env!("SKOPOS_TEST_ARCH"), "SKOPOS_TEST_ARCH")
}

fn multi_index() -> &'static str {
    setting(option_env!("SKOPOS_TEST_MULTI_INDEX"), "SKOPOS_TEST_MULTI_INDEX")
}

fn multi_amd64() -> &'static str {
    setting(option_env!("SKOPOS_TEST_MULTI_AMD64"), "SKOPOS_TEST_MULTI_AMD64")
}

fn multi_arm64() -> &'static str {
    setting(option_env!("SKOPOS_TEST_MULTI_ARM64"), "SKOPOS_TEST_MULTI_ARM64")
}

fn corrupt_blob() -> &'static str {
    setting(option_env!("SKOPOS_TEST_CORRUPT_BLOB"), "SKOPOS_TEST_CORRUPT_BLOB")
}

/// `{ tlsVerify: false }` plus the given string options.
fn plain_http_with(extra: &[(&str, &str)]) -> Option<JsValue> {
    let options = plain_http().unwrap();
    for (key, value) in extra {
        Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value)).unwrap();
    }
    Some(options)
}

/// `{ tlsVerify: false }`: the test registries speak plain HTTP.
fn plain_http() -> Option<JsValue> {
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("tlsVerify"), &JsValue::FALSE).unwrap();
    Some(options.into())
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn strings(array: &JsValue) -> Vec<String> {
    Array::from(array).iter().map(|v| v.as_string().expect("a string")).collect()
}

/// The message and `code` of a thrown value, which must be a JS `Error`.
fn error_parts(thrown: &JsValue) -> (String, Option<String>) {
    let error: &js_sys::Error = thrown.dyn_ref().expect("an Error object is thrown");
    (String::from(error.message()), text(thrown, "code"))
}

#[wasm_bindgen_test]
fn runs_in_a_browser() {
    assert!(is_browser(), "wasm-bindgen-test must run this file in a browser, not Node");
    registry();
}

#[wasm_bindgen_test]
fn parse_reference_of_the_test_image() {
    let r = parse_reference(&format!("docker://{}/{REPOSITORY}:v1", registry())).unwrap();
    assert_eq!(text(&r, "registry").as_deref(), Some(registry()));
    assert_eq!(text(&r, "repository").as_deref(), Some(REPOSITORY));
    assert_eq!(text(&r, "tag").as_deref(), Some("v1"));
}

#[wasm_bindgen_test]
async fn inspect_reads_the_seeded_image() {
    let image = format!("docker://{}/{REPOSITORY}:v1", registry());
    let output = inspect(image, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    assert_eq!(text(&output, "Digest").as_deref(), Some(expected_digest()));
    assert_eq!(text(&output, "Architecture").as_deref(), Some(expected_arch()));
    assert_eq!(text(&output, "Os").as_deref(), Some("linux"));
    assert_eq!(text(&output, "Name").as_deref(), Some(format!("{}/{REPOSITORY}", registry()).as_str()));
    let mut tags = strings(&get(&output, "RepoTags"));
    tags.sort();
    assert_eq!(tags, ["latest", "v1"]);
    let labels = get(&output, "Labels");
    assert_eq!(text(&labels, "org.opencontainers.image.title").as_deref(), Some("browser-test"));
    assert_eq!(Array::from(&get(&output, "Layers")).length(), 1);
}

#[wasm_bindgen_test]
async fn get_manifest_is_verified() {
    let image = format!("{}/{REPOSITORY}:latest", registry());
    let result = get_manifest(image, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    assert_eq!(text(&result, "digest").as_deref(), Some(expected_digest()));
    assert_eq!(get(&result, "verified"), JsValue::TRUE);
    assert_eq!(text(&result, "mediaType").as_deref(), Some("application/vnd.oci.image.manifest.v1+json"));
    let raw = text(&result, "raw").unwrap();
    assert!(raw.contains("\"layers\""), "{raw}");
}

#[wasm_bindgen_test]
async fn list_tags_returns_the_seeded_tags() {
    let repository = format!("docker://{}/{REPOSITORY}", registry());
    let tags = list_tags(repository, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    let mut tags = strings(&tags);
    tags.sort();
    assert_eq!(tags, ["latest", "v1"]);
}

#[wasm_bindgen_test]
async fn platforms_of_a_single_image() {
    let image = format!("{}/{REPOSITORY}:v1", registry());
    let entries = platforms(image, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    let entries = Array::from(&entries);
    assert_eq!(entries.length(), 1);
    let entry = entries.get(0);
    assert_eq!(text(&entry, "digest").as_deref(), Some(expected_digest()));
    let platform = get(&entry, "platform");
    assert_eq!(text(&platform, "os").as_deref(), Some("linux"));
    assert_eq!(text(&platform, "architecture").as_deref(), Some(expected_arch()));
}

#[wasm_bindgen_test]
async fn missing_tag_is_manifest_unknown() {
    let image = format!("{}/{REPOSITORY}:no-such-tag", registry());
    let thrown = get_manifest(image, plain_http()).await.err().expect("a missing tag is an error");
    let (message, code) = error_parts(&thrown);
    assert_eq!(code.as_deref(), Some("MANIFEST_UNKNOWN"), "{message}");
}

/// The browser hides a response without CORS headers from the page: `fetch` rejects with a bare
/// `TypeError`. In a browser, for another origin, that is reported as `CORS`, with the cause and
/// the remedy (the `proxy` option) in the message.
#[wasm_bindgen_test]
async fn registry_without_cors_headers_is_a_cors_error() {
    let image = format!("docker://{}/{REPOSITORY}:v1", registry_no_cors());
    let thrown = inspect(image, plain_http()).await.err().expect("a registry without CORS headers cannot be read");
    let (message, code) = error_parts(&thrown);
    assert_eq!(code.as_deref(), Some("CORS"), "{message}");
    assert!(message.contains(registry_no_cors()), "{message}");
    assert!(message.contains("Access-Control-Allow-Origin"), "the cause: {message}");
    assert!(message.contains("proxy"), "the remedy: {message}");
}

#[wasm_bindgen_test]
async fn platforms_of_a_two_platform_index() {
    let image = format!("{}/browser/multi:v1", registry());
    let entries = platforms(image, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    let mut seen: Vec<(String, String, String)> = Array::from(&entries)
        .iter()
        .map(|entry| {
            let platform = get(&entry, "platform");
            (text(&platform, "architecture").unwrap(), text(&platform, "os").unwrap(), text(&entry, "digest").unwrap())
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("amd64".to_string(), "linux".to_string(), multi_amd64().to_string()),
            ("arm64".to_string(), "linux".to_string(), multi_arm64().to_string()),
        ]
    );
}

/// Like `skopeo inspect --override-arch`, `Digest` stays the index's digest; the config read
/// (architecture and the `arch` label set when seeding) is the arm64 image's. The arm64 image's
/// own manifest digest is checked through `getManifest` of the index entry.
#[wasm_bindgen_test]
async fn inspect_with_override_arch_picks_arm64() {
    let image = format!("docker://{}/browser/multi:v1", registry());
    let options = plain_http_with(&[("overrideArch", "arm64"), ("overrideOs", "linux")]);
    let output = inspect(image, options).await.map_err(|e| error_parts(&e)).unwrap();
    assert_eq!(text(&output, "Digest").as_deref(), Some(multi_index()));
    assert_eq!(text(&output, "Architecture").as_deref(), Some("arm64"));
    assert_eq!(text(&get(&output, "Labels"), "arch").as_deref(), Some("arm64"));

    let by_digest = format!("{}/browser/multi@{}", registry(), multi_arm64());
    let manifest = get_manifest(by_digest, plain_http()).await.map_err(|e| error_parts(&e)).unwrap();
    assert_eq!(text(&manifest, "digest").as_deref(), Some(multi_arm64()));
    assert_eq!(get(&manifest, "verified"), JsValue::TRUE);
}

/// The registry serves wrong bytes (same length) for a blob corrupted in its storage: reading
/// `getBlob`'s stream to the end fails with `DIGEST_MISMATCH`.
#[wasm_bindgen_test]
async fn get_blob_of_a_corrupted_blob_is_a_digest_mismatch() {
    use futures_util::StreamExt;

    let repository = format!("{}/browser/corrupt", registry());
    let raw = get_blob(repository, corrupt_blob().to_string(), plain_http()).map_err(|e| error_parts(&e)).unwrap();
    let mut stream = wasm_streams::ReadableStream::from_raw(raw).into_stream();
    let mut read = 0;
    let thrown = loop {
        match stream.next().await {
            Some(Ok(chunk)) => read += js_sys::Uint8Array::from(chunk).length(),
            Some(Err(e)) => break e,
            None => panic!("the stream closed normally after {read} bytes of a corrupted blob"),
        }
    };
    let (message, code) = error_parts(&thrown);
    assert_eq!(code.as_deref(), Some("DIGEST_MISMATCH"), "{message}");
}
