/**
 * What an algorithm is given: the space, its own seeded generator, the ledger it trains through, and, for a G-
 * variant, the proxy that picks among candidates. An algorithm is a function that trains until the ledger says
 * the budget is spent (it never returns on its own).
 */
import type { Random } from '../util/random.js';
import type { Ledger } from './ledger.js';
import { proxyPick, type ProxyScores } from './proxy.js';
import type { CategoricalSpace } from './space.js';

/** The GradSign authors' code as published, or the corrected reading (REINFORCE and BOHB only; see each). */
export type Variant = 'published' | 'corrected';

/** Every algorithm's settings; the defaults are those of the paper's harness (AutoDL's scripts, hpbandster's BOHB). */
export interface SearchSettings {
  /** REA, A-REA: population size (10) and tournament size, drawn with replacement (3). */
  population: number;
  tournament: number;
  /** A-REA: the random sample whose proxy top `population` is the initial population (1000; our choice). */
  initSample: number;
  /** REINFORCE: Adam's learning rate (0.001, AutoDL's REINFORCE.sh) and the reward baseline's momentum (0.9). */
  learningRate: number;
  baselineMomentum: number;
  /** BOHB: Hyperband's η (3) and budget range in epochs ([12, 200], the paper's BOHB.py: rungs 22.2, 66.7, 200). */
  eta: number;
  minBudget: number;
  maxBudget: number;
  /** BOHB's TPE model (hpbandster's defaults, min_bandwidth as the paper's BOHB.py passes it). */
  topNPercent: number;
  kdeSamples: number;
  randomFraction: number;
  minBandwidth: number;
}

export const DEFAULT_SETTINGS: Readonly<SearchSettings> = {
  population: 10,
  tournament: 3,
  initSample: 1000,
  learningRate: 0.001,
  baselineMomentum: 0.9,
  eta: 3,
  minBudget: 12,
  maxBudget: 200,
  topNPercent: 15,
  kdeSamples: 64,
  randomFraction: 1 / 3,
  minBandwidth: 0.3,
};

export class SearchContext {
  constructor(
    readonly space: CategoricalSpace,
    readonly rng: Random,
    private readonly ledger: Ledger,
    /** Set for a G- variant (and A-REA). */
    readonly proxy: ProxyScores | undefined,
    /** How many candidates the proxy ranks per training. */
    readonly pool: number,
    readonly variant: Variant,
    readonly settings: Readonly<SearchSettings>,
  ) {}

  /** Trains a point (one unit of budget) and returns its reward; throws BudgetSpent when none is left. */
  train(genes: readonly number[], fraction = 1): Promise<number> {
    return this.ledger.train(this.space.text(genes), fraction);
  }

  /** The candidate the proxy scores highest (see proxyPick); needs a proxy. */
  pick(candidates: readonly (readonly number[])[]): number[] {
    if (!this.proxy) throw new Error('pick needs a proxy');
    return candidates[
      proxyPick(
        this.proxy,
        candidates.map((g) => this.space.text(g)),
      )
    ]!.slice();
  }

  /** `pool` candidates made by `make` when there is a proxy (its pick is returned), else one. */
  candidate(make: () => number[]): number[] {
    return this.proxy ? this.pick(Array.from({ length: this.pool }, make)) : make();
  }
}

export type Algorithm = (ctx: SearchContext) => Promise<void>;
