// Errors as HTTP responses. Codes are the npm package's (`error.code` of a skopos call:
// INVALID_REFERENCE, MANIFEST_UNKNOWN, DIGEST_MISMATCH…); each maps to one HTTP status.
// The API answers `{"code", "message"}`; the /v2/ proxy answers the distribution format
// `{"errors": [{"code", "message"}]}` that registry clients print.

const STATUS_BY_CODE = {
    INVALID_REFERENCE: 400,
    INVALID_DIGEST: 400,
    INVALID_FORMAT: 400,
    NAME_INVALID: 400,
    TAG_INVALID: 400,
    DIGEST_INVALID: 400,
    UNAUTHORIZED: 401,
    DENIED: 403,
    NOT_FOUND: 404,
    MANIFEST_UNKNOWN: 404,
    BLOB_UNKNOWN: 404,
    NAME_UNKNOWN: 404,
    NO_MATCHING_PLATFORM: 404,
    UNSUPPORTED: 405,
    TOO_MANY_REQUESTS: 429,
    CONFIG: 500,
    DIGEST_MISMATCH: 502,
    MANIFEST_INVALID: 502,
    CONFIG_INVALID: 502,
    PROTOCOL: 502,
    NETWORK: 502,
    REGISTRY_ERROR: 502,
    CANCELLED: 499,
};

/** An Error carrying a `code`, as skopos calls throw them. */
export function codedError(code, message) {
    return Object.assign(new Error(message), { code });
}

/** The code and HTTP status of anything thrown (an Error without a code is INTERNAL, 500). */
export function classify(error) {
    const code = typeof error?.code === "string" ? error.code : "INTERNAL";
    const message = error?.message ? String(error.message) : String(error);
    return { code, message, status: STATUS_BY_CODE[code] ?? 500 };
}

/** The API's JSON error response. */
export function apiError(error) {
    const { code, message, status } = classify(error);
    return Response.json({ code, message }, { status });
}

/** The /v2/ proxy's error response, in the distribution format. */
export function registryError(error) {
    const { code, message, status } = classify(error);
    return Response.json({ errors: [{ code, message }] }, {
        status,
        headers: { "Docker-Distribution-API-Version": "registry/2.0" },
    });
}
