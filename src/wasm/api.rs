//! The JavaScript API of the npm package: `#[wasm_bindgen]` functions over the core.
//!
//! Values cross the boundary through serde-wasm-bindgen's JSON-compatible serializer, so an
//! object returned here is what `JSON.parse` would give for the same data: maps are plain
//! objects and `None` is `null`. `inspect` returns [`InspectOutput`], the very structure the CLI
//! prints, so `JSON.stringify(await inspect(...))` equals `skopos inspect` modulo whitespace.
//!
//! Errors are thrown as JavaScript `Error` objects with a `code` property taken from
//! [`Error::code`] (`INVALID_REFERENCE`, `MANIFEST_UNKNOWN`, `DIGEST_MISMATCH`…), typed in
//! TypeScript as the `ErrorCode` union; `errorStatus`, `canonicalRegistry` and
//! `layerCompression` hand the core's rules for codes, registry hosts and layer media types to
//! the Worker and the page.
//!
//! The TypeScript types of the arguments and results are written out in the custom section
//! below and attached to the functions with `unchecked_param_type` / `unchecked_return_type`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::fetch::FetchTransport;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::image::inspect::{oci_config, resolve};
use crate::image::{ImageSource, RegistrySource};
use crate::manifest::{manifest_digest, DescriptorView, Manifest, Outline, PlatformView, WantedPlatform};
use crate::reference::Reference;
use crate::registry::{ClientOptions, Credentials, RegistryClient};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A parsed, normalized image reference. */
export interface Reference {
  /** Registry host with port: `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Repository path without the registry: `library/alpine`. */
  repository: string;
  /** `registry/repository`: `docker.io/library/alpine`. */
  name: string;
  tag: string | null;
  digest: string | null;
  /** Docker's short form: `alpine:3.20`. */
  familiar: string;
  /** The full normalized reference: `docker.io/library/alpine:3.20`. */
  string: string;
}

/** Options of every registry call. All fields are optional. */
export interface Options {
  username?: string;
  password?: string;
  /** A bearer token sent as is (like `--registry-token`). */
  token?: string;
  /** `false` allows plain `http://` when https fails (like `--tls-verify=false`). Default `true`. */
  tlsVerify?: boolean;
  /** A base URL that stands in for the registry (a CORS proxy such as the edge worker). */
  proxy?: string;
  overrideOs?: string;
  overrideArch?: string;
  overrideVariant?: string;
  /** Aborting it cancels the call (requests in flight and body reads): it rejects, or the
   *  stream errors, with code `CANCELLED`. */
  signal?: AbortSignal;
}

/** One layer of `InspectOutput.LayersData`. */
export interface LayerData {
  MIMEType: string;
  Digest: string;
  Size: number;
  Annotations: Record<string, string> | null;
}

/** The document `skopos inspect` (and `skopeo inspect`) prints. */
export interface InspectOutput {
  Name?: string;
  Digest: string;
  RepoTags: string[];
  Created: string | null;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Os: string;
  Layers: string[];
  LayersData: LayerData[];
  Env: string[] | null;
}

/** A config, layer or index entry, the same for every manifest kind. */
export interface Descriptor {
  /** The media type (`""` when the manifest names none). */
  mediaType: string;
  digest: string;
  /** Bytes; `null` for schema 1 layers, whose manifest does not say. */
  size: number | null;
  /** An index entry's platform, else `null`. */
  platform: Platform | null;
  annotations: Record<string, string> | null;
  /** Whether an index entry is an attestation (`unknown/unknown`) rather than a runnable image. */
  attestation: boolean;
}

/** A manifest as fetched and verified. */
export interface ManifestResult {
  mediaType: string;
  /** The manifest's digest; the bytes were checked against it. */
  digest: string;
  /** The manifest bytes exactly as served, as text. */
  raw: string;
  /** The manifest parsed as JSON. */
  manifest: Record<string, unknown>;
  verified: true;
  /** An image (OCI or Docker schema 2), an index (or manifest list), or Docker schema 1. */
  kind: "image" | "index" | "schema1";
  /** The config blob of an image; `null` for an index or schema 1. */
  config: Descriptor | null;
  /** The layers, base first (schema 1 `fsLayers` reversed); empty for an index. */
  layers: Descriptor[];
  /** The entries of an index; empty otherwise. */
  manifests: Descriptor[];
}

