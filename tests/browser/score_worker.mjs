// A page's scoring worker: scores a PyTorch fixture with each backend asked for (WASM on Web Workers,
// WebGPU on navigator.gpu through a nested GPU worker) and posts the scores or the error of each.
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

const dir = new URL('../../fixtures/pytorch/', import.meta.url);
const bytes = async (name) => new Uint8Array(await (await fetch(new URL(name, dir))).arrayBuffer());

self.onmessage = async (e) => {
  const { fixture, backends } = e.data;
  const expected = (await (await fetch(new URL('expected.json', dir))).json()).cases[fixture];
  const weights = parseSafetensors(await bytes(`${fixture}.weights.safetensors`));
  const batch = batchFromSafetensors(parseSafetensors(await bytes(`${fixture}.input.safetensors`)));
  const results = { crossOriginIsolated: self.crossOriginIsolated, userAgent: navigator.userAgent };
  for (const name of backends) {
    const start = performance.now();
    try {
      const backend = name === 'webgpu' ? await createWebGpuBackend({ readTimeoutMs: 300_000 }) : await createWebWasmBackend(2);
      const net = new Nb201Network(backend, { arch: expected.arch, C: expected.C, N: expected.N, numClasses: expected.num_classes });
      loadWeights(net.parameters, weights);
      const options = { gradsignReduction: 'sum', gradalignNorm: 'none' };
      const { scores } = backend.scope(() =>
        scoreReduced(reducePerSample(net, batch, reducersNeeded(DEFAULT_PROXIES, [options]), { chunk: 5 }), DEFAULT_PROXIES, options),
      );
      results[name] = {
        backend: backend.name,
        threads: backend.threads ?? 1,
        adapter: backend.adapter ?? null,
        scores,
        seconds: (performance.now() - start) / 1000,
      };
      await backend.close?.();
    } catch (err) {
      results[name] = { error: String(err?.message ?? err) };
    }
  }
  self.postMessage(results);
};
