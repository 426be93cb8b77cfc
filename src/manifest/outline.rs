//! A manifest's parts in one shape whatever its kind, for a face that shows manifests: whether
//! it is an image, an index or a schema 1 manifest, and its config, layers and index entries as
//! uniform descriptors (the npm package's `getManifest` `kind`, `config`, `layers` and
//! `manifests`, and the entry `choosePlatform` picks).
//!
//! Schema 1 layers (`fsLayers`, newest first) come base first, as an image manifest lists them,
//! with the Docker gzip layer type and no size; an index entry says whether it is an attestation.

use std::collections::BTreeMap;

use serde::Serialize;

use super::platform::is_attestation;
use super::types::{Descriptor, Platform};
use super::{Manifest, Parsed};

/// The media type schema 1 layers have (their manifest names none).
const SCHEMA1_LAYER: &str = super::media_type::DOCKER_LAYER_GZIP;

/// What a manifest is, in the terms a page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// An OCI image manifest or Docker schema 2: a config and layers.
    Image,
    /// An OCI index or Docker manifest list: other manifests.
    Index,
    /// Docker schema 1, signed or not: layers, no config blob.
    Schema1,
}

/// A platform as the package reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformView {
    /// `linux`, `windows`…
    pub os: String,
    /// `amd64`, `arm64`…
    pub architecture: String,
    /// `v7`, `v8`…, if any.
    pub variant: Option<String>,
    /// The Windows build, if any.
    #[serde(rename = "os.version")]
    pub os_version: Option<String>,
}

impl From<&Platform> for PlatformView {
    fn from(p: &Platform) -> Self {
        PlatformView {
            os: p.os.clone(),
            architecture: p.architecture.clone(),
            variant: p.variant.clone(),
            os_version: p.os_version.clone(),
        }
    }
}

/// A descriptor of a config, layer or index entry, the same for every manifest kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorView {
    /// The media type (empty when the manifest names none).
    pub media_type: String,
    /// `sha256:…`.
    pub digest: String,
    /// Bytes; `None` for schema 1 layers, whose manifest does not say.
    pub size: Option<i64>,
    /// An index entry's platform.
    pub platform: Option<PlatformView>,
    /// The descriptor's annotations.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Whether an index entry is an attestation rather than a runnable image.
    pub attestation: bool,
}

impl From<&Descriptor> for DescriptorView {
    fn from(d: &Descriptor) -> Self {
        DescriptorView {
            media_type: d.media_type.clone(),
            digest: d.digest.to_string(),
            size: Some(d.size),
            platform: d.platform.as_ref().map(PlatformView::from),
            annotations: d.annotations.clone(),
            attestation: is_attestation(d),
        }
    }
}

/// A manifest's kind and descriptors; see the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outline {
    /// Image, index or schema 1.
    pub kind: Shape,
    /// The config blob of an image; `None` for an index or schema 1.
    pub config: Option<DescriptorView>,
    /// The layers, base first; empty for an index.
    pub layers: Vec<DescriptorView>,
    /// The entries of an index; empty otherwise.
    pub manifests: Vec<DescriptorView>,
}

