//! Turning a registry's non-success answer into a typed [`Error`].
//!
//! The distribution API answers failures with `{"errors":[{"code","message","detail"}]}`;
//! registries behind proxies may answer HTML or nothing. Either way the caller gets one line.

use crate::error::{Error, RegistryErrorCode};

/// Builds the error for a response with `status` and `body` received for `url`.
pub fn from_response(status: u16, body: &[u8], url: &str) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(parsed) = serde_json::from_slice::<Body>(body) {
        if let Some(first) = parsed.errors.first() {
            let message = parsed
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .filter(|m| !m.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            return Error::Registry {
                status,
                code: RegistryErrorCode::from_wire(&first.code),
                message,
                url: url.to_string(),
            };
        }
    }
    let code = match status {
        401 => RegistryErrorCode::Unauthorized,
        403 => RegistryErrorCode::Denied,
        429 => RegistryErrorCode::TooManyRequests,
        _ => RegistryErrorCode::Other(String::new()),
    };
    Error::Registry { status, code, message: summarize_body(body), url: url.to_string() }
}

/// A short, single-line excerpt of a non-JSON error body (HTML pages become their status only).
fn summarize_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        return String::new();
    }
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes() {
        let e = from_response(
            404,
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#,
            "u",
        );
        assert!(e.is_not_found());
        assert_eq!(e.code(), "MANIFEST_UNKNOWN");
        assert_eq!(e.to_string(), "manifest unknown (HTTP 404) from u: manifest unknown");
        let e = from_response(401, br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#, "u");
        assert_eq!(e.code(), "UNAUTHORIZED");
        let e = from_response(500, b"<html><body>oops</body></html>", "u");
        assert_eq!(e.to_string(), "registry answered HTTP 500 for u");
        assert!(!e.is_not_found());
        let e = from_response(403, b"", "u");
        assert_eq!(e.code(), "DENIED");
        let e = from_response(404, b"404 page not found\n", "u");
        assert!(e.is_not_found());
        assert!(!e.to_string().contains('\n'));
    }
}
