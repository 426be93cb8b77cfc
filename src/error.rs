//! The one error type of the library.
//!
//! Every fallible function in skopos returns [`Error`]. Each variant renders as one line that
//! names what was wrong, and [`Error::code`] gives its [`ErrorCode`]: a closed set of stable
//! machine-readable codes shared by the CLI (exit codes), the npm package (`error.code`, typed by
//! the TypeScript union [`ERROR_CODE_TS`]) and the edge Worker (JSON errors, with the HTTP status
//! of [`ErrorCode::http_status`]).

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error code from the distribution API's JSON error body (`{"errors":[{"code":...}]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    ManifestUnverified,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    /// Any other code, kept verbatim.
    Other(String),
}

impl RegistryErrorCode {
    /// Maps the wire form (`"MANIFEST_UNKNOWN"`) to a code.
    pub fn from_wire(code: &str) -> Self {
        use RegistryErrorCode::*;
        match code {
            "BLOB_UNKNOWN" => BlobUnknown,
            "BLOB_UPLOAD_INVALID" => BlobUploadInvalid,
            "BLOB_UPLOAD_UNKNOWN" => BlobUploadUnknown,
            "DIGEST_INVALID" => DigestInvalid,
            "MANIFEST_BLOB_UNKNOWN" => ManifestBlobUnknown,
            "MANIFEST_INVALID" => ManifestInvalid,
            "MANIFEST_UNKNOWN" => ManifestUnknown,
            "MANIFEST_UNVERIFIED" => ManifestUnverified,
            "NAME_INVALID" => NameInvalid,
            "NAME_UNKNOWN" => NameUnknown,
            "SIZE_INVALID" => SizeInvalid,
            "TAG_INVALID" => TagInvalid,
            "UNAUTHORIZED" => Unauthorized,
            "DENIED" => Denied,
            "UNSUPPORTED" => Unsupported,
            "TOOMANYREQUESTS" | "TOO_MANY_REQUESTS" => TooManyRequests,
            other => Other(other.to_string()),
        }
    }

    /// The wire form of the code.
    pub fn as_wire(&self) -> &str {
        use RegistryErrorCode::*;
        match self {
            BlobUnknown => "BLOB_UNKNOWN",
            BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            DigestInvalid => "DIGEST_INVALID",
            ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            ManifestInvalid => "MANIFEST_INVALID",
            ManifestUnknown => "MANIFEST_UNKNOWN",
            ManifestUnverified => "MANIFEST_UNVERIFIED",
            NameInvalid => "NAME_INVALID",
            NameUnknown => "NAME_UNKNOWN",
            SizeInvalid => "SIZE_INVALID",
            TagInvalid => "TAG_INVALID",
            Unauthorized => "UNAUTHORIZED",
            Denied => "DENIED",
            Unsupported => "UNSUPPORTED",
            TooManyRequests => "TOOMANYREQUESTS",
            Other(s) => s,
        }
    }
}

impl RegistryErrorCode {
    /// The [`ErrorCode`] of a registry error with this code and HTTP `status`: the code's own
    /// variant, or for a body without a code the status's meaning (401, 403, 404, 429), else
    /// [`ErrorCode::RegistryError`].
    pub fn error_code(&self, status: u16) -> ErrorCode {
        use RegistryErrorCode::*;
        match self {
            BlobUnknown => ErrorCode::BlobUnknown,
            BlobUploadInvalid => ErrorCode::BlobUploadInvalid,
            BlobUploadUnknown => ErrorCode::BlobUploadUnknown,
            DigestInvalid => ErrorCode::DigestInvalid,
            ManifestBlobUnknown => ErrorCode::ManifestBlobUnknown,
            ManifestInvalid => ErrorCode::ManifestInvalid,
            ManifestUnknown => ErrorCode::ManifestUnknown,
            ManifestUnverified => ErrorCode::ManifestUnverified,
            NameInvalid => ErrorCode::NameInvalid,
            NameUnknown => ErrorCode::NameUnknown,
            SizeInvalid => ErrorCode::SizeInvalid,
            TagInvalid => ErrorCode::TagInvalid,
            Unauthorized => ErrorCode::Unauthorized,
            Denied => ErrorCode::Denied,
            Unsupported => ErrorCode::Unsupported,
            TooManyRequests => ErrorCode::TooManyRequests,
            Other(code) if code.is_empty() => match status {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Denied,
                404 => ErrorCode::NotFound,
                429 => ErrorCode::TooManyRequests,
                _ => ErrorCode::RegistryError,
            },
            Other(_) => ErrorCode::RegistryError,
        }
    }
}

