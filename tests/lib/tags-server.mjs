#!/usr/bin/env node
// A registry stand-in that paginates tag lists, for the browser test of listTags
// (package.test.mjs): the CNCF distribution registry 2.8 ignores `n` and always answers with
// every tag, so its pagination cannot be exercised against it. This server answers `/v2/` and
// `GET /v2/REPO/tags/list` for every REPO with the tags given on the command line, in that order,
// a few per page: each page but the last carries `Link: </v2/REPO/tags/list?n=N&last=TAG>;
// rel="next"`, as the distribution spec describes. It sends CORS headers (Link exposed) and
// answers preflights. Like Docker Hub, it reports its rate limit on every answer
// (`RateLimit-Limit: 100;w=21600`, `RateLimit-Remaining`), and the repository `limited` is over
// it: 429 with `Retry-After: N` (--retry-after, default 7; the edge Worker's test checks both
// pass through, the browser test that a client gives up with TOO_MANY_REQUESTS). Each request
// is appended to the log as one JSON line (method, path).
//
// Usage: tags-server.mjs --tags a,b,c,... --page-size N --port-file FILE --log FILE [--retry-after N]
import { createServer } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    tags: { type: "string" },
    "page-size": { type: "string" },
    "port-file": { type: "string" },
    log: { type: "string" },
    "retry-after": { type: "string", default: "7" },
  },
});
if (!args.tags || !args["page-size"] || !args["port-file"] || !args.log) {
  console.error("tags-server: --tags, --page-size, --port-file and --log are required");
  process.exit(2);
}
const tags = args.tags.split(",");
const pageSize = Number(args["page-size"]);
writeFileSync(args.log, "");

const cors = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Docker-Content-Digest, WWW-Authenticate, Link, Content-Length",
};

let served = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://tags.invalid");
  appendFileSync(args.log, JSON.stringify({ method: req.method, path: req.url }) + "\n");
  if (req.method === "OPTIONS") {
    res.writeHead(204, {
      ...cors,
      "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
      "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "Accept",
    }).end();
    return;
  }
  served += 1;
  const rateLimit = { "RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": `${Math.max(0, 100 - served)};w=21600` };
  const json = (status, body, headers = {}) =>
    res.writeHead(status, {
      ...cors, ...rateLimit, ...headers, "Content-Type": "application/json", "Docker-Distribution-Api-Version": "registry/2.0",
    }).end(JSON.stringify(body));
  if (url.pathname === "/v2/") return json(200, {});
  const match = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
  if (!match || req.method !== "GET") return json(404, { errors: [{ code: "NOT_FOUND", message: "not found" }] });
  const name = match[1];
  if (name === "limited") {
    return json(429, { errors: [{ code: "TOOMANYREQUESTS", message: "pull rate limit reached" }] }, { "Retry-After": args["retry-after"] });
  }
  const n = Math.min(pageSize, Number(url.searchParams.get("n")) || pageSize);
  const last = url.searchParams.get("last");
  const start = last === null ? 0 : tags.indexOf(last) + 1;
  const page = tags.slice(start, start + n);
  const headers = {};
  if (start + n < tags.length) {
    headers.Link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1])}>; rel="next"`;
  }
  json(200, { name, tags: page }, headers);
});
server.listen(0, "127.0.0.1", () => writeFileSync(args["port-file"], String(server.address().port)));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
