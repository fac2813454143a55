/**
 * Scoring one architecture end to end: build its network (NAS-Bench-201 unless another space is given), initialise it (seeded PyTorch default init)
 * or load given weights, run the per-sample pass on the batch, and compute the requested proxies.
 * Runtime-neutral: no file access here.
 */
import type { DType } from './autodiff/index.js';
import type { Backend } from './backend/backend.js';
import { ReferenceBackend } from './backend/reference/index.js';
import { validateBatch, type Batch } from './data/batch.js';
import type { RawTensor } from './io/safetensors.js';
import { NB201_SPACE } from './nets/nb201/space.js';
import type { SearchSpace } from './nets/space.js';
import { DEFAULT_PROXY_OPTIONS, scoreNetwork, type ProxyName, type ProxyOptions } from './proxies/registry.js';
import type { PerSampleBn } from './per_sample/per_sample_gradients.js';
import { loadWeights } from './weights.js';

export interface ScoreArchitectureOptions {
  proxies: readonly ProxyName[];
  proxyOptions?: ProxyOptions;
  numClasses: number;
  /** Seed of the weight init (ignored when `weights` is given). */
  seed: number;
  weights?: { tensors: Map<string, RawTensor>; source: string };
  /** The space `arch` is written in and whose network is built (default NAS-Bench-201). */
  space?: SearchSpace;
  dtype?: DType;
  /** Samples per batched pass: bounds activation memory, same results (default 16). */
  chunk?: number;
  /** Checkpoint the network's segments in the batch passes from the start (see NetworkEnvironment). */
  checkpoint?: boolean;
  /** BN statistics of the per-sample pass (default `sample`, the reference code's). */
  perSampleBn?: PerSampleBn;
}

export const DEFAULT_CHUNK = 16;

export interface ArchitectureScore {
  arch: string;
  scores: Partial<Record<ProxyName, number>>;
  warnings: string[];
  seconds: number;
}

export function scoreArchitecture(backend: Backend, arch: string, batch: Batch, o: ScoreArchitectureOptions): ArchitectureScore {
  const start = performance.now();
  validateBatch(batch, 'batch'); // a NaN pixel would shift the sign-based scores silently
  // Everything this architecture allocates on the backend is freed when it is scored.
  return backend.scope(() => {
    const space = o.space ?? NB201_SPACE;
    const canonical = space.canonical(arch);
    const net = space.build(backend, canonical, { numClasses: o.numClasses, ...(o.dtype ? { dtype: o.dtype } : {}) });
    if (o.weights) loadWeights(net.parameters, o.weights.tensors, o.weights.source);
    else net.parameters.initialize(o.seed);
    const labelMax = Math.max(...batch.y);
    if (labelMax >= o.numClasses || Math.min(...batch.y) < 0) {
      throw new Error(`batch labels span [${Math.min(...batch.y)}, ${labelMax}] but the network has ${o.numClasses} classes`);
    }
    const env = { seed: o.seed, f64: f64BackendFor(backend), ...(o.checkpoint ? { checkpoint: true } : {}) };
    const { scores, warnings } = scoreNetwork(
      net,
      batch,
      o.proxies,
      o.proxyOptions ?? DEFAULT_PROXY_OPTIONS,
      { chunk: o.chunk ?? DEFAULT_CHUNK, ...(o.perSampleBn ? { bn: o.perSampleBn } : {}) },
      env,
    );
    return { arch: canonical, scores, warnings, seconds: (performance.now() - start) / 1000 };
  });
}

let referenceF64: ReferenceBackend | undefined;

/** Where f64 work (synflow) runs beside `backend`: the reference kernels, since the WASM and WebGPU ones are f32. */
export function f64BackendFor(backend: Backend): Backend {
  return backend.name === 'js' ? backend : (referenceF64 ??= new ReferenceBackend());
}
