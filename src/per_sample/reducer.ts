/**
 * Reducers receive per-sample weight gradients one layer at a time, as the backward pass produces them,
 * and keep only what a proxy needs. A layer a reducer never sees had all-zero gradients.
 */
import type { HostArray } from '../autodiff/index.js';

export interface WeightLayout {
  name: string;
  shape: readonly number[];
  numel: number;
  /** Offset of this layer in the flattened parameter vector (module order). */
  offset: number;
}

export interface Reducer {
  /** Called once before any layer, with the counted weights and the batch labels. */
  begin(layout: readonly WeightLayout[], labels: Int32Array): void;
  /** grads: [B × numel] for layer `layer` (an index into the layout), sample-major. */
  consume(layer: number, grads: HostArray): void;
}

/** sign(g) ∈ {−1, 0, +1} per element: exact zeros stay 0, as numpy's sign does. */
export function signs(grads: HostArray): Int8Array {
  const s = new Int8Array(grads.length);
  for (let i = 0; i < grads.length; i++) s[i] = grads[i]! > 0 ? 1 : grads[i]! < 0 ? -1 : 0;
  return s;
}

/** Samples of each class, in label order of first appearance sorted by label. */
export function groupByClass(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  [...labels].forEach((y, i) => {
    const g = groups.get(y);
    if (g) g.push(i);
    else groups.set(y, [i]);
  });
  return new Map([...groups].sort((a, b) => a[0] - b[0]));
}
