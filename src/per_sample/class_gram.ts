import type { Tensor } from '../autodiff/index.js';
import type { Backend, GramStore, SampleReductions, SignStore } from '../backend/backend.js';
import { groupByClass, type Reducer, type WeightLayout } from './reducer.js';

/**
 * Per class c, the Gram matrix G_c = S_c S_cᵀ of its samples' sign vectors (exact integers in doubles),
 * accumulated layer by layer. Each layer's signs go to a backend-owned store (B rows per layer) until every
 * chunk of the batch has delivered its rows (at once, when the batch comes in one piece); then that layer's
 * contribution is added to the Grams.
 */
export class ClassGramReducer implements Reducer {
  classes: number[] = [];
  members: number[][] = [];
  /** grams[c] is n_c × n_c, row-major. */
  grams: Float64Array[] = [];
  /** Whether any gradient was NaN or ±Inf (an overflowed pass): then the Grams mean nothing. */
  nonFinite = false;
  private batch = 0;
  private rowsSeen: number[] = [];
  private store?: SignStore;
  private acc?: GramStore;
  private backend?: SampleReductions;

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.backend = backend;
    this.batch = labels.length;
    this.rowsSeen = layout.map(() => 0);
    this.store = backend.allocSigns(
      this.batch,
      layout.map((l) => l.numel),
    );
    const groups = groupByClass(labels);
    this.classes = [...groups.keys()];
    this.members = [...groups.values()];
    this.acc = backend.allocGrams(this.members.map((rows) => rows.length));
  }

  consume(layer: number, grads: Tensor, first: number): void {
    this.backend!.writeSigns(grads, this.store!, layer, first);
    this.rowsSeen[layer]! += grads.shape[0]!;
    if (this.rowsSeen[layer] === this.batch) this.backend!.classGram(this.store!, layer, this.members, this.acc!);
  }
  /** The Grams come to the host once, when the pass ends (the backend accumulates them layer by layer). */
  end(): void {
    ({ grams: this.grams, nonFinite: this.nonFinite } = this.backend!.readGrams(this.acc!));
  }

  /** ‖Σ_{i∈c} s_i‖² = Σ_ab (G_c)_ab per class. */
  squaredNorms(): Float64Array {
    return Float64Array.from(this.grams, (G) => G.reduce((t, x) => t + x, 0));
  }
}
