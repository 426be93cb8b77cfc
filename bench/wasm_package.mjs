#!/usr/bin/env node
// The npm package's cost, side by side with Node's own crypto where there is a counterpart:
// the .wasm size (raw and gzipped), the time to import and instantiate the package in a fresh
// Node process, and verifyDigest throughput on 64 MiB next to crypto.createHash('sha256').
// Run `make pkg` first. Usage: bench/wasm_package.mjs [--runs N]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 7;
const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const wasm = readFileSync(pkg + "skopos_bg.wasm");
const gz = gzipSync(wasm).length;
console.log(`node ${process.version}; ${runs} runs each, medians`);
console.log(`wasm size: ${wasm.length} bytes raw (${(wasm.length / 1024).toFixed(1)} KiB), ${gz} bytes gzipped (${(gz / 1024).toFixed(1)} KiB; budget 200 KiB)`);

// Import + instantiate in a fresh process each time (what a CLI script or a cold worker pays).
const probe = `const t = performance.now(); await import(${JSON.stringify(pkg + "node.js")}); console.log(performance.now() - t);`;
const loads = [];
for (let i = 0; i < runs; i++) {
  loads.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", probe]).toString()));
}
console.log(`import + instantiate in a fresh Node process: ${median(loads).toFixed(1)} ms`);

const { verifyDigest } = await import(pkg + "node.js");
const data = randomBytes(64 * 1024 * 1024);
const expected = "sha256:" + createHash("sha256").update(data).digest("hex");
const time = (f) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};
const wasmTimes = [];
const nodeTimes = [];
for (let i = 0; i < runs; i++) {
  wasmTimes.push(time(() => { if (!verifyDigest(data, expected)) throw new Error("verifyDigest disagreed with node:crypto"); }));
  nodeTimes.push(time(() => createHash("sha256").update(data).digest("hex")));
}
const mibps = (ms) => (64 / (ms / 1000)).toFixed(0);
const [w, n] = [median(wasmTimes), median(nodeTimes)];
console.log(`verifyDigest 64 MiB: ${w.toFixed(1)} ms (${mibps(w)} MiB/s); node:crypto sha256: ${n.toFixed(1)} ms (${mibps(n)} MiB/s); time ratio ${(w / n).toFixed(2)}`);
