//! The one error type of the library.
//!
//! Every fallible function in skopos returns [`Error`]. Each variant renders as one line that
//! names what was wrong, and [`Error::code`] gives a stable machine-readable code shared by the
//! CLI (exit codes), the npm package (`error.code`) and the edge worker (JSON errors).

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

impl fmt::Display for RegistryErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_wire())
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

    /// A stable code for programs: `INVALID_REFERENCE`, `MANIFEST_UNKNOWN`, `DIGEST_MISMATCH`…
    pub fn code(&self) -> &str {
        match self {
            Error::InvalidReference { .. } | Error::InvalidImageName { .. } => "INVALID_REFERENCE",
            Error::InvalidDigest { .. } => "INVALID_DIGEST",
            Error::InvalidManifest(_) | Error::ManifestTooLarge { .. } => "MANIFEST_INVALID",
            Error::InvalidConfig(_) => "CONFIG_INVALID",
            Error::DigestMismatch { .. } | Error::SizeMismatch { .. } => "DIGEST_MISMATCH",
            Error::NoMatchingPlatform { .. } => "NO_MATCHING_PLATFORM",
            Error::Registry { code, status, .. } => match code {
                RegistryErrorCode::Other(s) if s.is_empty() => match status {
                    401 => "UNAUTHORIZED",
                    403 => "DENIED",
                    404 => "NOT_FOUND",
                    429 => "TOO_MANY_REQUESTS",
                    _ => "REGISTRY_ERROR",
                },
                RegistryErrorCode::TooManyRequests => "TOO_MANY_REQUESTS",
                other => other.as_wire(),
            },
            Error::Protocol { .. } => "PROTOCOL",
            Error::Auth(_) => "UNAUTHORIZED",
            Error::TooManyRequests { .. } => "TOO_MANY_REQUESTS",
            Error::Network(_) | Error::Redirect { .. } => "NETWORK",
            Error::Cors(_) => "CORS",
            Error::NotFound(_) => "NOT_FOUND",
            Error::Io { .. } => "IO",
            Error::Config(_) => "CONFIG",
            Error::Unsupported(_) => "UNSUPPORTED",
            Error::InvalidLayer(_) => "LAYER_INVALID",
            Error::Cancelled(_) => "CANCELLED",
            Error::Template(_) => "INVALID_FORMAT",
            Error::Sync(_) => "SYNC_FAILED",
        }
    }
}
