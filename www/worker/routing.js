// Which upstream registry and repository a /v2/ request is for. Pure functions of the request
// URL and the configuration, so they run (and are tested) outside workerd too.
//
// The order: containerd's mirror parameter `?ns=HOST`; the request's host name mapped by
// UPSTREAM_HOSTS; a registry host as the first path component (`/v2/ghcr.io/org/app/…`); else
// DEFAULT_REGISTRY. The first two are this Worker's to read; the path itself (the reference
// grammar, Docker Hub's `library/` and host names, digests) is read by resolveProxyPath (Rust,
// src/proxy). The result must be on the allow-list (REGISTRIES), else DENIED.

import { resolveProxyPath } from './skopos.js';
import { codedError } from './errors.js';

/** The upstream a request names apart from its path: `?ns=HOST`, else its host name mapped by UPSTREAM_HOSTS. */
function namedUpstream(url, config) {
  return url.searchParams.get('ns') || config.hostMap.get(url.hostname.toLowerCase()) || null;
}

function resolve(path, url, config) {
  const named = namedUpstream(url, config);
  const target = resolveProxyPath(path, named ? { registry: named } : { defaultRegistry: config.defaultRegistry });
  if (target.kind !== 'ping' && !config.isAllowed(target.registry)) {
    throw codedError('DENIED', `registry ${target.registry} is not on this proxy's allow-list (REGISTRIES)`);
  }
  return target;
}

/** A /v2/ request as resolveProxyPath reads it: `{ registry, repository, kind, reference, path,
 *  byDigest }`, `kind` being manifest, blob, tags or ping. Throws a coded Error: NOT_FOUND (no
 *  registry endpoint), INVALID_REFERENCE / INVALID_DIGEST, DENIED (not on the allow-list). */
export function resolveRequest(url, config) {
  const path = url.pathname === '/v2' ? '' : url.pathname.slice('/v2/'.length);
  return resolve(path, url, config);
}

/** The upstream registry and repository for a client's repository name (as its tag list resolves). */
export function resolveUpstream(name, url, config) {
  const { registry, repository } = resolve(`${name}/tags/list`, url, config);
  return { registry, repository };
}
