#!/usr/bin/env node
// A static file server for the npm package's browser tests (package.test.mjs): serves the built
// package under /pkg/ and the test pages under /page/ on a free loopback port, with the content
// types browsers need (`application/wasm` for WebAssembly.instantiateStreaming, `text/javascript`
// for module scripts and workers). Only GET and HEAD; paths outside the two folders get 404.
//
// Usage: static-server.mjs --pkg DIR --page DIR --port-file FILE
import { createServer } from "node:http";
import { readFile, writeFileSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { pkg: { type: "string" }, page: { type: "string" }, "port-file": { type: "string" } },
});
if (!args.pkg || !args.page || !args["port-file"]) {
  console.error("static-server: --pkg, --page and --port-file are required");
  process.exit(2);
}
const roots = { "/pkg/": args.pkg, "/page/": args.page };
const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://static.invalid").pathname);
  const prefix = Object.keys(roots).find((p) => path.startsWith(p));
  const relative = prefix && normalize(path.slice(prefix.length));
  if (!["GET", "HEAD"].includes(req.method) || !relative || relative.startsWith("..") || relative.includes(`${sep}..`)) {
    res.writeHead(404).end();
    return;
  }
  readFile(join(roots[prefix], relative), (err, data) => {
    if (err) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": types[extname(relative)] ?? "application/octet-stream", "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : data);
  });
});
server.listen(0, "127.0.0.1", () => writeFileSync(args["port-file"], String(server.address().port)));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
