#!/usr/bin/env node
// A registry front that sends blob downloads elsewhere, as registries backed by object storage
// do (Docker Hub, ghcr.io and S3-backed distribution answer blob GETs with a redirect to a CDN).
// The CNCF distribution registry with filesystem storage never redirects, so this server stands
// in front of one to test that a client follows blob redirects without taking the registry's
// credentials along.
//
// Two listeners on free loopback ports:
// - the front forwards every request to --target unchanged (method, path, query, headers,
//   Authorization included), except `GET /v2/REPO/blobs/DIGEST`, which it answers with
//   `307 Location: http://127.0.0.1:STORAGE/storage/REPO/DIGEST?expires=…`;
// - the storage listener serves those URLs by fetching the blob from --target with the
//   credentials given by --creds (user:password, Basic), the way a CDN holds its own access.
// Each request to either listener is appended to --log as one JSON line: listener (`front` or
// `storage`), method, path and the Authorization scheme it carried (never the credentials).
//
// Usage: redirecting-proxy.mjs --target http://127.0.0.1:PORT --creds USER:PASSWORD
//        --port-file FILE --log FILE      (FILE receives the front's port)
import { createServer, request } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    target: { type: "string" },
    creds: { type: "string" },
    "port-file": { type: "string" },
    log: { type: "string" },
  },
});
if (!args.target || !args.creds || !args["port-file"] || !args.log) {
  console.error("redirecting-proxy: --target, --creds, --port-file and --log are required");
  process.exit(2);
}
const target = new URL(args.target);
writeFileSync(args.log, "");

function log(listener, req) {
  const scheme = /^(\S+)\s/.exec(req.headers.authorization ?? "")?.[1] ?? null;
  appendFileSync(args.log, JSON.stringify({ listener, method: req.method, path: req.url, authorization: scheme }) + "\n");
}

/** Forwards `req` to the target registry with `headers` and pipes the answer to `res`. */
function forward(req, res, path, headers) {
  const upstream = request({ host: target.hostname, port: target.port, method: req.method, path, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on("error", (e) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(`redirecting-proxy: ${e.message}`);
  });
  req.pipe(upstream);
}

const storage = createServer((req, res) => {
  log("storage", req);
  const match = /^\/storage\/(.+)\/(sha256:[0-9a-f]{64})(?:\?.*)?$/.exec(req.url);
  if (!match || (req.method !== "GET" && req.method !== "HEAD")) return res.writeHead(404).end();
  const headers = { authorization: "Basic " + Buffer.from(args.creds).toString("base64") };
  forward(req, res, `/v2/${match[1]}/blobs/${match[2]}`, headers);
});

const front = createServer((req, res) => {
  log("front", req);
  const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url.split("?")[0]);
  if (blob && req.method === "GET") {
    const location = `http://127.0.0.1:${storage.address().port}/storage/${blob[1]}/${blob[2]}?expires=${Date.now() + 60000}`;
    return res.writeHead(307, { Location: location, "Content-Length": "0" }).end();
  }
  forward(req, res, req.url, req.headers);
});

storage.listen(0, "127.0.0.1", () =>
  front.listen(0, "127.0.0.1", () => writeFileSync(args["port-file"], String(front.address().port))),
);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
