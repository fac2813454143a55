/**
 * MeCo (Jiang et al., NeurIPS 2023) as its NB201 script computes it (HamsterMimi/MeCo
 * correlation/NAS_Bench_201.py, get_score): one image (the script's loader has batch size 1; here the batch's
 * first image) through the network in train mode, no backward; at the output y of every module (forward hooks on
 * every module of zero-cost-nas's NAS201Model, the root included, so a tensor returned by three nested modules
 * counts three times: ActivationObserver.moduleOutput), the n × (rest) matrix of the first sample's channels,
 * its n × n Pearson correlation R with NaN and ±Inf entries set to 0 (a constant channel, or one value per
 * channel as at the pooled features and the logits: those give R = 0 and add 0), and λ_min(R);
 *   meco = Σ_modules λ_min(R),
 * NaN and ±Inf terms left out. meco_opt: R of 8 channels drawn at random per module output, λ_min · n/8; the
 * official code raises (random.sample) when n < 8: NaN here. Its measure file (foresight/.../meco.py) feeds a
 * random 1×3×64×64 input instead; the NB201 numbers come from the script, which this follows. Eigenvalues by
 * symmetric Jacobi in f64 (the reference: torch.linalg.eig, real parts).
 */
import { Tape, hostArrayOf, type Tensor } from '../autodiff/index.js';
import type { Network } from '../nets/network.js';
import { corrcoef, symmetricEigenvalues } from '../util/linalg.js';

export const MECO_OPT_CHANNELS = 8;

/** One module output's term: its channel count, values per channel and λ_min (× n/8 for meco_opt). */
export interface MecoTerm {
  n: number;
  cols: number;
  value: number;
}

export interface MecoResult {
  score: number;
  terms: MecoTerm[];
}

/** torch.corrcoef of the rows (clamped to [−1, 1]) with NaN and ±Inf set to 0, as MeCo cleans it. */
export function cleanCorrelation(X: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const R = corrcoef(X, rows, cols);
  for (let i = 0; i < R.length; i++) {
    const v = R[i]!;
    R[i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  }
  return R;
}

/**
 * MeCo of the network's current weights on `image` [1, 3, H, W]; with `pick` (meco_opt), the channels of each
 * module output's term: MECO_OPT_CHANNELS distinct indices in [0, n), or null when n is too small (NaN score).
 */
export function mecoOf(
  net: Network,
  image: ArrayLike<number>,
  shape: readonly number[],
  pick?: (n: number) => number[] | null,
): MecoResult {
  const be = net.backend;
  return be.scope(() => {
    const corr = new Map<Tensor, { n: number; cols: number; R: Float64Array; min?: number }>();
    const terms: MecoTerm[] = [];
    let undefinedPick = false;
    const x = be.fromHost(hostArrayOf(net.parameters.dtype, image), shape);
    net.forward(
      {
        tape: new Tape(be),
        bnMode: 'batch',
        updateRunning: false,
        observe: {
          moduleOutput: (y) => {
            let c = corr.get(y);
            if (!c) {
              const n = y.shape[1] ?? 1;
              const cols = y.size / y.shape[0]! / n;
              const first = be.toHost(y).subarray(0, n * cols); // the first sample (output[0])
              c = { n, cols, R: cleanCorrelation(first, n, cols) };
              corr.set(y, c);
            }
            if (!pick) {
              c.min ??= symmetricEigenvalues(c.R, c.n)[0]!;
              terms.push({ n: c.n, cols: c.cols, value: c.min });
              return;
            }
            const idx = pick(c.n);
            if (!idx) {
              undefinedPick = true;
              terms.push({ n: c.n, cols: c.cols, value: NaN });
              return;
            }
            // the correlation of a subset of rows is the submatrix of the rows' correlation
            const k = idx.length;
            const sub = new Float64Array(k * k);
            for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) sub[i * k + j] = c.R[idx[i]! * c.n + idx[j]!]!;
            terms.push({ n: c.n, cols: c.cols, value: (symmetricEigenvalues(sub, k)[0]! * c.n) / k });
          },
        },
      },
      x,
    );
    if (terms.length === 0) return { score: NaN, terms }; // a network that reports no module outputs (NB101)
    if (undefinedPick) return { score: NaN, terms };
    let score = 0;
    for (const t of terms) if (Number.isFinite(t.value)) score += t.value;
    return { score, terms };
  });
}
