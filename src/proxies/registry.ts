/**
 * The proxy table: what each proxy needs and how it turns that into a score. Per-sample proxies (GradSign,
 * GradAlign) share one batched per-sample pass and its reducers; the baselines read one shared train-mode
 * batch pass (BatchPass) or build what they need from the network (synflow, zen, TE-NAS linear regions).
 * Every score is "higher is better"; the sign flips are documented in each proxy's file.
 */
import { quote } from '../util/quote.js';
import { OutOfMemoryError, type Backend } from '../backend/backend.js';
import { firstSamples, type Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import { ClassGramReducer } from '../per_sample/class_gram.js';
import { OutputLayerScaleReducer } from '../per_sample/output_layer_scale.js';
import { runPerSampleGradients, weightLayout, type PerSampleOptions } from '../per_sample/per_sample_gradients.js';
import type { Reducer } from '../per_sample/reducer.js';
import { SignSumReducer } from '../per_sample/sign_sum.js';
import { ZicoMomentsReducer } from '../per_sample/zico_moments.js';
import { gradalign1, gradalign2, type ClassBlock, type Warn } from './gradalign.js';
import { DEFAULT_PROXY_OPTIONS, type ProxyOptionName, type ProxyOptions } from './options.js';
import { gradsign } from './gradsign.js';
import { BatchPass, type BatchPassNeeds } from './batch_pass.js';
import { fisher } from './fisher.js';
import { gradNorm } from './grad_norm.js';
import { grasp } from './grasp.js';
import { jacobCov } from './jacob_cov.js';
import { naswot } from './naswot.js';
import { snip } from './snip.js';
import { synflow } from './synflow.js';
import { linearRegions, ntkConditionNumber } from './tenas.js';
import { zen } from './zen.js';
import { MECO_OPT_CHANNELS, mecoOf } from './meco.js';
import { swap, swapRegularFactor } from './swap.js';
import { zico, zicoFromLayerSums } from './zico.js';
import { azNas, azNasComplexity, type AzNasResult } from './az_nas.js';
import { vkdnw, type VkdnwResult } from './vkdnw.js';
import { Random } from '../util/random.js';
import { ENSEMBLE_MEMBERS } from './ensemble.js';

export { DEFAULT_PROXY_OPTIONS, PROXY_OPTIONS, type ProxyOptionName, type ProxyOptions } from './options.js';

/**
 * What a proxy is computed from. The per-sample pass yields `signSums` and `classGrams`; the shared train-mode
 * batch pass yields the other batch readings (keeping `layerOutputs` and `reluCodes` only when asked);
 * `ownPass` proxies run their own passes on the network (or a copy); `network` ones read only its structure.
 */
export const CONSUMED = {
  signSums: 'per-sample gradient signs, summed over the batch',
  classGrams: 'per-class Gram matrices of the per-sample gradient signs',
  gradientMoments: "the per-sample gradients' per-weight mean |g| and standard deviation",
  batchGradients: 'the batch-mean loss gradient',
  hvp: 'a Hessian-vector product',
  layerOutputs: 'layer outputs and their gradients',
  inputJacobian: 'the input Jacobian',
  outputGradients: "each sample's output gradient",
  reluCodes: 'ReLU activation patterns',
  moduleOutputs: 'every module output of one image',
  ownPass: 'passes of its own',
  network: 'the network alone',
} as const;
export type Consumed = keyof typeof CONSUMED;

/** The per-sample reducers behind the per-sample readings. */
export type ReducerKind = 'signSum' | 'classGram' | 'zicoMoments';
const REDUCER_OF: Partial<Record<Consumed, ReducerKind>> = { signSums: 'signSum', classGrams: 'classGram', gradientMoments: 'zicoMoments' };

interface ProxyInfo {
  /** The help's one line: what the score is. */
  summary: string;
  consumes: readonly Consumed[];
  /** The options it reads (options.ts). */
  options?: readonly ProxyOptionName[];
}

/** A proxy scored from the per-sample pass's reductions, or from the network (and the shared batch pass). */
export type ProxyEntry = ProxyInfo &
  ({ fromReductions(r: Reduced, o: ProxyOptions, warn: Warn): number } | { fromNetwork(ctx: NetworkContext): number });

/** Distinct seeds for the random draws of different proxies on one architecture. */
const SEED_OFFSET = { synflow: 0x5f1, zen: 0x2e4, tenasLr: 0x7e1, swap: 0x5a9, mecoOpt: 0x3ec, azNas: 0xa2a, vkdnw: 0x7d9 };
/** `^` gives a signed int32: back to [0, 2³²), the same draws as before seeds were checked. */
const seedFor = (seed: number, offset: number): number => (seed ^ offset) >>> 0;
const imageShape = (b: Batch): [number, number, number] => [b.shape[1], b.shape[2], b.shape[3]];

/** Every proxy, in the order `--proxies all` scores them. Adding one: its file, one entry here, its test. */
export const PROXIES = {
  gradsign: {
    summary: 'GradSign: Σ_k |Σ_i sign ∂ℓ_i/∂θ_k|',
    consumes: ['signSums'],
    options: ['gradsignReduction'],
    fromReductions: (r, o) => gradsign(r.signSums, o.gradsignReduction),
  },
  gradalign1: {
    summary: 'GradAlign-I: per-class agreement of the gradient signs',
    consumes: ['classGrams'],
    options: ['gradalignNorm'],
    fromReductions: (r, o, warn) => gradalign1(r.classes, o.gradalignNorm, r.m, warn),
  },
  gradalign2: {
    summary: 'GradAlign-II: mean log det of the class sign Grams',
    consumes: ['classGrams'],
    options: ['gradalignNorm', 'gradalign2Sign'],
    fromReductions: (r, o, warn) => gradalign2(r.classes, o.gradalignNorm, r.m, warn, o.gradalign2Sign),
  },
  zico_per_sample: {
    summary: 'ZiCo over the per-sample gradients: Σ_l log Σ mean|g|/σ over the samples (our variant)',
    consumes: ['gradientMoments'],
    fromReductions: (r) => zicoFromLayerSums(r.zicoLayerSums),
  },
  grad_norm: { summary: 'Σ_l ‖∂L/∂W_l‖', consumes: ['batchGradients'], fromNetwork: (c) => gradNorm(c.pass()) },
  snip: { summary: 'Σ |W ⊙ ∂L/∂W|', consumes: ['batchGradients'], fromNetwork: (c) => snip(c.pass()) },
  grasp: { summary: '−Σ W ⊙ H·∂L/∂W', consumes: ['batchGradients', 'hvp'], fromNetwork: (c) => grasp(c.pass()) },
  fisher: {
    summary: 'Σ over channels of ½·mean_n (Σ a·∂L/∂a)²',
    consumes: ['layerOutputs'],
    options: ['fisherBroadcast'],
    fromNetwork: (c) => fisher(c.pass(), c.options.fisherBroadcast),
  },
  synflow: {
    summary: 'Σ |W ⊙ ∂R/∂W| with |θ| and an all-ones input, in f64',
    consumes: ['ownPass'],
    options: ['synflowVariant'],
    fromNetwork: (c) =>
      synflow(c.net, {
        variant: c.options.synflowVariant,
        inputShape: imageShape(c.batch),
        backend: c.f64,
        seed: seedFor(c.seed, SEED_OFFSET.synflow),
      }),
  },
  jacob_cov: {
    summary: 'NASWOT v1: eigenvalues of the input-Jacobian correlations',
    consumes: ['inputJacobian'],
    fromNetwork: (c) => jacobCov(c.pass()),
  },
  naswot: { summary: 'NASWOT: log |det K| of the ReLU-pattern kernel', consumes: ['reluCodes'], fromNetwork: (c) => naswot(c.pass()) },
  zen: {
    summary: 'Zen-NAS: feature change under input noise, Gaussian weights',
    consumes: ['ownPass'],
    fromNetwork: (c) => zen(c.net, { inputShape: c.batch.shape, seed: seedFor(c.seed, SEED_OFFSET.zen), checkpoint: c.checkpoint }).score,
  },
  // lower condition number is better, so the score is −cond
  tenas_ntk: {
    summary: 'TE-NAS: −(condition number of the NTK)',
    consumes: ['outputGradients'],
    options: ['ntkBatch'],
    fromNetwork: (c) =>
      -(c.batch.shape[0] <= c.options.ntkBatch
        ? ntkConditionNumber(c.pass())
        : c.net.backend.scope(() => ntkConditionNumber(new BatchPass(c.net, firstSamples(c.batch, c.options.ntkBatch), {}, c.checkpoint)))),
  },
  tenas_lr: {
    summary: 'TE-NAS: linear regions of Gaussian inputs',
    consumes: ['ownPass'],
    fromNetwork: (c) =>
      linearRegions(c.net, { inputShape: c.batch.shape, seed: seedFor(c.seed, SEED_OFFSET.tenasLr), checkpoint: c.checkpoint }),
  },
  zico: {
    summary: 'ZiCo: Σ_l log Σ mean|g|/σ over two half-batch gradients',
    consumes: ['ownPass'],
    options: ['zicoGradients'],
    fromNetwork: (c) => zico(c.net, c.batch, { gradients: c.options.zicoGradients, checkpoint: c.checkpoint }),
  },
  meco: {
    summary: 'MeCo: Σ over module outputs of λ_min of the channel correlations, one image',
    consumes: ['moduleOutputs'],
    fromNetwork: (c) => mecoOf(c.net, firstSamples(c.batch, 1).x, [1, ...imageShape(c.batch)]).score,
  },
  meco_opt: {
    summary: 'MeCo_opt: the same on 8 random channels per output, × n/8',
    consumes: ['moduleOutputs'],
    fromNetwork: (c) => {
      const rng = new Random(seedFor(c.seed, SEED_OFFSET.mecoOpt));
      const pick = (n: number) => (n < MECO_OPT_CHANNELS ? null : rng.sample(n, MECO_OPT_CHANNELS));
      return mecoOf(c.net, firstSamples(c.batch, 1).x, [1, ...imageShape(c.batch)], pick).score;
    },
  },
  swap: {
    summary: 'SWAP: distinct ReLU patterns of the neurons over 16 images, mean of 32 Gaussian re-inits',
    consumes: ['ownPass'],
    options: ['swapRepeats', 'swapSamples'],
    fromNetwork: (c) => swapShared(c),
  },
  swap_reg: {
    summary: 'SWAP × exp(−(params/1e3 − μ)²/σ)',
    consumes: ['ownPass'],
    options: ['swapRepeats', 'swapSamples', 'swapMu', 'swapSigma'],
    fromNetwork: (c) => swapShared(c) * swapRegularFactor(c.net.parameters.parameterCount(), c.options.swapMu, c.options.swapSigma),
  },
  az_nas_expressivity: {
    summary: 'AZ-NAS expressivity: Σ over the stem and cell features of the entropy of their channel covariance spectrum',
    consumes: ['ownPass'],
    options: ['aznasBatch'],
    fromNetwork: (c) => azNasShared(c).expressivity,
  },
  az_nas_progressivity: {
    summary: 'AZ-NAS progressivity: the least increase of that entropy from one feature to the next',
    consumes: ['ownPass'],
    options: ['aznasBatch'],
    fromNetwork: (c) => azNasShared(c).progressivity,
  },
  az_nas_trainability: {
    summary: 'AZ-NAS trainability: mean over cells of −σ − 1/σ + 2, σ = ‖VJP of a Rademacher cotangent‖ (largest singular value)',
    consumes: ['ownPass'],
    options: ['aznasBatch'],
    fromNetwork: (c) => azNasShared(c).trainability,
  },
  az_nas_complexity: {
    summary: 'AZ-NAS complexity: FLOPs of one image as the NB201 API counts them (conv and linear), in millions',
    consumes: ['network'],
    fromNetwork: (c) => azNasComplexity(c.net, imageShape(c.batch)),
  },
  vkdnw_entropy: {
    summary: 'VKDNW: entropy of the 9 deciles of the Fisher spectrum (per-sample logit Jacobians, one weight per tensor, eval BN)',
    consumes: ['ownPass'],
    options: ['vkdnwBatch', 'vkdnwTensors', 'vkdnwInput'],
    fromNetwork: (c) => vkdnwShared(c).entropy,
  },
  vkdnw: {
    summary: "VKDNW: ℵ + vkdnw_entropy (ranks NB201 as the paper's (ℵ, entropy) pair)",
    consumes: ['ownPass'],
    options: ['vkdnwBatch', 'vkdnwTensors', 'vkdnwInput'],
    fromNetwork: (c) => vkdnwShared(c).score,
  },
  n_tensors: {
    summary: "the number of parameter tensors (VKDNW's ℵ)",
    consumes: ['network'],
    fromNetwork: (c) => c.net.parameters.entries.length,
  },
  params: {
    summary: 'the parameter count, the trivial reference',
    consumes: ['network'],
    fromNetwork: (c) => c.net.parameters.parameterCount(),
  },
  flops: {
    summary: 'forward FLOPs of one image, in millions',
    consumes: ['network'],
    fromNetwork: (c) => c.net.flops(imageShape(c.batch)),
  },
} satisfies Record<string, ProxyEntry>;

/** AZ-NAS's terms once per architecture. */
function azNasShared(c: NetworkContext): AzNasResult {
  return c.shared('az_nas', () =>
    azNas(c.net, {
      batch: c.options.aznasBatch,
      height: c.batch.shape[2],
      width: c.batch.shape[3],
      seed: seedFor(c.seed, SEED_OFFSET.azNas),
    }),
  );
}

/** VKDNW once per architecture for vkdnw and vkdnw_entropy. */
function vkdnwShared(c: NetworkContext): VkdnwResult {
  return c.shared('vkdnw', () =>
    vkdnw(c.net, {
      batch: c.options.vkdnwBatch,
      tensors: c.options.vkdnwTensors,
      ...(c.options.vkdnwInput === 'images' ? { images: firstSamples(c.batch, c.options.vkdnwBatch) } : {}),
      height: c.batch.shape[2],
      width: c.batch.shape[3],
      seed: seedFor(c.seed, SEED_OFFSET.vkdnw),
    }),
  );
}

/** SWAP once per architecture for swap and swap_reg. */
function swapShared(c: NetworkContext): number {
  return c.shared('swap', () =>
    swap(c.net, c.batch, {
      repeats: c.options.swapRepeats,
      samples: c.options.swapSamples,
      seed: seedFor(c.seed, SEED_OFFSET.swap),
      checkpoint: c.checkpoint,
    }),
  );
}

export type ProxyName = keyof typeof PROXIES;
export const PROXY_NAMES = Object.keys(PROXIES) as ProxyName[];

const entry = (p: ProxyName): ProxyEntry => PROXIES[p];

/** The options a proxy reads. */
export function proxyOptionsOf(p: ProxyName): readonly ProxyOptionName[] {
  return entry(p).options ?? [];
}

/** Whether the proxy is scored from the per-sample pass. */
export function isPerSample(p: ProxyName): boolean {
  return 'fromReductions' in entry(p);
}

/** The proxies computed from per-sample gradients: this library's own (and `zerocost score`'s default). */
export const PER_SAMPLE_PROXIES: readonly ProxyName[] = PROXY_NAMES.filter(isPerSample);

/** What `zerocost score` and `eval` compute without `--proxies`: this library's own proxies. */
export const DEFAULT_PROXIES: readonly ProxyName[] = ['gradsign', 'gradalign1', 'gradalign2'];

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
  /** A value computed once per architecture and shared by the proxies that read it (SWAP for swap and swap_reg). */
  shared<T>(key: string, make: () => T): T;
  /** Whether the passes checkpoint the network's segments (after a pass ran out of memory without). */
  checkpoint: boolean;
}

