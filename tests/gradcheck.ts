/**
 * Finite-difference gradient checks for the autodiff. A check builds L = Σ f(inputs) ⊙ R for a fixed random
 * R (R is the backward seed, so the analytic gradient is the VJP Jᵀ·R) and compares every checked element's
 * analytic ∂L/∂θ with the central difference (L(θ+ε) − L(θ−ε)) / 2ε, evaluated in f64.
 */
import * as assert from 'uvu/assert';
import { Tape, type Tensor } from '../src/autodiff/index.js';
import type { Backend } from '../src/backend/backend.js';
import { Random } from '../src/util/random.js';

export function randomArray(rng: Random, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform(lo, hi));
}

export function randomNormal(rng: Random, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal() * scale);
}

export interface GradInput {
  name: string;
  data: Float64Array;
  shape: number[];
  /** Whether this input is watched and checked (default true). Unwatched inputs are constants. */
  check?: boolean;
  /** Elements to check; default: all when size ≤ maxChecks, else a random subset of maxChecks. */
  indices?: number[];
}

export interface GradcheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  maxChecks?: number;
  seed?: number;
}

export interface GradcheckResult {
  /** Largest |analytic − numeric| / (atol + rtol·max(|analytic|, |numeric|)); ≤ 1 passes. */
  worst: number;
  /** Largest |analytic − numeric| / max(|numeric|, 1e-3·scale), scale = max |numeric| over all checked elements. */
  maxRelErr: number;
  checked: number;
  /** The analytic gradients, by input index (zeros when the tape gave none). */
  analytic: Float64Array[];
  grads: Map<Tensor, Tensor>;
  tensors: Tensor[];
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Checks the VJPs of `f` (which builds its output from tensors made of `inputs`, in order) against central
 * differences. Throws an assertion naming the first bad element.
 */
export function gradcheck(
  backend: Backend,
  inputs: GradInput[],
  f: (tape: Tape, xs: Tensor[]) => Tensor,
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-6,
    rtol = options.rtol ?? 1e-6,
    atol = options.atol ?? 1e-8,
    maxChecks = options.maxChecks ?? 50;
  const rng = new Random(options.seed ?? 12345);

  const tape = new Tape(backend);
  const tensors = inputs.map((inp) => backend.fromHost(inp.data.slice(), inp.shape));
  inputs.forEach((inp, i) => {
    if (inp.check !== false) tape.watch(tensors[i]!);
  });
  const out = f(tape, tensors);
  assert.is(out.dtype, 'f64', 'gradcheck runs in f64');
  const R = randomArray(rng, out.size);
  const grads = tape.backward(out, { seed: backend.fromHost(R, out.shape) });

  const evalL = (k: number, j: number, delta: number): number => {
    const xs = inputs.map((inp, i) => {
      if (i !== k) return backend.fromHost(inp.data.slice(), inp.shape);
      const d = inp.data.slice();
      d[j]! += delta;
      return backend.fromHost(d, inp.shape);
    });
    return dot(backend.toHost(f(new Tape(backend), xs)), R);
  };

  let worst = 0,
    checked = 0;
  const pairs: [number, number][] = [];
  const analytic: Float64Array[] = [];
  inputs.forEach((inp, k) => {
    const g = grads.get(tensors[k]!);
    const a = g ? Float64Array.from(backend.toHost(g)) : new Float64Array(inp.data.length);
    analytic.push(a);
    if (inp.check === false) return;
    assert.is(a.length, inp.data.length, `${inp.name}: gradient size`);
    const idx = inp.indices ?? (inp.data.length <= maxChecks ? [...Array(inp.data.length).keys()] : rng.sample(inp.data.length, maxChecks));
    const numeric = idx.map((j) => (evalL(k, j, eps) - evalL(k, j, -eps)) / (2 * eps));
    idx.forEach((j, t) => {
      const an = a[j]!,
        nu = numeric[t]!;
      const err = Math.abs(an - nu);
      const ratio = err / (atol + rtol * Math.max(Math.abs(an), Math.abs(nu)));
      worst = Math.max(worst, ratio);
      pairs.push([an, nu]);
      checked++;
      assert.ok(ratio <= 1, `${inp.name}[${j}]: analytic ${an} vs finite difference ${nu} (|diff| ${err.toExponential(2)})`);
    });
  });
  const scale = Math.max(0, ...pairs.map(([, nu]) => Math.abs(nu)));
  const maxRelErr = Math.max(0, ...pairs.map(([an, nu]) => Math.abs(an - nu) / Math.max(Math.abs(nu), 1e-3 * scale, 1e-300)));
  if (process.env.GRADCHECK_VERBOSE)
    console.log(
      `gradcheck ${inputs.map((i) => i.name).join(',')}: ${checked} checked, worst ${worst.toExponential(2)}, max rel err ${maxRelErr.toExponential(2)}`,
    );
  return { worst, maxRelErr, checked, analytic, grads, tensors };
}
