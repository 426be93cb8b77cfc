// The edge Worker's choice of upstream (routing.js, over the wasm's resolveProxyPath) and its
// settings (config.js), as plain functions in Node: the parts of the /v2/ proxy that need no
// registry, among them Docker Hub's `library/` rule, which the workerd tests cannot reach.
// The modules are the built Worker's (dist/worker, `make worker`), whose skopos.js imports the
// wasm as a compiled module: lib/wasm-module-hooks.mjs loads it so in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { register } from "node:module";

register("../lib/wasm-module-hooks.mjs", import.meta.url);
const { resolveRequest, resolveUpstream } = await import("../../dist/worker/routing.js");
const { readConfig, credentialsSecretName } = await import("../../dist/worker/config.js");
const { resolveProxyPath } = await import("../../dist/worker/skopos.js");

const config = readConfig({
    REGISTRIES: "docker.io, ghcr.io,registry.example:5000",
    UPSTREAM_HOSTS: "ghcr.mirror.example=ghcr.io",
    INSECURE_REGISTRIES: "registry.example:5000",
    REGISTRY_AUTH_DOCKER_IO: "someone:secret:with:colons",
});
const at = (path) => new URL(path, "https://mirror.example");
const resolve = (name, path = "/") => resolveUpstream(name, at(path), config);
const denied = (e) => e.code === "DENIED" && /allow-list/.test(e.message);

test("Docker Hub is the default; single names get library/", () => {
    assert.deepEqual(resolve("alpine"), { registry: "docker.io", repository: "library/alpine" });
    assert.deepEqual(resolve("bitnami/redis"), { registry: "docker.io", repository: "bitnami/redis" });
});

test("containerd's ns= names the upstream, Docker Hub's aliases folded", () => {
    assert.deepEqual(resolve("org/app", "/?ns=ghcr.io"), { registry: "ghcr.io", repository: "org/app" });
    assert.deepEqual(resolve("alpine", "/?ns=registry-1.docker.io"), { registry: "docker.io", repository: "library/alpine" });
    assert.deepEqual(resolve("team/app", "/?ns=registry.example:5000"), { registry: "registry.example:5000", repository: "team/app" });
});

test("a registry host as first path component, and host names mapped by UPSTREAM_HOSTS", () => {
    assert.deepEqual(resolve("ghcr.io/org/app"), { registry: "ghcr.io", repository: "org/app" });
    assert.deepEqual(resolve("org/app", "https://ghcr.mirror.example/v2/"), { registry: "ghcr.io", repository: "org/app" });
    // `org` is no host: the default registry keeps the whole name.
    assert.deepEqual(resolve("org/app/x"), { registry: "docker.io", repository: "org/app/x" });
});

test("upstreams off the allow-list are refused, however they are named", () => {
    assert.throws(() => resolve("x/y", "/?ns=quay.io"), denied);
    assert.throws(() => resolve("quay.io/x/y"), denied);
    const onlyDefault = readConfig({ DEFAULT_REGISTRY: "registry.example:5000" });
    assert.throws(() => resolveUpstream("alpine", at("/?ns=docker.io"), onlyDefault), denied);
    assert.deepEqual(resolveUpstream("a/b", at("/"), onlyDefault), { registry: "registry.example:5000", repository: "a/b" });
});

test("settings: credentials secrets, insecure upstreams, malformed values", () => {
    assert.equal(credentialsSecretName("registry.example:5000"), "REGISTRY_AUTH_REGISTRY_EXAMPLE_5000");
    assert.deepEqual(config.upstreamOptions("docker.io"), { tlsVerify: true, username: "someone", password: "secret:with:colons" });
    assert.deepEqual(config.upstreamOptions("registry.example:5000"), { tlsVerify: false });
    assert.throws(() => readConfig({ UPSTREAM_HOSTS: "just-a-host" }), (e) => e.code === "CONFIG");
    const bad = readConfig({ REGISTRY_AUTH_DOCKER_IO: "no-colon" });
    assert.throws(() => bad.upstreamOptions("docker.io"), (e) => e.code === "CONFIG" && !/no-colon/.test(e.message));
});

const digest = "sha256:" + "ab".repeat(32);
const request = (path) => resolveRequest(at(path), config);
const hasCode = (code) => (e) => e instanceof Error && e.code === code;

test("resolveProxyPath: kinds, references, digests (also percent-encoded), the ping", () => {
    const upstream = { defaultRegistry: "docker.io" };
    assert.deepEqual(resolveProxyPath("alpine/manifests/3.20", upstream), {
        registry: "docker.io", repository: "library/alpine", kind: "manifest", reference: "3.20", path: "manifests/3.20", byDigest: false,
    });
    assert.deepEqual(resolveProxyPath(`ghcr.io/org/app/blobs/${digest}`, upstream), {
        registry: "ghcr.io", repository: "org/app", kind: "blob", reference: digest, path: `blobs/${digest}`, byDigest: true,
    });
    const encoded = resolveProxyPath(`app/manifests/${digest.replace(":", "%3A")}`, { registry: "Registry.Example:5000" });
    assert.deepEqual([encoded.registry, encoded.repository, encoded.reference, encoded.byDigest], ["registry.example:5000", "app", digest, true]);
    assert.deepEqual(resolveProxyPath("", { registry: "index.docker.io" }), {
        registry: "docker.io", repository: null, kind: "ping", reference: null, path: null, byDigest: false,
    });
    assert.equal(resolveProxyPath("a/b/tags/list").registry, "docker.io", "Docker Hub without an upstream");
});

test("resolveProxyPath: what is no registry endpoint, and bad names, tags and digests", () => {
    for (const path of ["alpine", "alpine/uploads/x", "tags/list", "alpine/manifests/"]) {
        assert.throws(() => resolveProxyPath(path, {}), hasCode("NOT_FOUND"), path);
    }
    assert.throws(() => resolveProxyPath("Alpine/manifests/v1", { registry: "ghcr.io" }), hasCode("INVALID_REFERENCE"));
    assert.throws(() => resolveProxyPath("alpine/manifests/-v1", {}), hasCode("INVALID_REFERENCE"));
    assert.throws(() => resolveProxyPath("alpine/blobs/sha256:abc", {}), hasCode("INVALID_DIGEST"));
});

test("resolveRequest: the ping needs no allowed upstream; everything else does", () => {
    assert.equal(request("/v2/").kind, "ping");
    assert.equal(request("/v2?ns=quay.io").kind, "ping");
    const manifest = request(`/v2/alpine/manifests/${digest}`);
    assert.deepEqual([manifest.registry, manifest.repository, manifest.kind, manifest.byDigest], ["docker.io", "library/alpine", "manifest", true]);
    assert.equal(request("/v2/org/app/tags/list?ns=ghcr.io").repository, "org/app");
    assert.equal(request("https://ghcr.mirror.example/v2/ghcr.io/app/tags/list").repository, "ghcr.io/app", "a mapped host takes the whole name");
    assert.throws(() => request("/v2/quay.io/x/y/blobs/" + digest), denied);
    assert.throws(() => request("/v2/alpine/blobs/nope"), hasCode("INVALID_DIGEST"));
    assert.throws(() => request("/v2/_catalog"), hasCode("NOT_FOUND"));
});
