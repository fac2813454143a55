/**
 * zerocost's ensemble (issue 17): over a population of architectures scored alike (an `eval` run, or the
 * architectures of one `score` call),
 *   ensemble = Σ_m ln(rank_m / N),
 * AZ-NAS's rank aggregation (average ranks, N the population), of the members below. They were chosen by greedy
 * forward selection (src/eval/ensemble.ts, scripts/choose-ensemble-nb201.mjs) against NB201 CIFAR-10 test
 * accuracy on seed 1 of the CIFAR-10 run only, so that the other seeds, CIFAR-100 and ImageNet16-120 judge it
 * untuned. PROVISIONAL: chosen on the first 265 of that run's 1,000 architectures (ρ 0.951 there, in sample),
 * while the run is in progress; it is chosen again, the same way, when seed 1 is complete.
 */
import type { ProxyName } from './registry.js';

export const ENSEMBLE_MEMBERS = [
  'meco',
  'swap_reg',
  'az_nas_progressivity',
  'synflow',
  'jacob_cov',
] as const satisfies readonly ProxyName[];

/** Where the members came from, for protocols and reports. */
export const ENSEMBLE_PROVENANCE =
  'Σ ln(rank/N) of meco, swap_reg, az_nas_progressivity, synflow, jacob_cov (provisional: chosen on 265 architectures of NB201 CIFAR-10 seed 1)';