/** The platform `choosePlatform` looks for; missing parts are linux/amd64's, any variant. */
export interface WantedPlatform {
  os?: string;
  arch?: string;
  variant?: string;
}

/** The image configuration in OCI form (`skopos inspect --config`). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  variant?: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  config: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<Record<string, unknown>>;
}

/** The platform of one image in an index. */
export interface Platform {
  os: string;
  architecture: string;
  variant: string | null;
  "os.version": string | null;
}

/** One entry of an index (or the single image of a non-index reference). */
export interface PlatformEntry {
  digest: string;
  mediaType: string;
  size: number;
  platform: Platform | null;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODE: &'static str = crate::error::ERROR_CODE_TS;

/// The `options` argument.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Options {
    username: Option<String>,
    password: Option<String>,
    token: Option<String>,
    tls_verify: Option<bool>,
    proxy: Option<String>,
    override_os: Option<String>,
    override_arch: Option<String>,
    override_variant: Option<String>,
    /// Read apart from serde (an `AbortSignal` is not data), in [`Options::from_js`].
    #[serde(skip)]
    pub(super) signal: Option<web_sys::AbortSignal>,
}

impl Options {
    pub(super) fn from_js(value: Option<JsValue>) -> Result<Options> {
        let Some(value) = value else { return Ok(Options::default()) };
        if value.is_undefined() || value.is_null() {
            return Ok(Options::default());
        }
        let signal = js_sys::Reflect::get(&value, &JsValue::from_str("signal")).unwrap_or(JsValue::UNDEFINED);
        let mut options: Options =
            serde_wasm_bindgen::from_value(value).map_err(|e| Error::Config(format!("invalid options: {e}")))?;
        if !signal.is_undefined() && !signal.is_null() {
            let signal = signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| Error::Config("invalid options: signal must be an AbortSignal".into()))?;
            options.signal = Some(signal);
        }
        Ok(options)
    }

    fn credentials(&self) -> Result<Option<Credentials>> {
        Credentials::from_parts(self.username.clone(), self.password.clone(), self.token.clone(), "options")
    }

    pub(super) fn client(&self, reference: &Reference) -> Result<RegistryClient<FetchTransport>> {
        let options = ClientOptions {
            credentials: self.credentials()?,
            allow_http: self.tls_verify == Some(false),
            base_url: self.proxy.clone().filter(|p| !p.is_empty()),
        };
        let mut transport = FetchTransport::new();
        if let Some(signal) = &self.signal {
            if signal.aborted() {
                return Err(Error::Cancelled("the call was aborted (options.signal) before it started".into()));
            }
            transport = transport.with_signal(signal.clone());
        }
        Ok(RegistryClient::new(transport, reference.registry(), options))
    }

    fn platform(&self) -> WantedPlatform {
        WantedPlatform::with_overrides(
            self.override_os.as_deref(),
            self.override_arch.as_deref(),
            self.override_variant.as_deref(),
        )
    }
}

/// A JavaScript `Error` with the error's message and a `code` property.
pub(super) fn to_js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let _ = js_sys::Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(error.code().as_str()));
    js.into()
}

/// Serializes a value as `JSON.parse` would produce it (plain objects, `null` for `None`).
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::Unsupported(format!("cannot convert the result to a JavaScript value: {e}")))
}

/// Parses an image argument: `docker://REF` or a plain `REF`.
fn parse_image(image: &str) -> Result<Reference> {
    let spec = match image.split_once("://") {
        Some(("docker", rest)) => rest,
        Some(_) => {
            return Err(Error::InvalidImageName {
                input: image.to_string(),
                reason: "only docker:// images (registries) can be read from JavaScript".into(),
            })
        }
        None if image.starts_with("docker:") => {
            return Err(Error::InvalidImageName {
                input: image.to_string(),
                reason: "docker: reference does not start with //".into(),
            })
        }
        None => image,
    };
    Reference::parse(spec)
}

fn open(image: &str, options: &Options) -> Result<(Reference, RegistrySource<FetchTransport>)> {
    let reference = parse_image(image)?.or_latest();
    let client = options.client(&reference)?;
    let source =
        RegistrySource::new(client, reference.repository(), &reference.manifest_reference(), &reference.name());
    Ok((reference, source))
}