impl fmt::Display for RegistryErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_wire())
    }
}

/// Declares [`ErrorCode`] from one table (variant, wire code, HTTP status), with `ALL`,
/// `as_str`, `http_status` and the TypeScript union [`ERROR_CODE_TS`] made from it, so a code
/// is stated once.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal, $status:literal;)*) => {
        /// The stable code of an [`Error`]: what programs (the npm package's `error.code`, the edge
        /// Worker's error bodies) match on. The registry codes of the distribution spec are variants of
        /// their own; any other code a registry answers with is [`ErrorCode::RegistryError`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of the TypeScript union [`ERROR_CODE_TS`].
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as programs see it (`MANIFEST_UNKNOWN`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status the edge Worker answers an error of this code with: 400 for bad
            /// input, 401/403/404/405/429 as the registry means them, 499 for a cancelled call,
            /// 502 when the upstream failed or could not be trusted, 500 for the rest.
            pub fn http_status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }
        }

        /// The TypeScript of [`ErrorCode`] for the npm package's `.d.ts`: the union of every
        /// code, and the `Error` skopos throws typed with it.
        pub const ERROR_CODE_TS: &str = concat!(
            "\n/** The `code` of every error skopos throws (and of the edge Worker's error bodies). */\n",
            "export type ErrorCode =\n",
            $("  | \"", $code, "\"\n",)*
            "  ;\n\n",
            "/** An `Error` thrown by a skopos call (or the error of one of its streams). */\n",
            "export interface SkoposError extends Error {\n  code: ErrorCode;\n}\n",
        );
    };
}

