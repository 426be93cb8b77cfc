// The Workers cache for responses addressed by digest (manifests by digest, blobs). Their bytes
// can never change, so they are marked immutable for a year and kept in `caches.default` under a
// key naming the upstream registry, repository and digest. Only responses that were verified
// while they streamed end up stored: a body that errors (digest mismatch) makes `cache.put` fail.
// (On workers.dev the Cache API stores nothing; it works on a custom domain and in workerd.)

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Blobs larger than this are not cached: the cache copy is read from a tee of the client's stream. */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

function cacheKey(registry, repository, path) {
  return `https://skopos-cache.invalid/${encodeURIComponent(registry)}/${repository}/${path}`;
}

function defaultCache() {
  return typeof caches !== 'undefined' && caches.default ? caches.default : null;
}

/** The cached response for this content, or undefined. */
export async function lookup(registry, repository, path) {
  const cache = defaultCache();
  if (!cache) return undefined;
  return cache.match(cacheKey(registry, repository, path));
}

/** Stores a copy of a verified 200 response of `length` bytes (null: unknown, not stored) in the
 *  background and returns the response to send. */
export function store(ctx, registry, repository, path, response, length) {
  const cache = defaultCache();
  if (!cache || response.status !== 200 || length === null || !(length >= 0 && length <= MAX_CACHED_BYTES))
    return response;
  const copy = response.clone();
  const stored = cache.put(cacheKey(registry, repository, path), copy).catch(() => {
    // A body that failed verification is not stored; the client's copy fails on its own.
  });
  ctx?.waitUntil?.(stored);
  return response;
}
