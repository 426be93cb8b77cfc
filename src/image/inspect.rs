//! `inspect`: the summary of an image that `skopeo inspect` prints, built from any [`ImageSource`].
//!
//! [`InspectOutput`] serializes to skopeo's JSON field for field and in the same order; the CLI,
//! the npm package and the edge worker all print this one structure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::config::{DockerExtras, OciImage};
use super::source::{blob_bytes, ImageSource};
use crate::digest::Digest;
use crate::error::{Error, ErrorCode, Result};
use crate::go::time::normalize;
use crate::manifest::{media_type, ImageManifest, Parsed, Schema1Manifest, WantedPlatform};
use crate::registry::FetchedManifest;

/// The largest config blob read (as containers/image).
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// One layer in `LayersData`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LayerData {
    #[serde(rename = "MIMEType")]
    pub mime_type: String,
    #[serde(rename = "Digest")]
    pub digest: String,
    #[serde(rename = "Size")]
    pub size: i64,
    #[serde(rename = "Annotations")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// skopeo's inspect document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InspectOutput {
    #[serde(rename = "Name", skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "Digest")]
    pub digest: String,
    #[serde(rename = "RepoTags")]
    pub repo_tags: Vec<String>,
    #[serde(rename = "Created")]
    pub created: Option<String>,
    #[serde(rename = "DockerVersion")]
    pub docker_version: String,
    #[serde(rename = "Labels")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(rename = "Architecture")]
    pub architecture: String,
    #[serde(rename = "Os")]
    pub os: String,
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
    #[serde(rename = "LayersData")]
    pub layers_data: Vec<LayerData>,
    #[serde(rename = "Env")]
    pub env: Option<Vec<String>>,
}

/// An image resolved down to one platform: its top-level manifest, the per-platform manifest
/// (the same one unless the top is an index) and the config blob.
pub struct ResolvedImage {
    pub top: FetchedManifest,
    pub instance: FetchedManifest,
    pub config: Option<Vec<u8>>,
}

/// Reads the top manifest, picks the platform's instance from an index, and reads the config.
pub async fn resolve<S: ImageSource>(source: &S, platform: &WantedPlatform) -> Result<ResolvedImage> {
    let top = source.manifest(None).await?;
    let instance = if top.manifest.kind().is_index() {
        let chosen = top.manifest.choose_instance(platform)?.digest.clone();
        let instance = source.manifest(Some(&chosen)).await?;
        if instance.manifest.kind().is_index() {
            return Err(Error::Unsupported(format!("index {chosen} points to another index for the platform")));
        }
        instance
    } else {
        top.clone()
    };
    let config = match instance.manifest.as_image() {
        Some(image) => Some(blob_bytes(source, &image.config.digest, MAX_CONFIG_SIZE).await?),
        None => None,
    };
    Ok(ResolvedImage { top, instance, config })
}

/// Builds the inspect document for a resolved image.
pub fn summarize(image: &ResolvedImage, name: Option<String>, repo_tags: Vec<String>) -> Result<InspectOutput> {
    let mut out = InspectOutput {
        name: name.unwrap_or_default(),
        digest: image.top.digest.to_string(),
        repo_tags,
        created: None,
        docker_version: String::new(),
        labels: None,
        architecture: String::new(),
        os: String::new(),
        layers: Vec::new(),
        layers_data: Vec::new(),
        env: None,
    };
    match image.instance.manifest.parsed() {
        Parsed::Image(manifest) => fill_from_config(&mut out, manifest, image.config.as_deref().unwrap_or(b"{}"))?,
        Parsed::Schema1(manifest) => fill_from_schema1(&mut out, manifest)?,
        Parsed::Index(_) => return Err(Error::Unsupported("cannot inspect an index as an image".into())),
    }
    Ok(out)
}

/// The repository's tags for an inspect document: `Ok(None)` when the registry refuses to list
/// them (`DENIED`), which, as in skopeo, does not stop the inspect.
pub async fn tags_unless_denied<S: ImageSource>(source: &S) -> Result<Option<Vec<String>>> {
    match source.repository_tags().await {
        Ok(tags) => Ok(Some(tags.unwrap_or_default())),
        Err(e) if e.code() == ErrorCode::Denied => Ok(None),
        Err(e) => Err(e),
    }
}

