//! Manifest, config and layer media types: recognising a manifest's type from its bytes, and what
//! a layer's type says (whether it is a layer, how it is compressed, its type once recompressed).
//! Every other module names media types through the constants here.

use crate::error::{Error, Result};

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

/// OCI layer, an uncompressed tar.
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI layer, gzip-compressed.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI layer, zstd-compressed.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// OCI non-distributable layer, an uncompressed tar (deprecated by image-spec 1.1).
pub const OCI_NONDISTRIBUTABLE_LAYER: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
/// OCI non-distributable layer, gzip-compressed.
pub const OCI_NONDISTRIBUTABLE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
/// OCI non-distributable layer, zstd-compressed.
pub const OCI_NONDISTRIBUTABLE_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
/// Docker schema 2 layer, an uncompressed tar.
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// Docker schema 2 layer, gzip-compressed (also the type of every schema 1 layer).
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker schema 2 layer, zstd-compressed (containerd's name; Docker images cannot hold it).
pub const DOCKER_LAYER_ZSTD: &str = "application/vnd.docker.image.rootfs.diff.tar.zstd";
/// Docker foreign layer (fetched from its `urls`), an uncompressed tar.
pub const DOCKER_FOREIGN_LAYER: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar";
/// Docker foreign layer, gzip-compressed.
pub const DOCKER_FOREIGN_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// Every layer media type skopos knows, uncompressed, gzip and zstd of each family.
pub const LAYER_TYPES: [&str; 11] = [
    OCI_LAYER,
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    OCI_NONDISTRIBUTABLE_LAYER,
    OCI_NONDISTRIBUTABLE_LAYER_GZIP,
    OCI_NONDISTRIBUTABLE_LAYER_ZSTD,
    DOCKER_LAYER,
    DOCKER_LAYER_GZIP,
    DOCKER_LAYER_ZSTD,
    DOCKER_FOREIGN_LAYER,
    DOCKER_FOREIGN_LAYER_GZIP,
];

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

/// A layer compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Parses `--dest-compress-format` values.
    pub fn parse(value: &str) -> Result<Compression> {
        match value {
            "gzip" => Ok(Compression::Gzip),
            "zstd" => Ok(Compression::Zstd),
            other => Err(Error::Config(format!("unknown compression format {other:?} (use gzip or zstd)"))),
        }
    }

    /// Its name: `none`, `gzip` or `zstd` (what the npm package's `layerCompression` returns).
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// The uncompressed type of each layer family, and how the family spells a compression: OCI
/// types end in `+gzip`/`+zstd`, Docker's in `.gzip`/`.zstd`. No base is a prefix of another.
const LAYER_FAMILIES: [(&str, char); 4] =
    [(OCI_NONDISTRIBUTABLE_LAYER, '+'), (OCI_LAYER, '+'), (DOCKER_FOREIGN_LAYER, '.'), (DOCKER_LAYER, '.')];

/// The family base and compression of a layer media type, `None` for a type that is not a layer.
fn layer_parts(media_type: &str) -> Option<(&'static str, Compression)> {
    LAYER_FAMILIES.iter().find_map(|&(base, separator)| {
        let suffix = media_type.strip_prefix(base)?;
        let compression = match suffix.strip_prefix(separator) {
            None if suffix.is_empty() => Compression::None,
            Some("gzip") => Compression::Gzip,
            Some("zstd") => Compression::Zstd,
            _ => return None,
        };
        Some((base, compression))
    })
}

/// The compression a layer media type names, or `None` for a type that is not a layer.
pub fn compression_of(media_type: &str) -> Option<Compression> {
    layer_parts(media_type).map(|(_, compression)| compression)
}

/// Whether `media_type` is a layer's (OCI or Docker, distributable or not, any compression).
pub fn is_layer(media_type: &str) -> bool {
    layer_parts(media_type).is_some()
}

/// Whether `media_type` is a gzip-compressed layer's.
pub fn is_gzip_layer(media_type: &str) -> bool {
    compression_of(media_type) == Some(Compression::Gzip)
}

/// Whether `media_type` is a Docker foreign layer's, which stays where its `urls` point.
pub fn is_foreign_layer(media_type: &str) -> bool {
    layer_parts(media_type).is_some_and(|(base, _)| base == DOCKER_FOREIGN_LAYER)
}

/// The media type of a layer of `media_type` once stored with `compression`.
pub fn with_compression(media_type: &str, compression: Compression) -> Result<String> {
    let is_docker = media_type.starts_with("application/vnd.docker.");
    let base = LAYER_FAMILIES
        .iter()
        .map(|&(base, _)| base)
        .find(|b| media_type.starts_with(b))
        .ok_or_else(|| Error::Unsupported(format!("cannot change the compression of {media_type}")))?;
    Ok(match (is_docker, compression) {
        (_, Compression::None) => base.to_string(),
        (false, Compression::Gzip) => format!("{base}+gzip"),
        (false, Compression::Zstd) => format!("{base}+zstd"),
        (true, Compression::Gzip) => format!("{base}.gzip"),
        (true, Compression::Zstd) => {
            return Err(Error::Unsupported("Docker schema 2 images cannot hold zstd layers; add --format oci".into()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_type_is_a_layer_with_its_compression() {
        for media_type in LAYER_TYPES {
            let compression = compression_of(media_type).unwrap_or_else(|| panic!("{media_type} is a layer"));
            assert!(is_layer(media_type));
            let expected = if media_type.ends_with("gzip") {
                Compression::Gzip
            } else if media_type.ends_with("zstd") {
                Compression::Zstd
            } else {
                Compression::None
            };
            assert_eq!(compression, expected, "{media_type}");
            assert_eq!(is_gzip_layer(media_type), expected == Compression::Gzip, "{media_type}");
            assert_eq!(is_foreign_layer(media_type), media_type.contains(".foreign."), "{media_type}");
        }
    }

    #[test]
    fn manifests_configs_and_near_misses_are_not_layers() {
        let not_layers = [
            OCI_MANIFEST,
            OCI_INDEX,
            OCI_CONFIG,
            DOCKER_V2S2,
            DOCKER_LIST,
            DOCKER_V2S1,
            DOCKER_V2S1_SIGNED,
            DOCKER_CONFIG,
            "",
            "application/vnd.oci.image.layer.v1.tar.gzip",
            "application/vnd.oci.image.layer.v1.tar+bzip2",
            "application/vnd.docker.image.rootfs.diff.tar+gzip",
            "application/vnd.docker.image.rootfs.diff.targz",
            "application/vnd.oci.image.layer.v1.tar+gzip; charset=utf-8",
            "application/vnd.in-toto+json",
        ];
        for media_type in not_layers {
            assert_eq!(compression_of(media_type), None, "{media_type}");
            assert!(!is_layer(media_type) && !is_gzip_layer(media_type) && !is_foreign_layer(media_type));
        }
    }

    #[test]
    fn recompressed_types_stay_in_their_family() {
        assert_eq!(with_compression(OCI_LAYER_GZIP, Compression::Zstd).unwrap(), OCI_LAYER_ZSTD);
        assert_eq!(with_compression(OCI_LAYER_ZSTD, Compression::None).unwrap(), OCI_LAYER);
        assert_eq!(
            with_compression(OCI_NONDISTRIBUTABLE_LAYER, Compression::Gzip).unwrap(),
            OCI_NONDISTRIBUTABLE_LAYER_GZIP
        );
        assert_eq!(with_compression(DOCKER_LAYER, Compression::Gzip).unwrap(), DOCKER_LAYER_GZIP);
        assert_eq!(with_compression(DOCKER_FOREIGN_LAYER_GZIP, Compression::None).unwrap(), DOCKER_FOREIGN_LAYER);
        assert!(with_compression(DOCKER_LAYER_GZIP, Compression::Zstd).is_err());
        assert!(with_compression(OCI_CONFIG, Compression::Gzip).is_err());
        for media_type in LAYER_TYPES {
            for to in [Compression::None, Compression::Gzip, Compression::Zstd] {
                if let Ok(changed) = with_compression(media_type, to) {
                    assert_eq!(compression_of(&changed), Some(to), "{media_type} as {to:?}");
                }
            }
        }
    }

    #[test]
    fn compression_names() {
        assert_eq!(Compression::parse("gzip").unwrap(), Compression::Gzip);
        assert_eq!(Compression::parse("zstd").unwrap().name(), "zstd");
        assert_eq!(Compression::None.name(), "none");
        assert_eq!(Compression::parse("bzip2").unwrap_err().code(), "CONFIG");
    }
}
