//! Manifest and config media types, and recognising a manifest's type from its bytes.

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image configuration.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_V2S2: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest, schema 1, unsigned.
pub const DOCKER_V2S1: &str = "application/vnd.docker.distribution.manifest.v1+json";
/// Docker image manifest, schema 1, signed (pretty JWS).
pub const DOCKER_V2S1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// Docker image configuration.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";

/// The `Accept` header value a client sends to get any manifest kind skopos understands.
pub const ACCEPT_ALL: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws, application/vnd.docker.distribution.manifest.v1+json";

/// The kinds of manifest skopos decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ManifestKind {
    OciManifest,
    OciIndex,
    DockerV2S2,
    DockerList,
    DockerV2S1,
    DockerV2S1Signed,
}

impl ManifestKind {
    /// The kind for a (normalised) media type, if it is a manifest type.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Some(match normalize(media_type) {
            OCI_MANIFEST => ManifestKind::OciManifest,
            OCI_INDEX => ManifestKind::OciIndex,
            DOCKER_V2S2 => ManifestKind::DockerV2S2,
            DOCKER_LIST => ManifestKind::DockerList,
            DOCKER_V2S1 => ManifestKind::DockerV2S1,
            DOCKER_V2S1_SIGNED => ManifestKind::DockerV2S1Signed,
            _ => return None,
        })
    }

    /// The media type of this kind.
    pub fn media_type(self) -> &'static str {
        match self {
            ManifestKind::OciManifest => OCI_MANIFEST,
            ManifestKind::OciIndex => OCI_INDEX,
            ManifestKind::DockerV2S2 => DOCKER_V2S2,
            ManifestKind::DockerList => DOCKER_LIST,
            ManifestKind::DockerV2S1 => DOCKER_V2S1,
            ManifestKind::DockerV2S1Signed => DOCKER_V2S1_SIGNED,
        }
    }

    /// Whether this kind lists other manifests (an index or a manifest list).
    pub fn is_index(self) -> bool {
        matches!(self, ManifestKind::OciIndex | ManifestKind::DockerList)
    }
}

/// Strips parameters and whitespace from a Content-Type value: `a/b; charset=utf-8` → `a/b`.
pub fn normalize(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Whether a Content-Type says nothing useful about the manifest kind, so the bytes must be sniffed.
pub fn is_generic(content_type: &str) -> bool {
    matches!(
        normalize(content_type),
        "" | "application/json" | "text/plain" | "application/octet-stream" | "binary/octet-stream"
    )
}

/// Recognises a manifest's kind from its bytes, as containers/image's `GuessMIMEType` does.
///
/// Returns `None` for bytes that are not JSON or not a known manifest shape.
pub fn sniff(bytes: &[u8]) -> Option<ManifestKind> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
        #[serde(rename = "schemaVersion", default)]
        schema_version: Option<i64>,
        #[serde(default)]
        signatures: Option<serde_json::Value>,
        #[serde(default)]
        config: Option<ConfigProbe>,
        #[serde(default)]
        manifests: Option<Vec<DescriptorProbe>>,
    }
    #[derive(serde::Deserialize)]
    struct ConfigProbe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct DescriptorProbe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
    }

    let probe: Probe = serde_json::from_slice(bytes).ok()?;
    if let Some(kind) = probe.media_type.as_deref().and_then(ManifestKind::from_media_type) {
        if !matches!(kind, ManifestKind::DockerV2S1 | ManifestKind::DockerV2S1Signed) {
            return Some(kind);
        }
    }
    match probe.schema_version? {
        1 => Some(match probe.signatures {
            Some(serde_json::Value::Null) | None => ManifestKind::DockerV2S1,
            Some(_) => ManifestKind::DockerV2S1Signed,
        }),
        2 => {
            if let Some(config) = &probe.config {
                return Some(match config.media_type.as_deref() {
                    Some(DOCKER_CONFIG) => ManifestKind::DockerV2S2,
                    _ => ManifestKind::OciManifest,
                });
            }
            if let Some(manifests) = &probe.manifests {
                let first = manifests.first().and_then(|d| d.media_type.as_deref());
                return Some(match first {
                    Some(DOCKER_V2S2) | Some(DOCKER_V2S1) | Some(DOCKER_V2S1_SIGNED) => ManifestKind::DockerList,
                    _ => ManifestKind::OciIndex,
                });
            }
            None
        }
        _ => None,
    }
}

/// Decides a manifest's kind from the Content-Type it came with and its bytes.
///
/// A specific manifest Content-Type wins; a missing or generic one (`application/json`…) means
/// the bytes are sniffed.
pub fn detect(content_type: Option<&str>, bytes: &[u8]) -> Option<ManifestKind> {
    match content_type {
        Some(ct) if !is_generic(ct) => ManifestKind::from_media_type(ct).or_else(|| sniff(bytes)),
        _ => sniff(bytes),
    }
}
