/**
 * Batch-norm loops over host arrays: the reference backend's kernels, and the WASM backend's tangent (GraSP's
 * Hessian-vector product only, too rare to pay for a SIMD kernel). Over statistic groups: a group is one channel over (N,H,W) or one (sample, channel)
 * over (H,W). Statistics are computed in doubles with two passes (mean, then biased variance).
 */
import type { HostArray, Tensor } from './tensor.js';
import type { SavedBatchNorm, StatsGrouping } from './backend.js';
import { bnGroups, type BnLayout } from './shapes.js';

/** Calls visit(group, channel, start) for every contiguous H×W run: its statistic group, its channel and its first index. */
function forEachRun(l: BnLayout, grouping: StatsGrouping, visit: (group: number, channel: number, start: number) => void): void {
  for (let n = 0; n < l.N; n++) {
    for (let c = 0; c < l.C; c++) visit(grouping === 'channel' ? c : n * l.C + c, c, (n * l.C + c) * l.HW);
  }
}

/** The record with each tensor replaced by its host array (a copy or a view of the backend's memory). */
export function savedOnHost(bn: SavedBatchNorm, host: (t: Tensor) => HostArray): SavedBatchNorm<HostArray> {
  return { ...bn, x: host(bn.x), mean: host(bn.mean), invStd: host(bn.invStd), gamma: host(bn.gamma) };
}

export function bnStatistics(l: BnLayout, grouping: StatsGrouping, x: HostArray): { mean: Float64Array; variance: Float64Array } {
  const G = bnGroups(l, grouping);
  const count = grouping === 'channel' ? l.N * l.HW : l.HW;
  const mean = new Float64Array(G);
  const variance = new Float64Array(G);
  forEachRun(l, grouping, (g, _c, s) => {
    let acc = 0;
    for (let i = 0; i < l.HW; i++) acc += x[s + i]!;
    mean[g]! += acc;
  });
  for (let g = 0; g < G; g++) mean[g]! /= count;
  forEachRun(l, grouping, (g, _c, s) => {
    const m = mean[g]!;
    let acc = 0;
    for (let i = 0; i < l.HW; i++) {
      const d = x[s + i]! - m;
      acc += d * d;
    }
    variance[g]! += acc;
  });
  for (let g = 0; g < G; g++) variance[g]! /= count;
  return { mean, variance };
}

export function bnForward(l: BnLayout, bn: SavedBatchNorm<HostArray>, beta: HostArray, y: HostArray): void {
  const { x, mean, invStd, gamma } = bn;
  forEachRun(l, bn.grouping, (g, c, s) => {
    const m = mean[g]!,
      k = invStd[g]! * gamma[c]!,
      b = beta[c]!;
    for (let i = 0; i < l.HW; i++) y[s + i] = (x[s + i]! - m) * k + b;
  });
}

export function bnBackward(
  l: BnLayout,
  dy: HostArray,
  bn: SavedBatchNorm<HostArray>,
  out: { dx: HostArray; dgamma: HostArray; dbeta: HostArray },
): void {
  const { x, mean, invStd, gamma, grouping, statsFromInput } = bn,
    { dx, dgamma, dbeta } = out;
  const G = bnGroups(l, grouping);
  const count = grouping === 'channel' ? l.N * l.HW : l.HW;
  const sumDy = new Float64Array(G);
  const sumDyXhat = new Float64Array(G);
  forEachRun(l, grouping, (g, _c, s) => {
    const m = mean[g]!,
      k = invStd[g]!;
    let a = 0,
      b = 0;
    for (let i = 0; i < l.HW; i++) {
      const d = dy[s + i]!;
      a += d;
      b += d * (x[s + i]! - m) * k;
    }
    sumDy[g]! += a;
    sumDyXhat[g]! += b;
  });
  const dg = new Float64Array(l.C),
    db = new Float64Array(l.C);
  for (let g = 0; g < G; g++) {
    const c = g % l.C;
    dg[c]! += sumDyXhat[g]!;
    db[c]! += sumDy[g]!;
  }
  dgamma.set(dg);
  dbeta.set(db);
  forEachRun(l, grouping, (g, c, s) => {
    const m = mean[g]!,
      k = invStd[g]!,
      scale = gamma[c]! * k;
    if (!statsFromInput) {
      for (let i = 0; i < l.HW; i++) dx[s + i] = dy[s + i]! * scale;
      return;
    }
    // dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) over the group
    const mdy = sumDy[g]! / count,
      mdyx = sumDyXhat[g]! / count;
    for (let i = 0; i < l.HW; i++) dx[s + i] = scale * (dy[s + i]! - mdy - (x[s + i]! - m) * k * mdyx);
  });
}

