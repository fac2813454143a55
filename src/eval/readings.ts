/**
 * Every reading of every proxy from one per-sample pass: GradSign (sum, mean) and GradAlign-I/II under each
 * normalisation, plus the parameter count as the trivial reference score; and the baselines asked for, from
 * one shared batch pass, each under its own name. Used by `zerocost eval`.
 */
import type { Backend } from '../backend/backend.js';
import { f64BackendFor } from '../scoring.js';
import { NEG_INF_SCORE } from './report.js';
import type { Batch } from '../data/batch.js';
import { Nb201Network } from '../nets/nb201/network.js';
import { DEFAULT_PROXY_OPTIONS, PER_SAMPLE_PROXIES, PROXIES, reducePerSample, reducersNeeded, scoreNetworkProxies, scoreReduced, type ProxyName, type ProxyOptions } from '../proxies/registry.js';

export interface Reading {
  key: string;
  proxy: ProxyName;
  options: ProxyOptions;
}

const o = (gradsignReduction: 'sum' | 'mean', gradalignNorm: 'none' | 'params' | 'cosine'): ProxyOptions => ({ ...DEFAULT_PROXY_OPTIONS, gradsignReduction, gradalignNorm });

/** The readings, keyed as in results lines; the plain names are the defaults of `zerocost score`. */
export const READINGS: Reading[] = [
  { key: 'gradsign', proxy: 'gradsign', options: o('sum', 'none') },
  { key: 'gradsign_mean', proxy: 'gradsign', options: o('mean', 'none') },
  { key: 'gradalign1', proxy: 'gradalign1', options: o('sum', 'none') },
  { key: 'gradalign1_params', proxy: 'gradalign1', options: o('sum', 'params') },
  { key: 'gradalign1_cosine', proxy: 'gradalign1', options: o('sum', 'cosine') },
  { key: 'gradalign2', proxy: 'gradalign2', options: o('sum', 'none') },
  { key: 'gradalign2_params', proxy: 'gradalign2', options: o('sum', 'params') },
  { key: 'gradalign2_cosine', proxy: 'gradalign2', options: o('sum', 'cosine') },
];

/** The keys a results line holds for these proxies: every per-sample reading, then each baseline by name. */
export function readingKeys(proxies: readonly ProxyName[]): string[] {
  return [
    ...READINGS.filter((r) => proxies.includes(r.proxy)).map((r) => r.key),
    ...proxies.filter((p) => PROXIES[p].kind === 'network' && p !== 'params'),
  ];
}

export interface ReadingsResult {
  /** Score per reading key, null where undefined (NaN); `params` is the parameter count. */
  scores: Record<string, number | null>;
  warnings: string[];
  seconds: number;
}

export function scoreReadings(
  backend: Backend, arch: string, batch: Batch,
  o: { numClasses: number; seed: number; chunk: number; proxies?: readonly ProxyName[]; ntkBatch?: number },
): ReadingsResult {
  const start = performance.now();
  const proxies = o.proxies ?? PER_SAMPLE_PROXIES;
  const readings = READINGS.filter((r) => proxies.includes(r.proxy));
  return backend.scope(() => {
    const net = new Nb201Network(backend, { arch, numClasses: o.numClasses });
    net.parameters.initialize(o.seed);
    const warnings = new Set<string>();
    const scores: Record<string, number | null> = { params: net.parameters.parameterCount() };
    if (readings.length > 0) {
      const reduced = reducePerSample(net, batch, reducersNeeded(proxies, readings.map((r) => r.options)), { chunk: o.chunk });
      for (const r of readings) {
        const s = scoreReduced(reduced, [r.proxy], r.options);
        const v = s.scores[r.proxy]!;
        scores[r.key] = Number.isFinite(v) ? v : null;
        s.warnings.forEach((w) => warnings.add(w));
      }
    }
    const baselines = proxies.filter((p) => PROXIES[p].kind === 'network' && p !== 'params');
    if (baselines.length > 0) {
      const s = scoreNetworkProxies(net, batch, baselines, { ...DEFAULT_PROXY_OPTIONS, ntkBatch: o.ntkBatch ?? DEFAULT_PROXY_OPTIONS.ntkBatch }, { seed: o.seed, f64: f64BackendFor(backend) });
      for (const p of baselines) {
        const v = s.scores[p]!;
        // −Infinity is a score (NASWOT's singular kernel ranks last); NaN is not
        scores[p] = Number.isNaN(v) ? null : v === -Infinity ? NEG_INF_SCORE : v;
      }
      s.warnings.forEach((w) => warnings.add(w));
    }
    return { scores, warnings: [...warnings], seconds: (performance.now() - start) / 1000 };
  });
}
