// The npm package as installed from its tarball into an empty project (see run.sh), against a
// real registry. The expected values come from the native CLI and from skopeo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { inspect, getManifest, getConfig, getBlob, listTags, platforms, parseReference, manifestDigest, verifyDigest, choosePlatform } from "skopos";

const registry = process.env.SKOPOS_TEST_REGISTRY;
const image = `docker://${registry}/node/hello:v1`;
const options = { tlsVerify: false };
const rawManifest = readFileSync(process.env.SKOPOS_TEST_MANIFEST);
const manifestSha = "sha256:" + createHash("sha256").update(rawManifest).digest("hex");

test("inspect equals the native CLI's skopos inspect", async () => {
  const expected = JSON.parse(readFileSync(process.env.SKOPOS_TEST_INSPECT, "utf8"));
  const actual = await inspect(image, options);
  assert.deepStrictEqual(actual, expected);
  assert.deepStrictEqual(JSON.stringify(actual), JSON.stringify(expected));
  // A plain reference (no docker://) is the same image.
  assert.deepStrictEqual(await inspect(image.slice("docker://".length), options), expected);
});

test("getManifest returns the verified bytes skopeo reads", async () => {
  const m = await getManifest(image, options);
  assert.equal(m.digest, manifestSha);
  assert.equal(m.raw, rawManifest.toString("utf8"));
  assert.deepStrictEqual(m.manifest, JSON.parse(m.raw));
  assert.equal(m.mediaType, "application/vnd.oci.image.manifest.v1+json");
  assert.equal(m.verified, true);
  assert.equal(manifestDigest(rawManifest), manifestSha);
  assert.equal(verifyDigest(rawManifest, manifestSha), true);
  assert.equal(verifyDigest(Buffer.from("other bytes"), manifestSha), false);
});

test("getManifest outlines the manifest in one shape; choosePlatform picks an index entry as inspect does", async () => {
  const m = await getManifest(image, options);
  assert.equal(m.kind, "image");
  assert.equal(m.config.digest, m.manifest.config.digest);
  assert.equal(m.config.size, m.manifest.config.size);
  assert.deepStrictEqual(
    m.layers.map((l) => [l.digest, l.mediaType, l.size, l.attestation]),
    m.manifest.layers.map((l) => [l.digest, l.mediaType, l.size, false]),
  );
  assert.deepStrictEqual(m.manifests, []);
  assert.throws(() => choosePlatform(m), (e) => e.code === "MANIFEST_INVALID");

  const entry = (n, platform, annotations) => ({
    mediaType: "application/vnd.oci.image.manifest.v1+json", size: n, digest: "sha256:" + String(n).repeat(64).slice(0, 64), platform, annotations,
  });
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      entry(1, { os: "unknown", architecture: "unknown" }, { "vnd.docker.reference.type": "attestation-manifest" }),
      entry(2, { os: "linux", architecture: "arm", variant: "v6" }),
      entry(3, { os: "linux", architecture: "arm64", variant: "v8" }),
      entry(4, { os: "linux", architecture: "amd64" }),
    ],
  };
  assert.equal(choosePlatform(index).digest, index.manifests[3].digest, "linux/amd64 by default");
  assert.equal(choosePlatform(index, { arch: "arm64" }).digest, index.manifests[2].digest);
  // An armv7 machine runs v6 images.
  const arm = choosePlatform(index, { os: "linux", arch: "arm", variant: "v7" });
  assert.deepStrictEqual(arm, {
    mediaType: "application/vnd.oci.image.manifest.v1+json", digest: index.manifests[1].digest, size: 2,
    platform: { os: "linux", architecture: "arm", variant: "v6", "os.version": null }, annotations: null, attestation: false,
  });
  assert.throws(() => choosePlatform(index, { os: "windows" }), (e) => e.code === "NO_MATCHING_PLATFORM");
  assert.throws(() => choosePlatform(index, { os: "unknown", arch: "unknown" }), (e) => e.code === "NO_MATCHING_PLATFORM");
  // A getManifest result works too: its bytes and media type are what is read.
  const fetched = { mediaType: index.mediaType, raw: JSON.stringify(index) };
  assert.equal(choosePlatform(fetched, { arch: "arm64" }).digest, index.manifests[2].digest);
});

test("listTags equals skopeo list-tags", async () => {
  const expected = JSON.parse(readFileSync(process.env.SKOPOS_TEST_TAGS, "utf8"));
  const tags = await listTags(`docker://${registry}/node/hello`, options);
  assert.deepStrictEqual([...tags].sort(), [...expected.Tags].sort());
});

