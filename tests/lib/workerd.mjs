// Runs a Worker (a folder of ES modules importing a `.wasm` as a WebAssembly.Module, the way
// wrangler bundles them) in workerd through miniflare, for the tests and benchmarks of the npm
// package in workerd (tests/workerd/), the edge Worker (tests/worker/) and bench/worker_proxy.py.
// workerd's own output is discarded: with `tlsVerify: false` the client tries https first, as
// skopeo does, and workerd logs each refused handshake with a plain-http registry.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Starts `script` of `folder` in workerd; `options` are further miniflare options (bindings,
 * assets, port, https…). Returns the Miniflare instance, ready (its URL is `await mf.ready`).
 */
export async function startWorkerd(folder, script, options = {}) {
    const { Miniflare } = await import(join(root, "node_modules/miniflare/dist/src/index.js"));
    const mf = new Miniflare({
        modules: true,
        scriptPath: join(folder, script),
        // Without modulesRoot workerd refuses module paths with `..`; without the ESModule rule
        // `.js` files are read as CommonJS.
        modulesRoot: folder,
        modulesRules: [
            { type: "ESModule", include: ["**/*.js"] },
            { type: "CompiledWasm", include: ["**/*.wasm"] },
        ],
        compatibilityDate: "2025-09-01",
        handleRuntimeStdio(stdout, stderr) {
            stdout.resume();
            stderr.resume();
        },
        ...options,
    });
    await mf.ready;
    return mf;
}

/** Starts the built edge Worker (dist/worker, after `make worker`) with these options. */
export function startEdgeWorker(options) {
    return startWorkerd(join(root, "dist/worker"), "index.js", options);
}
