/**
 * The proxies' options, each declared once: its command-line flag, its choices (or integer range), its
 * default and its help line. `zerocost score` parses them from this table and the help prints it; a proxy's
 * registry entry lists the options it reads. An option marked `readings` gives `zerocost eval` one reading per
 * non-default choice (key `<proxy>_<choice>`), all from the same pass.
 */
import type { GradAlign2Sign, GradAlignNorm } from './gradalign.js';
import type { GradSignReduction } from './gradsign.js';
import type { SynflowVariant } from './synflow.js';
import type { ZicoGradients } from './zico.js';

export interface ProxyOptions {
  gradsignReduction: GradSignReduction;
  gradalignNorm: GradAlignNorm;
  gradalign2Sign: GradAlign2Sign;
  synflowVariant: SynflowVariant;
  /** fisher: count each channel numel(W)/C_out times as zero-cost-nas does (true) or once. */
  fisherBroadcast: boolean;
  /** TE-NAS NTK on the first N samples (its cost grows as N²: N backward passes of N samples). */
  ntkBatch: number;
  /** ZiCo's second snapshot: g₁ + g₂ as the official code leaves it (accumulated) or g₂ (separate). */
  zicoGradients: ZicoGradients;
  swapRepeats: number;
  swapSamples: number;
  /** swap_reg's μ, in thousands of parameters. */
  swapMu: number;
  /** swap_reg's σ, in (thousands of parameters)². */
  swapSigma: number;
  /** AZ-NAS's Gaussian images. */
  aznasBatch: number;
  /** VKDNW's Gaussian images. */
  vkdnwBatch: number;
  /** VKDNW's Jacobian on the first N parameter tensors (0: all). */
  vkdnwTensors: number;
  /** VKDNW's input: Gaussian images, or the batch's first images. */
  vkdnwInput: 'gaussian' | 'images';
}

export type ProxyOptionName = keyof ProxyOptions;

/** An option chosen by name on the command line (`choices` maps each spelling to its value). */
export interface ChoiceOptionSpec<V> {
  flag: string;
  choices: Readonly<Record<string, V>>;
  default: V;
  /** The help text after the flag and its choices. */
  help: string;
  /** Whether `zerocost eval` records every choice as a reading. */
  readings?: boolean;
}

/** An integer option, at least `min`. */
export interface IntOptionSpec {
  flag: string;
  min: number;
  default: number;
  help: string;
}

export type ProxyOptionSpec<V> = [V] extends [number] ? IntOptionSpec : ChoiceOptionSpec<V>;

export const PROXY_OPTIONS: { [K in ProxyOptionName]: ProxyOptionSpec<ProxyOptions[K]> } = {
  gradsignReduction: {
    flag: 'gradsign-reduction',
    choices: { sum: 'sum', mean: 'mean' },
    default: 'sum',
    readings: true,
    help: 'Σ_k |Σ_i sign g_ik| (default sum) or its mean over weights',
  },
  gradalignNorm: {
    flag: 'gradalign-norm',
    choices: { none: 'none', params: 'params', cosine: 'cosine' },
    default: 'none',
    readings: true,
    help: 'GradAlign reading (default none): raw sign inner products, divided by the weight count, or cosine',
  },
  gradalign2Sign: {
    flag: 'gradalign2-sign',
    choices: { plus: 'plus', minus: 'minus' },
    default: 'plus',
    help: "GradAlign-II = +mean log det of the class sign Grams (default: what correlates with accuracy, see README) or − (the paper's prose)",
  },
  synflowVariant: {
    flag: 'synflow-variant',
    choices: { zc: 'zc', clean: 'clean' },
    default: 'zc',
    help: "synflow on zero-cost-nas's BN-free model (BN kept in reduction blocks, biased cell convs; default, as the papers' tables) or with no BN at all",
  },
  fisherBroadcast: {
    flag: 'fisher-broadcast',
    choices: { on: true, off: false },
    default: true,
    help: "fisher counts each channel numel(W)/C_out times, as zero-cost-nas's code does (default on), or once",
  },
  ntkBatch: {
    flag: 'ntk-batch',
    min: 2,
    default: 64,
    help: "TE-NAS NTK on the first N samples of the batch (default 64, AZ-NAS's batch; the cost grows as N²)",
  },
  zicoGradients: {
    flag: 'zico-gradients',
    choices: { accumulated: 'accumulated', separate: 'separate' },
    default: 'accumulated',
    help: "ZiCo's second gradient: g₁ + g₂, as the official code never zeroes the gradients (default), or g₂ alone (AZ-NAS's port)",
  },
  swapRepeats: { flag: 'swap-repeats', min: 1, default: 32, help: 'SWAP: Gaussian re-inits averaged (default 32, the official)' },
  swapSamples: { flag: 'swap-samples', min: 2, default: 16, help: "SWAP: the batch's first N images (default 16, the official)" },
  swapMu: {
    flag: 'swap-mu',
    min: 0,
    default: 1500,
    help: "swap_reg's μ in thousands of parameters (default 1500; the official code sets none for NB201)",
  },
  swapSigma: {
    flag: 'swap-sigma',
    min: 1,
    default: 1500000,
    help: "swap_reg's σ in (thousands of parameters)² (default 1500000: with μ, exp(−(p − 1.5)²/1.5) for p in millions)",
  },
  aznasBatch: { flag: 'aznas-batch', min: 2, default: 64, help: 'AZ-NAS: Gaussian images (default 64, the official batch)' },
  vkdnwBatch: {
    flag: 'vkdnw-batch',
    min: 1,
    default: 32,
    help: "VKDNW: Gaussian images (default 32, the NB201 script's batch; the cost grows with it and the class count)",
  },
  vkdnwTensors: {
    flag: 'vkdnw-tensors',
    min: 0,
    default: 0,
    help: "VKDNW: the Jacobian's first N parameter tensors (default 0: all, as the NB201 code; older versions cut at 250 or 270)",
  },
  vkdnwInput: {
    flag: 'vkdnw-input',
    choices: { gaussian: 'gaussian', images: 'images' },
    default: 'gaussian',
    help: "VKDNW's input: N(0, 1) images (default; the NB201 script's default, no real input) or the batch's first --vkdnw-batch images (its --real_input, which one version of the score function requires)",
  },
};

export const PROXY_OPTION_NAMES = Object.keys(PROXY_OPTIONS) as ProxyOptionName[];

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = Object.fromEntries(
  PROXY_OPTION_NAMES.map((k) => [k, PROXY_OPTIONS[k].default]),
) as unknown as ProxyOptions;

export type AnyOptionSpec = ChoiceOptionSpec<unknown> | IntOptionSpec;

export function isChoiceOption(spec: AnyOptionSpec): spec is ChoiceOptionSpec<unknown> {
  return 'choices' in spec;
}

/** The choice's command-line spelling for a value (the inverse of `choices`). */
export function choiceName<V>(spec: ChoiceOptionSpec<V>, value: V): string {
  return Object.keys(spec.choices).find((c) => spec.choices[c] === value)!;
}
