/**
 * The DARTS cell spaces for the scorer:
 *
 * - `nb301`: NAS-Bench-301 as NAS-Bench-Suite-Zero scored it (plan.ts NB301_SHAPE: C = 32, 8 cells, NASLib's
 *   ops). An architecture is written in NASLib's compact form, and its canonical text is that form exactly as
 *   the keys of ../shared/data/nb301/naslib_zc_nasbench301_725.json are written (`[[(0, 2), (1, 4), ...], [...]]`),
 *   so results lines and the file's keys match as strings. DARTS's `Genotype(...)` text is taken too when the
 *   compact form can write it.
 * - `darts`: any genotype, in either form, at a width C, depth L and op variant chosen by the user (default:
 *   DARTS's own CIFAR-10 evaluation network, C = 36, 20 cells, DARTS's ops); the canonical text is DARTS's printed
 *   `Genotype(...)` form.
 */
import type { SearchSpace } from '../space.js';
import { compactGenotypeText, dartsGenotypeText, DartsGenotypeError, hasCompactForm, parseDartsGenotype } from './genotype.js';
import { DartsNetwork } from './network.js';
import { NB301_SHAPE, type DartsOpsVariant, type DartsShape } from './plan.js';

export interface DartsSpaceOptions extends Partial<DartsShape> {
  ops?: DartsOpsVariant;
}

/** DARTS's CIFAR-10 evaluation network (cnn/train.py: --init_channels 36 --layers 20), DARTS's ops. */
export const DARTS_EVAL_SHAPE = { C: 36, layers: 20, ops: 'darts' } as const;

export const NB301_SPACE: SearchSpace = {
  name: 'nb301',
  title: 'NAS-Bench-301',
  // NASLib's cells end every op in a BN (pools too): per-sample statistics zero every pooled feature
  perSampleBn: 'batch',
  example:
    "'[[(0, 2), (1, 4), (0, 1), (2, 2), (0, 0), (2, 3), (3, 5), (2, 5)], [(1, 6), (0, 2), (1, 4), (2, 0), (0, 1), (2, 3), (3, 4), (1, 5)]]'",
  canonical: (text) => {
    const g = parseDartsGenotype(text);
    if (!hasCompactForm(g)) {
      throw new DartsGenotypeError(
        'NB301 genotypes have 4 nodes (8 pairs per cell), concat [2, 3, 4, 5] and no "none" op; use --space darts for other genotypes',
      );
    }
    return compactGenotypeText(g);
  },
  build: (backend, arch, o) =>
    new DartsNetwork(backend, {
      genotype: parseDartsGenotype(arch),
      C: NB301_SHAPE.C,
      layers: NB301_SHAPE.layers,
      ops: NB301_SHAPE.ops,
      numClasses: o.numClasses,
      ...(o.dtype ? { dtype: o.dtype } : {}),
    }),
};

/** `--space darts` at width C, depth L and op variant (each defaulting to DARTS's evaluation network). */
export function dartsSpace(options: DartsSpaceOptions = {}): SearchSpace {
  const C = options.C ?? DARTS_EVAL_SHAPE.C;
  const layers = options.layers ?? DARTS_EVAL_SHAPE.layers;
  const ops = options.ops ?? DARTS_EVAL_SHAPE.ops;
  return {
    name: 'darts',
    title: `DARTS (C = ${C}, ${layers} cells, ${ops} ops)`,
    example: `"Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])" or the NB301 compact form`,
    canonical: (text) => dartsGenotypeText(parseDartsGenotype(text)),
    perSampleBn: ops === 'naslib' ? 'batch' : 'sample',
    build: (backend, arch, o) =>
      new DartsNetwork(backend, {
        genotype: parseDartsGenotype(arch),
        C,
        layers,
        ops,
        numClasses: o.numClasses,
        ...(o.dtype ? { dtype: o.dtype } : {}),
      }),
  };
}
