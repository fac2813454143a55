import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import { groupByClass, type Reducer, type WeightLayout } from './reducer.js';

/** Per class c, the sign-sum vector Σ_{i∈c} sign(g_i) over every counted weight (memory: classes × weights). */
export class ClassSignSumReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  sums: Int32Array[] = [];
  private classOf = new Int32Array(0);
  private layout: readonly WeightLayout[] = [];
  private backend?: Backend;

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.classOf = Int32Array.from(labels, (y) => this.classes.indexOf(y));
    const m = layout.reduce((t, l) => t + l.numel, 0);
    this.sums = this.classes.map(() => new Int32Array(m));
  }

  consume(layer: number, grads: Tensor, first: number): void {
    const { numel, offset } = this.layout[layer]!;
    const s = this.backend!.signs(grads);
    const b = s.length / numel;
    for (let i = 0; i < b; i++) {
      const out = this.sums[this.classOf[first + i]!]!;
      for (let k = 0; k < numel; k++) out[offset + k]! += s[i * numel + k]!;
    }
  }

  /** ‖Σ_{i∈c} s_i‖² per class. */
  squaredNorms(): Float64Array {
    return Float64Array.from(this.sums, (v) => v.reduce((t, x) => t + x * x, 0));
  }
}
