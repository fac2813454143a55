// Runs in Deno (not Node): scores a PyTorch fixture with the WASM backend on Web Workers, or with the WebGPU
// backend on Deno's own navigator.gpu, and prints JSON.
// Usage: deno run --allow-read tests/deno/score_fixture.mjs CASE THREADS [wasm|webgpu]
import {
  Nb201Network,
  batchFromSafetensors,
  parseSafetensors,
  loadWeights,
  reducePerSample,
  reducersNeeded,
  scoreReduced,
  DEFAULT_PROXIES,
  createWebWasmBackend,
  createWebGpuBackend,
} from '../../dist/src/index.js';

const [name, threadsArg, backendName = 'wasm'] = Deno.args;
const dir = new URL('../../fixtures/pytorch/', import.meta.url);
const expected = JSON.parse(await Deno.readTextFile(new URL('expected.json', dir))).cases[name];
const backend =
  backendName === 'webgpu' ? await createWebGpuBackend({ readTimeoutMs: 300_000 }) : await createWebWasmBackend(Number(threadsArg));
const net = new Nb201Network(backend, { arch: expected.arch, C: expected.C, N: expected.N, numClasses: expected.num_classes });
loadWeights(net.parameters, parseSafetensors(await Deno.readFile(new URL(`${name}.weights.safetensors`, dir))));
const batch = batchFromSafetensors(parseSafetensors(await Deno.readFile(new URL(`${name}.input.safetensors`, dir))));
const options = { gradsignReduction: 'sum', gradalignNorm: 'none' };
const { scores } = backend.scope(() =>
  scoreReduced(reducePerSample(net, batch, reducersNeeded(DEFAULT_PROXIES, [options]), { chunk: 5 }), DEFAULT_PROXIES, options),
);
console.log(
  JSON.stringify({
    runtime: `deno ${Deno.version.deno}`,
    backend: backend.name,
    threads: backend.threads ?? 1,
    adapter: backend.adapter ?? null,
    scores,
  }),
);
await backend.close();
