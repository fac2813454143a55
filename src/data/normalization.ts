/**
 * Per-channel input normalisation constants (RGB order), applied as x = (pixel/255 − mean_c) / std_c.
 *
 * - `xautodl` (default): the constants of xautodl `get_dataset_with_transform.py`, used for NB201 training and by
 *   NASWOT (BayesWatch nas-without-training); see docs/proxies.md §1.7, §4.6.
 * - `zc`: the constants of the ZC "foresight" framework `get_cifar_dataloaders` (same for both CIFARs); §0.
 */
export type NormalizationName = 'xautodl' | 'zc';
export type NormalizationDataset = 'cifar10' | 'cifar100' | 'imagenet16-120';

export interface ChannelStats {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

const div255 = (v: readonly [number, number, number]): [number, number, number] => [v[0] / 255, v[1] / 255, v[2] / 255];

const IMAGENET16: ChannelStats = { mean: div255([122.68, 116.66, 104.01]), std: div255([63.22, 61.26, 65.09]) };

export const NORMALIZATIONS: Readonly<Record<NormalizationName, Readonly<Record<NormalizationDataset, ChannelStats>>>> = {
  xautodl: {
    cifar10: { mean: div255([125.3, 123.0, 113.9]), std: div255([63.0, 62.1, 66.7]) },
    cifar100: { mean: div255([129.3, 124.1, 112.4]), std: div255([68.2, 65.4, 70.4]) },
    'imagenet16-120': IMAGENET16,
  },
  zc: {
    cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
    cifar100: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
    'imagenet16-120': IMAGENET16,
  },
};

export const DEFAULT_NORMALIZATION: NormalizationName = 'xautodl';
export const NORMALIZATION_NAMES: readonly NormalizationName[] = ['xautodl', 'zc'];

export function isNormalizationName(s: unknown): s is NormalizationName {
  return s === 'xautodl' || s === 'zc';
}

/** The constants for a dataset under a normalisation convention (default `xautodl`). */
export function normalizationStats(dataset: NormalizationDataset, normalization: NormalizationName = DEFAULT_NORMALIZATION): ChannelStats {
  const set = NORMALIZATIONS[normalization];
  if (set === undefined) {
    throw new Error(`unknown normalization "${String(normalization)}" (expected one of: ${NORMALIZATION_NAMES.join(', ')})`);
  }
  const stats = set[dataset];
  if (stats === undefined) {
    throw new Error(`no ${normalization} normalization constants for dataset "${String(dataset)}" (expected one of: ${Object.keys(set).join(', ')})`);
  }
  return stats;
}
