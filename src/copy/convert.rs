//! Manifest format conversion for `copy --format oci|v2s2`, as containers/image converts:
//! OCI → Docker schema 2 keeps the config blob and renames media types; Docker schema 2 → OCI
//! re-encodes the config in the OCI shape (a new config blob). Both write the manifest the way
//! Go's `json.Marshal` writes the upstream structs, so results match skopeo's byte for byte.

use serde::Serialize;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::image::config::OciImage;
use crate::image::BlobInfo;
use crate::manifest::media_type::{self, ManifestKind};
use crate::manifest::{Descriptor, Manifest};
use crate::output::json::to_go_json_compact;

/// A manifest format to convert to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFormat {
    /// OCI image manifest.
    Oci,
    /// Docker image manifest, schema 2.
    V2s2,
}

impl TargetFormat {
    /// Parses skopeo's `--format` values.
    pub fn parse(value: &str) -> Result<TargetFormat> {
        match value {
            "oci" => Ok(TargetFormat::Oci),
            "v2s2" => Ok(TargetFormat::V2s2),
            "v2s1" => Err(Error::Unsupported("converting to Docker schema 1 (v2s1) is not supported".into())),
            other => Err(Error::Config(format!("unknown manifest format {other:?} (use oci or v2s2)"))),
        }
    }

    /// The format that produces manifests of `kind`.
    pub fn for_kind(kind: ManifestKind) -> TargetFormat {
        match kind {
            ManifestKind::DockerV2S2
            | ManifestKind::DockerList
            | ManifestKind::DockerV2S1
            | ManifestKind::DockerV2S1Signed => TargetFormat::V2s2,
            ManifestKind::OciManifest | ManifestKind::OciIndex => TargetFormat::Oci,
        }
    }

    fn kind(self) -> ManifestKind {
        match self {
            TargetFormat::Oci => ManifestKind::OciManifest,
            TargetFormat::V2s2 => ManifestKind::DockerV2S2,
        }
    }
}

/// A converted manifest, and the new config blob it needs, if any.
#[derive(Debug, Clone)]
pub struct Converted {
    pub raw: Vec<u8>,
    pub media_type: &'static str,
    pub new_config: Option<(BlobInfo, Vec<u8>)>,
}

/// A descriptor as Docker schema 2 (containers/image `Schema2Descriptor`) serializes it.
#[derive(Serialize)]
pub(crate) struct DockerDescriptor<'a> {
    #[serde(rename = "mediaType")]
    pub media_type: &'a str,
    pub size: i64,
    pub digest: &'a Digest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<&'a Vec<String>>,
}

/// A Docker schema 2 manifest as containers/image `Schema2` serializes it.
#[derive(Serialize)]
pub(crate) struct DockerManifest<'a> {
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    #[serde(rename = "mediaType")]
    pub media_type: &'a str,
    pub config: DockerDescriptor<'a>,
    pub layers: Vec<DockerDescriptor<'a>>,
}

#[derive(Serialize)]
struct OciDescriptor<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    digest: &'a Digest,
    size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    urls: Option<&'a Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<&'a std::collections::BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct OciManifest<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: i64,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    config: OciDescriptor<'a>,
    layers: Vec<OciDescriptor<'a>>,
}

/// Converts an image manifest to `target`; `None` when it is already in that format.
///
/// `config` is the image's config blob (needed to convert to OCI).
pub fn convert_manifest(manifest: &Manifest, config: Option<&[u8]>, target: TargetFormat) -> Result<Option<Converted>> {
    if manifest.kind() == target.kind() {
        return Ok(None);
    }
    let image = manifest.as_image().ok_or_else(|| {
        Error::Unsupported(format!(
            "cannot convert a {} manifest to {}",
            manifest.media_type(),
            target.kind().media_type()
        ))
    })?;
    match target {
        TargetFormat::V2s2 => {
            let layers = image
                .layers
                .iter()
                .map(|l| {
                    Ok(DockerDescriptor {
                        media_type: oci_layer_to_docker(&l.media_type)?,
                        size: l.size,
                        digest: &l.digest,
                        urls: l.urls.as_ref(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let doc = DockerManifest {
                schema_version: 2,
                media_type: media_type::DOCKER_V2S2,
                config: DockerDescriptor {
                    media_type: media_type::DOCKER_CONFIG,
                    size: image.config.size,
                    digest: &image.config.digest,
                    urls: None,
                },
                layers,
            };
            Ok(Some(Converted {
                raw: to_go_json_compact(&doc).into_bytes(),
                media_type: media_type::DOCKER_V2S2,
                new_config: None,
            }))
        }
        TargetFormat::Oci => {
            let config =
                config.ok_or_else(|| Error::InvalidConfig("the image config is needed to convert to OCI".into()))?;
            let config_bytes = to_go_json_compact(&OciImage::from_bytes(config)?).into_bytes();
            let config_digest = Digest::sha256(&config_bytes);
            let layers = image
                .layers
                .iter()
                .map(|l: &Descriptor| {
                    Ok(OciDescriptor {
                        media_type: docker_layer_to_oci(&l.media_type)?,
                        digest: &l.digest,
                        size: l.size,
                        urls: l.urls.as_ref(),
                        annotations: l.annotations.as_ref(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let doc = OciManifest {
                schema_version: 2,
                media_type: media_type::OCI_MANIFEST,
                config: OciDescriptor {
                    media_type: media_type::OCI_CONFIG,
                    digest: &config_digest,
                    size: config_bytes.len() as i64,
                    urls: None,
                    annotations: None,
                },
                layers,
            };
            let raw = to_go_json_compact(&doc).into_bytes();
            let info = BlobInfo {
                digest: config_digest.clone(),
                size: Some(config_bytes.len() as u64),
                media_type: media_type::OCI_CONFIG.into(),
            };
            Ok(Some(Converted { raw, media_type: media_type::OCI_MANIFEST, new_config: Some((info, config_bytes)) }))
        }
    }
}

fn oci_layer_to_docker(media_type: &str) -> Result<&'static str> {
    use media_type::*;
    Ok(match media_type {
        OCI_LAYER_GZIP | DOCKER_LAYER_GZIP => DOCKER_LAYER_GZIP,
        OCI_LAYER | DOCKER_LAYER => DOCKER_LAYER,
        OCI_NONDISTRIBUTABLE_LAYER_GZIP | DOCKER_FOREIGN_LAYER_GZIP => DOCKER_FOREIGN_LAYER_GZIP,
        other => {
            return Err(Error::Unsupported(format!(
                "layers of type {other} cannot be stored in a Docker schema 2 image"
            )))
        }
    })
}

/// The OCI media type of a (Docker or OCI) layer media type.
pub(crate) fn docker_layer_to_oci(media_type: &str) -> Result<&'static str> {
    use media_type::*;
    Ok(match media_type {
        DOCKER_LAYER_GZIP | OCI_LAYER_GZIP => OCI_LAYER_GZIP,
        DOCKER_LAYER | OCI_LAYER => OCI_LAYER,
        DOCKER_FOREIGN_LAYER_GZIP | OCI_NONDISTRIBUTABLE_LAYER_GZIP => OCI_NONDISTRIBUTABLE_LAYER_GZIP,
        OCI_LAYER_ZSTD => OCI_LAYER_ZSTD,
        other => return Err(Error::Unsupported(format!("layers of type {other} cannot be converted to OCI"))),
    })
}
