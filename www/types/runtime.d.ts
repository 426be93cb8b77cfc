// What the Worker's runtime (Cloudflare Workers, workerd) adds to the web platform, as far as
// www/worker/ uses it, for the type check of scripts/check-js.sh.

/** A `.wasm` module imported by the Worker: workerd hands it over compiled. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** A TransformStream that checks that exactly `length` bytes pass through it. */
declare class FixedLengthStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(length: number | bigint);
}

interface CacheStorage {
  /** The Workers cache of this colo. */
  readonly default: Cache;
}
