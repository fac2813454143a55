import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Reducer, WeightLayout } from './reducer.js';

/** Keeps every raw per-sample gradient: per layer a [B × numel] array (zeros for layers never reached). */
export class CollectAllReducer implements Reducer {
  layout: readonly WeightLayout[] = [];
  grads = new Map<string, Float64Array>();
  private backend?: Backend;

  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void {
    this.layout = layout;
    this.backend = backend;
    this.grads = new Map(layout.map((l) => [l.name, new Float64Array(labels.length * l.numel)]));
  }

  consume(layer: number, grads: Tensor, first: number): void {
    const l = this.layout[layer]!;
    this.grads.get(l.name)!.set(this.backend!.toHost(grads), first * l.numel);
  }

  /** Row i of the flattened N×m per-sample gradient matrix, in module order. */
  row(i: number): Float64Array {
    const m = this.layout.reduce((t, l) => t + l.numel, 0);
    const out = new Float64Array(m);
    for (const l of this.layout) out.set(this.grads.get(l.name)!.subarray(i * l.numel, (i + 1) * l.numel), l.offset);
    return out;
  }
}
