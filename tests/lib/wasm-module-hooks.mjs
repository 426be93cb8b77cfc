// Node module hooks that load a `.wasm` import as wrangler and miniflare do (their CompiledWasm
// module rule): its default export is a compiled WebAssembly.Module. With them the Worker's
// modules (dist/worker, which instantiate skopos_bg.wasm themselves) run in plain Node:
//   register("../lib/wasm-module-hooks.mjs", import.meta.url); await import("…/routing.js");
export async function load(url, context, nextLoad) {
    if (!url.startsWith("file:") || !url.endsWith(".wasm")) return nextLoad(url, context);
    const source = `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));
`;
    return { format: "module", source, shortCircuit: true };
}
