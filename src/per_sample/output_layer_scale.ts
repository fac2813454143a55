import type { Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Reducer, WeightLayout } from './reducer.js';

/**
 * The largest |per-sample gradient| of the last counted layer (the classifier): (p − y)·features, so it is about
 * the largest pooled feature. When it is rounding noise, so is every per-sample gradient behind it — the case of
 * networks whose every feature map ends in a BN normalised per sample (NASLib's DARTS cells, NDS cells whose last
 * cell has no pool), where each sample's pooled features are exactly zero. Its block is [b × classes·C]: small.
 */
export class OutputLayerScaleReducer implements Reducer {
  maxAbs = 0;
  private last = -1;
  private backend?: Backend;

  begin(layout: readonly WeightLayout[], _labels: Int32Array, backend: Backend): void {
    this.last = layout.length - 1;
    this.backend = backend;
    this.maxAbs = 0;
  }

  consume(layer: number, grads: Tensor): void {
    if (layer !== this.last) return;
    for (const v of this.backend!.toHost(grads)) this.maxAbs = Math.max(this.maxAbs, Math.abs(v));
  }
}
