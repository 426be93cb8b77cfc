//! `listLayer` and `readLayerFile`: the files inside an image layer, read in the JavaScript
//! runtime as the layer's bytes stream in from the registry.
//!
//! The blob comes from the registry client's verified stream (the same as `getBlob`), goes through
//! [`LayerReader`] (gunzip and a push-based tar header reader, bounded memory), and comes out as
//! entry objects. The work is cut into slices of [`SLICE`] compressed bytes, and after every
//! [`YIELD_EVERY`] bytes of work the code waits for a `setTimeout(0)`, so that a gzip bomb or a
//! huge layer leaves the page responsive and cancellable (`reader.cancel()`, `options.signal`).
//! The digest is checked when the blob ends: the listing stream then errors with
//! `DIGEST_MISMATCH` (entries already delivered must be treated as unverified until the stream
//! closes normally). When the archive cannot be read, the rest of the blob is still hashed, so that
//! damaged bytes are reported as `DIGEST_MISMATCH` rather than as a broken archive.

use std::collections::VecDeque;

use bytes::Bytes;
use futures_util::{stream, StreamExt};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::api::{lazy_blob, to_js, to_js_error, Options};
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::layer::{LayerReader, TarEntry, TarListing};

/// Compressed bytes handed to the reader at once.
const SLICE: usize = 16 * 1024;
/// Bytes of work (compressed in plus tar out) between two yields to the event loop.
const YIELD_EVERY: u64 = 4 << 20;
/// The default and the largest `maxBytes` of `readLayerFile`.
const DEFAULT_FILE_BYTES: usize = 1 << 20;
const MAX_FILE_BYTES: usize = 16 << 20;

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

#[derive(Serialize)]
struct ProgressView {
    compressed: u64,
    uncompressed: u64,
    entries: u64,
}

/// The entries of one layer, pulled one at a time; see the [module documentation](self).
struct LayerEntries {
    blob: ByteStream,
    reader: LayerReader,
    current: Option<(Bytes, usize)>,
    pending: VecDeque<TarEntry>,
    /// The archive could not be read: the rest of the blob is only hashed, then this is reported.
    failed: Option<Error>,
    done: bool,
    work: u64,
    entries: u64,
    signal: Option<web_sys::AbortSignal>,
    on_progress: Option<js_sys::Function>,
}

impl LayerEntries {
    fn open(repository: &str, digest: &str, options: Option<JsValue>, listing: TarListing) -> Result<LayerEntries> {
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
        // The request is made when the first entry is asked for; its failure becomes the error.
        let blob = lazy_blob(repository, digest, &options, "reading a layer")?;
        Ok(LayerEntries {
            blob,
            reader: LayerReader::new(listing),
            current: None,
            pending: VecDeque::new(),
            failed: None,
            done: false,
            work: 0,
            entries: 0,
            signal: options.signal.clone(),
            on_progress,
        })
    }

    fn report_progress(&self) {
        if let Some(callback) = &self.on_progress {
            let progress = ProgressView {
                compressed: self.reader.compressed_bytes(),
                uncompressed: self.reader.uncompressed_bytes(),
                entries: self.entries,
            };
            if let Ok(value) = to_js(&progress) {
                let _ = callback.call1(&JsValue::NULL, &value);
            }
        }
    }

    /// The next entry, `None` at the (verified) end, or the error that ends the listing.
    async fn next(&mut self) -> Option<Result<TarEntry>> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                self.entries += 1;
                return Some(Ok(entry));
            }
            if self.done {
                return None;
            }
            if self.signal.as_ref().is_some_and(|s| s.aborted()) {
                self.done = true;
                return Some(Err(Error::Cancelled("listing the layer was aborted (options.signal)".into())));
            }
            if let Some((chunk, start)) = self.current.take() {
                let end = (start + SLICE).min(chunk.len());
                if self.failed.is_none() {
                    let before = self.reader.uncompressed_bytes();
                    let mut out = Vec::new();
                    let pushed = self.reader.push(&chunk[start..end], &mut out);
                    self.pending.extend(out);
                    if let Err(e) = pushed {
                        self.failed = Some(e);
                    }
                    self.work += self.reader.uncompressed_bytes() - before;
                }
                self.work += (end - start) as u64;
                if end < chunk.len() {
                    self.current = Some((chunk, end));
                }
                if self.work >= YIELD_EVERY {
                    self.work = 0;
                    self.report_progress();
                    yield_to_event_loop().await;
                }
                continue;
            }
            match self.blob.next().await {
                Some(Ok(chunk)) => self.current = Some((chunk, 0)),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    if let Some(e) = self.failed.take() {
                        return Some(Err(e));
                    }
                    let mut out = Vec::new();
                    let finished = self.reader.finish(&mut out);
                    self.pending.extend(out);
                    self.report_progress();
                    if let Err(e) = finished {
                        self.pending.clear();
                        return Some(Err(e));
                    }
                }
            }
        }
    }
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
    let entries = LayerEntries::open(&repository, &digest, options, TarListing::new()).map_err(to_js_error)?;
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
        Some(Ok(v)) if !v.is_undefined() && !v.is_null() => {
            let n = v
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .ok_or_else(|| Error::Config("invalid options: maxBytes must be a non-negative integer".into()))?;
            (n as usize).min(MAX_FILE_BYTES)
        }
        _ => DEFAULT_FILE_BYTES,
    };
    let mut entries = LayerEntries::open(repository, digest, options, TarListing::new().capture(path, max_bytes))?;
    while let Some(entry) = entries.next().await {
        entry?;
    }
    let captured = entries
        .reader
        .take_captured()
        .ok_or_else(|| Error::NotFound(format!("the layer {digest} has no regular file {path}")))?;
    let result = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&result, &JsValue::from_str(key), value);
    let ok = set("entry", &entry_to_js(&captured.entry)?)
        .and_then(|_| set("bytes", &js_sys::Uint8Array::from(&captured.bytes[..]).into()))
        .and_then(|_| set("truncated", &JsValue::from_bool(captured.truncated)));
    ok.map_err(|_| Error::Unsupported("cannot build the result object".into()))?;
    Ok(result.into())
}
