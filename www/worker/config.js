// The Worker's configuration, read from its variables and secrets (see wrangler.toml):
// the upstream allow-list (REGISTRIES), the default upstream (DEFAULT_REGISTRY), upstreams reached
// over plain http (INSECURE_REGISTRIES), host-name mapping (UPSTREAM_HOSTS), allowed page origins
// (CORS_ORIGINS) and per-registry credentials (REGISTRY_AUTH_<HOST> secrets).
//
// Invariant: the Worker only ever talks to registries on the allow-list; it is not an open proxy.

import { resolveProxyPath } from "./skopos.js";

/** Docker Hub's name, the default upstream. */
export const DOCKER_HUB = "docker.io";

/** A registry host as skopos names it (lower-case, Docker Hub's other host names as docker.io):
 *  the upstream of the ping as resolveProxyPath (Rust, src/proxy) names it. */
export function normalizeRegistry(host) {
    return resolveProxyPath("", { registry: String(host) }).registry;
}

/** A comma-separated list as an array of trimmed, non-empty items. */
function list(value) {
    return String(value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
}

/** The secret name holding credentials for `registry`: REGISTRY_AUTH_ + the host upper-cased,
 *  every character other than A-Z and 0-9 as `_` (docker.io → REGISTRY_AUTH_DOCKER_IO,
 *  127.0.0.1:5000 → REGISTRY_AUTH_127_0_0_1_5000). */
export function credentialsSecretName(registry) {
    return "REGISTRY_AUTH_" + registry.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The Worker's settings from `env`. Throws an Error with code CONFIG on a malformed setting. */
export function readConfig(env) {
    const defaultRegistry = normalizeRegistry(env.DEFAULT_REGISTRY || DOCKER_HUB);
    const configured = list(env.REGISTRIES).map(normalizeRegistry);
    // Without REGISTRIES, the default registry is the only upstream.
    const allowed = new Set(configured.length ? configured : [defaultRegistry]);
    const insecure = new Set(list(env.INSECURE_REGISTRIES).map(normalizeRegistry));
    const corsOrigins = list(env.CORS_ORIGINS ?? "*");
    const hostMap = new Map();
    for (const entry of list(env.UPSTREAM_HOSTS)) {
        const [host, upstream] = entry.split("=").map((s) => s?.trim());
        if (!host || !upstream) throw configError(`UPSTREAM_HOSTS entry "${entry}" is not host=registry`);
        hostMap.set(host.toLowerCase(), normalizeRegistry(upstream));
    }
    return {
        defaultRegistry,
        corsOrigins,
        hostMap,
        /** Whether the Worker may talk to `registry`. */
        isAllowed: (registry) => allowed.has(normalizeRegistry(registry)),
        /** The options of skopos calls to `registry`: its credentials and whether http is allowed. */
        upstreamOptions(registry) {
            const options = { tlsVerify: !insecure.has(registry) };
            const secret = env[credentialsSecretName(registry)];
            if (secret) {
                const colon = secret.indexOf(":");
                if (colon < 1) throw configError(`${credentialsSecretName(registry)} is not username:password`);
                options.username = secret.slice(0, colon);
                options.password = secret.slice(colon + 1);
            }
            return options;
        },
    };
}

function configError(message) {
    return Object.assign(new Error(message), { code: "CONFIG" });
}
