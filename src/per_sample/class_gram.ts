import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import { groupByClass, type Reducer, type WeightLayout } from './reducer.js';

/**
 * Per class c, the Gram matrix G_c = S_c S_cᵀ of its samples' sign vectors (exact integers in doubles),
 * accumulated layer by layer. A layer's int8 signs are held until every chunk of the batch has delivered
 * its rows (immediately, when the batch comes in one piece), then reduced and dropped.
 */
export class ClassGramReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  /** grams[c] is n_c × n_c, row-major. */
  grams: Float64Array[] = [];
  private layout: readonly WeightLayout[] = [];
  private batch = 0;
  private pending = new Map<number, { signs: Int8Array; rows: number }>();
  private backend?: Backend;

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    this.batch = labels.length;
    this.pending.clear();
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.grams = this.members.map((rows) => new Float64Array(rows.length * rows.length));
  }

  consume(layer: number, grads: Tensor, first: number): void {
    const { numel } = this.layout[layer]!;
    const chunk = this.backend!.signs(grads);
    const b = chunk.length / numel;
    let block: { signs: Int8Array; rows: number };
    if (b === this.batch) block = { signs: chunk, rows: b };
    else {
      block = this.pending.get(layer) ?? { signs: new Int8Array(this.batch * numel), rows: 0 };
      block.signs.set(chunk, first * numel);
      block.rows += b;
      this.pending.set(layer, block);
    }
    if (block.rows < this.batch) return;
    this.pending.delete(layer);
    this.backend!.classGram(block.signs, numel, this.members, this.grams);
  }

  /** ‖Σ_{i∈c} s_i‖² = Σ_ab (G_c)_ab per class. */
  squaredNorms(): Float64Array {
    return Float64Array.from(this.grams, (G) => G.reduce((t, x) => t + x, 0));
  }
}
