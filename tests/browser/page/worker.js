// A module Web Worker that runs the npm package (tests/browser/package.test.mjs): it imports
// skopos.js, awaits the default init (which fetches skopos_bg.wasm next to it), and answers each
// message `{ image, options }` with `{ ok: inspect's result }` or `{ error: { code, message } }`.
import init, { inspect } from "/pkg/skopos.js";

const ready = init();

self.onmessage = async ({ data: { image, options } }) => {
  try {
    await ready;
    self.postMessage({ ok: await inspect(image, options), inWorker: typeof window === "undefined" });
  } catch (e) {
    self.postMessage({ error: { code: e.code ?? null, message: String(e.message ?? e) } });
  }
};