impl Manifest {
    /// The manifest's kind and descriptors.
    pub fn outline(&self) -> Outline {
        let views = |ds: &[Descriptor]| ds.iter().map(DescriptorView::from).collect::<Vec<_>>();
        match self.parsed() {
            Parsed::Image(m) => Outline {
                kind: Shape::Image,
                config: Some(DescriptorView::from(&m.config)),
                layers: views(&m.layers),
                manifests: Vec::new(),
            },
            Parsed::Index(i) => {
                Outline { kind: Shape::Index, config: None, layers: Vec::new(), manifests: views(&i.manifests) }
            }
            Parsed::Schema1(m) => Outline {
                kind: Shape::Schema1,
                config: None,
                layers: m
                    .fs_layers
                    .iter()
                    .rev()
                    .map(|l| DescriptorView {
                        media_type: SCHEMA1_LAYER.to_string(),
                        digest: l.blob_sum.to_string(),
                        size: None,
                        platform: None,
                        annotations: None,
                        attestation: false,
                    })
                    .collect(),
                manifests: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::WantedPlatform;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/manifests");

    fn fixture(name: &str) -> Manifest {
        let raw = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
        Manifest::decode(raw, None).unwrap()
    }

    #[test]
    fn an_image_has_a_config_and_layers() {
        let outline = fixture("containers-image__ociv1.manifest.json").outline();
        assert_eq!(outline.kind, Shape::Image);
        let config = outline.config.unwrap();
        assert_eq!(config.media_type, "application/vnd.oci.image.config.v1+json");
        assert_eq!(config.digest, "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7");
        assert_eq!(config.size, Some(7023));
        let sizes: Vec<Option<i64>> = outline.layers.iter().map(|l| l.size).collect();
        assert_eq!(sizes, [Some(32654), Some(16724), Some(73109)]);
        assert!(outline.layers.iter().all(|l| l.media_type == "application/vnd.oci.image.layer.v1.tar+gzip"));
        assert!(outline.manifests.is_empty());
        assert_eq!(fixture("containers-image__v2s2.manifest.json").outline().kind, Shape::Image);
    }

    #[test]
    fn an_index_has_entries_with_platforms_and_attestations_marked() {
        for name in ["containers-image__ociv1.image.index.json", "containers-image__v2list.manifest.json"] {
            let outline = fixture(name).outline();
            assert_eq!((outline.kind, outline.config.is_none(), outline.layers.is_empty()), (Shape::Index, true, true));
            assert!(outline.manifests.iter().all(|m| m.platform.is_some() && !m.attestation), "{name}");
            assert_eq!(outline.manifests[1].platform.as_ref().unwrap().architecture, "amd64", "{name}");
        }
        let raw = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa","platform":{"os":"linux","architecture":"arm","variant":"v7"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":2,"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}"#;
        let outline = Manifest::decode(raw.to_vec(), None).unwrap().outline();
        let marks: Vec<bool> = outline.manifests.iter().map(|m| m.attestation).collect();
        assert_eq!(marks, [false, true]);
        let platform = outline.manifests[0].platform.clone().unwrap();
        assert_eq!((platform.variant.as_deref(), platform.os_version), (Some("v7"), None));
    }

    #[test]
    fn schema1_layers_come_base_first_without_sizes() {
        let raw = br#"{"schemaVersion":1,"name":"a/b","tag":"t","architecture":"amd64","fsLayers":[
            {"blobSum":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},
            {"blobSum":"sha256:2222222222222222222222222222222222222222222222222222222222222222"}],"history":[]}"#;
        let outline = Manifest::decode(raw.to_vec(), None).unwrap().outline();
        assert_eq!((outline.kind, outline.config), (Shape::Schema1, None));
        let digests: Vec<&str> = outline.layers.iter().map(|l| &l.digest[7..8]).collect();
        assert_eq!(digests, ["2", "1"]);
        assert!(outline.layers.iter().all(|l| l.size.is_none() && l.media_type == SCHEMA1_LAYER));
        assert_eq!(fixture("containers-image__v2s1-unsigned.manifest.json").outline().layers.len(), 3);
    }

    #[test]
    fn the_entry_chosen_for_a_platform_is_reported_alike() {
        let index = fixture("containers-image__ociv1.image.index.json");
        let wanted = WantedPlatform::with_overrides(Some("linux"), Some("ppc64le"), None);
        let chosen = DescriptorView::from(index.choose_instance(&wanted).unwrap());
        assert_eq!(chosen, index.outline().manifests[0]);
        let serialized = serde_json::to_value(&chosen).unwrap();
        assert_eq!(serialized["platform"]["os.version"], serde_json::Value::Null);
        assert_eq!(serialized["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    }
}
