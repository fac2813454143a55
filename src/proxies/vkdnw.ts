/**
 * VKDNW (Týbl & Neumann, CVPR 2025; ondratybl/VKDNW NB201/ZeroShotProxy/compute_vkdnw_score.py and the
 * entropy of NB201/tss_utils.py) per architecture: a copy of the network with kaiming_normal_fanin_init (as
 * AZ-NAS), a Gaussian input of B images (the NB201 script's batch 32), BN in **eval** mode (running statistics,
 * fresh: mean 0, variance 1), and
 * - J_n [K × P]: sample n's Jacobian of the logits with respect to the **first element of every parameter
 *   tensor** (P = all of named_parameters() in the NB201 code; get_jacobian_index(model, input, 0));
 * - the Cholesky factor L_n of the softmax covariance of the smoothed probabilities p = softmax·(1 − α) + α/K,
 *   α = 0.05 **as a float16** tensor (so 1 − α = 0.9501953125 and the p sum to slightly more than 1, as the
 *   code computes them): L[i][j] = d_j for i = j, −p_i/q_j·d_j below, q = 1 − cumsum(p) (last 0), d_j =
 *   √(p_j q_j / q_{j−1}) (cholesky_covariance);
 * - the Fisher matrix F = mean_n (L_n J_n)ᵀ(L_n J_n) [P × P], its singular values λ (torch.svd: |eigenvalues|);
 * - the deciles of λ at q = torch.arange(0.1, 1.0, 0.1) (float32 values, linear interpolation as
 *   torch.quantile), t = deciles / (Σ|deciles| + 1e-10), and vkdnw_entropy = −Σ t·ln(t + 1e-10).
 * The paper ranks architectures by (ℵ, entropy) lexicographically, ℵ = the number of parameter tensors
 * (`n_tensors`); `vkdnw` = ℵ + entropy is the ImageNet code's single number, and ranks NB201 architectures
 * exactly as that pair does (ℵ moves in steps of 45 between NB201 architectures, the entropy is below ln 9).
 * Draws: the weights, then the input, from our seeded generator (the official code's come from torch's).
 */
import { Tape, hostArrayOf, type FirstElementSink, type Tensor } from '../autodiff/index.js';
import type { Network } from '../nets/network.js';
import { symmetricEigenvalues } from '../util/linalg.js';
import { Random } from '../util/random.js';
import { gaussianInput } from './az_nas.js';

/** v rounded to the nearest IEEE half-precision value (ties to even), as a float16 tensor would hold it. */
export function toFloat16(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  const spacing = 2 ** (Math.max(e, -14) - 10);
  const r = a / spacing;
  let f = Math.floor(r);
  const rest = r - f;
  if (rest > 0.5 || (rest === 0.5 && f % 2 === 1)) f++;
  return Math.sign(v) * f * spacing;
}

/** torch.arange(0.1, 1.0, 0.1) in float32: 0.1, 0.2, …, 0.9 as float32 values. */
export const VKDNW_QUANTILES: readonly number[] = Array.from({ length: 9 }, (_, i) => Math.fround(0.1 + i * 0.1));

/** cholesky_covariance for one sample's logits z [K]: L [K × K] row-major. */
export function choleskyCovariance(z: ArrayLike<number>): Float64Array {
  const K = z.length;
  const alpha = toFloat16(0.05);
  const keep = toFloat16(1 - alpha),
    floor = toFloat16(Math.fround(alpha / K));
  let max = -Infinity;
  for (let i = 0; i < K; i++) max = Math.max(max, z[i]!);
  const e = Float64Array.from({ length: K }, (_, i) => Math.exp(z[i]! - max));
  const total = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => (v / total) * keep + floor);
  const q = new Float64Array(K);
  let cum = 0;
  for (let i = 0; i < K; i++) {
    cum += p[i]!;
    q[i] = 1 - cum;
  }
  q[K - 1] = 0;
  const d = p.map((pj, j) => Math.sqrt((pj * q[j]!) / (j === 0 ? 1 : q[j - 1]!)));
  const L = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    L[i * K + i] = d[i]!;
    for (let j = 0; j < i; j++) {
      const v = -(p[i]! * (1 / q[j]!));
      L[i * K + j] = (Number.isFinite(v) ? v : 0) * d[j]!; // nan_to_num(neginf=0): the last column's 1/0
    }
  }
  return L;
}

/** torch.quantile(values, q) with linear interpolation (torch.lerp's two-sided formula). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  const rank = q * (s.length - 1);
  const lo = Math.trunc(rank),
    hi = Math.ceil(rank);
  const w = rank - lo;
  const a = s[lo]!,
    b = s[hi]!;
  return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** −Σ t·ln(t + 1e-10), t = x / (Σ|x| + 1e-10): the notebook's entropy of the deciles. */
export function decileEntropy(deciles: readonly number[]): number {
  const norm = deciles.reduce((a, b) => a + Math.abs(b), 0) + 1e-10;
  let h = 0;
  for (const x of deciles) {
    const t = x / norm;
    h -= t * Math.log(t + 1e-10);
  }
  return h;
}