#[derive(Serialize)]
struct ReferenceView {
    registry: String,
    repository: String,
    name: String,
    tag: Option<String>,
    digest: Option<String>,
    familiar: String,
    string: String,
}

/// Parses and normalizes an image reference (`alpine` → `docker.io/library/alpine`).
/// A `docker://` prefix is accepted. Throws an `Error` with code `INVALID_REFERENCE`.
#[wasm_bindgen(js_name = parseReference, unchecked_return_type = "Reference")]
pub fn parse_reference(s: &str) -> std::result::Result<JsValue, JsValue> {
    let reference = parse_image(s).map_err(to_js_error)?;
    let view = ReferenceView {
        registry: reference.registry().to_string(),
        repository: reference.repository().to_string(),
        name: reference.name(),
        tag: reference.tag().map(str::to_string),
        digest: reference.digest().map(|d| d.to_string()),
        familiar: reference.familiar(),
        string: reference.to_string(),
    };
    to_js(&view).map_err(to_js_error)
}

/// The digest of manifest bytes (`sha256:…`), with the schema 1 signed-payload rule applied.
#[wasm_bindgen(js_name = manifestDigest)]
pub fn js_manifest_digest(bytes: &[u8]) -> std::result::Result<String, JsValue> {
    manifest_digest(bytes).map(|d| d.to_string()).map_err(to_js_error)
}

/// Whether `bytes` hash to `digest` (`sha256:…` or `sha512:…`).
/// Throws an `Error` with code `INVALID_DIGEST` when the digest itself is malformed.
#[wasm_bindgen(js_name = verifyDigest)]
pub fn verify_digest(bytes: &[u8], digest: &str) -> std::result::Result<bool, JsValue> {
    let expected = Digest::parse(digest).map_err(to_js_error)?;
    Ok(Digest::of(expected.algorithm(), bytes) == expected)
}

/// What `skopos inspect IMAGE` prints, as an object with the same fields.
#[wasm_bindgen(unchecked_return_type = "InspectOutput")]
pub async fn inspect(
    image: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    inspect_impl(&image, options).await.map_err(to_js_error)
}

async fn inspect_impl(image: &str, options: Option<JsValue>) -> Result<JsValue> {
    let options = Options::from_js(options)?;
    let (_, source) = open(image, &options)?;
    to_js(&crate::image::inspect::inspect(&source, &options.platform(), true).await?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestView<'a> {
    media_type: &'a str,
    digest: String,
    raw: String,
    manifest: serde_json::Value,
    verified: bool,
    #[serde(flatten)]
    outline: Outline,
}

/// The image's top-level manifest: its bytes, digest, media type and parsed form, verified, with
/// its kind and descriptors (config, layers, index entries) in one shape for every kind.
#[wasm_bindgen(js_name = getManifest, unchecked_return_type = "ManifestResult")]
pub async fn get_manifest(
    image: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    get_manifest_impl(&image, options).await.map_err(to_js_error)
}

async fn get_manifest_impl(image: &str, options: Option<JsValue>) -> Result<JsValue> {
    let options = Options::from_js(options)?;
    let (_, source) = open(image, &options)?;
    let fetched = source.manifest(None).await?;
    let raw = String::from_utf8(fetched.manifest.raw().to_vec())
        .map_err(|_| Error::InvalidManifest("the manifest is not UTF-8 text".into()))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&raw).map_err(|e| Error::InvalidManifest(format!("the manifest is not JSON: {e}")))?;
    to_js(&ManifestView {
        media_type: fetched.manifest.media_type(),
        digest: fetched.digest.to_string(),
        raw,
        manifest,
        verified: true,
        outline: fetched.manifest.outline(),
    })
}

/// The `platform` argument of `choosePlatform`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WantedArg {
    os: Option<String>,
    arch: Option<String>,
    variant: Option<String>,
}

