/**
 * BOHB's model (Falkner et al. 2018, hpbandster's config generator): per Hyperband budget, the observations
 * split into the best top_n_percent (15 %, at least D + 1 points) and the rest (the next 85 %, at least D + 1);
 * a kernel density of each; a proposal draws kdeSamples (64) points around random good ones and takes the one
 * with the smallest bad/good density ratio. A third of the proposals (and every one before a model exists) is
 * uniformly random. The model of the largest budget that has one is used; once a budget has a model, the lower
 * budgets' results are no longer recorded.
 */
import type { Random } from '../util/random.js';
import type { SearchSettings } from './context.js';
import { fitKde, kdeDensity, type CategoricalKde } from './kde.js';
import { randomGenes } from './moves.js';
import type { CategoricalSpace } from './space.js';

interface Observation {
  genes: number[];
  reward: number;
}

export class TpeModel {
  private readonly observations = new Map<number, Observation[]>();
  private readonly models = new Map<number, { good: CategoricalKde; bad: CategoricalKde }>();
  private readonly minPoints: number;

  constructor(
    private readonly space: CategoricalSpace,
    private readonly settings: Readonly<SearchSettings>,
  ) {
    this.minPoints = space.choices.length + 1;
  }

  /** Records a result at a budget (a fraction of the largest) and refits that budget's model. */
  observe(genes: readonly number[], reward: number, budget: number): void {
    if (Math.max(-Infinity, ...this.models.keys()) > budget) return;
    let list = this.observations.get(budget);
    if (!list) this.observations.set(budget, (list = []));
    list.push({ genes: genes.slice(), reward });
    const n = list.length,
      dims = this.space.choices.length;
    if (n < this.minPoints) return;
    const ranked = list.slice().sort((a, b) => b.reward - a.reward); // stable: earlier first among equals
    const nGood = Math.max(this.minPoints, Math.floor((this.settings.topNPercent * n) / 100));
    const nBad = Math.max(this.minPoints, Math.floor(((100 - this.settings.topNPercent) * n) / 100));
    const good = ranked.slice(0, nGood).map((o) => o.genes);
    const bad = ranked.slice(nGood, nGood + nBad).map((o) => o.genes);
    if (good.length <= dims || bad.length <= dims) return;
    const { choices } = this.space;
    this.models.set(budget, {
      good: fitKde(good, choices, this.settings.minBandwidth),
      bad: fitKde(bad, choices, this.settings.minBandwidth),
    });
  }

  /** One configuration: uniformly random, or the best bad/good density ratio of kdeSamples draws. */
  propose(rng: Random): number[] {
    if (this.models.size === 0 || rng.next() < this.settings.randomFraction) return randomGenes(this.space, rng);
    const { good, bad } = this.models.get(Math.max(...this.models.keys()))!;
    let best = Infinity,
      bestGenes: number[] | undefined;
    for (let i = 0; i < this.settings.kdeSamples; i++) {
      const datum = good.data[rng.int(good.data.length)]!;
      // hpbandster's draw: keep the datum's value with probability 1 − λ, else a uniform value (maybe the same)
      const x = datum.map((v, d) =>
        rng.next() < 1 - Math.max(good.bandwidth[d]!, this.settings.minBandwidth) ? v : rng.int(good.choices[d]!),
      );
      const ratio = Math.max(1e-32, kdeDensity(bad, x)) / Math.max(kdeDensity(good, x), 1e-32);
      if (ratio < best) {
        best = ratio;
        bestGenes = x;
      }
    }
    return bestGenes!;
  }
}