/** What the reducers hand to the proxies after the pass. */
export interface Reduced {
  /** Number of counted weights (Conv2d and Linear). */
  m: number;
  signSums: Int32Array;
  classes: ClassBlock[];
  /** ZiCo's per-layer sums over the per-sample gradients (zico_per_sample). */
  zicoLayerSums: number[];
  /** Σ_n of the per-sample losses (a cheap check against a reference). */
  lossSum: number;
  /** A per-sample gradient was NaN or ±Inf (activations or gradients overflowed): no reduction means anything. */
  nonFinite: boolean;
  /** The largest |per-sample gradient| of the classifier: ≈ 0 when the pooled features vanish (see OutputLayerScaleReducer). */
  outputLayerMaxAbs: number;
  /** Samples per batched pass, as run: smaller than asked when the asked one ran out of memory. */
  chunk: number;
}

/**
 * A comma-separated list of proxies; `all` is every proxy, and `ensemble` stands for its members (the ensemble
 * itself is a rank aggregate over the architectures of a run: see ensemble.ts, wantsEnsemble).
 */
export function parseProxyList(text: string): ProxyName[] {
  if (text.trim() === 'all') return [...PROXY_NAMES];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .flatMap((s) => (s === 'ensemble' ? [...ENSEMBLE_MEMBERS] : [s]));
  if (names.length === 0) throw new Error('no proxy named (expected a comma-separated list)');
  for (const n of names) {
    if (!Object.hasOwn(PROXIES, n)) throw new Error(`unknown proxy ${quote(n)} (known: ${PROXY_NAMES.join(', ')}, ensemble, all)`);
  }
  return [...new Set(names)] as ProxyName[];
}