error_codes! {
    /// `INVALID_REFERENCE`: an image reference or image name that cannot be parsed.
    InvalidReference = "INVALID_REFERENCE", 400;
    /// `INVALID_DIGEST`: a malformed digest or one of an unsupported algorithm.
    InvalidDigest = "INVALID_DIGEST", 400;
    /// `INVALID_FORMAT`: a `--format` Go template that cannot be parsed or run.
    InvalidFormat = "INVALID_FORMAT", 400;
    /// `MANIFEST_INVALID`: manifest bytes that cannot be decoded (or a registry said so).
    ManifestInvalid = "MANIFEST_INVALID", 502;
    /// `CONFIG_INVALID`: an image configuration that cannot be decoded.
    ConfigInvalid = "CONFIG_INVALID", 502;
    /// `DIGEST_MISMATCH`: bytes that are not the content (or size) they are addressed by.
    DigestMismatch = "DIGEST_MISMATCH", 502;
    /// `NO_MATCHING_PLATFORM`: an index without an image for the wanted platform.
    NoMatchingPlatform = "NO_MATCHING_PLATFORM", 404;
    /// `BLOB_UNKNOWN` (distribution): the registry has no such blob.
    BlobUnknown = "BLOB_UNKNOWN", 404;
    /// `BLOB_UPLOAD_INVALID` (distribution): the blob upload was refused.
    BlobUploadInvalid = "BLOB_UPLOAD_INVALID", 500;
    /// `BLOB_UPLOAD_UNKNOWN` (distribution): the upload session is unknown to the registry.
    BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN", 500;
    /// `DIGEST_INVALID` (distribution): the registry found the digest wrong.
    DigestInvalid = "DIGEST_INVALID", 400;
    /// `MANIFEST_BLOB_UNKNOWN` (distribution): a manifest names a blob the registry lacks.
    ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN", 500;
    /// `MANIFEST_UNKNOWN` (distribution): no such manifest or tag.
    ManifestUnknown = "MANIFEST_UNKNOWN", 404;
    /// `MANIFEST_UNVERIFIED` (distribution): a schema 1 signature the registry could not verify.
    ManifestUnverified = "MANIFEST_UNVERIFIED", 500;
    /// `NAME_INVALID` (distribution): an invalid repository name.
    NameInvalid = "NAME_INVALID", 400;
    /// `NAME_UNKNOWN` (distribution): no such repository.
    NameUnknown = "NAME_UNKNOWN", 404;
    /// `SIZE_INVALID` (distribution): content whose length is not the one announced.
    SizeInvalid = "SIZE_INVALID", 500;
    /// `TAG_INVALID` (distribution): an invalid tag.
    TagInvalid = "TAG_INVALID", 400;
    /// `UNAUTHORIZED`: authentication is required or failed.
    Unauthorized = "UNAUTHORIZED", 401;
    /// `DENIED`: access to the resource is denied.
    Denied = "DENIED", 403;
    /// `UNSUPPORTED`: the operation is valid but not supported here.
    Unsupported = "UNSUPPORTED", 405;
    /// `TOO_MANY_REQUESTS`: the registry kept asking to slow down (its wire form is `TOOMANYREQUESTS`).
    TooManyRequests = "TOO_MANY_REQUESTS", 429;
    /// `NOT_FOUND`: an image, file or registry endpoint that does not exist.
    NotFound = "NOT_FOUND", 404;
    /// `REGISTRY_ERROR`: a registry answered with an error of no code above.
    RegistryError = "REGISTRY_ERROR", 502;
    /// `PROTOCOL`: a registry answer that the protocol does not allow.
    Protocol = "PROTOCOL", 502;
    /// `NETWORK`: a connection-level failure or a redirect that cannot be followed.
    Network = "NETWORK", 502;
    /// `CORS`: the browser did not let the page read the response.
    Cors = "CORS", 500;
    /// `IO`: a local I/O failure.
    Io = "IO", 500;
    /// `CONFIG`: a configuration (file, options, settings) that cannot be used.
    Config = "CONFIG", 500;
    /// `LAYER_INVALID`: a layer archive that cannot be read.
    LayerInvalid = "LAYER_INVALID", 500;
    /// `CANCELLED`: the operation was cancelled.
    Cancelled = "CANCELLED", 499;
    /// `SYNC_FAILED`: `sync` stopped or finished with images that failed.
    SyncFailed = "SYNC_FAILED", 500;
    /// `SIGNATURE_INVALID`: a signature that is malformed or does not verify.
    SignatureInvalid = "SIGNATURE_INVALID", 502;
    /// `POLICY_DENIED`: the trust policy (policy.json) does not admit the image.
    PolicyDenied = "POLICY_DENIED", 403;
}

impl ErrorCode {
    /// The code spelled `code` ([`ErrorCode::as_str`]), if it is one.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Everything that can go wrong in skopos.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An image reference that does not follow the grammar.
    #[error("invalid reference {input:?}: {reason}")]
    InvalidReference { input: String, reason: String },

    /// A digest string that is malformed or uses an unsupported algorithm.
    #[error("invalid digest {input:?}: {reason}")]
    InvalidDigest { input: String, reason: String },

    /// A transport name or transport-specific reference that cannot be parsed.
    #[error("invalid image name {input:?}: {reason}")]
    InvalidImageName { input: String, reason: String },

    /// Manifest bytes that cannot be decoded.
    #[error("invalid manifest: {0}")]
    InvalidManifest(String),

    /// An image configuration blob that cannot be decoded.
    #[error("invalid image configuration: {0}")]
    InvalidConfig(String),

    /// A manifest larger than the limit skopos accepts.
    #[error("manifest is too large: {size} bytes exceeds the limit of {limit} bytes")]
    ManifestTooLarge { size: u64, limit: u64 },

    /// Bytes whose digest is not the one they were addressed by.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch { what: String, expected: String, actual: String },

    /// Bytes whose length is not the one their descriptor announced.
    #[error("size mismatch for {what}: expected {expected} bytes, got {actual}")]
    SizeMismatch { what: String, expected: u64, actual: u64 },

    /// An index has no entry for the wanted platform.
    #[error("no image found in {kind} for architecture {arch}, variant {variant:?}, OS {os}")]
    NoMatchingPlatform { kind: String, os: String, arch: String, variant: String },

    /// A typed error answered by a registry (`{"errors":[...]}`), or the status alone.
    #[error("{}", render_registry_error(*status, code, message, url))]
    Registry { status: u16, code: RegistryErrorCode, message: String, url: String },

