import type { HostArray } from '../autodiff/index.js';
import type { Reducer, WeightLayout } from './reducer.js';

/** Keeps every raw per-sample gradient: per layer a [B × numel] array (zeros for layers never reached). */
export class CollectAllReducer implements Reducer {
  layout: readonly WeightLayout[] = [];
  grads = new Map<string, Float64Array>();
  private batch = 0;

  begin(layout: readonly WeightLayout[], labels: Int32Array): void {
    this.layout = layout;
    this.batch = labels.length;
    this.grads = new Map(layout.map((l) => [l.name, new Float64Array(this.batch * l.numel)]));
  }

  consume(layer: number, grads: HostArray): void {
    this.grads.get(this.layout[layer]!.name)!.set(grads);
  }

  /** Row i of the flattened N×m per-sample gradient matrix, in module order. */
  row(i: number): Float64Array {
    const m = this.layout.reduce((t, l) => t + l.numel, 0);
    const out = new Float64Array(m);
    for (const l of this.layout) out.set(this.grads.get(l.name)!.subarray(i * l.numel, (i + 1) * l.numel), l.offset);
    return out;
  }
}
