import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import { signsOf } from '../backend/reference/reduce.js';
import { groupByClass, type Reducer, type WeightLayout } from './reducer.js';

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
  private backend?: Backend;

  constructor(private readonly keepSums = false) {}

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.squaredNorms = new Float64Array(this.classes.length);
    const m = layout.reduce((t, l) => t + l.numel, 0);
    this.sums = this.keepSums ? this.classes.map(() => new Int32Array(m)) : [];
  }

  consume(layer: number, grads: Tensor): void {
    this.backend!.classSignStatistics(grads, this.members, undefined, this.squaredNorms);
    if (!this.keepSums) return;
    const { numel, offset } = this.layout[layer]!;
    const s = signsOf(this.backend!.toHost(grads));
    this.members.forEach((rows, c) => {
      const out = this.sums[c]!;
      for (const n of rows) for (let k = 0; k < numel; k++) out[offset + k]! += s[n * numel + k]!;
    });
  }
}