/** Whether a run of these proxies yields the ensemble: every member is scored (`ensemble` or `all` asks for them). */
export function wantsEnsemble(proxies: readonly ProxyName[]): boolean {
  return ENSEMBLE_MEMBERS.every((m) => proxies.includes(m));
}

export interface ScoreResult {
  scores: Partial<Record<ProxyName, number>>;
  warnings: string[];
}

/** The reducers that the given proxies consume. */
export function reducersNeeded(proxies: readonly ProxyName[]): Set<ReducerKind> {
  return new Set(proxies.flatMap((p) => entry(p).consumes.flatMap((c) => REDUCER_OF[c] ?? [])));
}

/** What the shared batch pass must keep for these proxies. */
function batchPassNeeds(proxies: readonly ProxyName[]): BatchPassNeeds {
  const consumed = new Set(proxies.flatMap((p) => entry(p).consumes));
  return { ...(consumed.has('layerOutputs') ? { layerOutputs: true } : {}), ...(consumed.has('reluCodes') ? { reluCodes: true } : {}) };
}

/**
 * One batched per-sample pass through the network, reduced as the gradients are produced. Samples are
 * independent, so when a chunk of them does not fit in the backend's memory the pass runs again in halves;
 * a later pass on the same backend with at least as many weights starts at the chunk that fitted (an attempt
 * that runs out of memory can cost a third of the pass). The reductions never depend on the chunk.
 */
