import type { HostArray } from '../autodiff/index.js';
import { groupByClass, signs, type Reducer, type WeightLayout } from './reducer.js';

/** Per class c, the Gram matrix G_c = S_c S_cᵀ of the samples' sign vectors (exact integers in doubles). */
export class ClassGramReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  /** grams[c] is n_c × n_c, row-major. */
  grams: Float64Array[] = [];
  private layout: readonly WeightLayout[] = [];

  begin(layout: readonly WeightLayout[], labels: Int32Array): void {
    this.layout = layout;
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.grams = this.members.map((rows) => new Float64Array(rows.length * rows.length));
  }

  consume(layer: number, grads: HostArray): void {
    const { numel } = this.layout[layer]!;
    const s = signs(grads);
    this.members.forEach((rows, c) => {
      const G = this.grams[c]!, n = rows.length;
      for (let a = 0; a < n; a++) {
        const ra = rows[a]! * numel;
        for (let b = a; b < n; b++) {
          const rb = rows[b]! * numel;
          let dot = 0;
          for (let k = 0; k < numel; k++) dot += s[ra + k]! * s[rb + k]!;
          G[a * n + b]! += dot;
          if (b !== a) G[b * n + a]! += dot;
        }
      }
    });
  }
}
