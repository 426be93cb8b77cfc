// Which upstream registry and repository a /v2/ request is for. Pure functions of the request
// URL and the configuration, so they run (and are tested) outside workerd too.
//
// The order: containerd's mirror parameter `?ns=HOST`; the request's host name mapped by
// UPSTREAM_HOSTS; a registry host as the first path component (`/v2/ghcr.io/org/app/…`); else
// DEFAULT_REGISTRY. The result must be on the allow-list (REGISTRIES), else DENIED.
// Single-name Docker Hub repositories get `library/`.

import { DOCKER_HUB, normalizeRegistry } from './config.js';
import { codedError } from './errors.js';

/** Whether the first component of a repository path names a registry host (docker's rule). */
function looksLikeHost(component) {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** The upstream registry and repository for a client's repository name. */
export function resolveUpstream(name, url, config) {
  const ns = url.searchParams.get('ns');
  let registry;
  let repository = name;
  if (ns) {
    registry = normalizeRegistry(ns);
  } else if (config.hostMap.has(url.hostname.toLowerCase())) {
    registry = config.hostMap.get(url.hostname.toLowerCase());
  } else {
    const slash = name.indexOf('/');
    const first = slash > 0 ? name.slice(0, slash) : '';
    if (first && looksLikeHost(first)) {
      registry = normalizeRegistry(first);
      repository = name.slice(slash + 1);
    } else {
      registry = config.defaultRegistry;
    }
  }
  if (!config.isAllowed(registry)) {
    throw codedError('DENIED', `registry ${registry} is not on this proxy's allow-list (REGISTRIES)`);
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}
