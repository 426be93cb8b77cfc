// The npm package as installed from its tarball (see run.sh) against authenticated registries:
// one with htpasswd Basic auth and one with token auth, whose token server
// (tests/lib/token-server.mjs) grants the test user pull on auth/hello only. A recording proxy
// (tests/lib/cors-proxy.mjs) in front of the token registry shows what the registry receives.
// Expected documents come from the native CLI (`skopos inspect --creds`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inspect, getManifest, listTags } from "skopos";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run tests/node/run.sh`);
  return value;
};
const basicRegistry = env("SKOPOS_TEST_BASIC_REGISTRY");
const tokenRegistry = env("SKOPOS_TEST_TOKEN_REGISTRY");
const recordedRegistry = env("SKOPOS_TEST_TOKEN_PROXY");
const user = env("SKOPOS_TEST_USER");
const password = env("SKOPOS_TEST_PASSWORD");
const realm = env("SKOPOS_TEST_TOKEN_REALM");
const service = env("SKOPOS_TEST_TOKEN_SERVICE");
const tokenLog = env("SKOPOS_TEST_TOKEN_LOG");
const proxyLog = env("SKOPOS_TEST_PROXY_LOG");
const expectedBasic = JSON.parse(readFileSync(env("SKOPOS_TEST_BASIC_INSPECT"), "utf8"));
const expectedToken = JSON.parse(readFileSync(env("SKOPOS_TEST_TOKEN_INSPECT"), "utf8"));

const base = { tlsVerify: false };
const credentials = { ...base, username: user, password };
const wrongPassword = { ...base, username: user, password: password + "-wrong" };
const readLog = (file) => readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
const hasCode = (...codes) => (e) => {
  assert.ok(e instanceof Error, `not an Error: ${e}`);
  assert.ok(codes.includes(e.code), `code ${e.code} (${e.message}) is not one of ${codes}`);
  return true;
};

/** A bearer token for `scope`, fetched from the token server with Basic credentials. */
async function fetchToken(scope) {
  const url = `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`;
  const response = await fetch(url, { headers: { Authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") } });
  assert.equal(response.status, 200);
  return (await response.json()).token;
}

test("basic auth: username/password inspect equals skopos inspect --creds", async () => {
  const actual = await inspect(`docker://${basicRegistry}/auth/hello:v1`, credentials);
  assert.deepStrictEqual(actual, expectedBasic);
  assert.deepStrictEqual(await listTags(`${basicRegistry}/auth/hello`, credentials), expectedBasic.RepoTags);
});

test("basic auth: no credentials or a wrong password give UNAUTHORIZED", async () => {
  await assert.rejects(inspect(`docker://${basicRegistry}/auth/hello:v1`, base), hasCode("UNAUTHORIZED"));
  await assert.rejects(inspect(`docker://${basicRegistry}/auth/hello:v1`, wrongPassword), hasCode("UNAUTHORIZED"));
  await assert.rejects(getManifest(`${basicRegistry}/auth/hello:v1`, wrongPassword), hasCode("UNAUTHORIZED"));
});

test("token auth: username/password inspect equals skopos inspect --creds; the token server checked them", async () => {
  const before = readLog(tokenLog).length;
  const actual = await inspect(`docker://${tokenRegistry}/auth/hello:v1`, credentials);
  assert.deepStrictEqual(actual, expectedToken);
  const requests = readLog(tokenLog).slice(before);
  assert.ok(requests.length > 0, "the token server got no request");
  for (const r of requests) {
    assert.equal(r.basic, true, "every token request carried Basic credentials");
    assert.equal(r.user, user);
    assert.deepStrictEqual(r.access.map((a) => [a.name, a.actions]), [["auth/hello", ["pull"]]]);
  }
});

test("token auth: the registry gets only the bearer token, never the Basic credentials", async () => {
  const before = readLog(proxyLog).length;
  const actual = await inspect(`docker://${recordedRegistry}/auth/hello:v1`, credentials);
  assert.equal(actual.Digest, expectedToken.Digest);
  const requests = readLog(proxyLog).slice(before);
  assert.ok(requests.some((r) => r.authorization === "Bearer" && r.status === 200), JSON.stringify(requests));
  assert.deepStrictEqual(requests.filter((r) => r.authorization === "Basic"), []);
});

test("token auth: the token option (a bearer token fetched beforehand)", async () => {
  const token = await fetchToken("repository:auth/hello:pull");
  const actual = await inspect(`docker://${tokenRegistry}/auth/hello:v1`, { ...base, token });
  assert.deepStrictEqual(actual, expectedToken);
  // A token for another repository does not open this one.
  const other = await fetchToken("repository:auth/other:pull");
  await assert.rejects(inspect(`docker://${tokenRegistry}/auth/hello:v1`, { ...base, token: other }), hasCode("UNAUTHORIZED"));
  await assert.rejects(inspect(`docker://${tokenRegistry}/auth/hello:v1`, { ...base, token, username: user, password }), hasCode("CONFIG"));
});

test("token auth: a wrong password or none gives UNAUTHORIZED", async () => {
  const before = readLog(tokenLog).length;
  await assert.rejects(inspect(`docker://${tokenRegistry}/auth/hello:v1`, wrongPassword), hasCode("UNAUTHORIZED"));
  const refused = readLog(tokenLog).slice(before);
  assert.ok(refused.some((r) => r.status === 401 && r.basic && r.user === null), JSON.stringify(refused));
  await assert.rejects(inspect(`docker://${tokenRegistry}/auth/hello:v1`, base), hasCode("UNAUTHORIZED"));
});

test("token auth: a repository the user may not pull gives UNAUTHORIZED every time", async () => {
  // The token server grants no action on auth/private; distribution then answers 401
  // UNAUTHORIZED with `error="insufficient_scope"` in WWW-Authenticate (not 403 DENIED).
  const codes = [];
  const record = (e) => {
    assert.ok(e instanceof Error);
    codes.push(e.code);
    return true;
  };
  for (let i = 0; i < 3; i++) await assert.rejects(inspect(`docker://${tokenRegistry}/auth/private:v1`, credentials), record);
  await assert.rejects(getManifest(`${tokenRegistry}/auth/private:v1`, credentials), record);
  await assert.rejects(listTags(`${tokenRegistry}/auth/private`, credentials), record);
  assert.deepStrictEqual(codes, Array(5).fill("UNAUTHORIZED"));
  // The server granted nothing on it: the refusal is the policy's, not a failed login.
  const asked = readLog(tokenLog).filter((r) => r.user === user && r.scopes.some((s) => s.startsWith("repository:auth/private:")));
  assert.ok(asked.length > 0);
  for (const r of asked) assert.deepStrictEqual(r.access.flatMap((a) => a.actions), []);
});