export interface VkdnwResult {
  /** −Σ t ln t of the normalised deciles. */
  entropy: number;
  /** ℵ + entropy. */
  score: number;
  /** ℵ: parameter tensors. */
  tensors: number;
  /** λ, descending (torch.svd's S). */
  lambdas: Float64Array;
  deciles: number[];
  /** F [P × P], P the tensors in the Jacobian. */
  fisher: Float64Array;
}

/**
 * The per-sample Jacobians of the logits [B, K] with respect to each parameter tensor's first element (of the
 * first `tensors` tensors when > 0), eval-mode BN: J[(n·K + k)·P + t]. K backward passes of the whole batch
 * (samples never interact in eval mode).
 */
export function firstElementJacobians(
  net: Network,
  x: ArrayLike<number>,
  shape: readonly number[],
  tensors = 0,
): { J: Float64Array; logits: Float64Array; K: number; P: number } {
  const be = net.backend;
  const all = net.parameters.entries.map((e) => e.tensor);
  const params = tensors > 0 ? all.slice(0, tensors) : all;
  const P = params.length;
  const B = shape[0]!;
  return be.scope(() => {
    const tape = new Tape(be);
    const input = tape.watch(be.fromHost(hostArrayOf(net.parameters.dtype, x), shape));
    // every op that takes a parameter is recorded, also where its input is constant (after a cell of `none`)
    for (const p of params) tape.watch(p);
    const logits = net.forward({ tape, bnMode: 'running', updateRunning: false }, input);
    const K = logits.shape[1]!;
    const J = new Float64Array(B * K * P);
    const index = new Map<Tensor, number>(params.map((p, t) => [p, t]));
    let k = 0;
    const sink: FirstElementSink = {
      wants: (p) => index.has(p),
      consume: (p, perSample) => {
        const t = index.get(p)!;
        for (let n = 0; n < B; n++) J[(n * K + k) * P + t]! += perSample[n]!;
      },
    };
    for (k = 0; k < K; k++) {
      be.scope(() => {
        const seed = hostArrayOf(net.parameters.dtype, new Float64Array(B * K));
        for (let n = 0; n < B; n++) seed[n * K + k] = 1;
        tape.backward(logits, { seed: be.fromHost(seed, logits.shape), firstElement: sink, noWeightGradients: true });
      });
    }
    return { J, logits: Float64Array.from(be.toHost(logits)), K, P };
  });
}

/**
 * VKDNW for the network's current weights on x (eval-mode BN); `tensors` > 0: the Jacobian of the first that
 * many tensors only (earlier versions of the official code cut it at 250 or 270), ℵ still counts every tensor.
 */
export function vkdnwOf(net: Network, x: ArrayLike<number>, shape: readonly number[], tensors = 0): VkdnwResult {
  const { J, logits, K, P } = firstElementJacobians(net, x, shape, tensors);
  const B = shape[0]!;
  const F = new Float64Array(P * P);
  const LJ = new Float64Array(K * P);
  for (let n = 0; n < B; n++) {
    const L = choleskyCovariance(logits.subarray(n * K, (n + 1) * K));
    LJ.fill(0);
    for (let i = 0; i < K; i++)
      for (let j = 0; j <= i; j++) {
        const l = L[i * K + j]!;
        if (l === 0) continue;
        const row = (n * K + j) * P;
        for (let t = 0; t < P; t++) LJ[i * P + t]! += l * J[row + t]!;
      }
    for (let a = 0; a < P; a++)
      for (let b = a; b < P; b++) {
        let s = 0;
        for (let i = 0; i < K; i++) s += LJ[i * P + a]! * LJ[i * P + b]!;
        F[a * P + b]! += s;
      }
  }
  for (let a = 0; a < P; a++)
    for (let b = a; b < P; b++) {
      F[a * P + b]! /= B;
      F[b * P + a] = F[a * P + b]!;
    }
  const lambdas = symmetricEigenvalues(F, P)
    .map(Math.abs)
    .sort((a, b) => b - a);
  const deciles = VKDNW_QUANTILES.map((q) => quantile(lambdas, q));
  const entropy = decileEntropy(deciles);
  const aleph = net.parameters.entries.length;
  return { entropy, score: aleph + entropy, tensors: aleph, lambdas, deciles, fisher: F };
}

export interface VkdnwOptions {
  batch: number;
  /** The first N tensors only (0: all, as the NB201 code). */
  tensors?: number;
  /** Real images instead of the Gaussian input (batch, height and width are then theirs). */
  images?: { x: ArrayLike<number>; shape: readonly number[] };
  height: number;
  width: number;
  seed: number;
}

/** VKDNW on a Kaiming-initialised copy of the network (the network itself is untouched). */
export function vkdnw(net: Network, o: VkdnwOptions): VkdnwResult {
  const rng = new Random(o.seed);
  return net.backend.scope(() => {
    const copy = net.variant({});
    copy.parameters.initializeKaimingNormal(rng);
    if (o.images) return vkdnwOf(copy, o.images.x, o.images.shape, o.tensors ?? 0);
    const shape = [o.batch, 3, o.height, o.width];
    return vkdnwOf(copy, gaussianInput(rng, shape), shape, o.tensors ?? 0);
  });
}
