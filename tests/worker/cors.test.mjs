// The edge Worker's CORS answers (www/worker/cors.js) as plain functions in Node: `*` lets any
// page read, a CORS_ORIGINS list only the pages it names, and preflights are answered without
// asking a registry. Run by tests/worker/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { preflight, withCors } from "../../www/worker/cors.js";

const from = (origin, init = {}) => new Request("https://worker.example/v2/", { ...init, headers: { ...(origin ? { Origin: origin } : {}), ...init.headers } });
const listed = ["https://app.example", "https://other.example"];

test("with *, any page may read, and the registry headers it needs are exposed", () => {
    const response = withCors(from("https://anyone.example"), new Response("{}"), ["*"]);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    for (const header of ["Docker-Content-Digest", "WWW-Authenticate", "Link", "Content-Length", "Retry-After"]) {
        assert.match(response.headers.get("access-control-expose-headers"), new RegExp(header));
    }
});

test("with a list, only the listed origins may read; answers vary by Origin", () => {
    const allowed = withCors(from("https://app.example"), new Response("{}"), listed);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(allowed.headers.get("vary"), "Origin");
    const other = withCors(from("https://evil.example"), new Response("{}"), listed);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    assert.equal(other.headers.get("vary"), "Origin");
    const none = withCors(from(null), new Response("{}"), listed);
    assert.equal(none.headers.get("access-control-allow-origin"), null);
});

test("an immutable response (fetched or cached) is copied, not failed", async () => {
    const immutable = Response.redirect("https://elsewhere.example/", 302); // headers are immutable
    const response = withCors(from("https://app.example"), immutable, listed);
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "https://elsewhere.example/");
    assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example");
});

test("preflights: 204 with the asked headers for an allowed origin, no grant for others", () => {
    const asked = from("https://app.example", { method: "OPTIONS", headers: { "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization, accept" } });
    const ok = preflight(asked, listed);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(ok.headers.get("access-control-allow-methods"), /GET/);
    assert.equal(ok.headers.get("access-control-allow-headers"), "authorization, accept");
    const refused = preflight(from("https://evil.example", { method: "OPTIONS" }), listed);
    assert.equal(refused.status, 204);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    assert.equal(refused.headers.get("access-control-allow-methods"), null);
});
