/**
 * Published correlations to print beside ours, per benchmark. Each entry says which paper, table and protocol
 * it comes from, since protocols differ (batch 64 vs 128, Spearman vs Kendall, accuracy key).
 */

export interface PaperNumber {
  source: string;
  metric: 'spearman' | 'kendall';
  /** By the key of the accuracy compared with (the dataset). */
  values: Partial<Record<string, number>>;
}

/** NAS-Bench-201, by score key (as in results lines). */
export const NB201_PAPER_NUMBERS: Record<string, PaperNumber[]> = {
  gradsign: [
    {
      source: 'GradSign Table 3 (ZC protocol, batch 64, all archs)',
      metric: 'spearman',
      values: { cifar10: 0.765, cifar100: 0.793, 'imagenet16-120': 0.783 },
    },
    {
      source: 'GradAlign NB201 table (NASWOT protocol, batch 128)',
      metric: 'kendall',
      values: { cifar10: 0.561, cifar100: 0.595, 'imagenet16-120': 0.596 },
    },
  ],
  gradalign1: [
    {
      source: 'GradAlign NB201 table (batch 128)',
      metric: 'kendall',
      values: { cifar10: 0.617, cifar100: 0.633, 'imagenet16-120': 0.623 },
    },
  ],
  gradalign2: [
    {
      source: 'GradAlign NB201 table (batch 128)',
      metric: 'kendall',
      values: { cifar10: 0.599, cifar100: 0.622, 'imagenet16-120': 0.607 },
    },
  ],
  // zero-cost-nas (Abdelfattah et al., ICLR 2021) NB201 Spearman ρ, as quoted in issue 5 (ZC protocol:
  // batch 64, a fresh augmented batch per architecture, |ρ|); NASWOT ≈ 0.80 (Mellor et al. 2021 v2).
  ...Object.fromEntries(
    (
      [
        ['grad_norm', 0.594, 0.637],
        ['snip', 0.596, 0.637],
        ['grasp', 0.514, 0.547],
        ['fisher', 0.36, 0.385],
        ['synflow', 0.737, 0.763],
        ['jacob_cov', 0.731, 0.704],
      ] as const
    ).map(([key, c10, c100]) => [
      key,
      [
        {
          source: 'zero-cost-nas (ZC protocol, batch 64, |ρ|)',
          metric: 'spearman',
          values: { cifar10: c10, cifar100: c100 },
        } as PaperNumber,
      ],
    ]),
  ),
  naswot: [{ source: 'NASWOT v2 (≈, batch 128)', metric: 'spearman', values: { cifar10: 0.8, cifar100: 0.8, 'imagenet16-120': 0.8 } }],
};

/**
 * NAS-Bench-101, against NB101 test accuracy (ours: the bundled table's 108-epoch validation accuracy of one
 * repeat; no test accuracies are reachable here). GradSign Table 2: Spearman ρ, ~4,500 random cells, batch 64.
 * GradAlign's NB101 table: Kendall τ.
 */
export const NB101_PAPER_NUMBERS: Record<string, PaperNumber[]> = Object.fromEntries(
  Object.entries({
    gradsign: [0.449, 0.278],
    gradalign1: [undefined, 0.287],
    gradalign2: [undefined, 0.284],
    grad_norm: [0.263, -0.207],
    snip: [0.189, -0.186],
    grasp: [0.315, 0.175],
    fisher: [0.3, -0.247],
    synflow: [0.363, 0.254],
    naswot: [0.324, 0.244],
    jacob_cov: [undefined, -0.029],
    zen: [undefined, 0.395],
    tenas: [undefined, 0.271],
  } satisfies Record<string, [number | undefined, number]>).map(([key, [rho, tau]]) => [
    key,
    [
      ...(rho === undefined
        ? []
        : [{ source: 'GradSign Table 2 (test accuracy, ~4,500 cells, batch 64)', metric: 'spearman' as const, values: { cifar10: rho } }]),
      { source: 'GradAlign NB101 table (test accuracy)', metric: 'kendall' as const, values: { cifar10: tau } },
    ],
  ]),
);
