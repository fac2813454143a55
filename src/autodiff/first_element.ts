/**
 * Per-sample derivatives with respect to the first element θ[0] of a parameter tensor (VKDNW's Jacobian of the
 * logits with respect to one scalar per tensor). During a backward pass with a FirstElementSink, each op that
 * takes a parameter the sink wants hands it, per sample n, ∂⟨dy_n, y_n⟩/∂θ[0]: only the first channel of dy
 * and of the op's input is read, so this costs a small fraction of a per-sample weight gradient.
 */
import type { Kernels } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

export interface FirstElementSink {
  wants(param: Tensor): boolean;
  /** `perSample[n]` = sample n's derivative with respect to param's first element. */
  consume(param: Tensor, perSample: Float64Array): void;
}

/** Channel 0 of a [N, C, H, W] tensor on the host, [N, H·W]. */
function channel0(be: Kernels, t: Tensor): ArrayLike<number> {
  if (t.shape[1] === 1) return be.toHost(t);
  const s = be.sliceChannels(t, 0, 1);
  const h = be.toHost(s);
  be.release(s);
  return h;
}

/**
 * A convolution's w[0, 0, 0, 0] (output and input channel 0, tap (0, 0); also a depthwise one's):
 * Σ_{oy,ox} dy[n,0,oy,ox] · x[n,0,oy·stride − padding, ox·stride − padding] (0 outside x).
 */
export function convFirstElement(be: Kernels, x: Tensor, dy: Tensor, stride: number, padding: number): Float64Array {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [, , Ho, Wo] = dy.shape as [number, number, number, number];
  const xs = channel0(be, x),
    ds = channel0(be, dy);
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let oy = 0; oy < Ho; oy++) {
      const iy = oy * stride - padding;
      if (iy < 0 || iy >= H) continue;
      for (let ox = 0; ox < Wo; ox++) {
        const ix = ox * stride - padding;
        if (ix >= 0 && ix < W) s += ds[(n * Ho + oy) * Wo + ox]! * xs[(n * H + iy) * W + ix]!;
      }
    }
    out[n] = s;
  }
  return out;
}

/**
 * A per-channel scale's or shift's element 0 (BN γ[0] and β[0], a channel bias): Σ_{h,w} dy[n,0]·x̂[n,0] with
 * x̂ = (x − mean)·invStd from channel 0's statistics (`stats`, per sample when `perSampleStats`), or Σ dy[n,0]
 * for a shift (`stats` undefined).
 */
export function channelFirstElement(
  be: Kernels,
  dy: Tensor,
  scaled?: { x: Tensor; mean: Tensor; invStd: Tensor; perSampleStats: boolean },
): Float64Array {
  const [N, C] = dy.shape as [number, number];
  const ds = channel0(be, dy);
  const hw = ds.length / N;
  const out = new Float64Array(N);
  const xs = scaled && channel0(be, scaled.x);
  const mean = scaled && be.toHost(scaled.mean),
    inv = scaled && be.toHost(scaled.invStd);
  for (let n = 0; n < N; n++) {
    const g = scaled?.perSampleStats ? n * C : 0;
    let s = 0;
    for (let k = 0; k < hw; k++) s += ds[n * hw + k]! * (xs ? (xs[n * hw + k]! - mean![g]!) * inv![g]! : 1);
    out[n] = s;
  }
  return out;
}

/** A linear layer's w[0, 0] (dy[n,0]·x[n,0]) or, without x, its bias[0] (dy[n,0]); x [N, in], dy [N, out]. */
export function linearFirstElement(be: Kernels, dy: Tensor, x?: Tensor): Float64Array {
  const [N, out] = dy.shape as [number, number];
  const d = be.toHost(dy);
  const xs = x && be.toHost(x);
  const inp = x ? x.shape[1]! : 0;
  return Float64Array.from({ length: N }, (_, n) => d[n * out]! * (xs ? xs[n * inp]! : 1));
}
