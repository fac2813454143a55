import type { Kernels } from '../../backend/backend.js';
import { Tape, type BackwardContext } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** A segment of a network: y = f(x) with parameters, recorded on `tape`; `again` on the recomputations. */
export type Segment = (tape: Tape, x: Tensor, again: boolean) => Tensor;

/**
 * y = f(x; params), remembered by its inputs only (as torch.utils.checkpoint): the forward runs f on a tape
 * that records nothing, in a scope of its own, so f's activations are freed as soon as y exists; the VJP
 * runs f again on a tape that tracks the inputs the outer pass wants, and backpropagates dy through it
 * (weight gradients and taps go where the outer pass sends them). Activation memory becomes one segment's
 * instead of the whole network's, for one more forward per segment. f must compute the same y every time
 * (batch-statistics BN does; moving running averages twice is the caller's to avoid, with `again`).
 * Tangents (GraSP's H·g) recompute the same way: the jvp pushes the inputs' tangents through f, and one more
 * run gives both the VJP and its tangent (f's forward-over-reverse with (dy, tdy)): a segment's activations,
 * their tangents and the frontier live only inside that run.
 */
export function checkpoint(tape: Tape, x: Tensor, params: readonly Tensor[], f: Segment): Tensor {
  const be = tape.backend;
  const inputs = [x, ...params];
  const [y] = survive(be, () => [f(new Tape(be), x, false)]);
  if (!inputs.some((t) => tape.isTracked(t))) return y!;
  /** f again, on a tape tracking the inputs `wanted` says. */
  const again = (wanted: (t: Tensor, i: number) => boolean) => {
    const sub = new Tape(be);
    inputs.forEach((t, i) => wanted(t, i) && sub.watch(t));
    return { sub, y: f(sub, x, true) };
  };
  const direction = (tx: readonly (Tensor | null)[]) => new Map(inputs.flatMap((t, i) => (tx[i] ? [[t, tx[i]] as [Tensor, Tensor]] : [])));
  /** The VJP and its tangent from one recomputation: f's forward-over-reverse with (dy, tdy). */
  const vjpWithTangent = (dy: Tensor, tdy: Tensor | null, tx: readonly (Tensor | null)[], ctx: BackwardContext) => {
    const out = survive(be, () => {
      const run = again((t, i) => ctx.needsGrad(t) || tx[i] !== null);
      const { grads, tgrads } = run.sub.gradientTangents(run.y, dy, tdy, direction(tx), ctx);
      const wanted = (m: Map<Tensor, Tensor>) => inputs.map((t) => (ctx.needsGrad(t) ? (m.get(t) ?? null) : null));
      return [...wanted(grads), ...wanted(tgrads)];
    });
    return { dxs: out.slice(0, inputs.length), tdxs: out.slice(inputs.length) };
  };
  return tape.record(
    'checkpoint',
    inputs,
    y!,
    (dy, ctx) =>
      survive(be, () => {
        const run = again((t) => ctx.needsGrad(t));
        const grads = run.sub.backward(run.y, { seed: dy, within: ctx });
        return inputs.map((t) => grads.get(t) ?? null);
      }),
    {
      jvp: (tx, be) =>
        survive(be, () => {
          const run = again((_t, i) => tx[i] !== null);
          return [run.sub.tangentOf(run.y, direction(tx))];
        })[0]!,
      vjpJvp: (dy, tdy, tx, ctx) => {
        const { dxs, tdxs } = vjpWithTangent(dy, tdy, tx, ctx);
        for (const dx of dxs) if (dx) be.release(dx);
        return tdxs;
      },
      vjpWithTangent,
    },
  );
}

/**
 * fn's results outlive the scope fn runs in, and nothing else fn allocated does: they leave through the host
 * (one copy out and one in; small beside the segment's compute).
 */
function survive(be: Kernels, fn: () => (Tensor | null)[]): (Tensor | null)[] {
  const host = be.scope(() => fn().map((t) => t && { data: be.toHost(t), shape: t.shape }));
  return host.map((h) => h && be.fromHost(h.data, h.shape));
}
