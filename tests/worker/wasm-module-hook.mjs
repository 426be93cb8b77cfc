// A Node module hook that loads a `.wasm` import as wrangler and workerd do (the CompiledWasm
// rule): its default export is the compiled WebAssembly.Module. With it, the Worker's modules in
// dist/worker (which import skopos_bg.wasm) load in plain Node for the unit tests.
export async function load(url, context, nextLoad) {
    if (!url.endsWith(".wasm")) return nextLoad(url, context);
    const source = `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`;
    return { format: "module", source, shortCircuit: true };
}
