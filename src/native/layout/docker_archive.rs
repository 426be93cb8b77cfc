//! The `docker-archive:` transport: the `docker save` tarball, as containers/image reads and
//! writes it.
//!
//! An archive holds `manifest.json` (`[{"Config": "<hex>.json", "RepoTags": [...], "Layers":
//! ["<hex>.tar", ...]}]`), the config, one uncompressed tar per layer, and the legacy
//! `<id>/{layer.tar,VERSION,json}` and `repositories` files.
//!
//! Reading synthesizes the Docker schema 2 manifest containers/image synthesizes, so digests
//! agree with skopeo's: the config descriptor is the config member's bytes; each layer is named by
//! its DiffID (the config's `rootfs.diff_ids`), has the uncompressed size, and is typed
//! `application/vnd.docker.image.rootfs.diff.tar.gzip` whatever its actual compression (a
//! containers/image quirk). Layer blobs are served uncompressed (gzip members are decompressed)
//! and verified against their DiffID. Members are read in place, not extracted.
//!
//! Writing takes Docker schema 2 images only (the copy converts OCI images). Layers are stored
//! decompressed under `<diffid-hex>.tar`, in the order and with the tar headers skopeo 1.9
//! writes, so the archive is byte-identical to skopeo's. Everything goes to a temporary directory
//! beside PATH first, and `commit` writes the tar to a temporary file that is renamed into place.
//! Like skopeo, an existing non-empty file at PATH is refused ("docker-archive doesn't support
//! modifying existing images").

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::tarball::{blocking, verified_read_stream, write_atomically, TarIndex};
use super::write::StagingDir;
use crate::copy::convert::{DockerDescriptor, DockerManifest};
use crate::digest::{Digest, Hasher, Verifier};
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::{BlobInfo, ImageDestination, ImageSource};
use crate::manifest::media_type::{DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_V2S2};
use crate::manifest::{Manifest, ManifestKind, MAX_MANIFEST_SIZE};
use crate::reference::{Reference, DEFAULT_TAG};
use crate::registry::FetchedManifest;

const MAX_CONFIG: u64 = crate::image::inspect::MAX_CONFIG_SIZE;

/// One entry of `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestItem {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

fn is_gzip(magic: &[u8]) -> bool {
    magic.starts_with(&[0x1f, 0x8b])
}

fn is_zstd(magic: &[u8]) -> bool {
    magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
}

/// Reads up to 4 bytes from the start of `reader`.
fn magic_of(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut magic = Vec::with_capacity(4);
    reader.by_ref().take(4).read_to_end(&mut magic)?;
    Ok(magic)
}

/// Parses the image part of `docker-archive:PATH:NAME[:TAG]` into a tagged reference
/// (`latest` when no tag), refusing digests as containers/image does.
fn tagged_reference(name: &str) -> Result<Reference> {
    let reference = Reference::parse(name)?;
    if reference.digest().is_some() {
        return Err(Error::Unsupported(format!("docker-archive doesn't support digest references: {name}")));
    }
    Ok(reference.or_latest())
}

struct Layer {
    diff_id: Digest,
    member: String,
    size: u64,
    gzip: bool,
}

/// An image in a `docker-archive:` tarball.
pub struct DockerArchiveSource {
    index: Arc<TarIndex>,
    manifest: Vec<u8>,
    digest: Digest,
    config: Vec<u8>,
    config_digest: Digest,
    layers: Vec<Layer>,
    name: Option<String>,
}

impl DockerArchiveSource {
    /// Opens the archive at `path` and picks the image: `image` is `NAME:TAG`, `@N` (the N-th
    /// entry of `manifest.json`) or `None` (the archive must hold one image).
    pub async fn open(path: &Path, image: Option<&str>) -> Result<Self> {
        let path = path.to_path_buf();
        let image = image.map(str::to_string);
        blocking(move || Self::open_blocking(&path, image.as_deref())).await
    }

