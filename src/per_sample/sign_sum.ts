import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Reducer, WeightLayout } from './reducer.js';

/** GradSign's reduction: for every weight k, Σ_i sign(g_ik) over the batch, an integer. */
export class SignSumReducer implements Reducer {
  sums = new Int32Array(0);
  private layout: readonly WeightLayout[] = [];
  private backend?: Backend;

  begin(layout: readonly WeightLayout[], _labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    this.sums = new Int32Array(layout.reduce((m, l) => m + l.numel, 0));
  }

  consume(layer: number, grads: Tensor): void {
    this.backend!.signSum(grads, this.sums, this.layout[layer]!.offset);
  }
}