    /// A registry answer that the protocol does not allow (HTML instead of JSON, a missing header…).
    #[error("unexpected response from {url}: {reason}")]
    Protocol { url: String, reason: String },

    /// Authentication failed before reaching the registry (token realm down, bad token JSON…).
    #[error("authentication failed: {0}")]
    Auth(String),

    /// The registry kept answering 429 Too Many Requests.
    #[error("too many requests to {url}: the registry asked to slow down (retry after {retry_after_secs}s)")]
    TooManyRequests { url: String, retry_after_secs: u64 },

    /// A connection-level failure: DNS, TCP, TLS, timeout, a cut-off body.
    #[error("{0}")]
    Network(String),

    /// The browser refused to let the page read the response (no CORS headers on the registry).
    #[error("{0}")]
    Cors(String),

    /// Too many redirects, or a redirect without a usable Location.
    #[error("redirect error at {url}: {reason}")]
    Redirect { url: String, reason: String },

    /// An image or file that does not exist in a local transport.
    #[error("{0}")]
    NotFound(String),

    /// A local I/O failure, with the path or action that failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// A configuration file (auth.json, registries.conf…) that cannot be used.
    #[error("{0}")]
    Config(String),

    /// The operation is valid but not supported for this input.
    #[error("{0}")]
    Unsupported(String),

    /// An image layer whose archive cannot be read (not a tar, damaged gzip, cut short).
    #[error("{0}")]
    InvalidLayer(String),

    /// The operation was cancelled (timeout, Ctrl-C, AbortSignal).
    #[error("{0}")]
    Cancelled(String),

    /// A `--format` Go template that cannot be parsed or executed, with Go's message.
    #[error("{0}")]
    Template(String),

    /// `sync` stopped, or finished with images that failed (each reported on its own line).
    #[error("{0}")]
    Sync(String),

    /// A signature that is malformed, does not verify, or does not match the image
    /// (containers-signature(5)); the text says which, as containers/image words it.
    #[error("{0}")]
    Signature(String),

    /// The trust policy refused an image: which image, which requirement, and why.
    #[error("Source image rejected: {image}: {requirement}: {reason}")]
    PolicyDenied { image: String, requirement: String, reason: String },
}

fn render_registry_error(status: u16, code: &RegistryErrorCode, message: &str, url: &str) -> String {
    let code_text = code.as_wire();
    match (code_text.is_empty(), message.is_empty()) {
        (false, false) => {
            format!("{} (HTTP {status}) from {url}: {message}", code_text.to_ascii_lowercase().replace('_', " "))
        }
        (false, true) => format!("{} (HTTP {status}) from {url}", code_text.to_ascii_lowercase().replace('_', " ")),
        (true, false) => format!("registry answered HTTP {status} for {url}: {message}"),
        (true, true) => format!("registry answered HTTP {status} for {url}"),
    }
}

