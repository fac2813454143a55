/** Spatial crops of NCHW arrays: y = x[:, :, top:, left:], and its gradient placed back into zeros. */
import type { HostArray } from '../tensor.js';
import type { CropGeometry } from '../shapes.js';

/** Row r of plane q in y is row r + top of plane q in x, from column `left` on. */
export function cropSpatial(g: CropGeometry, x: HostArray, y: HostArray): void {
  for (let q = 0; q < g.N * g.C; q++)
    for (let r = 0; r < g.Ho; r++) {
      const from = (q * g.H + r + g.top) * g.W + g.left;
      y.set(x.subarray(from, from + g.Wo), (q * g.Ho + r) * g.Wo);
    }
}

/** dx zero on entry: each row of dy goes back where cropSpatial took it from. */
export function cropSpatialGrad(g: CropGeometry, dy: HostArray, dx: HostArray): void {
  for (let q = 0; q < g.N * g.C; q++)
    for (let r = 0; r < g.Ho; r++) {
      const from = (q * g.Ho + r) * g.Wo;
      dx.set(dy.subarray(from, from + g.Wo), (q * g.H + r + g.top) * g.W + g.left);
    }
}
