// The packed package's layer reading (listLayer, readLayerFile) against a registry: a layer with
// every kind of entry, written by Python's tarfile and pushed with umoci and skopeo, is listed
// as Python's tarfile lists it; a file's bytes come back; a layer damaged in the registry's
// storage fails with DIGEST_MISMATCH; a cancelled listing stops. Run by tests/node/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { listLayer, readLayerFile } from "skopos";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run tests/node/run.sh`);
  return value;
};
const registry = env("SKOPOS_TEST_REGISTRY");
const layer = env("SKOPOS_TEST_LAYER");
const corruptLayer = env("SKOPOS_TEST_CORRUPT_LAYER");
const expected = JSON.parse(readFileSync(env("SKOPOS_TEST_LAYER_LISTING"), "utf8"));
const options = { tlsVerify: false };

async function collect(stream) {
  const entries = [];
  for (const reader = stream.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) return entries;
    entries.push(value);
  }
}

test("listLayer lists every entry as Python's tarfile does", async () => {
  const progress = [];
  const entries = await collect(listLayer(`${registry}/node/layers`, layer, { ...options, onProgress: (p) => progress.push(p) }));
  // tarfile drops the trailing slash of directory names.
  const normalized = entries.map((e) => ({ ...e, path: e.type === "dir" ? e.path.replace(/\/$/, "") : e.path }));
  assert.deepEqual(normalized, expected);
  assert.ok(progress.length > 0 && progress.at(-1).entries === expected.length, "progress reports every entry at the end");

  // The README's way: async iteration, and leaving the loop early.
  const iterated = [];
  for await (const entry of listLayer(`${registry}/node/layers`, layer, options)) iterated.push(entry);
  assert.deepEqual(iterated, entries);
  let seen = 0;
  for await (const entry of listLayer(`${registry}/node/layers`, layer, options)) {
    assert.equal(entry.path, entries[seen].path);
    if (++seen === 2) break;
  }
  assert.equal(seen, 2);
});

test("readLayerFile returns a file's bytes, truncated at maxBytes, and NOT_FOUND for a missing path", async () => {
  const file = await readLayerFile(`${registry}/node/layers`, layer, "etc/greeting", options);
  assert.equal(new TextDecoder().decode(file.bytes), "hello from a layer\n");
  assert.equal(file.truncated, false);
  assert.equal(file.entry.type, "file");
  const unicode = await readLayerFile(`${registry}/node/layers`, layer, "srv/données/café.txt", options);
  assert.equal(new TextDecoder().decode(unicode.bytes), "crème brûlée\n");
  const cut = await readLayerFile(`${registry}/node/layers`, layer, "usr/bin/tool", { ...options, maxBytes: 4 });
  assert.equal(new TextDecoder().decode(cut.bytes), "#!/b");
  assert.equal(cut.truncated, true);
  await assert.rejects(readLayerFile(`${registry}/node/layers`, layer, "no/such/file", options), (e) => e.code === "NOT_FOUND");
});

test("a layer damaged in the registry's storage gives DIGEST_MISMATCH, listed or read", async () => {
  await assert.rejects(collect(listLayer(`${registry}/node/corrupt`, corruptLayer, options)), (e) => e.code === "DIGEST_MISMATCH");
  await assert.rejects(readLayerFile(`${registry}/node/corrupt`, corruptLayer, "etc/greeting", options), (e) => e.code === "DIGEST_MISMATCH");
});

test("a listing can be cancelled, by the reader or by an AbortSignal", async () => {
  const reader = listLayer(`${registry}/node/layers`, layer, options).getReader();
  assert.equal((await reader.read()).done, false);
  await reader.cancel();
  const controller = new AbortController();
  controller.abort();
  // An aborted signal refuses the call at once.
  assert.throws(() => listLayer(`${registry}/node/layers`, layer, { ...options, signal: controller.signal }), (e) => e.code === "CANCELLED");
  await assert.rejects(readLayerFile(`${registry}/node/layers`, layer, "etc/greeting", { ...options, signal: controller.signal }), (e) => e.code === "CANCELLED");
});
