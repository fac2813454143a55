/**
 * Forward-over-reverse rules, for exact Hessian-vector products (GraSP's H·g). An op that supports them
 * says how a tangent of its inputs moves its output (jvp) and how it moves what its VJP returns (vjpJvp):
 * d/dε vjp(dy + ε·tdy) evaluated at inputs + ε·tx. A null tangent means zero.
 */
import type { Kernels } from '../backend/backend.js';
import type { BackwardContext } from './tape.js';
import type { Tensor } from '../backend/tensor.js';

export interface TangentRule {
  jvp(tx: readonly (Tensor | null)[], be: Kernels): Tensor | null;
  /** Returns fresh tensors (or tdy itself), never one of tx. */
  vjpJvp(dy: Tensor, tdy: Tensor | null, tx: readonly (Tensor | null)[], ctx: BackwardContext): (Tensor | null)[];
  /**
   * The op is (piecewise) linear, so its VJP does not move with its inputs: vjpJvp reads no tx, and a reverse
   * walk need not keep its inputs' tangents (add, relu, pooling, slicing).
   */
  piecewiseLinear?: boolean;
  /**
   * What the VJP and vjpJvp return, from one run: for an op whose VJP is costly to run twice (checkpoint
   * recomputes its segment for each).
   */
  vjpWithTangent?(
    dy: Tensor,
    tdy: Tensor | null,
    tx: readonly (Tensor | null)[],
    ctx: BackwardContext,
  ): { dxs: (Tensor | null)[]; tdxs: (Tensor | null)[] };
}

/** sumOf for terms the caller just computed and uses nowhere else: they are released once summed. */
export function sumOfFresh(be: Kernels, ...terms: (Tensor | null | undefined | false)[]): Tensor | null {
  const present = terms.filter((t): t is Tensor => !!t);
  const total = sumOf(be, ...present);
  if (present.length > 1) for (const t of present) be.release(t);
  return total;
}

/** The sum of the non-null terms, or null when every term is null (a zero tangent). */
export function sumOf(be: Kernels, ...terms: (Tensor | null | undefined | false)[]): Tensor | null {
  let acc: Tensor | null = null;
  for (const t of terms) if (t) acc = acc ? be.add(acc, t) : t;
  return acc;
}
