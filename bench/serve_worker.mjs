#!/usr/bin/env node
// Runs the built edge Worker (dist/worker, after `make worker`) in workerd through miniflare on a
// free loopback port, over https with miniflare's self-signed certificate (as Workers serve
// https; clients skip verification), for bench/worker_proxy.py: the given registry is its
// default and only upstream, over plain http. Writes the Worker's host:port to --port-file once it listens and
// runs until it is killed.
//
// Usage: bench/serve_worker.mjs --registry HOST:PORT --port-file FILE [--no-cache]
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
    options: { registry: { type: "string" }, "port-file": { type: "string" }, "no-cache": { type: "boolean" } },
});
if (!args.registry || !args["port-file"]) {
    console.error("serve_worker: --registry and --port-file are required");
    process.exit(2);
}
const { startEdgeWorker } = await import(join(root, "tests/lib/workerd.mjs"));
const mf = await startEdgeWorker({
    bindings: { REGISTRIES: args.registry, DEFAULT_REGISTRY: args.registry, INSECURE_REGISTRIES: args.registry },
    cache: !args["no-cache"],
    host: "127.0.0.1",
    port: 0,
    https: true,
});
const url = await mf.ready;
writeFileSync(args["port-file"], url.host);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => mf.dispose().finally(() => process.exit(0)));
