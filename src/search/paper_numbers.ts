/**
 * The GradSign paper's Table 6 (Zhang & Jia, ICLR 2022, §5.5): NB201, searched on CIFAR-10 with a 12,000 s
 * budget of simulated training time (12-epoch rewards), 500 runs, mean ± std of the returned architecture's
 * 200-epoch accuracy. A-REA's row is NASWOT's (Mellor et al. 2021), validation only. By the row's label
 * (algorithms.ts algorithmLabel), then split, then dataset.
 */

export type PaperCell = { mean: number; std: number };
export type PaperRow = Record<'val' | 'test', Partial<Record<'cifar10' | 'cifar100' | 'imagenet16-120', PaperCell>>>;

/** "91.08±0.45 93.85±0.44 …": C10 val, C10 test, C100 val, C100 test, IN16 val, IN16 test; "-" for none. */
function row(cells: string): PaperRow {
  const parsed = cells.split(' ').map((c) => {
    if (c === '-') return undefined;
    const [mean, std] = c.split('±').map(Number);
    return { mean: mean!, std: std! };
  });
  const out: PaperRow = { val: {}, test: {} };
  (['cifar10', 'cifar100', 'imagenet16-120'] as const).forEach((d, i) => {
    const v = parsed[2 * i],
      t = parsed[2 * i + 1];
    if (v) out.val[d] = v;
    if (t) out.test[d] = t;
  });
  return out;
}

export const GRADSIGN_TABLE6: Record<string, PaperRow> = {
  REA: row('91.08±0.45 93.85±0.44 71.59±1.33 71.64±1.25 44.90±1.20 45.25±1.41'),
  'A-REA (naswot)': row('91.20±0.27 - 71.95±0.99 - 45.70±1.05 -'),
  'G-REA': row('91.27±0.58 94.10±0.52 72.64±1.57 72.70±1.50 45.69±1.33 45.70±1.32'),
  RS: row('90.93±0.37 93.72±0.38 70.96±1.12 71.07±1.07 44.47±1.08 44.61±1.22'),
  'G-RS': row('91.24±0.21 94.02±0.21 72.15±0.77 72.20±0.76 45.38±0.79 45.77±0.79'),
  REINFORCE: row('90.32±0.89 93.21±0.82 70.03±1.75 70.14±1.73 43.57±2.09 43.64±2.24'),
  'G-REINFORCE': row('90.47±0.55 93.37±0.47 70.00±1.20 70.20±1.29 44.33±1.25 44.05±1.48'),
  BOHB: row('90.84±0.49 93.64±0.49 70.82±1.29 70.92±1.26 44.36±1.37 44.50±1.50'),
  'G-HB': row('91.18±0.26 93.96±0.25 71.92±0.92 71.99±0.85 45.29±0.84 45.53±0.92'),
};
