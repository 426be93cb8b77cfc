// The edge Worker (dist/worker) in workerd through miniflare, against the registries that
// tests/worker/run.sh started and seeded. Expected values come from skopeo, the registries and
// the native CLI (files in SKOPOS_TEST_EXPECTED); skopeo also pulls through the Worker as a real
// registry client. Run by tests/worker/run.sh, which sets the SKOPOS_TEST_* variables.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const env = process.env;
const root = env.SKOPOS_TEST_ROOT;
const registry = env.SKOPOS_TEST_REGISTRY;
const authRegistry = env.SKOPOS_TEST_AUTH_REGISTRY;
const deniedRegistry = env.SKOPOS_TEST_DENIED_REGISTRY;
const redirectRegistry = env.SKOPOS_TEST_REDIRECT_REGISTRY;
const tagsRegistry = env.SKOPOS_TEST_TAGS_REGISTRY;
const expectedDir = env.SKOPOS_TEST_EXPECTED;
const { startEdgeWorker } = await import(join(root, "tests/lib/workerd.mjs"));
const run = promisify(execFile);

const expected = (name) => readFileSync(join(expectedDir, name));
const expectedJson = (name) => JSON.parse(expected(name));
const sha256 = (bytes) => "sha256:" + createHash("sha256").update(bytes).digest("hex");
const manifestRaw = expected("manifest.raw");
const manifestDigest = sha256(manifestRaw);
const manifest = JSON.parse(manifestRaw);
const manifestType = expected("manifest.type").toString().trim();

let mf;
let base; // the Worker's URL, https://127.0.0.1:PORT/
let workerHost; // 127.0.0.1:PORT

before(async () => {
    // The inspector page, as `make worker` (through `make www`) built it.
    const assets = join(root, "dist/www");
    assert.ok(readdirSync(assets).includes("index.html"), "dist/www/index.html is missing: run make worker");
    const secretName = (host) => "REGISTRY_AUTH_" + host.toUpperCase().replace(/[^A-Z0-9]/g, "_");
    mf = await startEdgeWorker({
        bindings: {
            REGISTRIES: `${registry},${authRegistry},${redirectRegistry},${tagsRegistry}`,
            DEFAULT_REGISTRY: registry,
            INSECURE_REGISTRIES: `${registry},${authRegistry},${redirectRegistry},${tagsRegistry}`,
            UPSTREAM_HOSTS: `localhost=${authRegistry}`,
            CORS_ORIGINS: "*",
            [secretName(authRegistry)]: env.SKOPOS_TEST_AUTH_CREDENTIALS,
            [secretName(redirectRegistry)]: env.SKOPOS_TEST_AUTH_CREDENTIALS,
        },
        assets: {
            directory: assets,
            binding: "ASSETS",
            routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
        },
        host: "127.0.0.1",
        port: 0,
        https: true,
        httpsKeyPath: env.SKOPOS_TEST_WORKER_KEY,
        httpsCertPath: env.SKOPOS_TEST_WORKER_CERT,
    });
    base = (await mf.ready).href;
    workerHost = new URL(base).host;
});

after(async () => {
    await mf?.dispose();
});

const get = (path, init) => fetch(new URL(path, base), init);

test("/v2/ answers the ping itself, without a challenge", async () => {
    const res = await get("/v2/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    assert.equal(res.headers.get("www-authenticate"), null);
});

test("/api/inspect equals skopos inspect", async () => {
    const res = await get(`/api/inspect?image=${registry}/worker/hello:v1`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), expectedJson("inspect.json"));
});

test("/api/manifest gives skopeo's raw bytes, media type and digest", async () => {
    const res = await get(`/api/manifest?image=docker://${registry}/worker/hello:v1`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), manifestRaw);
    assert.equal(res.headers.get("docker-content-digest"), manifestDigest);
    assert.equal(res.headers.get("content-type"), manifestType);
    assert.notEqual(res.headers.get("cache-control"), "public, max-age=31536000, immutable", "a tag can move");
});

