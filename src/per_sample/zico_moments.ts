import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Reducer, WeightLayout } from './reducer.js';

/**
 * ZiCo's per-sample reduction: for every weight k, over the B per-sample gradients, mean |g_k| and the standard
 * deviation σ_k (ddof 0; Welford's running moments in f64, so σ_k is exactly 0 when every sample's gradient is the
 * same, e.g. all zero); per layer Σ_{σ_k ≠ 0} mean|g_k| / σ_k (`layerSums`, in layout order). Samples of a layer
 * that never reached this reducer had all-zero gradients.
 */
export class ZicoMomentsReducer implements Reducer {
  layerSums: number[] = [];
  /** Whether any gradient was NaN or ±Inf (an overflowed pass). */
  nonFinite = false;
  private layout: readonly WeightLayout[] = [];
  private backend?: Backend;
  private B = 0;
  private layers: ({ n: number; mean: Float64Array; m2: Float64Array; abs: Float64Array } | undefined)[] = [];

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    this.B = labels.length;
    this.layers = layout.map(() => undefined);
  }

  consume(layer: number, grads: Tensor): void {
    const numel = this.layout[layer]!.numel;
    const h = this.backend!.toHost(grads);
    const acc = (this.layers[layer] ??= {
      n: 0,
      mean: new Float64Array(numel),
      m2: new Float64Array(numel),
      abs: new Float64Array(numel),
    });
    const { mean, m2, abs } = acc;
    for (let i = 0; i < h.length / numel; i++) {
      const n = ++acc.n;
      const base = i * numel;
      for (let k = 0; k < numel; k++) {
        const x = h[base + k]!;
        const d = x - mean[k]!;
        mean[k]! += d / n;
        m2[k]! += d * (x - mean[k]!);
        abs[k]! += Math.abs(x);
      }
    }
  }

  end(): void {
    const B = this.B;
    this.layerSums = this.layers.map((acc) => {
      if (!acc) return 0;
      const missing = B - acc.n; // samples whose gradient of this layer was all zero: merged in (Chan et al.)
      let s = 0;
      for (let k = 0; k < acc.mean.length; k++) {
        const mean = acc.mean[k]!;
        const m2 = acc.m2[k]! + (missing > 0 ? (mean * mean * acc.n * missing) / B : 0);
        if (!Number.isFinite(m2) || !Number.isFinite(acc.abs[k]!)) this.nonFinite = true;
        if (m2 !== 0) s += acc.abs[k]! / B / Math.sqrt(m2 / B);
      }
      return s;
    });
  }
}