export function reducePerSample(net: Network, batch: Batch, kinds: ReadonlySet<ReducerKind>, options: PerSampleOptions = {}): Reduced {
  const m = weightLayout(net).reduce((t, l) => t + l.numel, 0);
  const asked = Math.max(1, Math.min(options.chunk ?? batch.shape[0], batch.shape[0]));
  const seen = chunksThatFitted.get(net.backend) ?? [];
  let chunk = seen.reduce((c, f) => (f.m <= m ? Math.min(c, f.chunk) : c), asked);
  for (;;) {
    try {
      const reduced = reduceOnce(net, batch, kinds, m, { ...options, chunk });
      if (chunk < asked && !seen.some((f) => f.m <= m && f.chunk <= chunk)) chunksThatFitted.set(net.backend, [...seen, { m, chunk }]);
      return reduced;
    } catch (e) {
      if (!(e instanceof OutOfMemoryError) || chunk === 1) throw e;
      chunk = Math.ceil(chunk / 2);
    }
  }
}

/** Per backend: a pass of m weights that ran out of memory fitted in chunks of `chunk` samples. */
const chunksThatFitted = new WeakMap<Backend, { m: number; chunk: number }[]>();

function reduceOnce(
  net: Network,
  batch: Batch,
  kinds: ReadonlySet<ReducerKind>,
  m: number,
  options: PerSampleOptions & { chunk: number },
): Reduced {
  const signSum = kinds.has('signSum') ? new SignSumReducer() : undefined;
  const gram = kinds.has('classGram') ? new ClassGramReducer() : undefined;
  const moments = kinds.has('zicoMoments') ? new ZicoMomentsReducer() : undefined;
  const scale = new OutputLayerScaleReducer();
  const reducers: Reducer[] = [signSum, gram, moments, scale].filter((r): r is NonNullable<typeof r> => r !== undefined);
  const lossSum = runPerSampleGradients(net, batch, reducers, options);

  const classes: ClassBlock[] = (gram?.classes ?? []).map((label, c) => ({
    label,
    count: gram!.members[c]!.length,
    gram: gram!.grams[c]!,
  }));
  return {
    m,
    signSums: signSum?.sums ?? new Int32Array(0),
    classes,
    zicoLayerSums: moments?.layerSums ?? [],
    lossSum,
    nonFinite: (signSum?.nonFinite ?? false) || (gram?.nonFinite ?? false) || (moments?.nonFinite ?? false),
    outputLayerMaxAbs: scale.maxAbs,
    chunk: options.chunk,
  };
}

