/**
 * A search space as the scorer sees it: how an architecture is written (one canonical text per architecture,
 * the key of tables and results lines) and how its network is built. One implementation per space
 * (nb201/space.ts, …); `SPACES` (spaces.ts) lists them for the command line.
 */
import type { DType } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Random } from '../util/random.js';
import type { Network } from './network.js';

export interface BuildOptions {
  numClasses: number;
  dtype?: DType;
}

export interface SearchSpace {
  /** The `--space` name. */
  readonly name: string;
  /** The benchmark's name in messages and reports. */
  readonly title: string;
  /** How one architecture is written, for help and error messages. */
  readonly example: string;
  /** The canonical text of an architecture written by a user; throws with the reason when it is not one. */
  canonical(text: string): string;
  /** A random architecture of the space in canonical text, drawn from `random` (spaces without a table: NDS's). */
  sample?(random: Random): string;
  /** The network of a canonical architecture, its parameters allocated but not initialised. */
  build(backend: Backend, arch: string, o: BuildOptions): Network;
  /**
   * The BN statistics the per-sample pass takes by default, where not each sample's own (the reference code's):
   * `batch` for networks in which every feature map ends in a BN, where per-sample statistics make every
   * per-sample gradient rounding noise.
   */
  readonly perSampleBn?: 'sample' | 'batch';
}
