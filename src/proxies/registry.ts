/**
 * The proxy table: what each proxy needs from the per-sample pass and how it turns that into a score.
 * One batched per-sample pass serves every requested proxy; each reducer runs once.
 */
import type { Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import { ClassGramReducer } from '../per_sample/class_gram.js';
import { runPerSampleGradients, weightLayout, type PerSampleOptions } from '../per_sample/per_sample_gradients.js';
import type { Reducer } from '../per_sample/reducer.js';
import { SignSumReducer } from '../per_sample/sign_sum.js';
import { gradalign1, gradalign2, type ClassBlock, type GradAlignNorm, type Warn } from './gradalign.js';
import { gradsign, type GradSignReduction } from './gradsign.js';

export const PROXY_NAMES = ['gradsign', 'gradalign1', 'gradalign2'] as const;
export type ProxyName = (typeof PROXY_NAMES)[number];

export interface ProxyOptions {
  gradsignReduction: GradSignReduction;
  gradalignNorm: GradAlignNorm;
}

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = { gradsignReduction: 'sum', gradalignNorm: 'none' };

export type ReducerKind = 'signSum' | 'classGram';

/** What the reducers hand to the proxies after the pass. */
export interface Reduced {
  /** Number of counted weights (Conv2d and Linear). */
  m: number;
  signSums: Int32Array;
  classes: ClassBlock[];
  /** Σ_n of the per-sample losses (a cheap check against a reference). */
  lossSum: number;
}

interface ProxyRule {
  needs(o: ProxyOptions): ReducerKind[];
  score(r: Reduced, o: ProxyOptions, warn: Warn): number;
}

export const PROXIES: Record<ProxyName, ProxyRule> = {
  gradsign: {
    needs: () => ['signSum'],
    score: (r, o) => gradsign(r.signSums, o.gradsignReduction),
  },
  gradalign1: {
    needs: () => ['classGram'],
    score: (r, o, warn) => gradalign1(r.classes, o.gradalignNorm, r.m, warn),
  },
  gradalign2: {
    needs: () => ['classGram'],
    score: (r, o, warn) => gradalign2(r.classes, o.gradalignNorm, r.m, warn),
  },
};

export function parseProxyList(text: string): ProxyName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('no proxy named (expected a comma-separated list)');
  for (const n of names) {
    if (!(PROXY_NAMES as readonly string[]).includes(n)) throw new Error(`unknown proxy "${n}" (known: ${PROXY_NAMES.join(', ')})`);
  }
  return [...new Set(names)] as ProxyName[];
}

export interface ScoreResult {
  scores: Partial<Record<ProxyName, number>>;
  warnings: string[];
}

/** The reducers that the given proxies need under any of the given option sets. */
export function reducersNeeded(proxies: readonly ProxyName[], optionSets: readonly ProxyOptions[]): Set<ReducerKind> {
  return new Set(optionSets.flatMap((o) => proxies.flatMap((p) => PROXIES[p].needs(o))));
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
  };
}

export function scoreReduced(reduced: Reduced, proxies: readonly ProxyName[], options: ProxyOptions): ScoreResult {
  const warnings: string[] = [];
  const scores: Partial<Record<ProxyName, number>> = {};
  for (const p of proxies) scores[p] = PROXIES[p].score(reduced, options, (m) => warnings.push(m));
  return { scores, warnings };
}

/** Scores one network on one batch with every requested proxy, from a single per-sample pass. */
export function scoreNetwork(
  net: Network, batch: Batch, proxies: readonly ProxyName[], options: ProxyOptions = DEFAULT_PROXY_OPTIONS, pass: PerSampleOptions = {},
): ScoreResult {
  return scoreReduced(reducePerSample(net, batch, reducersNeeded(proxies, [options]), pass), proxies, options);
}