/// Resolves and summarizes in one go, listing the repository's tags when `with_tags` (none when
/// the registry refuses to list them).
pub async fn inspect<S: ImageSource>(source: &S, platform: &WantedPlatform, with_tags: bool) -> Result<InspectOutput> {
    let image = resolve(source, platform).await?;
    let tags = if with_tags { tags_unless_denied(source).await?.unwrap_or_default() } else { Vec::new() };
    summarize(&image, source.docker_name(), tags)
}

fn fill_from_config(out: &mut InspectOutput, manifest: &ImageManifest, config: &[u8]) -> Result<()> {
    let oci = OciImage::from_bytes(config)?;
    let extras = DockerExtras::from_bytes(config)?;
    out.created = oci.created.as_deref().map(normalize);
    out.docker_version = extras.docker_version;
    out.labels = Some(oci.config.labels).filter(|l| !l.is_empty());
    out.architecture = oci.architecture;
    out.os = oci.os;
    out.env = Some(oci.config.env).filter(|e| !e.is_empty());
    out.layers = manifest.layers.iter().map(|l| l.digest.to_string()).collect();
    out.layers_data = manifest
        .layers
        .iter()
        .map(|l| LayerData {
            mime_type: l.media_type.clone(),
            digest: l.digest.to_string(),
            size: l.size,
            annotations: l.annotations.clone(),
        })
        .collect();
    Ok(())
}

fn fill_from_schema1(out: &mut InspectOutput, manifest: &Schema1Manifest) -> Result<()> {
    #[derive(serde::Deserialize, Default)]
    struct V1Compat {
        #[serde(default)]
        created: Option<String>,
        #[serde(default)]
        docker_version: Option<String>,
        #[serde(default)]
        architecture: Option<String>,
        #[serde(default)]
        os: Option<String>,
        #[serde(default)]
        config: Option<V1Config>,
        #[serde(default)]
        throwaway: bool,
    }
    #[derive(serde::Deserialize, Default)]
    struct V1Config {
        #[serde(rename = "Labels", default)]
        labels: Option<BTreeMap<String, String>>,
        #[serde(rename = "Env", default)]
        env: Option<Vec<String>>,
    }
    let parse = |s: &str| -> Result<V1Compat> {
        serde_json::from_str(s).map_err(|e| Error::InvalidManifest(format!("schema 1 v1Compatibility: {e}")))
    };
    let top = match manifest.history.first() {
        Some(h) => parse(&h.v1_compatibility)?,
        None => V1Compat::default(),
    };
    out.created = top.created.as_deref().map(normalize);
    out.docker_version = top.docker_version.unwrap_or_default();
    out.architecture = top.architecture.unwrap_or_else(|| manifest.architecture.clone());
    out.os = top.os.unwrap_or_default();
    if let Some(config) = top.config {
        out.labels = config.labels;
        out.env = config.env;
    }
    // fsLayers are newest first; throwaway (empty) layers are not image layers.
    for (i, layer) in manifest.fs_layers.iter().enumerate().rev() {
        let throwaway =
            manifest.history.get(i).map(|h| parse(&h.v1_compatibility)).transpose()?.is_some_and(|h| h.throwaway);
        if throwaway {
            continue;
        }
        out.layers.push(layer.blob_sum.to_string());
        out.layers_data.push(LayerData {
            mime_type: media_type::DOCKER_LAYER_GZIP.into(),
            digest: layer.blob_sum.to_string(),
            size: -1,
            annotations: None,
        });
    }
    Ok(())
}

/// The OCI form of a resolved image's config (`inspect --config`).
pub fn oci_config(image: &ResolvedImage) -> Result<OciImage> {
    match (&image.config, image.instance.manifest.parsed()) {
        (Some(bytes), _) => OciImage::from_bytes(bytes),
        (None, _) => Err(Error::Unsupported("this image has no config blob (schema 1)".into())),
    }
}

/// The top-level manifest digest of a resolved image.
pub fn top_digest(image: &ResolvedImage) -> &Digest {
    &image.top.digest
}
