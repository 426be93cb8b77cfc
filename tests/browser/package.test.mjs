// The built npm package (pkg/) in headless Chromium, driven by node:test and playwright-core.
// Run by tests/browser/package.sh, which starts the servers and passes their addresses and the
// expected documents (from `skopos inspect` and `skopeo list-tags`) in SKOPOS_TEST_* variables.
// The page and the worker are served by static-server.mjs from another origin than every
// registry, so each call is a cross-origin fetch under CORS rules:
// - basic and token auth through cors-proxy.mjs (distribution answers preflights with 401 when
//   auth is on), the token server answering the page itself;
// - listTags across the pages of tags-server.mjs (distribution 2.8 does not paginate);
// - the package inside a module Web Worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run tests/browser/package.sh`);
  return value;
};
const json = (name) => JSON.parse(readFileSync(env(name), "utf8"));
const readLog = (name) => readFileSync(env(name), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));

const pageUrl = `${env("SKOPOS_TEST_PAGE")}/page/index.html`;
const user = env("SKOPOS_TEST_USER");
const password = env("SKOPOS_TEST_PASSWORD");
const base = { tlsVerify: false };
const credentials = { ...base, username: user, password };

let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(pageUrl);
});

after(async () => {
  await browser?.close();
});

/**
 * Calls the package's function `name` with `args` in the page, after the default init.
 * Resolves to `{ ok: result }` or `{ error: { code, message } }`.
 */
function call(name, ...args) {
  return page.evaluate(async ({ name, args }) => {
    const skopos = await import("/pkg/skopos.js");
    await skopos.default();
    try {
      return { ok: await skopos[name](...args) };
    } catch (e) {
      return { error: { code: e.code ?? null, message: String(e.message ?? e) } };
    }
  }, { name, args });
}

/** Asserts that `answer` is an error with `code`. */
function assertCode(answer, code) {
  assert.ok(answer.error, `expected ${code}, got a result: ${JSON.stringify(answer.ok)?.slice(0, 200)}`);
  assert.equal(answer.error.code, code, answer.error.message);
}

test("the page is on another origin than the registries", () => {
  for (const name of ["SKOPOS_TEST_REGISTRY", "SKOPOS_TEST_BASIC_PROXY", "SKOPOS_TEST_TOKEN_PROXY", "SKOPOS_TEST_TAGS_SERVER"]) {
    assert.notEqual(new URL(pageUrl).host, env(name));
  }
});

test("basic auth through the CORS proxy: inspect with username/password equals skopos inspect", async () => {
  const registry = env("SKOPOS_TEST_BASIC_PROXY");
  const image = `docker://${registry}/auth/hello:v1`;
  const answer = await call("inspect", image, credentials);
  assert.deepStrictEqual(answer, { ok: json("SKOPOS_TEST_BASIC_INSPECT") });
  assertCode(await call("inspect", image, base), "UNAUTHORIZED");
  assertCode(await call("inspect", image, { ...credentials, password: password + "-wrong" }), "UNAUTHORIZED");
  // Without the proxy, the registry's 401 to the preflight keeps the page out.
  assertCode(await call("inspect", `docker://${env("SKOPOS_TEST_BASIC_REGISTRY")}/auth/hello:v1`, credentials), "CORS");
});

test("token auth through the CORS proxy: inspect with username/password equals skopos inspect", async () => {
  const registry = env("SKOPOS_TEST_TOKEN_PROXY");
  const image = `docker://${registry}/auth/hello:v1`;
  const before = readLog("SKOPOS_TEST_TOKEN_LOG").length;
  const answer = await call("inspect", image, credentials);
  assert.deepStrictEqual(answer, { ok: json("SKOPOS_TEST_TOKEN_INSPECT") });
  // The page asked the token server itself, with the credentials (after a CORS preflight).
  const requests = readLog("SKOPOS_TEST_TOKEN_LOG").slice(before);
  assert.ok(requests.some((r) => r.method === "OPTIONS"), JSON.stringify(requests));
  assert.ok(requests.some((r) => r.method === "GET" && r.basic && r.user === user && r.status === 200), JSON.stringify(requests));
  assertCode(await call("inspect", image, base), "UNAUTHORIZED");
  assertCode(await call("inspect", image, { ...credentials, password: password + "-wrong" }), "UNAUTHORIZED");
});

test("listTags follows Link pagination and returns every tag in order", async () => {
  const server = env("SKOPOS_TEST_TAGS_SERVER");
  const expected = json("SKOPOS_TEST_TAGS").Tags;
  const pageSize = Number(env("SKOPOS_TEST_TAGS_PAGE_SIZE"));
  assert.ok(expected.length > 2 * pageSize, "the fixture must span at least three pages");
  const before = readLog("SKOPOS_TEST_TAGS_LOG").length;
  const answer = await call("listTags", `docker://${server}/paged/repo`, base);
  assert.deepStrictEqual(answer, { ok: expected });
  const pages = readLog("SKOPOS_TEST_TAGS_LOG").slice(before).filter((r) => r.method === "GET" && r.path.includes("/tags/list"));
  assert.equal(pages.length, Math.ceil(expected.length / pageSize), JSON.stringify(pages));
});

test("a registry that keeps answering 429 gives TOO_MANY_REQUESTS after the client's retries", async () => {
  const server = env("SKOPOS_TEST_TAGS_SERVER");
  const before = readLog("SKOPOS_TEST_TAGS_LOG").length;
  assertCode(await call("listTags", `docker://${server}/limited`, base), "TOO_MANY_REQUESTS");
  const asked = readLog("SKOPOS_TEST_TAGS_LOG").slice(before).filter((r) => r.method === "GET" && r.path.startsWith("/v2/limited/"));
  assert.ok(asked.length > 1, `the client waited out Retry-After and asked again (${asked.length} requests)`);
});

test("in a module Web Worker, inspect equals skopos inspect", async () => {
  const image = `docker://${env("SKOPOS_TEST_REGISTRY")}/browser/hello:v1`;
  const answer = await page.evaluate(async (image) => {
    const worker = new Worker("/page/worker.js", { type: "module" });
    try {
      return await new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => resolve(data);
        worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
        worker.postMessage({ image, options: { tlsVerify: false } });
      });
    } finally {
      worker.terminate();
    }
  }, image);
  assert.equal(answer.error, undefined, JSON.stringify(answer.error));
  assert.equal(answer.inWorker, true);
  assert.deepStrictEqual(answer.ok, json("SKOPOS_TEST_INSPECT"));
});
