/**
 * The real Node kernel worker (src/node/wasm_worker.ts), except that its first kernel call ends the thread
 * with process.exit(3): a worker dying mid-run, for tests/wasm_lifetimes.test.ts.
 */
const Instance = WebAssembly.Instance;
WebAssembly.Instance = class extends Instance {
  override get exports(): WebAssembly.Exports {
    const real = super.exports;
    return Object.fromEntries(Object.entries(real).map(([k, v]) => [k, typeof v === 'function' ? () => process.exit(3) : v]));
  }
} as typeof WebAssembly.Instance;
await import('../src/node/wasm_worker.js');
