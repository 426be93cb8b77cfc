//! Image configuration blobs (OCI and Docker), and their OCI form as skopeo prints it.
//!
//! [`OciImage`] mirrors the image-spec `v1.Image` structure field for field and in the same order,
//! with Go's `omitempty` rules, so that `inspect --config` prints what skopeo prints: the config
//! decoded into the OCI shape (dropping Docker-only fields) and encoded again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::go::time::normalize;

/// The image-spec image configuration.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct OciImage {
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "go_time")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub author: String,
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub variant: String,
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub os_version: String,
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub os_features: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub config: RuntimeConfig,
    #[serde(default, deserialize_with = "null_default")]
    pub rootfs: RootFs,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub history: Vec<History>,
}

/// The `config` part: how to run the image.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct RuntimeConfig {
    #[serde(rename = "User", default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub user: String,
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub exposed_ports: BTreeMap<String, Empty>,
    #[serde(rename = "Env", default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub env: Vec<String>,
    #[serde(rename = "Entrypoint", default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub entrypoint: Vec<String>,
    #[serde(rename = "Cmd", default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub cmd: Vec<String>,
    #[serde(
        rename = "Volumes",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub volumes: BTreeMap<String, Empty>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub working_dir: String,
    #[serde(rename = "Labels", default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub stop_signal: String,
    #[serde(rename = "ArgsEscaped", default, skip_serializing_if = "is_false", deserialize_with = "null_default")]
    pub args_escaped: bool,
}

/// An empty JSON object (`{}`), the value type of `ExposedPorts` and `Volumes`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Empty {}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Empty {})
    }
}

/// The layers' uncompressed digests.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct RootFs {
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

/// One build step.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "go_time")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "null_default")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "is_false", deserialize_with = "null_default")]
    pub empty_layer: bool,
}

/// The fields of a config that only Docker images carry and `inspect` reports.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DockerExtras {
    #[serde(default, deserialize_with = "null_default")]
    pub docker_version: String,
}

impl OciImage {
    /// Decodes a config blob (OCI or Docker) into the OCI shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<OciImage> {
        serde_json::from_slice(bytes).map_err(|e| Error::InvalidConfig(e.to_string()))
    }
}

impl DockerExtras {
    /// Reads the Docker-only fields of a config blob (absent fields are empty).
    pub fn from_bytes(bytes: &[u8]) -> Result<DockerExtras> {
        serde_json::from_slice(bytes).map_err(|e| Error::InvalidConfig(e.to_string()))
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn go_time<S: Serializer>(value: &Option<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(t) => s.serialize_str(&normalize(t)),
        None => s.serialize_none(),
    }
}

/// JSON `null` decodes to the type's default, as Go leaves a field at its zero value.
fn null_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
