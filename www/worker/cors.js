// CORS for pages on other origins: the headers added to every response, and the answer to a
// preflight OPTIONS request (204, without asking any registry: the distribution registry itself
// answers preflights with 401 when auth is on, which browsers treat as a refusal).
// CORS_ORIGINS is `*` (any origin; the default) or a comma-separated list of exact origins.

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
const ALLOWED_HEADERS = 'Accept, Authorization, Content-Type, Range';
const EXPOSED_HEADERS = [
  'Content-Length',
  'Content-Type',
  'Docker-Content-Digest',
  'Docker-Distribution-API-Version',
  'Link',
  'Location',
  'WWW-Authenticate',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
].join(', ');

/** The Access-Control-Allow-Origin value for a request's Origin, or null when not allowed. */
function allowedOrigin(origin, corsOrigins) {
  if (corsOrigins.includes('*')) return '*';
  return origin && corsOrigins.includes(origin) ? origin : null;
}

/** Returns `response` with the CORS headers for `request` added (a copy when its headers are immutable). */
export function withCors(request, response, corsOrigins) {
  const origin = allowedOrigin(request.headers.get('Origin'), corsOrigins);
  let result = response;
  try {
    decorate(result.headers, origin, corsOrigins);
  } catch {
    // Headers of a fetched or cached response are immutable: copy it.
    result = new Response(response.body, response);
    decorate(result.headers, origin, corsOrigins);
  }
  return result;
}

function decorate(headers, origin, corsOrigins) {
  if (!corsOrigins.includes('*')) headers.append('Vary', 'Origin');
  if (!origin) return;
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** The answer to a preflight OPTIONS request. */
export function preflight(request, corsOrigins) {
  const origin = allowedOrigin(request.headers.get('Origin'), corsOrigins);
  const headers = new Headers({ 'Content-Length': '0' });
  if (!corsOrigins.includes('*')) headers.set('Vary', 'Origin');
  if (origin) {
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
    headers.set(
      'Access-Control-Allow-Headers',
      request.headers.get('Access-Control-Request-Headers') || ALLOWED_HEADERS,
    );
    headers.set('Access-Control-Max-Age', '86400');
  }
  return new Response(null, { status: 204, headers });
}