test("/api/manifest by digest is immutable", async () => {
    const res = await get(`/api/manifest?image=${registry}/worker/hello@${manifestDigest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
});

test("/api/tags equals skopeo list-tags", async () => {
    const res = await get(`/api/tags?repository=${registry}/worker/hello`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), expectedJson("tags.json"));
});

test("/api/platforms lists the index's images as skopeo sees them", async () => {
    const res = await get(`/api/platforms?image=${registry}/worker/multi:v1`);
    assert.equal(res.status, 200);
    const index = expectedJson("multi.raw");
    const got = (await res.json()).map((e) => ({ digest: e.digest, architecture: e.platform.architecture, os: e.platform.os }));
    const want = index.manifests.map((m) => ({ digest: m.digest, architecture: m.platform.architecture, os: m.platform.os }));
    assert.deepEqual(got, want);
    assert.equal(got.length, 2);
});

test("API errors: missing image, bad reference, registry not allowed", async () => {
    const missing = await get(`/api/inspect?image=${registry}/worker/hello:no-such-tag`);
    assert.equal(missing.status, 404);
    const registryAnswer = expectedJson("missing.json").errors[0].code;
    assert.equal(registryAnswer, "MANIFEST_UNKNOWN");
    assert.equal((await missing.json()).code, registryAnswer);

    const bad = await get(`/api/inspect?image=${encodeURIComponent("Not A Reference!")}`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).code, "INVALID_REFERENCE");

    const denied = await get(`/api/inspect?image=${deniedRegistry}/worker/hello:v1`);
    assert.equal(denied.status, 403);
    assert.equal((await denied.json()).code, "DENIED");

    const none = await get("/api/inspect");
    assert.equal(none.status, 400);
});

test("/v2/ refuses upstreams that are not on the allow-list", async () => {
    for (const path of [
        `/v2/worker/hello/manifests/v1?ns=${deniedRegistry}`,
        `/v2/${deniedRegistry}/worker/hello/manifests/v1`,
        "/v2/registry.example.com/worker/hello/manifests/v1",
    ]) {
        const res = await get(path);
        assert.equal(res.status, 403, path);
        assert.equal((await res.json()).errors[0].code, "DENIED", path);
    }
});

test("skopeo inspect through the Worker sees the registry's manifest and digest", async () => {
    const image = `docker://${workerHost}/worker/hello:v1`;
    const { stdout: raw } = await run("skopeo", ["inspect", "--raw", "--tls-verify=false", image], { encoding: "buffer" });
    assert.deepEqual(raw, manifestRaw);
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", image]);
    const info = JSON.parse(stdout);
    assert.equal(info.Digest, manifestDigest);
    assert.deepEqual(info.Layers, manifest.layers.map((l) => l.digest));
    assert.deepEqual(info.Labels, expectedJson("inspect.json").Labels);
});

test("HEAD of a manifest through the Worker gives the registry's digest and length (containerd's resolve)", async () => {
    const res = await get(`/v2/worker/hello/manifests/v1?ns=${registry}`, { method: "HEAD", headers: { Accept: manifestType } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-content-digest"), manifestDigest);
    assert.equal(res.headers.get("content-length"), String(manifestRaw.length));
    assert.equal(res.headers.get("content-type"), manifestType);
});

test("skopeo copy through the Worker preserves the digests", async () => {
    const dest = join(env.SKOPOS_TEST_WORK, "copied");
    await run("skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${workerHost}/worker/hello:v1`, `dir:${dest}`]);
    assert.equal(sha256(readFileSync(join(dest, "manifest.json"))), manifestDigest);
    for (const descriptor of [manifest.config, ...manifest.layers]) {
        const file = join(dest, descriptor.digest.slice("sha256:".length));
        assert.equal(sha256(readFileSync(file)), descriptor.digest);
    }
});

test("skopeo pulls from the basic-auth registry through a mapped host name, with the Worker's secret", async () => {
    const privateInfo = expectedJson("inspect-private.json");
    const mapped = `docker://localhost:${new URL(base).port}/team/private:v1`;
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", mapped]);
    assert.equal(JSON.parse(stdout).Digest, privateInfo.Digest);
    const dest = join(env.SKOPOS_TEST_WORK, "copied-private");
    await run("skopeo", ["copy", "-q", "--src-tls-verify=false", mapped, `dir:${dest}`]);
    assert.equal(sha256(readFileSync(join(dest, "manifest.json"))), privateInfo.Digest);
});

test("a registry host as first path component selects that upstream", async () => {
    const res = await get(`/v2/${authRegistry}/team/private/manifests/v1`, {
        headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(res.status, 200);
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), expectedJson("inspect-private.json").Digest);
});

test("a blob corrupted in the registry makes the pull through the Worker fail", async () => {
    const layer = env.SKOPOS_TEST_CORRUPT_LAYER;
    // The registry itself serves the damaged bytes in full, as a success.
    const direct = await fetch(`http://${registry}/v2/worker/corrupt/blobs/${layer}`);
    assert.equal(direct.status, 200);
    const damaged = Buffer.from(await direct.arrayBuffer());
    assert.notEqual(sha256(damaged), layer);

    // Through the Worker the body is cut short: reading it fails.
    const proxied = await get(`/v2/worker/corrupt/blobs/${layer}`);
    assert.equal(proxied.status, 200);
    await assert.rejects(proxied.arrayBuffer());

    // And skopeo, a real client, fails to copy the image.
    const dest = join(env.SKOPOS_TEST_WORK, "copied-corrupt");
    await assert.rejects(
        run("skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${workerHost}/worker/corrupt:v1`, `dir:${dest}`]),
    );
    let files = [];
    try {
        files = readdirSync(dest);
    } catch {}
    assert.ok(!files.includes("manifest.json"), "no image was written");
});

test("a manifest altered in the registry is refused by the proxy and the API, by tag and by digest", async () => {
    const digest = env.SKOPOS_TEST_BAD_MANIFEST;
    // The registry itself serves the altered bytes as a success, under the original digest.
    const direct = await fetch(`http://${registry}/v2/worker/badmanifest/manifests/v1`, { headers: { Accept: manifestType } });
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get("docker-content-digest"), digest);
    assert.notEqual(sha256(Buffer.from(await direct.arrayBuffer())), digest);

    for (const reference of ["v1", digest]) {
        const proxied = await get(`/v2/worker/badmanifest/manifests/${reference}`, { headers: { Accept: manifestType } });
        assert.equal(proxied.status, 502, reference);
        assert.equal((await proxied.json()).errors[0].code, "DIGEST_MISMATCH", reference);
    }
    const separator = (reference) => (reference.startsWith("sha256:") ? "@" : ":");
    for (const reference of ["v1", digest]) {
        const api = await get(`/api/manifest?image=${encodeURIComponent(`${registry}/worker/badmanifest${separator(reference)}${reference}`)}`);
        assert.equal(api.status, 502, reference);
        assert.equal((await api.json()).code, "DIGEST_MISMATCH", reference);
    }
    await assert.rejects(run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${workerHost}/worker/badmanifest:v1`]));
});

test("the npm package uses the Worker as its proxy for a registry that needs credentials", async () => {
    const skopos = await import(join(root, "pkg/skopos.js"));
    skopos.initSync({ module: readFileSync(join(root, "pkg/skopos_bg.wasm")) });
    const image = `docker://${authRegistry}/team/private:v1`;
    await assert.rejects(skopos.inspect(image, { tlsVerify: false }), (e) => e.code === "UNAUTHORIZED");
    assert.deepEqual(await skopos.inspect(image, { proxy: base }), expectedJson("inspect-private.json"));
    assert.deepEqual(await skopos.listTags(`${registry}/worker/hello`, { proxy: base }), expectedJson("tags.json").Tags);
});

test("tag lists pass through the Worker", async () => {
    // (distribution 2.8 ignores `n` and sends no Link; the paginating stand-in below does.)
    const res = await get(`/v2/worker/hello/tags/list?n=100&ns=${registry}`);
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).tags, expectedJson("tags.json").Tags);
});

test("responses addressed by digest are immutable and served from the Workers cache", async () => {
    const byTag = await get(`/v2/worker/hello/manifests/v1`, { headers: { Accept: manifestType } });
    await byTag.arrayBuffer();
    assert.equal(byTag.headers.get("cache-control"), null);

    // The config blob of one image of the index: no earlier test read it.
    const blobDigest = expectedJson("multi-amd64.raw").config.digest;
    const path = `/v2/worker/multi/blobs/${blobDigest}`;
    const first = await get(path);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(first.headers.get("cf-cache-status"), null);
    assert.equal(sha256(Buffer.from(await first.arrayBuffer())), blobDigest);
    // The second read comes from the Workers cache, with the same headers and bytes.
    let second;
    for (let i = 0; i < 50; i++) {
        second = await get(path);
        if (second.headers.get("cf-cache-status") === "HIT") break;
        await second.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(second.headers.get("cf-cache-status"), "HIT");
    assert.equal(second.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(sha256(Buffer.from(await second.arrayBuffer())), blobDigest);

    const byDigest = await get(`/v2/worker/hello/manifests/${manifestDigest}`, { headers: { Accept: manifestType } });
    assert.equal(byDigest.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.deepEqual(Buffer.from(await byDigest.arrayBuffer()), manifestRaw);
});

test("CORS: preflight OPTIONS gets 204, responses carry Access-Control-Allow-Origin", async () => {
    const pre = await get(`/v2/worker/hello/manifests/v1?ns=${authRegistry}`, {
        method: "OPTIONS",
        headers: { Origin: "https://page.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.match(pre.headers.get("access-control-allow-methods"), /GET/);
    assert.match(pre.headers.get("access-control-allow-headers"), /accept/i);
    // The basic-auth registry itself refuses the same preflight.
    const upstream = await fetch(`http://${authRegistry}/v2/team/private/manifests/v1`, {
        method: "OPTIONS",
        headers: { Origin: "https://page.example", "Access-Control-Request-Method": "GET" },
    });
    assert.equal(upstream.status, 401);

    const res = await get(`/v2/worker/hello/manifests/v1`, { headers: { Origin: "https://page.example", Accept: manifestType } });
    await res.arrayBuffer();
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.match(res.headers.get("access-control-expose-headers"), /Docker-Content-Digest/);
});

test("/config.json names the Worker as the page's proxy, and the page is served", async () => {
    const config = await (await get("/config.json")).json();
    assert.equal(config.proxy, new URL(base).origin);
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.equal(await page.text(), readFileSync(join(root, "dist/www/index.html"), "utf8"));
});

test("the page served by the Worker inspects images and lists layers in Chromium, through the Worker", async () => {
    const { chromium } = await import(join(root, "node_modules/playwright-core/index.mjs"));
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
        const shots = join(env.SKOPOS_TEST_OUTPUT ?? join(root, "target/test-output"), "worker");
        mkdirSync(shots, { recursive: true });
        // The anonymous registry sends no CORS headers, and the basic-auth one answers preflights
        // with 401: the page can read either only through the Worker, its default proxy.
        const cases = [
            ["anonymous", `${registry}/worker/hello:v1`, manifestDigest],
            ["basic-auth", `${authRegistry}/team/private:v1`, expectedJson("inspect-private.json").Digest],
        ];
        for (const [name, reference, digest] of cases) {
            const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, ignoreHTTPSErrors: true });
            const errors = [];
            page.on("pageerror", (error) => errors.push(String(error)));
            await page.goto(new URL(`/?image=${encodeURIComponent(reference)}`, base).href);
            await page.locator("#config").waitFor({ timeout: 30_000 });
            assert.equal(await page.locator("#digest").textContent(), digest, name);
            assert.match(await page.locator("#summary").textContent(), /✓ verified/, name);
            await page.screenshot({ path: join(shots, `page-${name}.png`), fullPage: true });
            // A layer's files, streamed through the Worker's verifying /v2/ proxy.
            await page.locator("#layers tbody a").first().click();
            await page.locator("#layer-verified").waitFor({ timeout: 30_000 });
            assert.equal(await page.locator("table.files tr", { hasText: "etc/greeting" }).count(), 1, name);
            assert.deepEqual(errors, [], `no uncaught errors in the page (${name})`);
            await page.close();
        }
    } finally {
        await browser.close();
    }
});

test("blob redirects are followed by the Worker, without its credentials", async () => {
    const readLog = () => readFileSync(env.SKOPOS_TEST_REDIRECT_LOG, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const before = readLog().length;
    // (A reference cannot carry host:port as a path component, so this goes by containerd's ns=.)
    const manifestRes = await get(`/v2/team/private/manifests/v1?ns=${redirectRegistry}`, {
        headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(manifestRes.status, 200);
    const privateManifest = JSON.parse(Buffer.from(await manifestRes.arrayBuffer()));
    const digests = [privateManifest.config.digest, ...privateManifest.layers.map((l) => l.digest)];
    for (const digest of digests) {
        const blob = await get(`/v2/team/private/blobs/${digest}?ns=${redirectRegistry}`);
        assert.equal(blob.status, 200);
        assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), digest);
    }

    const requests = readLog().slice(before);
    const blobRequests = requests.filter((r) => r.listener === "front" && r.path.includes("/blobs/"));
    const storage = requests.filter((r) => r.listener === "storage");
    assert.equal(blobRequests.length, digests.length, "each blob was asked of the registry once");
    assert.ok(blobRequests.every((r) => r.authorization === "Basic"), "the registry got the Worker's credentials");
    assert.equal(storage.length, digests.length, "every redirect was followed");
    assert.deepEqual(storage.map((r) => r.authorization), storage.map(() => null), "the storage host got no credentials");
});

test("paginated tag lists: the Worker rewrites Link to itself; the API and the npm package follow every page", async () => {
    const expectedTags = expectedJson("paged-tags.json");
    assert.equal(expectedTags.Tags.length, 10);
    const tags = [];
    let next = `/v2/paged/repo/tags/list?n=3&ns=${tagsRegistry}`;
    let pages = 0;
    while (next) {
        const res = await get(next);
        assert.equal(res.status, 200);
        tags.push(...(await res.json()).tags);
        pages += 1;
        const link = res.headers.get("link");
        next = link && /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
        if (next) {
            assert.ok(next.startsWith("/v2/paged/repo/tags/list?"), `the Link points at the Worker: ${link}`);
            assert.equal(new URL(next, base).searchParams.get("ns"), tagsRegistry, "the Link keeps the upstream");
        }
    }
    assert.equal(pages, 4);
    assert.deepEqual(tags, expectedTags.Tags);

    const api = await get(`/api/tags?repository=${encodeURIComponent(`${tagsRegistry}/paged/repo`)}`);
    assert.equal(api.status, 200);
    assert.deepEqual((await api.json()).Tags, expectedTags.Tags);

    const skopos = await import(join(root, "pkg/skopos.js"));
    skopos.initSync({ module: readFileSync(join(root, "pkg/skopos_bg.wasm")) });
    assert.deepEqual(await skopos.listTags(`${tagsRegistry}/paged/repo`, { proxy: base }), expectedTags.Tags);
});

test("RateLimit-* and Retry-After pass through the Worker", async () => {
    const ok = await get(`/v2/paged/repo/tags/list?ns=${tagsRegistry}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("ratelimit-limit"), "100;w=21600");
    assert.match(ok.headers.get("ratelimit-remaining") ?? "", /^\d+;w=21600$/);

    const limited = await get(`/v2/limited/tags/list?ns=${tagsRegistry}`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "7");
    assert.equal(limited.headers.get("ratelimit-limit"), "100;w=21600");
    assert.equal((await limited.json()).errors[0].code, "TOOMANYREQUESTS");
});