/// The entry of an index that `inspect` would pick for `platform` (missing parts are
/// linux/amd64's; attestations never match), as a [`Descriptor`]. `index` is a `getManifest`
/// result or a parsed index document. Throws an `Error` with code `NO_MATCHING_PLATFORM` when no
/// entry fits, `MANIFEST_INVALID` when `index` is no index.
#[wasm_bindgen(js_name = choosePlatform, unchecked_return_type = "Descriptor")]
pub fn choose_platform(
    #[wasm_bindgen(unchecked_param_type = "ManifestResult | Record<string, unknown>")] index: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WantedPlatform")] platform: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    choose_platform_impl(index, platform).map_err(to_js_error)
}

fn choose_platform_impl(index: JsValue, platform: Option<JsValue>) -> Result<JsValue> {
    let field = |name: &str| js_sys::Reflect::get(&index, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    let manifest = match field("raw") {
        Some(raw) => Manifest::decode(raw.into_bytes(), field("mediaType").as_deref())?,
        None => {
            let text = js_sys::JSON::stringify(&index)
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| Error::InvalidManifest("the index is not a JSON document".into()))?;
            Manifest::decode(text.into_bytes(), None)?
        }
    };
    let wanted: WantedArg = match platform {
        Some(value) if !value.is_undefined() && !value.is_null() => {
            serde_wasm_bindgen::from_value(value).map_err(|e| Error::Config(format!("invalid platform: {e}")))?
        }
        _ => WantedArg::default(),
    };
    let wanted =
        WantedPlatform::with_overrides(wanted.os.as_deref(), wanted.arch.as_deref(), wanted.variant.as_deref());
    to_js(&DescriptorView::from(manifest.choose_instance(&wanted)?))
}

/// The image configuration in OCI form, as `skopos inspect --config` prints it.
#[wasm_bindgen(js_name = getConfig, unchecked_return_type = "ImageConfig")]
pub async fn get_config(
    image: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    get_config_impl(&image, options).await.map_err(to_js_error)
}

async fn get_config_impl(image: &str, options: Option<JsValue>) -> Result<JsValue> {
    let options = Options::from_js(options)?;
    let (_, source) = open(image, &options)?;
    let resolved = resolve(&source, &options.platform()).await?;
    to_js(&oci_config(&resolved)?)
}

/// Every tag of a repository (all pages), in the registry's order.
/// The repository is given without tag or digest: `docker://registry/repo` or `registry/repo`.
#[wasm_bindgen(js_name = listTags, unchecked_return_type = "string[]")]
pub async fn list_tags(
    repository: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    list_tags_impl(&repository, options).await.map_err(to_js_error)
}

async fn list_tags_impl(repository: &str, options: Option<JsValue>) -> Result<JsValue> {
    let options = Options::from_js(options)?;
    let reference = parse_repository(repository, "listing tags")?;
    let client = options.client(&reference)?;
    to_js(&client.list_tags(reference.repository()).await?)
}

/// A repository argument: `docker://registry/repo` or `registry/repo`, without tag or digest.
pub(super) fn parse_repository(repository: &str, purpose: &str) -> Result<Reference> {
    let reference = parse_image(repository)?;
    if reference.tag().is_some() || reference.digest().is_some() {
        return Err(Error::InvalidReference {
            input: repository.to_string(),
            reason: format!("tag or digest is not allowed when {purpose}"),
        });
    }
    Ok(reference)
}