/** Below this, the classifier's per-sample gradients — and so every one behind them — are rounding noise (f32: ~1e-8). */
export const VANISHED_OUTPUT_GRADIENT = 1e-6;

export function scoreReduced(reduced: Reduced, proxies: readonly ProxyName[], options: ProxyOptions): ScoreResult {
  const warnings: string[] = [];
  if (!reduced.nonFinite && reduced.outputLayerMaxAbs < VANISHED_OUTPUT_GRADIENT && proxies.some((p) => 'fromReductions' in entry(p)))
    warnings.push(
      reduced.outputLayerMaxAbs === 0
        ? 'the per-sample gradients are all zero (the pooled features are zero: no path from the input reaches the classifier?)'
        : `the per-sample gradients are rounding noise (the classifier's largest is ${reduced.outputLayerMaxAbs.toExponential(1)}): each ` +
            "sample's pooled features vanish, as when every feature map ends in a BN normalised per sample; --per-sample-bn batch normalises with the batch's statistics",
    );
  const scores: Partial<Record<ProxyName, number>> = {};
  for (const p of proxies) {
    const rule = entry(p);
    if (!('fromReductions' in rule)) continue;
    if (reduced.nonFinite) {
      // signs of NaN count as 0, so the reductions would still give a plausible number
      warnings.push(`${p}: the per-sample gradients have NaN or ±Inf values (overflow in the pass); score is NaN`);
      scores[p] = NaN;
    } else scores[p] = rule.fromReductions(reduced, options, (m) => warnings.push(m));
  }
  return { scores, warnings };
}

