/** NAS-Bench-201 as eval reads it: 15,625 architectures, 200-epoch test and Suite-Zero validation accuracies. */
import type { Nb201Table } from '../data/nb201_table.js';
import { NB201_SPACE } from '../nets/nb201/space.js';
import type { Benchmark } from './benchmark.js';
import { NB201_PAPER_NUMBERS } from './paper_numbers.js';

export function nb201Benchmark(table: Nb201Table): Benchmark {
  const row = (i: number) => table.rows[i]!;
  return {
    space: NB201_SPACE,
    size: table.rows.length,
    archOf: (i) => row(i).arch,
    indexOf: (arch) => table.byArch.get(arch)?.index,
    datasets: ['cifar10', 'cifar100'],
    accuracyNote: 'NB201 200-epoch test accuracy (CIFAR-10: ori-test), NAS-Bench-Suite-Zero validation accuracy',
    targets: (dataset) => [
      { label: `NB201 ${dataset} test accuracy`, paper: dataset, accuracy: (i) => row(i).test[dataset] },
      { label: `NB201 ${dataset} validation accuracy`, accuracy: (i) => row(i).val[dataset] },
      {
        label: `NB201 imagenet16-120 test accuracy (cross-dataset: scores from ${dataset} images)`,
        paper: 'imagenet16-120',
        accuracy: (i) => row(i).test['imagenet16-120'],
      },
    ],
    papers: NB201_PAPER_NUMBERS,
  };
}
