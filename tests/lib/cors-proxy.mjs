#!/usr/bin/env node
// A reverse proxy that puts CORS in front of a registry, for the browser tests of the npm package
// (tests/browser/) and for observing what a registry receives (tests/node/). The CNCF
// distribution registry answers CORS preflights with 401 when auth is on, so a page cannot reach
// it directly. This proxy answers every OPTIONS preflight itself with 204 and CORS headers, and
// forwards every other request unchanged (method, path, query, headers including Host and
// Authorization, body), adding `Access-Control-Allow-Origin: *` and
// `Access-Control-Expose-Headers` to the answer.
//
// Usage: cors-proxy.mjs --target http://127.0.0.1:PORT --port-file FILE [--log FILE]
// It listens on a free loopback port and writes that port to FILE once listening. With --log,
// each request is appended as one JSON line: method, path, the Authorization scheme it carried
// (`Basic`, `Bearer` or null; never the credentials) and the status.
import { createServer, request } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { target: { type: "string" }, "port-file": { type: "string" }, log: { type: "string" } },
});
if (!args.target || !args["port-file"]) {
  console.error("cors-proxy: --target and --port-file are required");
  process.exit(2);
}
const target = new URL(args.target);
if (args.log) writeFileSync(args.log, "");

const exposed = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Docker-Content-Digest, WWW-Authenticate, Link, Content-Length",
};

function log(req, status) {
  if (!args.log) return;
  const scheme = /^(\S+)\s/.exec(req.headers.authorization ?? "")?.[1] ?? null;
  appendFileSync(args.log, JSON.stringify({ method: req.method, path: req.url, authorization: scheme, status }) + "\n");
}

const server = createServer((req, res) => {
  if (req.method === "OPTIONS") {
    log(req, 204);
    res.writeHead(204, {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS, DELETE",
      "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "Authorization, Accept, Range",
      "Access-Control-Max-Age": "600",
    }).end();
    return;
  }
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      log(req, answer.statusCode);
      res.writeHead(answer.statusCode, { ...answer.headers, ...exposed });
      answer.pipe(res);
    },
  );
  upstream.on("error", (e) => {
    log(req, 502);
    if (!res.headersSent) res.writeHead(502, exposed);
    res.end(`cors-proxy: ${e.message}`);
  });
  req.pipe(upstream);
});

server.listen(0, "127.0.0.1", () => writeFileSync(args["port-file"], String(server.address().port)));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