/**
 * Tangent of bnBackward's dx (γ fixed). With x̂ = (x − μ)·s, h = dy − mean(dy) − x̂·mean(dy·x̂) and dx = γ·s·h:
 * t(x̂) = s·(tx − mean(tx) − x̂·mean(x̂·tx)), t(s) = −s²·mean(x̂·tx),
 * t(h) = tdy − mean(tdy) − t(x̂)·mean(dy·x̂) − x̂·(mean(tdy·x̂) + mean(dy·t(x̂))), t(dx) = γ·(t(s)·h + s·t(h)).
 * With fixed statistics (running mode) dx = γ·s·dy, so t(dx) = γ·s·tdy. Zero tangents may be null.
 */
export function bnBackwardTangent(
  l: BnLayout,
  dy: HostArray,
  tdy: HostArray | null,
  tx: HostArray | null,
  bn: SavedBatchNorm<HostArray>,
  out: HostArray,
): void {
  const { x, mean, invStd, gamma, grouping, statsFromInput } = bn;
  if (!statsFromInput) {
    forEachRun(l, grouping, (g, c, s) => {
      const k = gamma[c]! * invStd[g]!;
      for (let i = 0; i < l.HW; i++) out[s + i] = tdy ? k * tdy[s + i]! : 0;
    });
    return;
  }
  const G = bnGroups(l, grouping);
  const count = grouping === 'channel' ? l.N * l.HW : l.HW;
  // Per group: Σdy, Σdy·x̂, Σtx, Σx̂·tx, Σtdy, Σtdy·x̂, Σdy·tx
  const acc = new Float64Array(G * 7);
  forEachRun(l, grouping, (g, _c, s) => {
    const m = mean[g]!,
      k = invStd[g]!;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      a4 = 0,
      a5 = 0,
      a6 = 0;
    for (let i = 0; i < l.HW; i++) {
      const xh = (x[s + i]! - m) * k,
        d = dy[s + i]!,
        t = tx ? tx[s + i]! : 0,
        td = tdy ? tdy[s + i]! : 0;
      a0 += d;
      a1 += d * xh;
      a2 += t;
      a3 += xh * t;
      a4 += td;
      a5 += td * xh;
      a6 += d * t;
    }
    const o = g * 7;
    acc[o]! += a0;
    acc[o + 1]! += a1;
    acc[o + 2]! += a2;
    acc[o + 3]! += a3;
    acc[o + 4]! += a4;
    acc[o + 5]! += a5;
    acc[o + 6]! += a6;
  });
  forEachRun(l, grouping, (g, c, s) => {
    const o = g * 7,
      m = mean[g]!,
      k = invStd[g]!,
      gm = gamma[c]!;
    const mdy = acc[o]! / count,
      mdyx = acc[o + 1]! / count,
      mtx = acc[o + 2]! / count,
      mxtx = acc[o + 3]! / count;
    const mtdy = acc[o + 4]! / count,
      mtdyx = acc[o + 5]! / count,
      mdytx = acc[o + 6]! / count;
    const ts = -k * k * mxtx;
    const mdyTxh = k * (mdytx - mdy * mtx - mdyx * mxtx); // mean(dy·t(x̂))
    for (let i = 0; i < l.HW; i++) {
      const xh = (x[s + i]! - m) * k,
        d = dy[s + i]!,
        t = tx ? tx[s + i]! : 0,
        td = tdy ? tdy[s + i]! : 0;
      const txh = k * (t - mtx - xh * mxtx);
      const h = d - mdy - xh * mdyx;
      const th = td - mtdy - txh * mdyx - xh * (mtdyx + mdyTxh);
      out[s + i] = gm * (ts * h + k * th);
    }
  });
}
