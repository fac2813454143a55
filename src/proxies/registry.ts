/**
 * The proxy table: what each proxy needs and how it turns that into a score. Per-sample proxies (GradSign,
 * GradAlign) share one batched per-sample pass and its reducers; the baselines read one shared train-mode
 * batch pass (BatchPass) or build what they need from the network (synflow, zen, TE-NAS linear regions).
 * Every score is "higher is better"; the sign flips are documented in each proxy's file.
 */
import { quote } from '../util/quote.js';
import type { Backend } from '../backend/backend.js';
import { firstSamples, type Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import { ClassGramReducer } from '../per_sample/class_gram.js';
import { runPerSampleGradients, weightLayout, type PerSampleOptions } from '../per_sample/per_sample_gradients.js';
import type { Reducer } from '../per_sample/reducer.js';
import { SignSumReducer } from '../per_sample/sign_sum.js';
import { gradalign1, gradalign2, type ClassBlock, type GradAlign2Sign, type GradAlignNorm, type Warn } from './gradalign.js';
import { gradsign, type GradSignReduction } from './gradsign.js';
import { BatchPass, type BatchPassNeeds } from './batch_pass.js';
import { fisher } from './fisher.js';
import { gradNorm } from './grad_norm.js';
import { grasp } from './grasp.js';
import { jacobCov } from './jacob_cov.js';
import { naswot } from './naswot.js';
import { snip } from './snip.js';
import { synflow, type SynflowVariant } from './synflow.js';
import { linearRegions, ntkConditionNumber } from './tenas.js';
import { zen } from './zen.js';

export const PROXY_NAMES = [
  'gradsign', 'gradalign1', 'gradalign2',
  'grad_norm', 'snip', 'grasp', 'fisher', 'synflow', 'jacob_cov', 'naswot', 'zen', 'tenas_ntk', 'tenas_lr',
  'params', 'flops',
] as const;
export type ProxyName = (typeof PROXY_NAMES)[number];

/** The proxies computed from per-sample gradients: this library's own (and `zerocost score`'s default). */
export const PER_SAMPLE_PROXIES = ['gradsign', 'gradalign1', 'gradalign2'] as const satisfies readonly ProxyName[];

export interface ProxyOptions {
  gradsignReduction: GradSignReduction;
  gradalignNorm: GradAlignNorm;
  gradalign2Sign: GradAlign2Sign;
  synflowVariant: SynflowVariant;
  /** fisher: count each channel numel(W)/C_out times as zero-cost-nas does (true) or once. */
  fisherBroadcast: boolean;
  /** TE-NAS NTK on the first N samples (its cost grows as N²: N backward passes of N samples). */
  ntkBatch: number;
}

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = { gradsignReduction: 'sum', gradalignNorm: 'none', gradalign2Sign: 'plus', synflowVariant: 'zc', fisherBroadcast: true, ntkBatch: 64 };

/** What the network-level proxies get: the network, the batch, a shared batch pass, and an f64 backend. */
export interface NetworkContext {
  net: Network;
  batch: Batch;
  options: ProxyOptions;
  /** Seed for the proxies that draw their own weights or inputs (zen, TE-NAS regions, synflow's zc biases). */
  seed: number;
  /** Where f64 work runs (synflow). */
  f64: Backend;
  pass(): BatchPass;
}

export type ReducerKind = 'signSum' | 'classGram';

/** What the reducers hand to the proxies after the pass. */
export interface Reduced {
  /** Number of counted weights (Conv2d and Linear). */
  m: number;
  signSums: Int32Array;
  classes: ClassBlock[];
  /** Σ_n of the per-sample losses (a cheap check against a reference). */
  lossSum: number;
  /** A per-sample gradient was NaN or ±Inf (activations or gradients overflowed): no reduction means anything. */
  nonFinite: boolean;
}

type ProxyRule =
  | { kind: 'perSample'; needs(o: ProxyOptions): ReducerKind[]; score(r: Reduced, o: ProxyOptions, warn: Warn): number }
  | { kind: 'network'; pass?: BatchPassNeeds; score(ctx: NetworkContext): number };

/** Distinct seeds for the random draws of different proxies on one architecture. */
const SEED_OFFSET = { synflow: 0x5f1, zen: 0x2e4, tenasLr: 0x7e1 };
/** `^` gives a signed int32: back to [0, 2³²), the same draws as before seeds were checked. */
const seedFor = (seed: number, offset: number): number => (seed ^ offset) >>> 0;

export const PROXIES: Record<ProxyName, ProxyRule> = {
  gradsign: {
    kind: 'perSample',
    needs: () => ['signSum'],
    score: (r, o) => gradsign(r.signSums, o.gradsignReduction),
  },
  gradalign1: {
    kind: 'perSample',
    needs: () => ['classGram'],
    score: (r, o, warn) => gradalign1(r.classes, o.gradalignNorm, r.m, warn),
  },
  gradalign2: {
    kind: 'perSample',
    needs: () => ['classGram'],
    score: (r, o, warn) => gradalign2(r.classes, o.gradalignNorm, r.m, warn, o.gradalign2Sign),
  },
  grad_norm: { kind: 'network', pass: {}, score: (c) => gradNorm(c.pass()) },
  snip: { kind: 'network', pass: {}, score: (c) => snip(c.pass()) },
  grasp: { kind: 'network', pass: {}, score: (c) => grasp(c.pass()) },
  fisher: { kind: 'network', pass: { layerOutputs: true }, score: (c) => fisher(c.pass(), c.options.fisherBroadcast) },
  jacob_cov: { kind: 'network', pass: {}, score: (c) => jacobCov(c.pass()) },
  naswot: { kind: 'network', pass: { reluCodes: true }, score: (c) => naswot(c.pass()) },
  // lower condition number is better, so the score is −cond
  tenas_ntk: {
    kind: 'network',
    score: (c) => -(c.batch.shape[0] <= c.options.ntkBatch
      ? ntkConditionNumber(c.pass())
      : c.net.backend.scope(() => ntkConditionNumber(new BatchPass(c.net, firstSamples(c.batch, c.options.ntkBatch), {})))),
  },
  tenas_lr: {
    kind: 'network',
    score: (c) => linearRegions(c.net, { inputShape: c.batch.shape, seed: seedFor(c.seed, SEED_OFFSET.tenasLr) }),
  },
  synflow: {
    kind: 'network',
    score: (c) => synflow(c.net, { variant: c.options.synflowVariant, inputShape: [c.batch.shape[1], c.batch.shape[2], c.batch.shape[3]], backend: c.f64, seed: seedFor(c.seed, SEED_OFFSET.synflow) }),
  },
  zen: { kind: 'network', score: (c) => zen(c.net, { inputShape: c.batch.shape, seed: seedFor(c.seed, SEED_OFFSET.zen) }).score },
  params: { kind: 'network', score: (c) => c.net.parameters.parameterCount() },
  flops: { kind: 'network', score: (c) => c.net.flops([c.batch.shape[1], c.batch.shape[2], c.batch.shape[3]]) },
};

export function parseProxyList(text: string): ProxyName[] {
  if (text.trim() === 'all') return [...PROXY_NAMES];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('no proxy named (expected a comma-separated list)');
  for (const n of names) {
    if (!(PROXY_NAMES as readonly string[]).includes(n)) throw new Error(`unknown proxy ${quote(n)} (known: ${PROXY_NAMES.join(', ')})`);
  }
  return [...new Set(names)] as ProxyName[];
}

export interface ScoreResult {
  scores: Partial<Record<ProxyName, number>>;
  warnings: string[];
}

/** The reducers that the given proxies need under any of the given option sets. */
export function reducersNeeded(proxies: readonly ProxyName[], optionSets: readonly ProxyOptions[]): Set<ReducerKind> {
  return new Set(optionSets.flatMap((o) => proxies.flatMap((p) => {
    const rule = PROXIES[p];
    return rule.kind === 'perSample' ? rule.needs(o) : [];
  })));
}

/** One batched per-sample pass through the network, reduced as the gradients are produced. */
export function reducePerSample(net: Network, batch: Batch, kinds: ReadonlySet<ReducerKind>, options: PerSampleOptions = {}): Reduced {
  const signSum = kinds.has('signSum') ? new SignSumReducer() : undefined;
  const gram = kinds.has('classGram') ? new ClassGramReducer() : undefined;
  const reducers: Reducer[] = [signSum, gram].filter((r): r is NonNullable<typeof r> => r !== undefined);
  const lossSum = runPerSampleGradients(net, batch, reducers, options);

  const classes: ClassBlock[] = (gram?.classes ?? []).map((label, c) => ({ label, count: gram!.members[c]!.length, gram: gram!.grams[c]! }));
  return {
    m: weightLayout(net).reduce((t, l) => t + l.numel, 0),
    signSums: signSum?.sums ?? new Int32Array(0),
    classes,
    lossSum,
    nonFinite: (signSum?.nonFinite ?? false) || (gram?.nonFinite ?? false),
  };
}

export function scoreReduced(reduced: Reduced, proxies: readonly ProxyName[], options: ProxyOptions): ScoreResult {
  const warnings: string[] = [];
  const scores: Partial<Record<ProxyName, number>> = {};
  for (const p of proxies) {
    const rule = PROXIES[p];
    if (rule.kind !== 'perSample') continue;
    if (reduced.nonFinite) {
      // signs of NaN count as 0, so the reductions would still give a plausible number
      warnings.push(`${p}: the per-sample gradients have NaN or ±Inf values (overflow in the pass); score is NaN`);
      scores[p] = NaN;
    } else scores[p] = rule.score(reduced, options, (m) => warnings.push(m));
  }
  return { scores, warnings };
}

export interface NetworkEnvironment {
  seed: number;
  f64: Backend;
}

/** The network-level proxies among `proxies`, sharing one batch pass; all their tensors are freed at the end. */
export function scoreNetworkProxies(net: Network, batch: Batch, proxies: readonly ProxyName[], options: ProxyOptions, env: NetworkEnvironment): ScoreResult {
  const wanted = proxies.filter((p) => PROXIES[p].kind === 'network');
  const needs: BatchPassNeeds = {};
  for (const p of wanted) {
    const rule = PROXIES[p];
    if (rule.kind === 'network' && rule.pass) Object.assign(needs, Object.fromEntries(Object.entries(rule.pass).filter(([, v]) => v)));
  }
  return net.backend.scope(() => {
    let pass: BatchPass | undefined;
    const ctx: NetworkContext = { net, batch, options, seed: env.seed, f64: env.f64, pass: () => (pass ??= new BatchPass(net, batch, needs)) };
    const scores: Partial<Record<ProxyName, number>> = {};
    const warnings: string[] = [];
    for (const p of wanted) {
      const rule = PROXIES[p];
      if (rule.kind !== 'network') continue;
      const v = rule.score(ctx);
      if (Number.isNaN(v) && pass?.nonFinite) warnings.push(`${p}: the activations have NaN or ±Inf values (overflow in the forward); score is NaN`);
      else if (!Number.isFinite(v)) warnings.push(`${p}: score is ${v}`);
      scores[p] = v;
    }
    return { scores, warnings };
  });
}

/** Scores one network on one batch with every requested proxy: one per-sample pass, one shared batch pass. */
export function scoreNetwork(
  net: Network, batch: Batch, proxies: readonly ProxyName[], options: ProxyOptions = DEFAULT_PROXY_OPTIONS, pass: PerSampleOptions = {},
  env: NetworkEnvironment = { seed: 0, f64: net.backend },
): ScoreResult {
  const perSample = proxies.filter((p) => PROXIES[p].kind === 'perSample');
  const a = perSample.length > 0 ? scoreReduced(reducePerSample(net, batch, reducersNeeded(perSample, [options]), pass), perSample, options) : { scores: {}, warnings: [] };
  const b = scoreNetworkProxies(net, batch, proxies, options, env);
  const scores: Partial<Record<ProxyName, number>> = {};
  for (const p of proxies) scores[p] = a.scores[p] ?? b.scores[p];
  return { scores, warnings: [...a.warnings, ...b.warnings] };
}