test("getConfig and platforms describe the image", async () => {
  const config = await getConfig(image, options);
  assert.equal(config.os, "linux");
  assert.ok(config.config.Env.includes("GREETING=hello"));
  const entries = await platforms(image, options);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].digest, manifestSha);
  assert.equal(entries[0].platform.os, "linux");
});

test("parseReference", () => {
  const r = parseReference("alpine:3.20");
  assert.deepStrictEqual(r, {
    registry: "docker.io",
    repository: "library/alpine",
    name: "docker.io/library/alpine",
    tag: "3.20",
    digest: null,
    familiar: "alpine:3.20",
    string: "docker.io/library/alpine:3.20",
  });
});

test("errors carry a stable code and a readable message", async () => {
  assert.throws(() => parseReference("not a reference"), (e) => e instanceof Error && e.code === "INVALID_REFERENCE");
  assert.throws(() => verifyDigest(new Uint8Array(), "sha256:short"), (e) => e.code === "INVALID_DIGEST");
  await assert.rejects(inspect(`docker://${registry}/node/hello:missing`, options), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, "MANIFEST_UNKNOWN");
    assert.match(e.message, /manifest unknown/);
    return true;
  });
  await assert.rejects(inspect(`docker://${registry}/node/absent:v1`, options), (e) => ["NAME_UNKNOWN", "MANIFEST_UNKNOWN"].includes(e.code));
  // tlsVerify defaults to true: https only, which this registry does not speak.
  await assert.rejects(inspect(image), (e) => e.code === "NETWORK");
});

/** Reads a ReadableStream<Uint8Array> to its end, checking that every chunk is a Uint8Array. */
async function readAll(stream) {
  assert.ok(stream instanceof ReadableStream);
  const chunks = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    assert.ok(value instanceof Uint8Array);
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

test("getBlob streams the config blob skopeo reads, verified", async () => {
  const expected = readFileSync(process.env.SKOPOS_TEST_CONFIG);
  const { manifest } = await getManifest(image, options);
  const digest = manifest.config.digest;
  for (const repository of [`docker://${registry}/node/hello`, `${registry}/node/hello`]) {
    const bytes = await readAll(getBlob(repository, digest, options));
    assert.equal("sha256:" + createHash("sha256").update(bytes).digest("hex"), digest);
    assert.deepStrictEqual(bytes, expected);
  }
  // A missing blob is the stream's error; a bad repository or digest throws at once.
  const missing = "sha256:" + "0".repeat(64);
  await assert.rejects(readAll(getBlob(`${registry}/node/hello`, missing, options)), (e) => e instanceof Error && e.code === "BLOB_UNKNOWN");
  assert.throws(() => getBlob(`${registry}/node/hello:v1`, digest, options), (e) => e.code === "INVALID_REFERENCE");
  assert.throws(() => getBlob(`${registry}/node/hello`, "sha256:short", options), (e) => e.code === "INVALID_DIGEST");
});

test("getBlob errors with DIGEST_MISMATCH when the bytes do not match", async () => {
  const claimed = "sha256:" + createHash("sha256").update("the bytes the digest names").digest("hex");
  const server = createServer((req, res) => {
    if (req.url === "/v2/") {
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    } else if (req.url === `/v2/x/blobs/${claimed}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end("other bytes entirely");
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address();
    const stream = getBlob(`127.0.0.1:${port}/x`, claimed, options);
    await assert.rejects(readAll(stream), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.code, "DIGEST_MISMATCH");
      assert.match(e.message, new RegExp(claimed));
      return true;
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("an aborted signal cancels every call with CANCELLED", async () => {
  const signal = AbortSignal.abort();
  const cancelled = (e) => e instanceof Error && e.code === "CANCELLED";
  await assert.rejects(inspect(image, { ...options, signal }), cancelled);
  await assert.rejects(getManifest(image, { ...options, signal }), cancelled);
  await assert.rejects(listTags(`${registry}/node/hello`, { ...options, signal }), cancelled);
  assert.throws(() => getBlob(`${registry}/node/hello`, manifestSha, { ...options, signal }), cancelled);
  assert.throws(() => getBlob(`${registry}/node/hello`, manifestSha, { ...options, signal: "no" }), (e) => e.code === "CONFIG" && /AbortSignal/.test(e.message));
});

test("a signal aborted after getBlob returned errors the stream with CANCELLED", async () => {
  const controller = new AbortController();
  const { manifest } = await getManifest(image, options);
  const stream = getBlob(`${registry}/node/hello`, manifest.layers[0].digest, { ...options, signal: controller.signal });
  const reader = stream.getReader();
  controller.abort();
  await assert.rejects(reader.read(), (e) => e.code === "CANCELLED");
});
