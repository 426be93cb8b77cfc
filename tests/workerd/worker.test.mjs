// The built npm package (pkg/) in workerd through miniflare: the worker is the example of
// pkg/README.md's workerd section, taken from the README as is, in a folder beside a copy of
// skopos.js and skopos_bg.wasm. Run by tests/workerd/run.sh, which starts a registry, seeds an
// image and passes the expected document (`skopos inspect`) and the manifest bytes
// (`skopeo inspect --raw`) in SKOPOS_TEST_* variables.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkerd } from "../lib/workerd.mjs";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run tests/workerd/run.sh`);
  return value;
};
const root = new URL("../../", import.meta.url);
const image = `docker://${env("SKOPOS_TEST_REGISTRY")}/workerd/hello:v1`;

/** The first ```js block after the marker comment in pkg/README.md. */
function readmeWorker() {
  const readme = readFileSync(new URL("pkg/README.md", root), "utf8");
  const marker = readme.indexOf("<!-- tests/workerd/run.sh runs the code block below");
  assert.ok(marker >= 0, "pkg/README.md has no marked workerd example");
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(block, "no js block after the marker in pkg/README.md");
  return block[1];
}

let folder;
let mf;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), "skopos-workerd-"));
  for (const file of ["skopos.js", "skopos_bg.wasm"]) copyFileSync(new URL(`pkg/${file}`, root), join(folder, file));
  writeFileSync(join(folder, "worker.js"), readmeWorker());
  mf = await startWorkerd(folder, "worker.js", { bindings: { TLS_VERIFY: "false" } });
});

after(async () => {
  await mf?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("the README's worker answers with the document skopos inspect prints", async () => {
  const response = await mf.dispatchFetch(`http://worker.test/?image=${encodeURIComponent(image)}`);
  const body = await response.text();
  assert.equal(response.status, 200, body);
  assert.deepStrictEqual(JSON.parse(body), JSON.parse(readFileSync(env("SKOPOS_TEST_INSPECT"), "utf8")));
});

test("the README's worker verifies digests with verifyDigest", async () => {
  const manifest = readFileSync(env("SKOPOS_TEST_MANIFEST"));
  const digest = "sha256:" + createHash("sha256").update(manifest).digest("hex");
  const verify = async (bytes) => {
    const response = await mf.dispatchFetch(`http://worker.test/verify?digest=${digest}`, { method: "POST", body: bytes });
    assert.equal(response.status, 200);
    return (await response.json()).verified;
  };
  assert.equal(await verify(manifest), true);
  assert.equal(await verify(Buffer.from("other bytes")), false);
});

test("the README's worker reports errors with their code", async () => {
  const missing = `docker://${env("SKOPOS_TEST_REGISTRY")}/workerd/hello:missing`;
  const response = await mf.dispatchFetch(`http://worker.test/?image=${encodeURIComponent(missing)}`);
  assert.equal(response.status, 400);
  assert.equal((await response.json()).code, "MANIFEST_UNKNOWN");
});
