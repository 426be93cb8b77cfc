// How the page reaches registries: the default proxy (./config.json, settings, ?proxy=), plain
// http for loopback registries, direct calls first and the proxy after a CORS refusal (remembered
// per registry for the rest of the visit). Also turns
// the client's error codes into messages that say what happened and what to do.

const SETTINGS_KEY = 'skopos.proxy';

/** Whether a registry host (with port) is this machine: plain http is used for it. */
export function isLoopback(registry) {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The proxy from ./config.json ({"proxy": "<url>"}), or '' when there is none. */
export async function defaultProxy() {
  try {
    const response = await fetch('./config.json', { cache: 'no-cache' });
    if (!response.ok) return '';
    const config = await response.json();
    return typeof config.proxy === 'string' ? config.proxy : '';
  } catch {
    return '';
  }
}

export function savedProxy() {
  try {
    return localStorage.getItem(SETTINGS_KEY) || '';
  } catch {
    return '';
  }
}

export function saveProxy(value) {
  try {
    if (value) localStorage.setItem(SETTINGS_KEY, value);
    else localStorage.removeItem(SETTINGS_KEY);
  } catch {
    /* storage disabled: the setting lasts for this page only */
  }
}

/** Registry access for the page: options per registry, with a fallback to the proxy on CORS. */
export class Registries {
  constructor() {
    this.proxy = '';
    this.proxySource = '';
    this.viaProxy = new Set();
  }

  setProxy(url, source) {
    this.proxy = url || '';
    this.proxySource = url ? source : '';
    this.viaProxy.clear();
  }

  /**
   * The options for calls to `registry` (extra options such as signal are merged in).
   * @param {string} registry
   * @param {import('./skopos.js').Options} [extra]
   * @returns {import('./skopos.js').Options}
   */
  options(registry, extra = {}) {
    const options = { ...extra };
    if (isLoopback(registry)) options.tlsVerify = false;
    if (this.viaProxy.has(registry)) options.proxy = this.proxy;
    return options;
  }

  /** Whether a CORS failure on `registry` can be retried through the proxy. */
  canRetryThroughProxy(registry, error) {
    return error?.code === 'CORS' && Boolean(this.proxy) && !this.viaProxy.has(registry);
  }

  /** Runs `call(options)`; after a CORS refusal, once more through the proxy if one is set. */
  async call(registry, call, extra = {}) {
    try {
      return await call(this.options(registry, extra));
    } catch (error) {
      if (!this.canRetryThroughProxy(registry, error)) throw error;
      this.viaProxy.add(registry);
      return call(this.options(registry, extra));
    }
  }
}

/**
 * { title, detail, fix } for an error thrown by the client, for `what` (e.g. an image name).
 * The cases are codes of the package's `ErrorCode` union (src/error.rs; a unit test there checks
 * that every code named here is one).
 * @param {{ code?: import('./skopos.js').ErrorCode, message?: string }} error
 * @param {{ registry?: string, what?: string, proxy?: string }} [context]
 */
export function explainError(error, { registry, what, proxy } = {}) {
  const detail = error?.message || String(error);
  switch (error?.code) {
    case 'CORS':
      return {
        title: `The registry ${registry} does not let web pages read it`,
        detail: `The browser blocked the response because ${registry} sends no CORS headers (Access-Control-Allow-Origin). ${proxy ? `The proxy ${proxy} was tried too.` : ''}`,
        fix: [
          'Set a proxy base URL in Settings (or add ?proxy=URL to the address), for example the skopos edge worker; the page then reads the registry through it.',
          "Or, for a registry you run, send CORS headers. For the CNCF distribution registry, in its config under http.headers: Access-Control-Allow-Origin: ['*'], Access-Control-Allow-Methods: ['GET', 'HEAD'], Access-Control-Allow-Headers: ['Authorization', 'Accept'], Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate', 'Link'].",
        ],
      };
    case 'MANIFEST_UNKNOWN':
    case 'NAME_UNKNOWN':
    case 'NOT_FOUND':
      return {
        title: `Not found: ${what}`,
        detail,
        fix: [
          'Check the repository name and the tag or digest. The Tags section of another tag of the same repository lists what exists.',
        ],
      };
    case 'BLOB_UNKNOWN':
      return { title: `The registry does not have this blob`, detail, fix: [] };
    case 'INVALID_REFERENCE':
      return {
        title: 'That is not an image reference',
        detail,
        fix: ['Examples: alpine, alpine:3.20, ghcr.io/org/image:tag, docker://registry:5000/repo@sha256:…'],
      };
    case 'UNAUTHORIZED':
    case 'DENIED':
      return {
        title: `${registry} refused access`,
        detail,
        fix: [
          "The page reads public images anonymously. For private images, use the skopos CLI (skopos inspect --creds …), or a skopos edge worker that holds the registry's credentials as a secret, set as the proxy.",
        ],
      };
    case 'DIGEST_MISMATCH':
      return {
        title: 'The data does not match its digest',
        detail,
        fix: [
          'The registry (or something between it and you) served different bytes than the digest names. Do not trust this content.',
        ],
      };
    case 'NETWORK':
      return {
        title: `Could not reach ${registry}`,
        detail,
        fix: ['Check the registry name and that it is online. Loopback registries are called over plain http.'],
      };
    case 'TOO_MANY_REQUESTS':
      return { title: `${registry} asks to slow down`, detail, fix: ['Wait a minute and try again.'] };
    case 'CANCELLED':
      return { title: 'Cancelled', detail, fix: [] };
    default:
      return { title: 'Something went wrong', detail: error?.code ? `${detail} (${error.code})` : detail, fix: [] };
  }
}
