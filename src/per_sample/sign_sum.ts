import type { HostArray } from '../autodiff/index.js';
import { signs, type Reducer, type WeightLayout } from './reducer.js';

/** GradSign's reduction: for every weight k, Σ_i sign(g_ik) over the batch, an integer. */
export class SignSumReducer implements Reducer {
  sums = new Int32Array(0);
  private layout: readonly WeightLayout[] = [];
  private batch = 0;

  begin(layout: readonly WeightLayout[], labels: Int32Array): void {
    this.layout = layout;
    this.batch = labels.length;
    this.sums = new Int32Array(layout.reduce((m, l) => m + l.numel, 0));
  }

  consume(layer: number, grads: HostArray): void {
    const { numel, offset } = this.layout[layer]!;
    const s = signs(grads);
    for (let n = 0; n < this.batch; n++) {
      for (let k = 0; k < numel; k++) this.sums[offset + k]! += s[n * numel + k]!;
    }
  }
}
