//! Test images: OCI image layouts generated from Rust, pushed to a [`Registry`] with skopeo.
//!
//! skopos never writes in these tests: seeding is skopeo's job (and plain HTTP PUTs for extra
//! tags), so what skopos reads is what skopeo wrote.

use super::http;
use super::registry::Registry;
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Labels whose values need escaping in JSON and templates (`<`, `&`, `>`) or are not ASCII.
pub fn tricky_labels() -> Vec<(&'static str, &'static str)> {
    vec![
        ("maintainer", "Skopos Tests <tests@example.com>"),
        ("org.example.html", "<b>bold</b> & \"quoted\""),
        ("org.example.unicode", "héllo wörld ✓ 日本語"),
    ]
}

/// What goes into one generated image.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub labels: Vec<(String, String)>,
    /// Each inner list is one layer: (path in the tar, content).
    pub layers: Vec<Vec<(String, Vec<u8>)>>,
}

impl ImageSpec {
    /// A linux image for `architecture` with two layers of known files and [`tricky_labels`].
    pub fn linux(architecture: &str, variant: Option<&str>) -> ImageSpec {
        ImageSpec {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(str::to_string),
            labels: tricky_labels().into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            layers: vec![
                vec![
                    ("etc/hello.txt".into(), b"hello from skopos tests\n".to_vec()),
                    ("bin/tool".into(), format!("#!/bin/sh\necho {architecture}\n").into_bytes()),
                ],
                vec![("app/data.json".into(), br#"{"answer": 42}"#.to_vec())],
            ],
        }
    }
}

/// sha256 digest string (`sha256:hex`) of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// An uncompressed tar of `files` with fixed metadata, so digests are reproducible.
pub fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(if path.starts_with("bin/") { 0o755 } else { 0o644 });
        header.set_mtime(1_700_000_000);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        builder.append_data(&mut header, path, content.as_slice()).unwrap();
    }
    builder.into_inner().unwrap()
}

/// gzip of `bytes` (no timestamp in the header, so reproducible).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// An OCI image layout in a temporary directory.
pub struct OciLayout {
    dir: TempDir,
    /// Entries of index.json.
    refs: Vec<Value>,
}

