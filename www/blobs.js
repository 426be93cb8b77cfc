// Reading small blobs (image configs) from the client's verified blob stream, and a memo of
// manifests fetched by digest (content-addressed, so they never change).

import { getBlob, getManifest } from './skopos.js';

const MAX_TEXT_BLOB = 8 << 20;
const manifestsByDigest = new Map();

/** The whole blob as text; the stream errors (DIGEST_MISMATCH) unless the bytes match. */
export async function readBlobText(name, digest, options) {
  const reader = getBlob(name, digest, options).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_TEXT_BLOB) {
      await reader.cancel();
      throw Object.assign(new Error(`the blob ${digest} is larger than ${MAX_TEXT_BLOB} bytes; it is not shown`), {
        code: 'TOO_LARGE',
      });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** getManifest, remembered when the reference is pinned by digest. */
export async function manifestOf(reference, options) {
  const pinned = reference.includes('@');
  if (pinned && manifestsByDigest.has(reference)) return manifestsByDigest.get(reference);
  const result = await getManifest(reference, options);
  if (pinned) manifestsByDigest.set(reference, result);
  return result;
}
