/**
 * Reducers receive per-sample weight gradients one layer at a time, as the backward pass produces them,
 * and keep only what a proxy needs, using the backend's reduction kernels. The batch may arrive in chunks
 * of samples (each chunk's layers in backward order), so a reducer is told which samples a block holds.
 * A layer a reducer never sees had all-zero gradients.
 */
import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';

export interface WeightLayout {
  name: string;
  shape: readonly number[];
  numel: number;
  /** Offset of this layer in the flattened parameter vector (module order). */
  offset: number;
}

export interface Reducer {
  /** Called once before any layer, with the counted weights, all batch labels and the backend. */
  begin(layout: readonly WeightLayout[], labels: Int32Array, backend: Backend): void;
  /** grads: [b, ...shape] per-sample gradients of layer `layer` for samples first .. first + b − 1. */
  consume(layer: number, grads: Tensor, first: number): void;
  /** Called once after the last chunk, while the pass's backend memory still lives: read accumulators here. */
  end?(): void;
}

/** Samples of each class, classes in increasing label order. */
export function groupByClass(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  [...labels].forEach((y, i) => {
    const g = groups.get(y);
    if (g) g.push(i);
    else groups.set(y, [i]);
  });
  return new Map([...groups].sort((a, b) => a[0] - b[0]));
}
