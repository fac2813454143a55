/**
 * The budget, kept exactly: every training goes through the ledger, which counts it, records it, and after each
 * one notes the incumbent (what the search would return if it stopped there). Asked to train beyond the budget
 * it throws BudgetSpent, which ends the algorithm; so no algorithm checks the budget itself, and none can
 * overspend it.
 */
import type { Oracle } from './oracle.js';

export interface Training {
  arch: string;
  reward: number;
  /** The share of a full training (BOHB's rungs; 1 otherwise). */
  fraction: number;
}

/** Thrown by `train` once the budget is spent: the search driver catches it and the run is over. */
export class BudgetSpent extends Error {
  constructor() {
    super('the training budget is spent');
    this.name = 'BudgetSpent';
  }
}

export class Ledger {
  readonly history: Training[] = [];
  /** incumbents[t]: the index in history of the incumbent after training t + 1. */
  readonly incumbents: number[] = [];

  constructor(
    private readonly oracle: Oracle,
    readonly budget: number,
  ) {
    if (!Number.isSafeInteger(budget) || budget < 1)
      throw new RangeError(`the budget must be an integer ≥ 1 trained architectures, got ${budget}`);
  }

  get left(): number {
    return this.budget - this.history.length;
  }

  async train(arch: string, fraction = 1): Promise<number> {
    if (this.left <= 0) throw new BudgetSpent();
    const reward = await this.oracle.train(arch, fraction);
    if (typeof reward !== 'number' || !Number.isFinite(reward))
      throw new Error(`the oracle returned ${String(reward)} as the reward of ${arch}: a reward must be a finite number`);
    this.history.push({ arch, reward, fraction });
    this.incumbents.push(this.incumbentIndex());
    return reward;
  }

  /**
   * The best reward among the trainings at the largest fraction reached (first on ties): the best reward of all
   * when every training is full; for Hyperband, the best at the top rung, as hpbandster's incumbent, since a
   * reward at a lower fidelity is not a final one.
   */
  private incumbentIndex(): number {
    const last = this.history.length - 1;
    const prev = this.incumbents[last - 1];
    const t = this.history[last]!;
    if (prev === undefined) return last;
    const p = this.history[prev]!;
    if (t.fraction > p.fraction) return last;
    return t.fraction === p.fraction && t.reward > p.reward ? last : prev;
  }

  /** The incumbent at the end (the run's answer). */
  get best(): Training {
    const i = this.incumbents[this.incumbents.length - 1];
    if (i === undefined) throw new Error('nothing was trained');
    return this.history[i]!;
  }
}
