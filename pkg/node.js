// The Node entry point: instantiates the wasm synchronously from the file next to this one, so
// that `import { inspect } from "skopos"` works without calling init first.
import { readFileSync } from 'node:fs';
import { initSync } from './skopos.js';

initSync({ module: readFileSync(new URL('./skopos_bg.wasm', import.meta.url)) });

export * from './skopos.js';
export { default } from './skopos.js';
