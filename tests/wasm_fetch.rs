//! FetchTransport against the runtime's real `fetch`, with `data:` URLs (no server needed).
//!
//! Run under Node with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test wasm_fetch`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use futures_util::StreamExt;
use skopos::http::{read_limited, Method, Request, Transport};
use skopos::wasm::{is_browser, FetchTransport};
use skopos::Error;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn data_url_body_streams() {
    let transport = FetchTransport::new();
    assert!(!is_browser(), "the Node runner is not a browser");
    assert!(!transport.follow_redirects);
    let response = transport.send(Request::new(Method::Get, "data:text/plain,hello%20world")).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.headers.get("Content-Type"), Some("text/plain"));
    let body = read_limited(response.body, 1 << 20, "test body").await.unwrap();
    assert_eq!(body, b"hello world");
}

#[wasm_bindgen_test]
async fn large_body_arrives_whole() {
    // 192 KiB of base64 decodes to 147456 bytes of 0xFF.
    let url = format!("data:application/octet-stream;base64,{}", "////".repeat(48 * 1024));
    let response = FetchTransport::new().send(Request::new(Method::Get, url)).await.unwrap();
    let mut body = response.body;
    let (mut total, mut chunks) = (0usize, 0usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        assert!(chunk.iter().all(|&b| b == 0xFF));
        total += chunk.len();
        chunks += 1;
    }
    assert_eq!(total, 48 * 1024 * 3);
    assert!(chunks >= 1);
}

#[wasm_bindgen_test]
async fn dropping_a_body_early_is_harmless() {
    let url = format!("data:application/octet-stream;base64,{}", "AAAA".repeat(64 * 1024));
    let response = FetchTransport::new().send(Request::new(Method::Get, url)).await.unwrap();
    let mut body = response.body;
    let first = body.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(body);
    FetchTransport::new().sleep(Duration::from_millis(5)).await;
}

#[wasm_bindgen_test]
async fn refused_connection_is_a_network_error() {
    let err = FetchTransport::new().send(Request::new(Method::Get, "http://127.0.0.1:1/v2/")).await.err().unwrap();
    assert!(matches!(err, Error::Network(_)), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

#[wasm_bindgen_test]
async fn aborted_signal_cancels() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let transport = FetchTransport::new().with_signal(controller.signal());
    let err = transport.send(Request::new(Method::Get, "data:text/plain,x")).await.err().unwrap();
    assert!(matches!(err, Error::Cancelled(_)), "{err:?}");
}

#[wasm_bindgen_test]
async fn sleep_waits() {
    let start = js_sys::Date::now();
    FetchTransport::new().sleep(Duration::from_millis(30)).await;
    assert!(js_sys::Date::now() - start >= 25.0);
}

#[wasm_bindgen_test]
fn cors_error_names_the_cause_and_the_proxy_remedy() {
    let err = skopos::wasm::fetch::cors_error("GET", "https://registry.example:5000/v2/", "TypeError: Failed to fetch");
    assert!(matches!(err, Error::Cors(_)), "{err:?}");
    assert_eq!(err.code(), "CORS");
    let text = err.to_string();
    for part in [
        "GET https://registry.example:5000/v2/",
        "TypeError: Failed to fetch",
        "https://registry.example:5000",
        "CORS headers",
        "Access-Control-Allow-Origin",
        "`proxy` option",
        "edge worker",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
}

#[wasm_bindgen_test]
async fn outside_browsers_a_refused_connection_stays_network() {
    // Node does not enforce CORS: a TypeError from fetch is a network failure there.
    assert!(!is_browser());
    let err = FetchTransport::new().send(Request::new(Method::Get, "http://127.0.0.1:1/v2/")).await.err().unwrap();
    assert_eq!(err.code(), "NETWORK", "{err:?}");
}
