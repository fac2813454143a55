import type { Tensor } from '../autodiff/index.js';
import type { Backend, SampleReductions, SumStore } from '../backend/backend.js';
import type { Reducer, WeightLayout } from './reducer.js';

/**
 * GradSign's reduction: for every weight k, Σ_i sign(g_ik) over the batch, an integer. The sums accumulate in
 * the backend (on a GPU, on the device) and come to the host once, when the pass ends.
 */
export class SignSumReducer implements Reducer {
  sums: Int32Array = new Int32Array(0);
  /** Whether any gradient was NaN or ±Inf (an overflowed pass): then the sums mean nothing. */
  nonFinite = false;
  private layout: readonly WeightLayout[] = [];
  private backend?: SampleReductions;
  private store?: SumStore;

  begin(layout: readonly WeightLayout[], _labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    this.store = backend.allocSignSums(layout.reduce((m, l) => m + l.numel, 0));
  }

  consume(layer: number, grads: Tensor): void {
    this.backend!.signSum(grads, this.store!, this.layout[layer]!.offset);
  }

  end(): void {
    ({ sums: this.sums, nonFinite: this.nonFinite } = this.backend!.readSignSums(this.store!));
  }
}
