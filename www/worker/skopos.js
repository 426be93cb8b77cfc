// The skopos wasm module, instantiated once per Worker isolate, and the functions the Worker
// uses from it. wrangler and miniflare import `skopos_bg.wasm` as a compiled WebAssembly.Module
// (the CompiledWasm module rule); `skopos-wasm.js` is wasm-bindgen's glue copied from pkg/skopos.js.
import wasm from './skopos_bg.wasm';
import {
  initSync,
  inspect,
  getManifest,
  listTags,
  platforms,
  parseReference,
  proxyFetch,
  resolveProxyPath,
  canonicalRegistry,
  errorStatus,
} from './skopos-wasm.js';

initSync({ module: wasm });

export {
  inspect,
  getManifest,
  listTags,
  platforms,
  parseReference,
  proxyFetch,
  resolveProxyPath,
  canonicalRegistry,
  errorStatus,
};