impl Error {
    /// Shorthand for an I/O error with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// Whether the error means "this image, tag or repository does not exist".
    ///
    /// The CLI exits with status 2 for these, as skopeo does.
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Registry { code, status, .. } => {
                matches!(
                    code,
                    RegistryErrorCode::ManifestUnknown
                        | RegistryErrorCode::NameUnknown
                        | RegistryErrorCode::BlobUnknown
                ) || (*status == 404 && matches!(code, RegistryErrorCode::Other(s) if s.is_empty()))
            }
            Error::NotFound(_) => true,
            _ => false,
        }
    }

    /// Whether trying the same operation again may succeed (skopeo's `--retry-times` rules):
    /// network failures, registry overload (429, 5xx), and bytes that arrived damaged.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network(_) | Error::TooManyRequests { .. } => true,
            Error::DigestMismatch { .. } | Error::SizeMismatch { .. } => true,
            Error::Registry { status, code, .. } => {
                *status >= 500 || *status == 429 || matches!(code, RegistryErrorCode::TooManyRequests)
            }
            _ => false,
        }
    }

    /// The stable code for programs: `INVALID_REFERENCE`, `MANIFEST_UNKNOWN`, `DIGEST_MISMATCH`…
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Error::InvalidReference { .. } | Error::InvalidImageName { .. } => C::InvalidReference,
            Error::InvalidDigest { .. } => C::InvalidDigest,
            Error::InvalidManifest(_) | Error::ManifestTooLarge { .. } => C::ManifestInvalid,
            Error::InvalidConfig(_) => C::ConfigInvalid,
            Error::DigestMismatch { .. } | Error::SizeMismatch { .. } => C::DigestMismatch,
            Error::NoMatchingPlatform { .. } => C::NoMatchingPlatform,
            Error::Registry { code, status, .. } => code.error_code(*status),
            Error::Protocol { .. } => C::Protocol,
            Error::Auth(_) => C::Unauthorized,
            Error::TooManyRequests { .. } => C::TooManyRequests,
            Error::Network(_) | Error::Redirect { .. } => C::Network,
            Error::Cors(_) => C::Cors,
            Error::NotFound(_) => C::NotFound,
            Error::Io { .. } => C::Io,
            Error::Config(_) => C::Config,
            Error::Unsupported(_) => C::Unsupported,
            Error::InvalidLayer(_) => C::LayerInvalid,
            Error::Cancelled(_) => C::Cancelled,
            Error::Template(_) => C::InvalidFormat,
            Error::Sync(_) => C::SyncFailed,
            Error::Signature(_) => C::SignatureInvalid,
            Error::PolicyDenied { .. } => C::PolicyDenied,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statuses of the Worker's table before it moved here (`www/worker/errors.js`), and
    /// those of the trust codes added since; every other code is 500.
    const WORKER_STATUSES: [(&str, u16); 29] = [
        ("INVALID_REFERENCE", 400),
        ("SIGNATURE_INVALID", 502),
        ("POLICY_DENIED", 403),
        ("INVALID_DIGEST", 400),
        ("INVALID_FORMAT", 400),
        ("NAME_INVALID", 400),
        ("TAG_INVALID", 400),
        ("DIGEST_INVALID", 400),
        ("UNAUTHORIZED", 401),
        ("DENIED", 403),
        ("NOT_FOUND", 404),
        ("MANIFEST_UNKNOWN", 404),
        ("BLOB_UNKNOWN", 404),
        ("NAME_UNKNOWN", 404),
        ("NO_MATCHING_PLATFORM", 404),
        ("UNSUPPORTED", 405),
        ("TOO_MANY_REQUESTS", 429),
        ("CONFIG", 500),
        ("DIGEST_MISMATCH", 502),
        ("MANIFEST_INVALID", 502),
        ("CONFIG_INVALID", 502),
        ("PROTOCOL", 502),
        ("NETWORK", 502),
        ("REGISTRY_ERROR", 502),
        ("CANCELLED", 499),
        ("IO", 500),
        ("CORS", 500),
        ("LAYER_INVALID", 500),
        ("SYNC_FAILED", 500),
    ];

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert_eq!(code.to_string(), code.as_str());
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code.as_str().bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{code}");
        }
        assert_eq!(ErrorCode::parse("TOOMANYREQUESTS"), None, "the wire spelling is the registry's, not a code");
        assert_eq!(ErrorCode::parse("INTERNAL"), None);
        assert_eq!(ErrorCode::parse("manifest_unknown"), None);
    }

    #[test]
    fn typescript_union_lists_exactly_the_codes() {
        let union = ERROR_CODE_TS
            .split("export type ErrorCode =")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .expect("the ErrorCode union");
        let listed: Vec<&str> =
            union.split('|').map(|m| m.trim().trim_matches('"')).filter(|m| !m.is_empty()).collect();
        let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, all);
        assert!(union.split('|').all(|m| m.trim().is_empty() || m.trim().starts_with('"') && m.trim().ends_with('"')));
        assert!(ERROR_CODE_TS.contains("code: ErrorCode;"));
    }

    #[test]
    fn http_statuses_are_the_workers() {
        for &code in ErrorCode::ALL {
            let expected = WORKER_STATUSES.iter().find(|(c, _)| *c == code.as_str()).map_or(500, |(_, s)| *s);
            assert_eq!(code.http_status(), expected, "{code}");
        }
        for (code, _) in WORKER_STATUSES {
            assert!(ErrorCode::parse(code).is_some(), "{code} is a code");
        }
    }

    #[test]
    fn registry_errors_keep_their_codes() {
        let registry = |status: u16, code: &str| Error::Registry {
            status,
            code: RegistryErrorCode::from_wire(code),
            message: String::new(),
            url: "https://r/v2/".into(),
        };
        assert_eq!(registry(404, "MANIFEST_UNKNOWN").code(), ErrorCode::ManifestUnknown);
        assert_eq!(registry(404, "NAME_UNKNOWN").code(), "NAME_UNKNOWN");
        assert_eq!(registry(429, "TOOMANYREQUESTS").code(), "TOO_MANY_REQUESTS");
        assert_eq!(registry(400, "MANIFEST_BLOB_UNKNOWN").code(), ErrorCode::ManifestBlobUnknown);
        assert_eq!(registry(403, "DENIED").code(), ErrorCode::Denied);
        // A body without a code: the status says it.
        for (status, code) in [(401, "UNAUTHORIZED"), (403, "DENIED"), (404, "NOT_FOUND"), (429, "TOO_MANY_REQUESTS")] {
            assert_eq!(registry(status, "").code(), code, "{status}");
        }
        assert_eq!(registry(500, "").code(), ErrorCode::RegistryError);
        // A code the spec does not define is REGISTRY_ERROR; the message keeps the registry's word.
        let unknown = registry(503, "UNAVAILABLE");
        assert_eq!(unknown.code(), ErrorCode::RegistryError);
        assert!(unknown.to_string().starts_with("unavailable (HTTP 503)"), "{unknown}");
        // Every wire code the client knows maps to the code of the same name.
        for wire in ["BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_INVALID"]
            .into_iter()
            .chain([
                "MANIFEST_UNVERIFIED",
                "NAME_INVALID",
                "SIZE_INVALID",
                "TAG_INVALID",
                "UNAUTHORIZED",
                "UNSUPPORTED",
            ])
        {
            assert_eq!(registry(400, wire).code(), wire);
        }
    }

    #[test]
    fn every_error_has_its_code() {
        let io = || std::io::Error::other("x");
        let cases: Vec<(Error, &str)> = vec![
            (Error::InvalidReference { input: "x".into(), reason: "r".into() }, "INVALID_REFERENCE"),
            (Error::InvalidImageName { input: "x".into(), reason: "r".into() }, "INVALID_REFERENCE"),
            (Error::InvalidDigest { input: "x".into(), reason: "r".into() }, "INVALID_DIGEST"),
            (Error::InvalidManifest("m".into()), "MANIFEST_INVALID"),
            (Error::ManifestTooLarge { size: 2, limit: 1 }, "MANIFEST_INVALID"),
            (Error::InvalidConfig("c".into()), "CONFIG_INVALID"),
            (Error::DigestMismatch { what: "w".into(), expected: "e".into(), actual: "a".into() }, "DIGEST_MISMATCH"),
            (Error::SizeMismatch { what: "w".into(), expected: 1, actual: 2 }, "DIGEST_MISMATCH"),
            (
                Error::NoMatchingPlatform { kind: "k".into(), os: "o".into(), arch: "a".into(), variant: "".into() },
                "NO_MATCHING_PLATFORM",
            ),
            (Error::Protocol { url: "u".into(), reason: "r".into() }, "PROTOCOL"),
            (Error::Auth("a".into()), "UNAUTHORIZED"),
            (Error::TooManyRequests { url: "u".into(), retry_after_secs: 1 }, "TOO_MANY_REQUESTS"),
            (Error::Network("n".into()), "NETWORK"),
            (Error::Redirect { url: "u".into(), reason: "r".into() }, "NETWORK"),
            (Error::Cors("c".into()), "CORS"),
            (Error::NotFound("n".into()), "NOT_FOUND"),
            (Error::io("reading", io()), "IO"),
            (Error::Config("c".into()), "CONFIG"),
            (Error::Unsupported("u".into()), "UNSUPPORTED"),
            (Error::InvalidLayer("l".into()), "LAYER_INVALID"),
            (Error::Cancelled("c".into()), "CANCELLED"),
            (Error::Template("t".into()), "INVALID_FORMAT"),
            (Error::Sync("s".into()), "SYNC_FAILED"),
            (Error::Signature("s".into()), "SIGNATURE_INVALID"),
            (Error::PolicyDenied { image: "i".into(), requirement: "r".into(), reason: "why".into() }, "POLICY_DENIED"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code, "{error:?}");
        }
    }
}
