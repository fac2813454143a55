/**
 * One train-mode forward of the whole batch (BN with batch statistics), shared by the baseline proxies
 * that read it: the mean-CE gradient (grad_norm, snip, fisher, grasp), the input Jacobian (jacob_cov), the
 * per-sample output gradients (TE-NAS NTK) and the ReLU codes (NASWOT). The forward records every
 * parameter and the input, so each of those backward passes runs on the same tape. `checkpoint` runs the
 * network's segments (cells) recomputed in the backward instead of remembered, for networks whose
 * activations at this batch do not fit in the backend's memory.
 */
import { Tape, crossEntropy, hostArrayOf, type HostArray, type Tensor } from '../autodiff/index.js';
import type { Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import type { ParameterEntry } from '../nets/parameters.js';
import { firstNonFinite } from '../util/finite.js';
import { ReluCodes } from './relu_codes.js';

/**
 * A Conv2d/Linear output a [N, C, ...] and its loss gradient δ, reduced to g_nc = Σ_spatial a·δ (fisher's
 * per-sample channel terms): N × C numbers, where a and δ are activation-sized.
 */
export interface LayerProducts {
  weight: Tensor;
  N: number;
  C: number;
  g: Float64Array;
}

export interface BatchPassNeeds {
  /** Tap Conv2d/Linear outputs, for fisher: the loss backward reduces each with its gradient (LayerProducts). */
  layerOutputs?: boolean;
  /** Pack ReLU input codes for NASWOT. */
  reluCodes?: boolean;
}

export class BatchPass {
  readonly tape: Tape;
  readonly x: Tensor;
  readonly logits: Tensor;
  readonly reluCodes?: ReluCodes;
  private lossPass?: { weightGrads: { entry: ParameterEntry; grad: HostArray | null }[]; layerProducts: LayerProducts[] };

  constructor(
    readonly net: Network,
    readonly batch: Batch,
    needs: BatchPassNeeds,
    readonly checkpoint = false,
  ) {
    const be = net.backend;
    this.tape = new Tape(be);
    for (const e of net.parameters.entries) this.tape.watch(e.tensor);
    const data = hostArrayOf(net.parameters.dtype, batch.x);
    this.x = this.tape.watch(be.fromHost(data, batch.shape));
    const codes = needs.reluCodes ? new ReluCodes(batch.shape[0]) : undefined;
    this.reluCodes = codes;
    this.logits = net.forward(
      {
        tape: this.tape,
        bnMode: 'batch',
        checkpoint,
        observe: {
          // on the tape that records y: a checkpointed segment's own, in its recomputation
          layerOutput: needs.layerOutputs ? (weight, y, tape) => tape.tap(y, weight) : undefined,
          reluInput: codes ? (x) => codes.add(be.toHost(x)) : undefined,
        },
      },
      this.x,
    );
  }

  /**
   * Runs fn on the mean-CE loss and the parameters' gradients; `onLayerOutput` is handed each tapped layer
   * output with its gradient as the backward reaches it (while both live). Everything the backward
   * allocates is freed when fn returns, so fn must return host values.
   */
  withLossGradients<T>(
    fn: (loss: Tensor, grads: Map<Tensor, Tensor>) => T,
    onLayerOutput?: (weight: Tensor, y: Tensor, dy: Tensor) => void,
  ): T {
    return this.net.backend.scope(() => {
      const loss = crossEntropy(this.tape, this.logits, this.batch.y, 'mean');
      const grads = this.tape.backward(loss, onLayerOutput ? { onTapped: (w, y, dy) => onLayerOutput(w as Tensor, y, dy) } : {});
      return fn(loss, grads);
    });
  }

  /**
   * Whether the forward overflowed (a NaN or ±Inf ReLU input or logit), to say why a score is NaN: read only
   * then, so the logits come to the host only when needed.
   */
  get nonFinite(): boolean {
    return (this.reluCodes?.nonFinite ?? false) || firstNonFinite(this.net.backend.toHost(this.logits)) >= 0;
  }

  /** The Conv2d and Linear weights with host copies of their mean-CE gradients (null: no path to the loss). */
  weightGradients(): { entry: ParameterEntry; grad: HostArray | null }[] {
    return this.lossBackward().weightGrads;
  }

  /**
   * Each tapped layer output's LayerProducts from the same backward, in forward order (a layer with no path
   * to the loss has none); empty unless the pass was asked for layer outputs.
   */
  layerProducts(): LayerProducts[] {
    return this.lossBackward().layerProducts;
  }

  /** One backward of the mean-CE loss for every proxy that reads it (grad_norm, snip, grasp's g, fisher). */
  private lossBackward(): NonNullable<BatchPass['lossPass']> {
    const be = this.net.backend;
    const layerProducts: LayerProducts[] = [];
    this.lossPass ??= this.withLossGradients(
      (_loss, grads) => ({
        weightGrads: this.net.parameters.countedWeights().map((entry) => {
          const g = grads.get(entry.tensor);
          return { entry, grad: g ? be.toHost(g) : null };
        }),
        layerProducts: layerProducts.reverse(), // the backward meets them last layer first
      }),
      (weight, y, dy) => layerProducts.push(layerProductsOf(weight, be.toHost(y), be.toHost(dy), y.shape)),
    );
    return this.lossPass;
  }
}

function layerProductsOf(weight: Tensor, a: HostArray, d: HostArray, shape: readonly number[]): LayerProducts {
  const [N, C] = [shape[0]!, shape[1]!];
  const spatial = a.length / (N * C);
  const g = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      const base = (n * C + c) * spatial;
      for (let i = 0; i < spatial; i++) s += a[base + i]! * d[base + i]!;
      g[n * C + c] = s;
    }
  }
  return { weight, N, C, g };
}
