import type { HostArray } from '../autodiff/index.js';
import { groupByClass, signs, type Reducer, type WeightLayout } from './reducer.js';

/**
 * Per class c, the squared norm ‖Σ_{i∈c} sign(g_i)‖² accumulated layer by layer (norms add over disjoint
 * layers), and optionally the sign-sum vectors themselves (`keepSums`, memory: classes × parameters).
 */
export class ClassSignSumReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  squaredNorms = new Float64Array(0);
  sums: Int32Array[] = [];
  private layout: readonly WeightLayout[] = [];

  constructor(private readonly keepSums = false) {}

  begin(layout: readonly WeightLayout[], labels: Int32Array): void {
    this.layout = layout;
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.squaredNorms = new Float64Array(this.classes.length);
    const m = layout.reduce((t, l) => t + l.numel, 0);
    this.sums = this.keepSums ? this.classes.map(() => new Int32Array(m)) : [];
  }

  consume(layer: number, grads: HostArray): void {
    const { numel, offset } = this.layout[layer]!;
    const s = signs(grads);
    const acc = new Int32Array(numel);
    this.members.forEach((rows, c) => {
      acc.fill(0);
      for (const n of rows) for (let k = 0; k < numel; k++) acc[k]! += s[n * numel + k]!;
      let sq = 0;
      for (let k = 0; k < numel; k++) sq += acc[k]! * acc[k]!;
      this.squaredNorms[c]! += sq;
      if (this.keepSums) this.sums[c]!.set(acc, offset);
    });
  }
}
