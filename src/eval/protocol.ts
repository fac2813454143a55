/**
 * A results file holds one protocol: the fields of a line's `protocol` that change the numbers, and how a
 * line's protocol differs from a run's, in words. The images are identified by content (DataIdentity, computed
 * in node/data_fingerprint.ts), never by the folder they were read from.
 */

/** The protocol fields that change the numbers. */
export const PROTOCOL_KEYS = [
  'batch',
  'split',
  'data',
  'normalization',
  'batchChoice',
  'init',
  'bn',
  'loss',
  'gradalign2',
  'readings',
  'ntkBatch',
];

/** `--per-sample-bn`: where the per-sample pass's BN statistics come from. */
export const PER_SAMPLE_BN_NAMES = ['sample', 'batch'] as const;

/** The protocol's words for it (the `sample` text is what results files have always held). */
export function perSampleBnProtocol(bn: (typeof PER_SAMPLE_BN_NAMES)[number]): string {
  return bn === 'sample'
    ? 'per-sample statistics (train-mode BN on a batch of one)'
    : "the batch's statistics, held fixed in the per-sample backward (one train-mode forward of the batch first)";
}

export interface DataIdentity {
  /** e.g. "cifar10 train", "cifar10 test (bundled sample)". */
  images: string;
  count: number;
  /** Hex SHA-256 of the int32 little-endian labels, then the CHW pixel bytes of every image, in load order. */
  sha256: string;
}

/**
 * The first protocol field in which `held` differs from `ours`, in words ("… there, … here" unless other
 * names are given); undefined if none.
 */
export function protocolMismatch(
  held: Record<string, unknown>,
  ours: Record<string, unknown>,
  names = { held: 'there', ours: 'here' },
): string | undefined {
  for (const k of PROTOCOL_KEYS) {
    if (JSON.stringify(held[k]) === JSON.stringify(ours[k])) continue;
    if (k === 'data') return describeDataDifference(held[k], ours[k] as DataIdentity, names);
    return `${k} = ${JSON.stringify(held[k])} ${names.held}, ${JSON.stringify(ours[k])} ${names.ours}`;
  }
  return undefined;
}

/** How two identities differ, in words, for the message that refuses a results file. */
function describeDataDifference(held: unknown, given: DataIdentity, names: { held: string; ours: string }): string {
  const h = held as Partial<DataIdentity> | string | undefined;
  if (typeof h === 'string' || h === undefined || typeof h !== 'object' || h === null) {
    return (
      `data recorded as ${JSON.stringify(h)} ${names.held} (a results file from before data fingerprints: migrate it with ` +
      `node scripts/results-data-fingerprint.mjs FILE --data DIR)`
    );
  }
  const parts: string[] = [];
  if (h.images !== given.images) parts.push(`${JSON.stringify(h.images)} ${names.held}, ${JSON.stringify(given.images)} ${names.ours}`);
  if (h.count !== given.count) parts.push(`${h.count} images ${names.held}, ${given.count} ${names.ours}`);
  if (h.sha256 !== given.sha256)
    parts.push(`content sha256 ${String(h.sha256).slice(0, 12)}… ${names.held}, ${String(given.sha256).slice(0, 12)}… ${names.ours}`);
  return `other images: ${parts.join('; ')}`;
}
