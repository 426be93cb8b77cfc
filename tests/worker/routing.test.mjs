// The edge Worker's choice of upstream (www/worker/routing.js) and its settings
// (www/worker/config.js), as plain functions in Node (the built copies in dist/worker): the parts
// of the /v2/ proxy that need no registry, among them Docker Hub's `library/` rule, which the
// workerd tests cannot reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { register } from "node:module";

// The Worker as `make worker` builds it (dist/worker: its modules with the skopos wasm, whose
// canonicalRegistry and errorStatus they call), its .wasm import loaded as workerd does.
register("./wasm-module-hook.mjs", import.meta.url);
const { resolveUpstream } = await import("../../dist/worker/routing.js");
const { readConfig, credentialsSecretName } = await import("../../dist/worker/config.js");

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
