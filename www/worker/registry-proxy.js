// The /v2/ registry proxy that docker, podman, skopeo, crane and containerd pull through.
//
// - `/v2/` (the ping) is answered here: 200, no challenge. The Worker authenticates to upstreams
//   with its own credentials (REGISTRY_AUTH_<HOST> secrets); clients need none.
// - The upstream of a request is, in order: containerd's mirror parameter `?ns=HOST`; the
//   request's host name mapped by UPSTREAM_HOSTS; a registry host as first path component
//   (`/v2/ghcr.io/org/app/manifests/1.0`); else DEFAULT_REGISTRY. It must be on the allow-list
//   (REGISTRIES), else 403 DENIED. Single-name Docker Hub repositories get `library/`. The path
//   is read by resolveProxyPath (Rust, src/proxy; see routing.js).
// - proxyFetch (Rust, src/wasm/proxy.rs) makes the upstream request, follows redirects (without
//   credentials to other hosts) and verifies manifests and blobs against their digests; a blob
//   that does not match is cut short so that the client fails.
// - Responses addressed by digest are immutable and go through the Workers cache.
// - Rate-limit headers (RateLimit-*, Retry-After) pass through; tag-list `Link`s are rewritten to
//   point back at the Worker.

import { proxyFetch } from './skopos.js';
import { registryError, codedError } from './errors.js';
import { resolveRequest } from './routing.js';
import { IMMUTABLE, lookup, store } from './digest-cache.js';

const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };

/** Upstream response headers passed to the client (Content-Length is set by the runtime). */
const FORWARDED = new Set(['content-type', 'docker-content-digest', 'etag', 'retry-after', 'docker-ratelimit-source']);

/** Handles a request under /v2/. */
export async function handleRegistry(request, url, config, ctx) {
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw codedError('UNSUPPORTED', `${request.method} is not allowed: this proxy only pulls`);
    }
    const target = resolveRequest(url, config);
    if (target.kind === 'ping') return Response.json({}, { headers: API_VERSION });
    const { registry, repository, path, byDigest } = target;

    if (byDigest) {
      const cached = await lookup(registry, repository, path);
      if (cached) return request.method === 'HEAD' ? new Response(null, cached) : cached;
    }

    const query = target.kind === 'tags' ? tagListQuery(url) : '';
    const accept = target.kind === 'manifest' ? request.headers.get('Accept') : null;
    const upstream = await proxyFetch(
      registry,
      repository,
      path + query,
      request.method,
      accept,
      config.upstreamOptions(registry),
    );

    const headers = new Headers(API_VERSION);
    for (const [header, value] of upstream.headers) {
      if (FORWARDED.has(header) || header.startsWith('ratelimit-')) headers.append(header, value);
    }
    // A HEAD answer and a verified manifest carry their length; streamed bodies are sent as they come.
    if (request.method === 'HEAD' || upstream.body instanceof Uint8Array) {
      const length = upstream.headers.find(([header]) => header === 'content-length');
      if (length) headers.set('Content-Length', length[1]);
    }
    const link = upstream.headers.find(([header]) => header === 'link');
    if (link && target.kind === 'tags') headers.set('Link', rewriteLink(link[1], url));
    if (byDigest && upstream.status === 200) headers.set('Cache-Control', IMMUTABLE);

    const body = request.method === 'HEAD' ? null : withDeclaredLength(upstream);
    const response = new Response(body, { status: upstream.status, headers });
    if (!byDigest || request.method !== 'GET') return response;
    const length = upstream.headers.find(([header]) => header === 'content-length');
    return store(ctx, registry, repository, path, response, length ? Number(length[1]) : null);
  } catch (error) {
    return registryError(error);
  }
}

/**
 * The body to send. A streamed blob whose length the upstream declared goes through a
 * FixedLengthStream (workerd), so the client is told that length: when the digest check fails,
 * proxyFetch withholds the last bytes and errors the stream, and the client sees a body shorter
 * than its Content-Length (a failed download) even where the runtime ends the response cleanly.
 */
function withDeclaredLength(upstream) {
  const body = upstream.body;
  const length = upstream.headers.find(([header]) => header === 'content-length');
  if (!(body instanceof ReadableStream) || !length || typeof FixedLengthStream === 'undefined') return body;
  const { readable, writable } = new FixedLengthStream(Number(length[1]));
  body.pipeTo(writable).catch(() => {
    // The stream errored (digest mismatch, upstream failure): the response stays short.
  });
  return readable;
}

/** The tag list's pagination parameters (`n`, `last`), the only query passed upstream. */
function tagListQuery(url) {
  const query = new URLSearchParams();
  for (const key of ['n', 'last']) {
    const value = url.searchParams.get(key);
    if (value !== null) query.set(key, value);
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** The upstream's `Link: <…?last=x&n=y>; rel="next"` pointing at this Worker's same route
 *  (`url.pathname`, the client's `/v2/NAME/tags/list`). */
function rewriteLink(link, url) {
  const target = /<([^>]*)>/.exec(link);
  if (!target) return link;
  const upstreamQuery = new URL(target[1], 'http://upstream.invalid').searchParams;
  const query = new URLSearchParams();
  for (const key of ['n', 'last']) {
    if (upstreamQuery.has(key)) query.set(key, upstreamQuery.get(key));
  }
  if (url.searchParams.has('ns')) query.set('ns', url.searchParams.get('ns'));
  return link.replace(target[0], `<${url.pathname}?${query}>`);
}
