/**
 * AZ-NAS (Lee & Ham, CVPR 2024; cvlab-yonsei/AZ-NAS NB201/ZeroShotProxy/compute_az_nas_score.py) per
 * architecture: a copy of the network with kaiming_normal_fanin_init (conv/linear weights N(0, 2/fan_in),
 * biases 0, BN γ = 1, β = 0), train mode, a Gaussian input N(0, 1) of B images (the official batch 64), and the
 * features F_0 (stem output), F_1 … F_L (every cell's output, reduction blocks included; extract_cell_features):
 * - expressivity = Σ_i H(F_i), H = −Σ p·ln(p + 1e-8) over p = s/Σs, s the eigenvalues of the channel
 *   covariance of F_i (positions as samples, mean removed, divided by their number);
 * - progressivity = min_i (H(F_i) − H(F_{i−1}));
 * - trainability = mean_i (−σ − 1/(σ + 1e-6) + 2), σ the largest singular value of M = G_inᵀ G_out / n, where
 *   G_out is a Rademacher cotangent of F_i, G_in = its VJP to F_{i−1} (through the cell, BN batch statistics
 *   included; pixel-unshuffled to F_i's resolution at a reduction), both as positions × channels, n positions;
 *   a term is −∞ when G_in equals G_out exactly (an identity cell);
 * - complexity = FLOPs as the NB201 API counts them (conv and linear only; the official code takes the API's).
 * A NaN expressivity, progressivity or trainability is −∞, as the official code reports it. The per-architecture
 * readings are these four; AZ-NAS's score is Σ_m ln(rank_m / N) over a population (`azNasRanks`, report.ts).
 * The official draws come from torch's generator; ours from our seeded one, in this order: the weights, the
 * input, then each Rademacher cotangent (from the last cell to the first).
 */
import { Tape, hostArrayOf, type HostArray, type Tensor } from '../autodiff/index.js';
import { nb201ApiFlops } from '../nets/nb201/flops.js';
import { Nb201Network } from '../nets/nb201/network.js';
import type { Network } from '../nets/network.js';
import { largestSingularValue, symmetricEigenvalues } from '../util/linalg.js';
import { Random } from '../util/random.js';

export interface AzNasResult {
  expressivity: number;
  progressivity: number;
  trainability: number;
  complexity: number;
  /** H(F_i) per feature, stem first. */
  entropies: number[];
  /** The trainability terms, from the last cell to the first (the official loop's order). */
  trainabilityTerms: number[];
}

/** The features' covariance entropy −Σ p·ln(p + 1e-8) of x [B, C, H, W]. */
export function covarianceEntropy(x: ArrayLike<number>, shape: readonly number[]): number {
  const [B, C, H, W] = shape as [number, number, number, number];
  const hw = H * W,
    n = B * hw;
  const mean = new Float64Array(C);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let k = 0; k < hw; k++) mean[c]! += x[(b * C + c) * hw + k]!;
  for (let c = 0; c < C; c++) mean[c]! /= n;
  const centred = new Float64Array(C * n); // [C, positions]
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) for (let k = 0; k < hw; k++) centred[c * n + b * hw + k] = x[(b * C + c) * hw + k]! - mean[c]!;
  const sigma = new Float64Array(C * C);
  for (let i = 0; i < C; i++)
    for (let j = i; j < C; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += centred[i * n + k]! * centred[j * n + k]!;
      sigma[i * C + j] = sigma[j * C + i] = s / n;
    }
  const ev = symmetricEigenvalues(sigma, C);
  const total = ev.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const s of ev) {
    const p = s / total;
    h += -p * Math.log(p + 1e-8);
  }
  return h;
}

/**
 * One trainability term from a cotangent gOut of shape outShape and its VJP gIn of shape inShape: −∞ when they
 * are equal, else −σ − 1/(σ + 1e-6) + 2 with σ = σ_max(pixel_unshuffle(gIn)ᵀ gOut / n).
 */
export function trainabilityTerm(
  gIn: ArrayLike<number>,
  inShape: readonly number[],
  gOut: ArrayLike<number>,
  outShape: readonly number[],
): number {
  const [B, co, ho, wo] = outShape as [number, number, number, number];
  const [, ci, hi, wi] = inShape as [number, number, number, number];
  if (ci === co && hi === ho && wi === wo) {
    let equal = true;
    for (let k = 0; k < gOut.length && equal; k++) equal = gIn[k] === gOut[k];
    if (equal) return -Infinity;
  }
  const r = hi !== ho || wi !== wo ? Math.trunc(hi / ho) : 1; // nn.PixelUnshuffle(int(hi / ho))
  const cu = ci * r * r;
  const n = B * ho * wo;
  // M [cu, co]: channel a = c·r² + i·r + j of the unshuffled gIn reads gIn[b, c, h·r + i, w·r + j]
  const M = new Float64Array(cu * co);
  const inRow = new Float64Array(cu);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < ho; h++)
      for (let w = 0; w < wo; w++) {
        for (let c = 0; c < ci; c++)
          for (let i = 0; i < r; i++)
            for (let j = 0; j < r; j++) inRow[c * r * r + i * r + j] = gIn[((b * ci + c) * hi + h * r + i) * wi + w * r + j]!;
        for (let c = 0; c < co; c++) {
          const g = gOut[((b * co + c) * ho + h) * wo + w]!;
          if (g === 0) continue;
          for (let a = 0; a < cu; a++) M[a * co + c]! += inRow[a]! * g;
        }
      }
  for (let k = 0; k < M.length; k++) M[k]! /= n;
  const s = largestSingularValue(M, cu, co);
  return -s - 1 / (s + 1e-6) + 2;
}

