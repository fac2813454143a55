/** Table 6's layout in Markdown: one row per run set, each followed by the paper's row where it has one. */
import type { PaperRow } from './paper_numbers.js';
import type { MeanStd } from './summary.js';

export const TABLE6_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;

export interface Table6Row {
  label: string;
  val: Partial<Record<string, MeanStd>>;
  test: Partial<Record<string, MeanStd>>;
}

const cell = (s: MeanStd | undefined) => (s ? `${s.mean.toFixed(2)}±${s.std.toFixed(2)}` : '–');

export function table6Markdown(rows: readonly Table6Row[], paper: Readonly<Record<string, PaperRow>> = {}): string[] {
  const line = (label: string, r: { val: Partial<Record<string, MeanStd>>; test: Partial<Record<string, MeanStd>> }) =>
    `| ${label} | ${TABLE6_DATASETS.map((d) => `${cell(r.val[d])} | ${cell(r.test[d])}`).join(' | ')} |`;
  const out = [
    '| method | CIFAR-10 val | CIFAR-10 test | CIFAR-100 val | CIFAR-100 test | ImageNet16-120 val | ImageNet16-120 test |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(line(r.label, r));
    const p = paper[r.label];
    if (p) out.push(line(`*${r.label} (paper)*`, p));
  }
  return out;
}
