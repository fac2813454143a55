/**
 * REINFORCE (Williams 1992, as AutoDL's reinforce.py runs it): one row of logits per decision (6 × 5 on NB201),
 * initialised to 1e-3·N(0, 1); each step samples every decision from its softmax, trains the architecture, updates
 * an exponential-moving-average baseline (momentum 0.9, bias-corrected) with the reward *first*, and takes one
 * Adam step (lr 0.001) on −log p(arch)·(reward − baseline).
 *
 * G-REINFORCE (the paper's Algorithm 4): makes `pool` (10) mutants of the sampled architecture and trains the
 * proxy's best. `published`: the policy is then updated with the log-probability of the *sampled* architecture
 * (what their code does: the reward of one architecture credited to another); `corrected`: with that of the
 * architecture trained, the one the reward belongs to.
 */
import { Adam } from './adam.js';
import type { Algorithm } from './context.js';
import { mutate } from './moves.js';

/** Exponential moving average with bias correction: numerator and denominator both decay (AutoDL's). */
class MovingAverage {
  private num = 0;
  private den = 0;
  constructor(private readonly momentum: number) {}
  update(v: number): void {
    this.num = this.momentum * this.num + (1 - this.momentum) * v;
    this.den = this.momentum * this.den + (1 - this.momentum);
  }
  get value(): number {
    return this.num / this.den;
  }
}

export const reinforce: Algorithm = async (ctx) => {
  const { choices } = ctx.space;
  const offsets = choices.map((_, d) => choices.slice(0, d).reduce((a, c) => a + c, 0));
  const size = choices.reduce((a, c) => a + c, 0);
  const logits = Float64Array.from({ length: size }, () => 1e-3 * ctx.rng.normal());
  const adam = new Adam(size, ctx.settings.learningRate);
  const baseline = new MovingAverage(ctx.settings.baselineMomentum);
  const probs = new Float64Array(size);
  const grad = new Float64Array(size);
  for (;;) {
    choices.forEach((c, d) => softmax(logits, probs, offsets[d]!, c));
    const sampled = choices.map((c, d) => categorical(probs, offsets[d]!, c, ctx.rng.next()));
    const trained = ctx.proxy ? ctx.pick(Array.from({ length: ctx.pool }, () => mutate(ctx.space, sampled, ctx.rng))) : sampled;
    const reward = await ctx.train(trained);
    baseline.update(reward);
    const advantage = reward - baseline.value;
    const credited = ctx.variant === 'corrected' ? trained : sampled;
    // ∂(−log softmax(θ_d)[a_d] · A)/∂θ_dk = (p_dk − [k = a_d]) · A
    choices.forEach((c, d) => {
      for (let k = 0; k < c; k++) grad[offsets[d]! + k] = (probs[offsets[d]! + k]! - (k === credited[d] ? 1 : 0)) * advantage;
    });
    adam.step(logits, grad);
  }
};

function softmax(logits: Float64Array, out: Float64Array, at: number, n: number): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, logits[at + k]!);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += out[at + k] = Math.exp(logits[at + k]! - max);
  for (let k = 0; k < n; k++) out[at + k]! /= sum;
}

/** The value whose cumulative probability first exceeds u ∈ [0, 1) (the last one if rounding leaves u beyond). */
function categorical(probs: Float64Array, at: number, n: number, u: number): number {
  let acc = 0;
  for (let k = 0; k < n - 1; k++) {
    acc += probs[at + k]!;
    if (u < acc) return k;
  }
  return n - 1;
}
