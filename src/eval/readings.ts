/**
 * Every reading of every proxy from one per-sample pass: GradSign (sum, mean) and GradAlign-I/II under each
 * normalisation, plus the parameter count as the trivial reference score; and the baselines asked for, from
 * one shared batch pass, each under its own name. Used by `zerocost eval`.
 */
import type { Backend } from '../backend/backend.js';
import { f64BackendFor } from '../scoring.js';
import { NEG_INF_SCORE } from './report.js';
import type { Batch } from '../data/batch.js';
import { NB201_SPACE } from '../nets/nb201/space.js';
import type { PerSampleBn } from '../per_sample/per_sample_gradients.js';
import type { SearchSpace } from '../nets/space.js';
import { isChoiceOption } from '../proxies/options.js';
import {
  DEFAULT_PROXY_OPTIONS,
  DEFAULT_PROXIES,
  PER_SAMPLE_PROXIES,
  PROXY_OPTIONS,
  isPerSample,
  proxyOptionsOf,
  reducePerSample,
  reducersNeeded,
  scoreNetworkProxies,
  scoreReduced,
  type ProxyName,
  type ProxyOptions,
} from '../proxies/registry.js';

export interface Reading {
  key: string;
  proxy: ProxyName;
  options: ProxyOptions;
}

/**
 * The readings, keyed as in results lines: each per-sample proxy under the defaults of `zerocost score` (its
 * plain name), then once per other choice of each option marked `readings` (`<proxy>_<choice>`).
 */
export const READINGS: Reading[] = PER_SAMPLE_PROXIES.flatMap((proxy) => [
  { key: proxy, proxy, options: DEFAULT_PROXY_OPTIONS },
  ...proxyOptionsOf(proxy).flatMap((name) => {
    const spec = PROXY_OPTIONS[name];
    if (!isChoiceOption(spec) || spec.readings !== true) return [];
    return Object.entries(spec.choices)
      .filter(([, v]) => v !== spec.default)
      .map(([choice, v]) => ({ key: `${proxy}_${choice}`, proxy, options: { ...DEFAULT_PROXY_OPTIONS, [name]: v } }));
  }),
]);

/** The network-level proxies, scored once each under their own name (`params` is always recorded). */
const baselinesOf = (proxies: readonly ProxyName[]): ProxyName[] => proxies.filter((p) => !isPerSample(p) && p !== 'params');

/** The keys a results line holds for these proxies: every per-sample reading, then each baseline by name. */
export function readingKeys(proxies: readonly ProxyName[]): string[] {
  return [...READINGS.filter((r) => proxies.includes(r.proxy)).map((r) => r.key), ...baselinesOf(proxies)];
}

export interface ReadingsResult {
  /** Score per reading key, null where undefined (NaN); `params` is the parameter count. */
  scores: Record<string, number | null>;
  warnings: string[];
  seconds: number;
}

export function scoreReadings(
  backend: Backend,
  arch: string,
  batch: Batch,
  o: {
    numClasses: number;
    seed: number;
    chunk: number;
    proxies?: readonly ProxyName[];
    ntkBatch?: number;
    space?: SearchSpace;
    /** Checkpoint the network's segments in the batch passes from the start (see NetworkEnvironment). */
    checkpoint?: boolean;
    /** BN statistics of the per-sample pass (default `sample`). */
    perSampleBn?: PerSampleBn;
  },
): ReadingsResult {
  const start = performance.now();
  const proxies = o.proxies ?? DEFAULT_PROXIES;
  const readings = READINGS.filter((r) => proxies.includes(r.proxy));
  return backend.scope(() => {
    const net = (o.space ?? NB201_SPACE).build(backend, arch, { numClasses: o.numClasses });
    net.parameters.initialize(o.seed);
    const warnings = new Set<string>();
    const scores: Record<string, number | null> = { params: net.parameters.parameterCount() };
    if (readings.length > 0) {
      const reduced = reducePerSample(net, batch, reducersNeeded(proxies), {
        chunk: o.chunk,
        ...(o.perSampleBn ? { bn: o.perSampleBn } : {}),
      });
      for (const r of readings) {
        const s = scoreReduced(reduced, [r.proxy], r.options);
        const v = s.scores[r.proxy]!;
        scores[r.key] = Number.isFinite(v) ? v : null;
        s.warnings.forEach((w) => warnings.add(w));
      }
    }
    const baselines = baselinesOf(proxies);
    if (baselines.length > 0) {
      const s = scoreNetworkProxies(
        net,
        batch,
        baselines,
        { ...DEFAULT_PROXY_OPTIONS, ntkBatch: o.ntkBatch ?? DEFAULT_PROXY_OPTIONS.ntkBatch },
        { seed: o.seed, f64: f64BackendFor(backend), ...(o.checkpoint ? { checkpoint: true } : {}) },
      );
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