impl OciLayout {
    /// An empty layout (`oci-layout` written, no blobs, empty index).
    pub fn new() -> OciLayout {
        let dir = TempDir::new().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(dir.path().join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        let layout = OciLayout { dir, refs: Vec::new() };
        layout.write_index();
        layout
    }

    /// The layout directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Stores `bytes` as a blob and returns its descriptor with `media_type`.
    pub fn put_blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = sha256(bytes);
        let hex = digest.strip_prefix("sha256:").unwrap();
        std::fs::write(self.path().join("blobs/sha256").join(hex), bytes).unwrap();
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// Writes the layers, config and manifest of `spec`; returns the manifest descriptor
    /// (with a `platform`).
    pub fn add_image(&self, spec: &ImageSpec) -> Value {
        let mut layers = Vec::new();
        let mut diff_ids = Vec::new();
        for files in &spec.layers {
            let tar = tar_of(files);
            diff_ids.push(sha256(&tar));
            layers.push(self.put_blob(OCI_LAYER_GZIP, &gzip(&tar)));
        }
        let config = image_config(spec, &diff_ids);
        let config_desc = self.put_blob(OCI_CONFIG, &serde_json::to_vec(&config).unwrap());
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": config_desc, "layers": layers,
            "annotations": {"org.opencontainers.image.title": "skopos test image"},
        });
        let mut desc = self.put_blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
        let mut platform = json!({"architecture": spec.architecture, "os": spec.os});
        if let Some(v) = &spec.variant {
            platform["variant"] = json!(v);
        }
        desc["platform"] = platform;
        desc
    }

    /// Writes a BuildKit-style attestation manifest (an in-toto layer) for the image whose
    /// manifest digest is `subject`; returns its index entry (platform unknown/unknown).
    pub fn add_attestation(&self, subject: &str) -> Value {
        let statement = json!({"_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://spdx.dev/Document", "subject": [], "predicate": {}});
        let statement_bytes = serde_json::to_vec(&statement).unwrap();
        let mut layer = self.put_blob("application/vnd.in-toto+json", &statement_bytes);
        layer["annotations"] = json!({"in-toto.io/predicate-type": "https://spdx.dev/Document"});
        let config = json!({"architecture": "unknown", "os": "unknown", "config": {},
            "rootfs": {"type": "layers", "diff_ids": [sha256(&statement_bytes)]}});
        let config_desc = self.put_blob(OCI_CONFIG, &serde_json::to_vec(&config).unwrap());
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": config_desc, "layers": [layer]});
        let mut desc = self.put_blob(OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
        desc["platform"] = json!({"architecture": "unknown", "os": "unknown"});
        desc["annotations"] = json!({
            "vnd.docker.reference.digest": subject,
            "vnd.docker.reference.type": "attestation-manifest",
        });
        desc
    }

    /// Writes an image index over `manifests` (descriptors with platforms); returns its descriptor.
    pub fn add_index(&self, manifests: Vec<Value>) -> Value {
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        self.put_blob(OCI_INDEX, &serde_json::to_vec(&index).unwrap())
    }

    /// Names `desc` as `tag` in index.json (`org.opencontainers.image.ref.name`).
    pub fn tag(&mut self, tag: &str, desc: &Value) {
        let mut entry = json!({"mediaType": desc["mediaType"], "digest": desc["digest"], "size": desc["size"]});
        entry["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
        self.refs.push(entry);
        self.write_index();
    }

    /// Rewrites index.json from the current refs.
    fn write_index(&self) {
        let index = json!({"schemaVersion": 2, "manifests": self.refs});
        std::fs::write(self.path().join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    }

    /// `oci:DIR:TAG`
    pub fn reference(&self, tag: &str) -> String {
        format!("oci:{}:{tag}", self.path().display())
    }
}

/// The image config for `spec`: fixed times with nanoseconds (one with trailing zeros),
/// Env/Cmd/Labels/ExposedPorts/WorkingDir, diff_ids and a history with an empty layer.
pub fn image_config(spec: &ImageSpec, diff_ids: &[String]) -> Value {
    let labels: serde_json::Map<String, Value> = spec.labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let mut config = json!({
        "created": "2024-03-01T10:00:03.987654321Z",
        "author": "Skopos Tests <tests@example.com>",
        "architecture": spec.architecture,
        "os": spec.os,
        "config": {
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=a&b<c>"],
            "Cmd": ["/bin/tool", "--flag"],
            "Labels": labels,
            "ExposedPorts": {"8080/tcp": {}},
            "WorkingDir": "/app",
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {"created": "2024-03-01T10:00:00.123456789Z", "created_by": "/bin/sh -c #(nop) ADD file:hello in /"},
            {"created": "2024-03-01T10:00:01.120000000Z", "created_by": "/bin/sh -c #(nop) ENV GREETING=a&b<c>", "empty_layer": true},
            {"created": "2024-03-01T10:00:02.5Z", "created_by": "COPY data.json /app/", "comment": "buildkit.dockerfile.v0"},
        ],
    });
    if let Some(v) = &spec.variant {
        config["variant"] = json!(v);
    }
    config
}

/// Runs `skopeo copy` with `args` (destination TLS off, `--dest-creds` when the registry has
/// credentials) and panics with skopeo's stderr if it fails.
pub fn skopeo_copy(reg: &Registry, args: &[&str]) {
    let mut cmd = Command::new("skopeo");
    cmd.args(["copy", "--quiet", "--dest-tls-verify=false"]);
    if let Some(creds) = reg.creds() {
        cmd.args(["--dest-creds", &creds]);
    }
    let out = cmd.args(args).output().expect("run skopeo");
    assert!(out.status.success(), "skopeo copy {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A seeded image: where it is and the manifest it was pushed from.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// `repo:tag`
    pub name: String,
    pub repo: String,
    pub tag: String,
}

impl Seeded {
    fn new(repo: &str, tag: &str) -> Seeded {
        Seeded { name: format!("{repo}:{tag}"), repo: repo.into(), tag: tag.into() }
    }
}

/// (a) A single-platform OCI image (linux/amd64) at `repo:tag`.
pub fn seed_oci_image(reg: &Registry, repo: &str, tag: &str) -> Seeded {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag(tag, &desc);
    skopeo_copy(reg, &[&layout.reference(tag), &reg.docker_ref(&format!("{repo}:{tag}"))]);
    Seeded::new(repo, tag)
}

/// (b) A multi-platform OCI index: linux/amd64, linux/arm64/v8 and an attestation manifest for
/// the amd64 image, copied with `--all`.
pub fn seed_oci_index(reg: &Registry, repo: &str, tag: &str) -> Seeded {
    let mut layout = OciLayout::new();
    let amd64 = layout.add_image(&ImageSpec::linux("amd64", None));
    let arm64 = layout.add_image(&ImageSpec::linux("arm64", Some("v8")));
    let attestation = layout.add_attestation(amd64["digest"].as_str().unwrap());
    let index = layout.add_index(vec![amd64, arm64, attestation]);
    layout.tag(tag, &index);
    skopeo_copy(
        reg,
        &["--all", "--preserve-digests", &layout.reference(tag), &reg.docker_ref(&format!("{repo}:{tag}"))],
    );
    Seeded::new(repo, tag)
}

/// (c) A Docker schema 2 image (skopeo converts the OCI image with `--format v2s2`).
pub fn seed_docker_image(reg: &Registry, repo: &str, tag: &str) -> Seeded {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag(tag, &desc);
    skopeo_copy(reg, &["--format", "v2s2", &layout.reference(tag), &reg.docker_ref(&format!("{repo}:{tag}"))]);
    Seeded::new(repo, tag)
}

/// The tag names used by [`seed_many_tags`]: `count` tags in a mixed, non-sorted style.
pub fn many_tag_names(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| match i % 4 {
            0 => format!("v{i}"),
            1 => format!("1.{i}.0"),
            2 => format!("build-{i:04}"),
            _ => format!("Release_{i}"),
        })
        .collect()
}

/// (d) One image under `count` tags: seeded once with skopeo, the other tags PUT directly.
/// Returns the tag names.
pub fn seed_many_tags(reg: &Registry, repo: &str, count: usize) -> Vec<String> {
    let tags = many_tag_names(count);
    seed_oci_image(reg, repo, &tags[0]);
    let auth = reg.authorization(repo);
    let mut headers = vec![("Accept", OCI_MANIFEST)];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    let url = |tag: &str| format!("{}/v2/{repo}/manifests/{tag}", reg.base_url());
    let manifest = http::get(&url(&tags[0]), &headers).unwrap();
    assert_eq!(manifest.status, 200, "GET manifest: {}", manifest.text());
    headers[0] = ("Content-Type", OCI_MANIFEST);
    for tag in &tags[1..] {
        let resp = http::request("PUT", &url(tag), &headers, &manifest.body).unwrap();
        assert_eq!(resp.status, 201, "PUT manifest {tag}: {}", resp.text());
    }
    tags
}