/// A blob of a repository as a `ReadableStream` of `Uint8Array` chunks, read from the registry
/// as the stream is read (nothing is buffered whole). The stream errors with code
/// `DIGEST_MISMATCH` at its end if the bytes do not hash to `digest`, so a consumer must not
/// trust the data before the stream has closed normally. Registry errors (`BLOB_UNKNOWN`,
/// `UNAUTHORIZED`, `NETWORK`, `CORS`, `CANCELLED`…) also arrive as the stream's error; an invalid
/// repository, digest or options object throws at once.
#[wasm_bindgen(js_name = getBlob, unchecked_return_type = "ReadableStream<Uint8Array>")]
pub fn get_blob(
    repository: String,
    digest: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<web_sys::ReadableStream, JsValue> {
    get_blob_impl(&repository, &digest, options).map_err(to_js_error)
}

fn get_blob_impl(repository: &str, digest: &str, options: Option<JsValue>) -> Result<web_sys::ReadableStream> {
    use futures_util::StreamExt;

    let options = Options::from_js(options)?;
    let blob = lazy_blob(repository, digest, &options, "reading a blob")?.map(|chunk| match chunk {
        Ok(bytes) => Ok(JsValue::from(js_sys::Uint8Array::from(&bytes[..]))),
        Err(err) => Err(to_js_error(err)),
    });
    Ok(wasm_streams::ReadableStream::from_stream(blob).into_raw())
}

/// A blob of a repository as a byte stream whose request is made when it is first polled; the
/// request's failure becomes the stream's first (and only) item. Invalid arguments fail at once.
/// The bytes are verified against `digest` by the client as they stream.
pub(super) fn lazy_blob(
    repository: &str,
    digest: &str,
    options: &Options,
    purpose: &str,
) -> Result<crate::http::ByteStream> {
    use futures_util::{stream, StreamExt};

    let reference = parse_repository(repository, purpose)?;
    let digest = Digest::parse(digest)?;
    let client = options.client(&reference)?;
    let repository = reference.repository().to_string();
    let blob = stream::once(async move { client.get_blob(&repository, &digest, None).await })
        .map(|opened| match opened {
            Ok(body) => body,
            Err(err) => Box::pin(stream::iter([Err(err)])) as crate::http::ByteStream,
        })
        .flatten();
    Ok(Box::pin(blob))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlatformEntry {
    digest: String,
    media_type: String,
    size: i64,
    platform: Option<PlatformView>,
}

/// The platforms of an image: one entry per image of an index (attestations included, with
/// their `unknown/unknown` platform), or one entry read from the config for a single image.
#[wasm_bindgen(unchecked_return_type = "PlatformEntry[]")]
pub async fn platforms(
    image: String,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    platforms_impl(&image, options).await.map_err(to_js_error)
}

async fn platforms_impl(image: &str, options: Option<JsValue>) -> Result<JsValue> {
    let options = Options::from_js(options)?;
    let (_, source) = open(image, &options)?;
    let top = source.manifest(None).await?;
    let entries: Vec<PlatformEntry> = match top.manifest.as_index() {
        Some(index) => index
            .manifests
            .iter()
            .map(|d| PlatformEntry {
                digest: d.digest.to_string(),
                media_type: d.media_type.clone(),
                size: d.size,
                platform: d.platform.as_ref().map(PlatformView::from),
            })
            .collect(),
        None => {
            let platform = match top.manifest.as_image() {
                Some(_) => {
                    let resolved = resolve(&source, &options.platform()).await?;
                    let config = oci_config(&resolved)?;
                    Some(PlatformView {
                        os: config.os,
                        architecture: config.architecture,
                        variant: Some(config.variant).filter(|v| !v.is_empty()),
                        os_version: Some(config.os_version).filter(|v| !v.is_empty()),
                    })
                }
                None => None,
            };
            vec![PlatformEntry {
                digest: top.digest.to_string(),
                media_type: top.manifest.media_type().to_string(),
                size: top.manifest.raw().len() as i64,
                platform,
            }]
        }
    };
    to_js(&entries)
}

/// The HTTP status that goes with an error code (`errorStatus("MANIFEST_UNKNOWN")` is 404), as
/// the edge Worker answers; 500 for a string that is no `ErrorCode`.
#[wasm_bindgen(js_name = errorStatus)]
pub fn error_status(#[wasm_bindgen(unchecked_param_type = "ErrorCode | string")] code: &str) -> u16 {
    crate::error::ErrorCode::parse(code).map_or(500, |c| c.http_status())
}

/// A registry host as skopos names it: trimmed, lower-case, Docker Hub's host names
/// (`index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`) as `docker.io`.
#[wasm_bindgen(js_name = canonicalRegistry)]
pub fn canonical_registry(host: &str) -> String {
    crate::reference::canonical_registry(host)
}

/// How a layer of `mediaType` is compressed (`"none"`, `"gzip"`, `"zstd"`), or `undefined` for
/// a media type that is not a layer's.
#[wasm_bindgen(js_name = layerCompression, unchecked_return_type = "\"none\" | \"gzip\" | \"zstd\" | undefined")]
pub fn layer_compression(media_type: &str) -> Option<String> {
    crate::manifest::media_type::compression_of(media_type).map(|c| c.name().to_string())
}
