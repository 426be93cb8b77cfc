#!/usr/bin/env node
// A token server for the CNCF distribution registry's `auth: token` mode, used by the npm
// package tests (tests/node/, tests/browser/). It answers the Docker token protocol:
// `GET /token?service=S&scope=repository:NAME:ACTIONS` with optional Basic credentials, and
// returns `{"token": JWT}`, an RS256 JWT signed with node:crypto whose header carries the signing
// certificate (`x5c`) and whose `access` claim grants only the actions the policy allows the
// caller on each requested repository. Wrong credentials get 401. It sends CORS headers, so pages
// on other origins can ask it for tokens.
//
// Usage: token-server.mjs --key KEY.pem --cert CERT.pem --policy POLICY.json --port-file FILE
//                         --log FILE [--issuer ISS]
// POLICY.json: {"users": {"NAME": "PASSWORD"}, "grants": {"NAME": {"REPO or *": ["pull", ...]}}};
// the grants of the user "" apply to anonymous callers.
// It listens on a free loopback port and writes that port to FILE once listening. Each request
// is appended to the log as one JSON line: method, path, whether a Basic header came, the user it
// proved (never the password), the scopes asked for and the access granted.
import { createServer } from "node:http";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { randomUUID, sign, X509Certificate } from "node:crypto";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    key: { type: "string" },
    cert: { type: "string" },
    policy: { type: "string" },
    "port-file": { type: "string" },
    log: { type: "string" },
    issuer: { type: "string", default: "skopos-test-issuer" },
  },
});
for (const name of ["key", "cert", "policy", "port-file", "log"]) {
  if (!args[name]) {
    console.error(`token-server: --${name} is required`);
    process.exit(2);
  }
}

const privateKey = readFileSync(args.key, "utf8");
const certificateDer = new X509Certificate(readFileSync(args.cert)).raw.toString("base64");
const policy = JSON.parse(readFileSync(args.policy, "utf8"));

const base64url = (data) => Buffer.from(data).toString("base64url");

/** An RS256 JWT with the certificate in `x5c`, as distribution's token auth expects. */
function signToken(claims) {
  const header = { alg: "RS256", typ: "JWT", x5c: [certificateDer] };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The caller a request proves: "" (anonymous) without an Authorization header, the user name for
 * correct Basic credentials, null for anything else.
 */
function caller(authorization) {
  if (authorization === undefined) return "";
  const match = /^Basic (.+)$/i.exec(authorization);
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return user !== "" && Object.hasOwn(policy.users, user) && policy.users[user] === password ? user : null;
}

/** The access entry for one `repository:NAME:ACTIONS` scope: the asked actions the user may do. */
function grant(user, scope) {
  const parts = scope.split(":");
  if (parts.length < 3 || parts[0] !== "repository") return null;
  const actions = parts.pop().split(",");
  const name = parts.slice(1).join(":");
  const grants = policy.grants[user] ?? {};
  const allowed = new Set([...(grants[name] ?? []), ...(grants["*"] ?? [])]);
  return { type: "repository", name, actions: actions.filter((a) => allowed.has(a)) };
}

const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Accept",
};

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://token.invalid");
  const entry = { method: req.method, path: url.pathname, basic: /^Basic /i.test(req.headers.authorization ?? "") };
  const reply = (status, body) => {
    appendFileSync(args.log, JSON.stringify({ ...entry, status }) + "\n");
    res.writeHead(status, { ...corsHeaders, "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  if (req.method === "OPTIONS") {
    appendFileSync(args.log, JSON.stringify({ ...entry, status: 204 }) + "\n");
    res.writeHead(204, { ...corsHeaders, "Access-Control-Max-Age": "600" }).end();
    return;
  }
  if (url.pathname !== "/token") return reply(404, { error: "not found" });
  if (req.method !== "GET") return reply(405, { error: "method not allowed" });
  const user = caller(req.headers.authorization);
  entry.user = user;
  if (user === null) return reply(401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
  const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
  const access = scopes.map((s) => grant(user, s)).filter(Boolean);
  entry.scopes = scopes;
  entry.access = access;
  const now = Math.floor(Date.now() / 1000);
  const token = signToken({
    iss: args.issuer,
    sub: user,
    aud: url.searchParams.get("service") ?? "",
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  });
  reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() });
});

server.listen(0, "127.0.0.1", () => writeFileSync(args["port-file"], String(server.address().port)));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
