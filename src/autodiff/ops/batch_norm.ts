import type { SavedBatchNorm, StatsGrouping } from '../../backend/backend.js';
import { channelFirstElement } from '../first_element.js';
import type { Tape } from '../tape.js';
import { hostArray, type HostArray, type Tensor } from '../../backend/tensor.js';

/**
 * Where batch-norm statistics come from: `batch` = each channel over (N,H,W) (train mode); `sample` = each
 * (sample, channel) over (H,W), i.e. train-mode BN on a batch of one, so samples never interact;
 * `running` = the running buffers (eval mode); `fixed` = the statistics the last `batch` pass recorded
 * (`lastBatch`), held constant: each sample is normalised as in its batch, yet samples never interact.
 */
export type BatchNormMode = 'batch' | 'sample' | 'running' | 'fixed';

/** Running buffers, kept on the host: they are tiny and only ever updated element-wise. */
export interface BatchNormBuffers {
  runningMean: HostArray;
  runningVar: HostArray;
  numBatchesTracked: number;
  /** Mean and biased variance per channel of the last `batch`-mode pass that updated the running averages. */
  lastBatch?: { mean: HostArray; variance: HostArray };
}

export interface BatchNormOptions {
  mode: BatchNormMode;
  eps?: number;
  momentum?: number;
  /** Update running statistics as PyTorch's train mode does (default true in batch and sample modes). */
  updateRunning?: boolean;
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β with biased σ² from the chosen statistics. In `batch`/`sample` mode μ and σ²
 * depend on x, so dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) per statistics group; in `running` and `fixed` mode
 * dx = γ·σ⁻¹·dy.
 * dγ = Σ dy·x̂, dβ = Σ dy. Running buffers move by momentum 0.1 toward the batch mean and the *unbiased*
 * variance; in `sample` mode once per sample, in order, exactly as a loop of batch-of-one passes would.
 */
export function batchNorm(
  tape: Tape,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  buffers: BatchNormBuffers,
  options: BatchNormOptions,
): Tensor {
  const be = tape.backend;
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const C = x.shape[1]!;
  const grouping: StatsGrouping = options.mode === 'sample' ? 'sample' : 'channel';

  let mean: Tensor;
  let invStd: Tensor;
  const fixed = options.mode === 'running' || options.mode === 'fixed';
  if (fixed) {
    const given = options.mode === 'running' ? { mean: buffers.runningMean, variance: buffers.runningVar } : buffers.lastBatch;
    if (given === undefined) throw new Error("batch_norm: mode 'fixed' before any 'batch' pass recorded statistics");
    if (given.mean.length !== C) throw new Error(`batch_norm: ${given.mean.length} recorded channels for an input of ${C}`);
    mean = be.fromHost(
      hostArray(x.dtype, C).map((_, c) => given.mean[c]!),
      [C],
    );
    invStd = be.fromHost(
      hostArray(x.dtype, C).map((_, c) => 1 / Math.sqrt(given.variance[c]! + eps)),
      [C],
    );
  } else {
    const stats = be.batchNormStatistics(x, grouping);
    mean = stats.mean;
    invStd = be.batchNormInvStd(stats.variance, eps);
    // The running averages live on the host: only this needs the statistics there.
    if (options.updateRunning ?? true) {
      updateRunning(buffers, be.toHost(mean), be.toHost(stats.variance), x.shape, grouping, momentum);
    }
  }

  const saved: SavedBatchNorm = { x, mean, invStd, gamma, grouping, statsFromInput: !fixed };
  const y = be.batchNormForward(saved, beta);
  return tape.record(
    'batch_norm',
    [x, gamma, beta],
    y,
    (dy, ctx) => {
      const first = ctx.firstElement;
      const perSampleStats = grouping === 'sample';
      if (first?.wants(gamma)) first.consume(gamma, channelFirstElement(ctx.backend, dy, { x, mean, invStd, perSampleStats }));
      if (first?.wants(beta)) first.consume(beta, channelFirstElement(ctx.backend, dy));
      const { dx, dgamma, dbeta } = ctx.backend.batchNormBackward(dy, saved);
      return [dx, dgamma, dbeta];
    },
    {
      // The Jacobian dy/dx is symmetric (γ·s·(I − 11ᵀ/n − x̂x̂ᵀ/n) per group), so the JVP is the VJP applied to tx.
      jvp: ([tx = null, tg, tb], be) => {
        if (tg || tb) throw new Error('batch_norm: tangents of γ and β are not supported');
        return tx && be.batchNormBackward(tx, saved).dx;
      },
      // γ and β never carry a direction (jvp refuses), so their H·v rows are never read: left out.
      vjpJvp: (dy, tdy, [tx = null], { backend: be }) => [be.batchNormBackwardTangent(dy, tdy, tx, saved), null, null],
    },
  );
}

function updateRunning(
  buffers: BatchNormBuffers,
  mean: HostArray,
  variance: HostArray,
  shape: readonly number[],
  grouping: StatsGrouping,
  momentum: number,
): void {
  const [N, C] = [shape[0]!, shape[1]!];
  const spatial = shape.length === 4 ? shape[2]! * shape[3]! : 1;
  if (grouping === 'channel') buffers.lastBatch = { mean: mean.slice(), variance: variance.slice() };
  const steps = grouping === 'sample' ? N : 1;
  const count = grouping === 'sample' ? spatial : N * spatial;
  const unbias = count > 1 ? count / (count - 1) : 1;
  for (let s = 0; s < steps; s++) {
    for (let c = 0; c < C; c++) {
      const g = s * C + c;
      buffers.runningMean[c] = (1 - momentum) * buffers.runningMean[c]! + momentum * mean[g]!;
      buffers.runningVar[c] = (1 - momentum) * buffers.runningVar[c]! + momentum * variance[g]! * unbias;
    }
    buffers.numBatchesTracked++;
  }
}