export interface NetworkEnvironment {
  seed: number;
  f64: Backend;
  /** Checkpoint the network's segments from the start (else only after a pass ran out of memory without). */
  checkpoint?: boolean;
}

/** The network-level proxies among `proxies`, sharing one batch pass; all their tensors are freed at the end. */
export function scoreNetworkProxies(
  net: Network,
  batch: Batch,
  proxies: readonly ProxyName[],
  options: ProxyOptions,
  env: NetworkEnvironment,
): ScoreResult {
  const wanted = proxies.filter((p) => !isPerSample(p));
  const needs = batchPassNeeds(wanted);
  const attempt = (checkpoint: boolean) =>
    net.backend.scope(() => {
      let pass: BatchPass | undefined;
      const shared = new Map<string, unknown>();
      const ctx: NetworkContext = {
        net,
        batch,
        options,
        seed: env.seed,
        f64: env.f64,
        pass: () => (pass ??= new BatchPass(net, batch, needs, checkpoint)),
        shared: <T>(key: string, make: () => T): T => {
          if (!shared.has(key)) shared.set(key, make());
          return shared.get(key) as T;
        },
        checkpoint,
      };
      const scores: Partial<Record<ProxyName, number>> = {};
      const warnings: string[] = [];
      for (const p of wanted) {
        const rule = entry(p);
        if (!('fromNetwork' in rule)) continue;
        const v = rule.fromNetwork(ctx);
        if (Number.isNaN(v) && pass?.nonFinite)
          warnings.push(`${p}: the activations have NaN or ±Inf values (overflow in the forward); score is NaN`);
        else if (!Number.isFinite(v)) warnings.push(`${p}: score is ${v}`);
        scores[p] = v;
      }
      return { scores, warnings };
    });
  if (env.checkpoint) return attempt(true);
  try {
    return attempt(false);
  } catch (e) {
    // The same passes with the segments recomputed: the same numbers in one segment's activation memory.
    if (e instanceof OutOfMemoryError) return attempt(true);
    throw e;
  }
}

/** Scores one network on one batch with every requested proxy: one per-sample pass, one shared batch pass. */
export function scoreNetwork(
  net: Network,
  batch: Batch,
  proxies: readonly ProxyName[],
  options: ProxyOptions = DEFAULT_PROXY_OPTIONS,
  pass: PerSampleOptions = {},
  env: NetworkEnvironment = { seed: 0, f64: net.backend },
): ScoreResult {
  const perSample = proxies.filter(isPerSample);
  const a =
    perSample.length > 0
      ? scoreReduced(reducePerSample(net, batch, reducersNeeded(perSample), pass), perSample, options)
      : { scores: {}, warnings: [] };
  const b = scoreNetworkProxies(net, batch, proxies, options, env);
  const scores: Partial<Record<ProxyName, number>> = {};
  for (const p of proxies) scores[p] = a.scores[p] ?? b.scores[p];
  return { scores, warnings: [...a.warnings, ...b.warnings] };
}