/** Rademacher signs ±1 (the top bit of each draw). */
export function rademacher(rng: Random, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) out[k] = rng.nextUint32() >>> 31 ? 1 : -1;
  return out;
}

const orMinusInf = (v: number): number => (Number.isNaN(v) ? -Infinity : v);

/**
 * AZ-NAS's complexity: the FLOPs the NB201 API reports (conv and linear only, in millions) for an NB201
 * network; another network's own count.
 */
export function azNasComplexity(net: Network, image: readonly [number, number, number]): number {
  if (!(net instanceof Nb201Network)) return net.flops(image);
  return nb201ApiFlops(net.genotype, { C: net.C, N: net.N, numClasses: net.numClasses, H: image[1], W: image[2] });
}

/**
 * AZ-NAS's terms for the network's current weights on x (train-mode BN), the cotangents drawn by `cotangent`
 * (called from the last feature to the second, with each feature's size).
 */
export function azNasOf(
  net: Network,
  x: ArrayLike<number>,
  shape: readonly number[],
  cotangent: (size: number) => ArrayLike<number>,
): AzNasResult {
  const be = net.backend;
  return be.scope(() => {
    const tape = new Tape(be);
    const input = tape.watch(be.fromHost(hostArrayOf(net.parameters.dtype, x), shape));
    const features: Tensor[] = [];
    net.forward(
      {
        tape,
        bnMode: 'batch',
        updateRunning: false,
        observe: {
          cellOutput: (y) => {
            // a cell of `none` ops gives untracked zeros; PyTorch's x·0 keeps the graph, so watch it
            if (!tape.isTracked(y)) tape.watch(y);
            features.push(y);
          },
        },
      },
      input,
    );
    const [, C, H, W] = shape as [number, number, number, number];
    // a network that reports no cell features (NB101, DARTS): undefined
    if (features.length < 2)
      return {
        expressivity: NaN,
        progressivity: NaN,
        trainability: NaN,
        complexity: azNasComplexity(net, [C, H, W]),
        entropies: [],
        trainabilityTerms: [],
      };
    const host: HostArray[] = features.map((f) => be.toHost(f));
    const entropies = features.map((f, i) => covarianceEntropy(host[i]!, f.shape));
    let progressivity = Infinity;
    for (let i = 1; i < entropies.length; i++) progressivity = Math.min(progressivity, entropies[i]! - entropies[i - 1]!);
    if (entropies.some(Number.isNaN)) progressivity = NaN; // np.min propagates NaN
    const trainabilityTerms: number[] = [];
    for (let i = features.length - 1; i >= 1; i--) {
      const fOut = features[i]!,
        fIn = features[i - 1]!;
      const g = cotangent(fOut.size);
      const seed = be.fromHost(hostArrayOf(net.parameters.dtype, g), fOut.shape);
      const gIn = tape.gradientAt(fOut, seed, fIn);
      const gInHost = gIn ? be.toHost(gIn) : new Float64Array(fIn.size);
      trainabilityTerms.push(trainabilityTerm(gInHost, fIn.shape, be.toHost(seed), fOut.shape));
    }
    const trainability = trainabilityTerms.reduce((a, b) => a + b, 0) / trainabilityTerms.length;
    return {
      expressivity: orMinusInf(entropies.reduce((a, b) => a + b, 0)),
      progressivity: orMinusInf(progressivity),
      trainability: orMinusInf(trainability),
      complexity: azNasComplexity(net, [C, H, W]),
      entropies,
      trainabilityTerms,
    };
  });
}

export interface AzNasOptions {
  /** Gaussian images (the official 64). */
  batch: number;
  /** Image height and width (the data's). */
  height: number;
  width: number;
  seed: number;
}

/** The Gaussian input of AZ-NAS (and VKDNW): B × 3 × H × W standard normals in row-major order. */
export function gaussianInput(rng: Random, shape: readonly number[]): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let k = 0; k < out.length; k++) out[k] = rng.normal();
  return out;
}

/** AZ-NAS on a Kaiming-initialised copy of the network (the network itself is untouched). */
export function azNas(net: Network, o: AzNasOptions): AzNasResult {
  const rng = new Random(o.seed);
  return net.backend.scope(() => {
    const copy = net.variant({});
    copy.parameters.initializeKaimingNormal(rng);
    const shape = [o.batch, 3, o.height, o.width];
    const x = gaussianInput(rng, shape);
    return azNasOf(copy, x, shape, (size) => rademacher(rng, size));
  });
}
