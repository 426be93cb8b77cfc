//! `listLayer` and `readLayerFile`: the files inside an image layer, read in the JavaScript
//! runtime as the layer's bytes stream in from the registry.
//!
//! The blob comes from the registry client's verified stream (the same as `getBlob`) and goes
//! through the core's [`LayerEntries`] (gunzip and a push-based tar header reader, bounded
//! memory), which hands out entries and pauses every [`crate::layer::entries::YIELD_EVERY`]
//! bytes of work. Here a pause waits for a `setTimeout(0)`, so that a gzip bomb or a huge layer
//! leaves the page responsive and cancellable (`reader.cancel()`, `options.signal`, checked
//! before every slice); progress goes to `options.onProgress`. The stream errors with
//! `DIGEST_MISMATCH` at its end when the layer does not match its digest (entries already
//! delivered must be treated as unverified until the stream closes normally).

use futures_util::stream;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::api::{lazy_blob, to_js, to_js_error, Options};
use crate::error::{Error, Result};
use crate::layer::{file_bytes, LayerEntries, Pacing, Progress, TarEntry, TarListing};

#[wasm_bindgen(typescript_custom_section)]
const TS_LAYER_TYPES: &'static str = r#"
/** One file, directory or link of a layer, as its tar header describes it. */
export interface LayerEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo" | "other";
  /** Content size in bytes (0 for links, directories and devices). */
  size: number;
  /** Permission bits, e.g. 0o755 (493). */
  mode: number;
  /** The target of a symlink or hard link, else null. */
  linkTarget: string | null;
}

/** Progress of `listLayer` / `readLayerFile`, reported now and then and at the end. */
export interface LayerProgress {
  /** Layer bytes received (compressed, as stored in the registry). */
  compressed: number;
  /** Tar bytes read after decompression. */
  uncompressed: number;
  entries: number;
}

/** Options of `listLayer` and `readLayerFile`: the registry options plus progress reports. */
export interface LayerOptions extends Options {
  onProgress?: (progress: LayerProgress) => void;
}

/** Options of `readLayerFile`. */
export interface ReadFileOptions extends LayerOptions {
  /** Bytes of the file to keep (default 1 MiB, at most 16 MiB); the rest is skipped. */
  maxBytes?: number;
}

/** A file read from a layer; the layer's digest was verified. */
export interface LayerFile {
  entry: LayerEntry;
  bytes: Uint8Array;
  /** Whether the file is longer than `bytes`. */
  truncated: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (windows, workers, Node, workerd).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: i32) -> JsValue;
}

/// Lets the event loop run (rendering, input, cancellation) before going on.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryView<'a> {
    path: &'a str,
    #[serde(rename = "type")]
    entry_type: &'static str,
    size: u64,
    mode: u32,
    link_target: Option<&'a str>,
}

fn entry_to_js(entry: &TarEntry) -> Result<JsValue> {
    to_js(&EntryView {
        path: &entry.path,
        entry_type: entry.entry_type.name(),
        size: entry.size,
        mode: entry.mode,
        link_target: entry.link_target.as_deref(),
    })
}

/// A listing's pacing in JavaScript: `options.signal`, `options.onProgress`, `setTimeout(0)`.
struct JsPacing {
    signal: Option<web_sys::AbortSignal>,
    on_progress: Option<js_sys::Function>,
}

impl Pacing for JsPacing {
    fn check(&self) -> Result<()> {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(Error::Cancelled("listing the layer was aborted (options.signal)".into()));
        }
        Ok(())
    }

    fn progress(&self, progress: Progress) {
        if let Some(callback) = &self.on_progress {
            if let Ok(value) = to_js(&progress) {
                let _ = callback.call1(&JsValue::NULL, &value);
            }
        }
    }

    async fn pause(&self) {
        yield_to_event_loop().await;
    }
}

/// The listing of a layer of `repository`; the blob is requested when the first entry is asked
/// for, and its failure becomes the listing's error.
fn open(
    repository: &str,
    digest: &str,
    options: Option<JsValue>,
    listing: TarListing,
) -> Result<LayerEntries<JsPacing>> {
    let on_progress = options
        .as_ref()
        .and_then(|o| js_sys::Reflect::get(o, &JsValue::from_str("onProgress")).ok())
        .filter(|f| !f.is_undefined() && !f.is_null());
    let on_progress = match on_progress {
        Some(f) => Some(
            f.dyn_into::<js_sys::Function>()
                .map_err(|_| Error::Config("invalid options: onProgress must be a function".into()))?,
        ),
        None => None,
    };
    let options = Options::from_js(options)?;
    let blob = lazy_blob(repository, digest, &options, "reading a layer")?;
    Ok(LayerEntries::new(blob, listing, JsPacing { signal: options.signal.clone(), on_progress }))
}

/// The files of a layer as a `ReadableStream` of [`LayerEntry`] objects, produced as the layer
/// streams in (gzip or uncompressed tar; zstd errors with `UNSUPPORTED`). Cancel it with
/// `reader.cancel()` or `options.signal`. It errors with `DIGEST_MISMATCH` at its end if the
/// layer's bytes do not hash to `digest`, and with `LAYER_INVALID` if they are not an archive.
#[wasm_bindgen(js_name = listLayer, unchecked_return_type = "ReadableStream<LayerEntry>")]
pub fn list_layer(
    repository: String,
    digest: String,
    #[wasm_bindgen(unchecked_optional_param_type = "LayerOptions")] options: Option<JsValue>,
) -> std::result::Result<web_sys::ReadableStream, JsValue> {
    let entries = open(&repository, &digest, options, TarListing::new()).map_err(to_js_error)?;
    let stream = stream::unfold(entries, |mut entries| async move {
        let item = entries.next().await?;
        let item = item.and_then(|entry| entry_to_js(&entry)).map_err(to_js_error);
        Some((item, entries))
    });
    Ok(wasm_streams::ReadableStream::from_stream(stream).into_raw())
}

/// The first `maxBytes` of the regular file at `path` in a layer (a leading `/` or `./` does not
/// matter). The whole layer is read so that its digest is verified before the bytes are returned.
/// Rejects with `NOT_FOUND` when the layer has no such regular file.
#[wasm_bindgen(js_name = readLayerFile, unchecked_return_type = "LayerFile")]
pub async fn read_layer_file(
    repository: String,
    digest: String,
    path: String,
    #[wasm_bindgen(unchecked_optional_param_type = "ReadFileOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    read_layer_file_impl(&repository, &digest, &path, options).await.map_err(to_js_error)
}

async fn read_layer_file_impl(repository: &str, digest: &str, path: &str, options: Option<JsValue>) -> Result<JsValue> {
    let max_bytes = match options.as_ref().map(|o| js_sys::Reflect::get(o, &JsValue::from_str("maxBytes"))) {
        Some(Ok(v)) if !v.is_undefined() && !v.is_null() => file_bytes(Some(v.as_f64().unwrap_or(f64::NAN)))?,
        _ => file_bytes(None)?,
    };
    let entries = open(repository, digest, options, TarListing::new().capture(path, max_bytes))?;
    let captured = entries.read_file(digest, path).await?;
    let result = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&result, &JsValue::from_str(key), value);
    let ok = set("entry", &entry_to_js(&captured.entry)?)
        .and_then(|_| set("bytes", &js_sys::Uint8Array::from(&captured.bytes[..]).into()))
        .and_then(|_| set("truncated", &JsValue::from_bool(captured.truncated)));
    ok.map_err(|_| Error::Unsupported("cannot build the result object".into()))?;
    Ok(result.into())
}
