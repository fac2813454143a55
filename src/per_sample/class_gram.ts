import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import { groupByClass, type Reducer, type WeightLayout } from './reducer.js';

/** Per class c, the Gram matrix G_c = S_c S_cᵀ of the samples' sign vectors (exact integers in doubles). */
export class ClassGramReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  /** grams[c] is n_c × n_c, row-major. */
  grams: Float64Array[] = [];
  private backend?: Backend;

  begin(_layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.backend = backend;
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.grams = this.members.map((rows) => new Float64Array(rows.length * rows.length));
  }

  consume(_layer: number, grads: Tensor): void {
    this.backend!.classSignStatistics(grads, this.members, this.grams);
  }
}