    fn open_blocking(path: &Path, image: Option<&str>) -> Result<Self> {
        let index = TarIndex::read(path)?;
        let invalid = |what: String| Error::InvalidManifest(format!("docker-archive {}: {what}", path.display()));
        let raw = index.read_small("manifest.json", MAX_MANIFEST_SIZE)?;
        let items: Vec<ManifestItem> =
            serde_json::from_slice(&raw).map_err(|e| invalid(format!("manifest.json: {e}")))?;
        let (item, name) = match image {
            None => match items.as_slice() {
                [only] => (only, None),
                [] => return Err(Error::NotFound(format!("no image in docker-archive {}", path.display()))),
                _ => {
                    return Err(Error::Unsupported(format!(
                        "more than one image in docker-archive {}: pick one as docker-archive:PATH:NAME:TAG or :@N",
                        path.display()
                    )))
                }
            },
            Some(spec) if spec.starts_with('@') => {
                let n: usize = spec[1..].parse().map_err(|_| Error::InvalidImageName {
                    input: spec.to_string(),
                    reason: "expected @N with N a non-negative number".into(),
                })?;
                let item = items.get(n).ok_or_else(|| {
                    Error::NotFound(format!(
                        "docker-archive {} has {} image(s), no index {n}",
                        path.display(),
                        items.len()
                    ))
                })?;
                (item, None)
            }
            Some(spec) => {
                let wanted = tagged_reference(spec)?;
                let matches = |tag: &String| {
                    Reference::parse(tag).map(|r| r.name() == wanted.name() && r.tag() == wanted.tag()).unwrap_or(false)
                };
                let item = items.iter().find(|item| item.repo_tags.iter().flatten().any(matches)).ok_or_else(|| {
                    Error::NotFound(format!("tag {wanted} not found in docker-archive {}", path.display()))
                })?;
                (item, Some(wanted.name()))
            }
        };
        let config = index.read_small(&item.config, MAX_CONFIG)?;
        let config_digest = Digest::sha256(&config);
        let parsed: serde_json::Value =
            serde_json::from_slice(&config).map_err(|e| invalid(format!("config {}: {e}", item.config)))?;
        let diff_ids = parsed
            .pointer("/rootfs/diff_ids")
            .and_then(|d| d.as_array())
            .map(|ids| {
                ids.iter()
                    .map(|id| {
                        id.as_str().ok_or_else(|| invalid("a diff_id is not a string".into())).and_then(Digest::parse)
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        if diff_ids.len() != item.layers.len() {
            return Err(invalid(format!(
                "inconsistent layer count: {} in manifest.json, {} in the config",
                item.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (diff_id, member_name) in diff_ids.into_iter().zip(&item.layers) {
            let (member, info) = index.resolve(member_name)?;
            let read_err = |e: std::io::Error| Error::io(format!("reading {member_name} in {}", path.display()), e);
            let magic = magic_of(index.open(info)?).map_err(read_err)?;
            let gzip = is_gzip(&magic);
            let size = if gzip {
                let mut decoder = flate2::read::MultiGzDecoder::new(index.open(info)?);
                std::io::copy(&mut decoder, &mut std::io::sink()).map_err(read_err)?
            } else {
                info.size
            };
            layers.push(Layer { diff_id, member, size, gzip });
        }
        let doc = DockerManifest {
            schema_version: 2,
            media_type: DOCKER_V2S2,
            config: DockerDescriptor {
                media_type: DOCKER_CONFIG,
                size: config.len() as i64,
                digest: &config_digest,
                urls: None,
            },
            layers: layers
                .iter()
                .map(|l| DockerDescriptor {
                    media_type: DOCKER_LAYER_GZIP,
                    size: l.size as i64,
                    digest: &l.diff_id,
                    urls: None,
                })
                .collect(),
        };
        let manifest = crate::output::json::to_go_json_compact(&doc).into_bytes();
        let digest = Digest::sha256(&manifest);
        Ok(DockerArchiveSource { index: Arc::new(index), manifest, digest, config, config_digest, layers, name })
    }
}

impl ImageSource for DockerArchiveSource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        if let Some(d) = instance.filter(|d| **d != self.digest) {
            return Err(Error::NotFound(format!(
                "manifest {d} not found in docker-archive {}",
                self.index.path().display()
            )));
        }
        let manifest = Manifest::decode(self.manifest.clone(), Some(DOCKER_V2S2))?;
        Ok(FetchedManifest { manifest, digest: self.digest.clone() })
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        let what = format!("blob {digest} in docker-archive {}", self.index.path().display());
        if *digest == self.config_digest {
            let verifier = Verifier::new(digest.clone(), size, what.clone());
            return Ok(verified_read_stream(Box::new(std::io::Cursor::new(self.config.clone())), verifier, what));
        }
        let layer = self.layers.iter().find(|l| l.diff_id == *digest).ok_or_else(|| {
            Error::NotFound(format!("blob {digest} not found in docker-archive {}", self.index.path().display()))
        })?;
        let (_, member) = self.index.resolve(&layer.member)?;
        let raw = self.index.open(member)?;
        let reader: Box<dyn Read + Send> =
            if layer.gzip { Box::new(flate2::read::MultiGzDecoder::new(raw)) } else { Box::new(raw) };
        let verifier = Verifier::new(digest.clone(), size.or(Some(layer.size)), what.clone());
        Ok(verified_read_stream(reader, verifier, what))
    }

    fn docker_name(&self) -> Option<String> {
        self.name.clone()
    }
}

/// A blob stored in the destination's work directory.
#[derive(Debug, Clone)]
struct Stored {
    path: PathBuf,
    /// The digest of the stored (decompressed) bytes: the layer's DiffID.
    digest: Digest,
    size: u64,
}

/// A `docker-archive:` tarball as a destination.
pub struct DockerArchiveDestination {
    path: PathBuf,
    tag: Option<Reference>,
    work: StagingDir,
    stored: Mutex<HashMap<Digest, Stored>>,
}

impl DockerArchiveDestination {
    /// Keeps a received layer file for the archive, decompressing gzip (the archive holds
    /// uncompressed layers named by their DiffID).
    async fn store(&self, raw: PathBuf, digest: Digest, size: u64) -> Result<()> {
        let work = self.work.path().to_path_buf();
        let key = digest.clone();
        let stored = blocking(move || {
            let file = std::fs::File::open(&raw).map_err(|e| Error::io(format!("opening {}", raw.display()), e))?;
            let magic = magic_of(file).map_err(|e| Error::io(format!("reading {}", raw.display()), e))?;
            if is_zstd(&magic) {
                return Err(Error::Unsupported(format!(
                    "layer {digest} is zstd-compressed, which a docker-archive cannot store"
                )));
            }
            if !is_gzip(&magic) {
                return Ok(Stored { path: raw, digest, size });
            }
            let out = work.join(format!("layer-{}", digest.hex()));
            let (diff_id, size) = decompress(&raw, &out)?;
            let _ = std::fs::remove_file(&raw);
            Ok(Stored { path: out, digest: diff_id, size })
        })
        .await?;
        self.stored.lock().unwrap_or_else(|p| p.into_inner()).insert(key, stored);
        Ok(())
    }

    /// Prepares a work directory beside `path`; `image` (`NAME[:TAG]`) goes into `RepoTags`.
    pub async fn create(path: &Path, image: Option<&str>) -> Result<Self> {
        let tag = image.map(tagged_reference).transpose()?;
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(Error::Config(format!("{} is a directory, not an archive file", path.display())))
            }
            Ok(m) if m.len() > 0 => {
                return Err(Error::Unsupported(format!(
                    "docker-archive doesn't support modifying existing images: {} exists",
                    path.display()
                )))
            }
            _ => {}
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let work = StagingDir::new_in(&parent)?;
        Ok(DockerArchiveDestination { path: path.to_path_buf(), tag, work, stored: Mutex::new(HashMap::new()) })
    }

    fn stored(&self, digest: &Digest) -> Option<Stored> {
        self.stored.lock().unwrap_or_else(|p| p.into_inner()).get(digest).cloned()
    }
}

/// Decompresses a gzip file into `out`, returning the digest and size of what was written.
fn decompress(input: &Path, out: &Path) -> Result<(Digest, u64)> {
    let file = std::fs::File::open(input).map_err(|e| Error::io(format!("opening {}", input.display()), e))?;
    let mut decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    let mut writer = std::io::BufWriter::new(
        std::fs::File::create(out).map_err(|e| Error::io(format!("creating {}", out.display()), e))?,
    );
    let mut hasher = Hasher::new(crate::digest::Algorithm::Sha256);
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = decoder.read(&mut buf).map_err(|e| Error::io(format!("decompressing {}", input.display()), e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        std::io::Write::write_all(&mut writer, &buf[..n])
            .map_err(|e| Error::io(format!("writing {}", out.display()), e))?;
        size += n as u64;
    }
    std::io::Write::flush(&mut writer).map_err(|e| Error::io(format!("writing {}", out.display()), e))?;
    Ok((hasher.finish(), size))
}

/// Go's `json.Compact` with HTML escaping, over bytes that are valid JSON.
fn go_compact(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                _ => out.push(c),
            }
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The raw text of each top-level member of a JSON object (the last of duplicate keys wins).
fn top_level_members(raw: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut members = HashMap::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < raw.len() && matches!(raw[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    // The end (exclusive) of the string starting at `start` (a quote).
    let string_end = |start: usize| {
        let mut j = start + 1;
        while j < raw.len() && raw[j] != b'"' {
            j += if raw[j] == b'\\' { 2 } else { 1 };
        }
        j + 1
    };
    skip_ws(&mut i);
    if raw.get(i) != Some(&b'{') {
        return members;
    }
    i += 1;
    loop {
        skip_ws(&mut i);
        if raw.get(i) != Some(&b'"') {
            return members;
        }
        let key_end = string_end(i);
        let key: String = serde_json::from_slice(&raw[i..key_end.min(raw.len())]).unwrap_or_default();
        i = key_end;
        skip_ws(&mut i);
        i += 1; // ':'
        skip_ws(&mut i);
        let start = i;
        let mut depth = 0i32;
        while i < raw.len() {
            match raw[i] {
                b'"' => {
                    i = string_end(i);
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => break,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(raw.len());
        let value = raw[start..end].to_vec();
        members.insert(key, trim_ascii(&value).to_vec());
        skip_ws(&mut i);
        if raw.get(i) == Some(&b',') {
            i += 1;
        } else {
            return members;
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map(|e| e + 1).unwrap_or(start);
    &b[start..end]
}

/// The legacy ID and `<id>/json` of a layer, as containers/image makes them: a Go map (keys
/// sorted), the top layer carrying seven attributes of the image config (`null` when missing);
/// the ID is the sha256 of that map with `layer_id` (the layer's ChainID) added and no `id`.
fn legacy_layer(
    chain_id: &Digest,
    parent: Option<&str>,
    top_config: Option<&HashMap<String, Vec<u8>>>,
) -> (String, String) {
    let mut fields: BTreeMap<&str, String> = BTreeMap::new();
    if let Some(config) = top_config {
        for attr in ["architecture", "config", "container", "container_config", "created", "docker_version", "os"] {
            fields.insert(attr, config.get(attr).map(|raw| go_compact(raw)).unwrap_or_else(|| "null".into()));
        }
    }
    if let Some(parent) = parent {
        fields.insert("parent", serde_json::to_string(parent).expect("string"));
    }
    let render = |fields: &BTreeMap<&str, String>| {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    };
    let mut with_chain = fields.clone();
    with_chain.insert("layer_id", serde_json::to_string(&chain_id.to_string()).expect("string"));
    let id = Digest::sha256(render(&with_chain).as_bytes()).hex().to_string();
    fields.insert("id", serde_json::to_string(&id).expect("string"));
    let json = render(&fields);
    (id, json)
}

impl ImageDestination for DockerArchiveDestination {
    fn describe(&self) -> String {
        match &self.tag {
            Some(tag) => format!("docker-archive:{}:{tag}", self.path.display()),
            None => format!("docker-archive:{}", self.path.display()),
        }
    }

    fn signature_support(&self) -> Result<()> {
        Err(Error::Unsupported("Storing signatures for docker tar files is not supported".into()))
    }

    fn supports_index(&self) -> bool {
        false
    }

    fn required_kinds(&self) -> Option<&'static [ManifestKind]> {
        Some(&[ManifestKind::DockerV2S2])
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        Ok(self.stored(&blob.digest).is_some())
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        let raw = self.work.path().join(format!("blob-{}-{}", blob.digest.algorithm().name(), blob.digest.hex()));
        let size = super::write::stream_atomic(&raw, stream, blob.size).await?;
        self.store(raw, blob.digest.clone(), size).await
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        let work = self.work.path().to_path_buf();
        let (digest, size) =
            super::write::stream_content_addressed(&work, |d| work.join(format!("blob-sha256-{}", d.hex())), stream)
                .await?;
        let raw = self.work.path().join(format!("blob-sha256-{}", digest.hex()));
        self.store(raw, digest.clone(), size).await?;
        Ok(BlobInfo { digest, size: Some(size), media_type: media_type.to_string() })
    }

    async fn put_instance_manifest(&self, _raw: &[u8], _media_type: &str, _digest: &Digest) -> Result<()> {
        Err(Error::Unsupported("a docker-archive cannot store a multi-platform index".into()))
    }

    async fn commit(&self, raw: &[u8], media_type: &str, _digest: &Digest) -> Result<()> {
        let manifest = Manifest::decode(raw.to_vec(), Some(media_type))?;
        if manifest.kind() != ManifestKind::DockerV2S2 {
            return Err(Error::Unsupported(format!(
                "a docker-archive stores Docker schema 2 images only, not {media_type}"
            )));
        }
        let image = manifest.as_image().expect("schema 2 is an image");
        let missing =
            |d: &Digest| Error::InvalidManifest(format!("the manifest refers to blob {d}, which was not copied"));
        let config = self.stored(&image.config.digest).ok_or_else(|| missing(&image.config.digest))?;
        let layers = image
            .layers
            .iter()
            .map(|l| self.stored(&l.digest).ok_or_else(|| missing(&l.digest)))
            .collect::<Result<Vec<_>>>()?;
        let tag = self.tag.clone();
        let target = self.path.clone();
        let config_digest = image.config.digest.clone();
        blocking(move || {
            let config_bytes =
                std::fs::read(&config.path).map_err(|e| Error::io(format!("reading {}", config.path.display()), e))?;
            let config_name = format!("{}.json", config_digest.hex());
            let layer_name = |l: &Stored| format!("{}.tar", l.digest.hex());
            let config_members = top_level_members(&config_bytes);
            let mut legacy: Vec<(String, String, String)> = Vec::new(); // (id, physical layer, json)
            let mut chain: Option<Digest> = None;
            let mut last_id: Option<String> = None;
            for (i, layer) in layers.iter().enumerate() {
                let next = match &chain {
                    None => layer.digest.clone(),
                    Some(c) => Digest::sha256(format!("{c} {}", layer.digest).as_bytes()),
                };
                let top = (i == layers.len() - 1).then_some(&config_members);
                let (id, json) = legacy_layer(&next, last_id.as_deref(), top);
                chain = Some(next);
                if !legacy.iter().any(|(seen, _, _)| *seen == id) {
                    legacy.push((id.clone(), layer_name(layer), json));
                }
                last_id = Some(id);
            }
            let repo_tags: Vec<String> = tag.iter().map(|t| t.to_string()).collect();
            let item = ManifestItem {
                config: config_name.clone(),
                repo_tags: Some(repo_tags),
                layers: layers.iter().map(layer_name).collect(),
            };
            let manifest_json = serde_json::to_vec(&[item]).map_err(|e| Error::InvalidManifest(e.to_string()))?;
            let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            if let (Some(tag), Some(last)) = (&tag, &last_id) {
                repositories
                    .entry(tag.name())
                    .or_default()
                    .insert(tag.tag().unwrap_or(DEFAULT_TAG).to_string(), last.clone());
            }
            let repositories_json =
                serde_json::to_vec(&repositories).map_err(|e| Error::InvalidManifest(e.to_string()))?;
            write_atomically(&target, |w| {
                let mut written = HashSet::new();
                for layer in &layers {
                    if written.insert(layer.digest.clone()) {
                        let mut file = std::fs::File::open(&layer.path)
                            .map_err(|e| Error::io(format!("opening {}", layer.path.display()), e))?;
                        w.file(&layer_name(layer), 0o444, layer.size, &mut file)?;
                    }
                }
                w.bytes(&config_name, 0o444, &config_bytes)?;
                for (id, physical, json) in &legacy {
                    w.symlink(&format!("{id}/layer.tar"), &format!("../{physical}"))?;
                    w.bytes(&format!("{id}/VERSION"), 0o444, b"1.0")?;
                    w.bytes(&format!("{id}/json"), 0o444, json.as_bytes())?;
                }
                w.bytes("manifest.json", 0o444, &manifest_json)?;
                w.bytes("repositories", 0o444, &repositories_json)
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_escapes_html_in_strings_only() {
        assert_eq!(
            go_compact(b"{ \"a\" : [1, 2],\n \"b\": \"x <y> & \\\" z\" }"),
            r#"{"a":[1,2],"b":"x \u003cy\u003e \u0026 \" z"}"#
        );
    }

    #[test]
    fn top_level_members_keep_raw_text() {
        let m = top_level_members(br#"{"a": {"x": [1, "}"]}, "b" : "s\"t", "c": 1.50e3, "d": null, "a2": []}"#);
        assert_eq!(m["a"], br#"{"x": [1, "}"]}"#.to_vec());
        assert_eq!(m["b"], br#""s\"t""#.to_vec());
        assert_eq!(m["c"], b"1.50e3".to_vec());
        assert_eq!(m["d"], b"null".to_vec());
        assert_eq!(m["a2"], b"[]".to_vec());
    }

    #[test]
    fn legacy_json_sorted_like_a_go_map() {
        let config = top_level_members(br#"{"os": "linux", "architecture": "amd64", "config": {}}"#);
        let chain = Digest::sha256(b"layer");
        let (id, json) = legacy_layer(&chain, Some("cd"), Some(&config));
        let hashed = format!(
            r#"{{"architecture":"amd64","config":{{}},"container":null,"container_config":null,"created":null,"docker_version":null,"layer_id":"{chain}","os":"linux","parent":"cd"}}"#
        );
        assert_eq!(id, Digest::sha256(hashed.as_bytes()).hex());
        assert_eq!(
            json,
            format!(
                r#"{{"architecture":"amd64","config":{{}},"container":null,"container_config":null,"created":null,"docker_version":null,"id":"{id}","os":"linux","parent":"cd"}}"#
            )
        );
        let (id, json) = legacy_layer(&chain, None, None);
        assert_eq!(json, format!(r#"{{"id":"{id}"}}"#));
    }
}
