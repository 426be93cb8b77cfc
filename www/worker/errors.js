// Errors as HTTP responses. Codes are the npm package's (`error.code` of a skopos call:
// INVALID_REFERENCE, MANIFEST_UNKNOWN, DIGEST_MISMATCH…); each maps to one HTTP status, which
// the core decides (`errorStatus`, from ErrorCode::http_status in src/error.rs).
// The API answers `{"code", "message"}`; the /v2/ proxy answers the distribution format
// `{"errors": [{"code", "message"}]}` that registry clients print.

import { errorStatus } from './skopos.js';

/**
 * An Error carrying a `code`, as skopos calls throw them. The type check (scripts/check-js.sh)
 * holds every code the Worker names to the package's `ErrorCode` union.
 * @param {import('./skopos-wasm.js').ErrorCode} code
 * @param {string} message
 */
export function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}

/** The code and HTTP status of anything thrown (an Error without a code is INTERNAL, 500). */
export function classify(error) {
  const code = typeof error?.code === 'string' ? error.code : 'INTERNAL';
  const message = error?.message ? String(error.message) : String(error);
  return { code, message, status: errorStatus(code) };
}

/** The API's JSON error response. */
export function apiError(error) {
  const { code, message, status } = classify(error);
  return Response.json({ code, message }, { status });
}

/** The /v2/ proxy's error response, in the distribution format. */
export function registryError(error) {
  const { code, message, status } = classify(error);
  return Response.json(
    { errors: [{ code, message }] },
    {
      status,
      headers: { 'Docker-Distribution-API-Version': 'registry/2.0' },
    },
  );
}
