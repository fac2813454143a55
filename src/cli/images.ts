/**
 * Which images `score` and `eval` draw their batches from, one rule for both: `--data DIR` when given;
 * otherwise the bundled 512-image CIFAR-10 test sample for CIFAR-10 (the same images wherever the package
 * is installed), or `../shared/data` beside the checkout for CIFAR-100 (nothing is bundled for it).
 */
import type { CifarData, CifarDataset } from '../data/cifar.js';
import { defaultSharedDataDir, loadBundledCifar10Sample, loadCifar } from '../node/files.js';
import { UsageError, choiceOption, type ParsedArgs } from './args.js';

export interface ImageSource {
  data: CifarData;
  split: 'train' | 'test';
  /** Where the images are, for messages and score's protocol. */
  description: string;
  /** What the images are, without a path (eval's protocol identifies them by content under this label). */
  label: string;
}

export function chooseImages(args: ParsedArgs, dataset: CifarDataset, batchSize: number): ImageSource {
  const given = args.values.get('data');
  let source: ImageSource;
  if (given === undefined && dataset === 'cifar10') {
    if (choiceOption(args, 'split', ['train', 'test'] as const, 'test') !== 'test') {
      throw new UsageError('the bundled CIFAR-10 sample has only test images: use --split test or give --data DIR');
    }
    const data = loadBundledCifar10Sample();
    source = {
      data,
      split: 'test',
      description: `bundled CIFAR-10 test sample (${data.count} images)`,
      label: 'cifar10 test (bundled sample)',
    };
  } else {
    const dir = given ?? defaultSharedDataDir();
    if (dir === undefined) throw new UsageError(`--dataset ${dataset} needs --data DIR (no bundled ${dataset} images)`);
    const split = choiceOption(args, 'split', ['train', 'test'] as const, 'train');
    const data = loadCifar(dir, dataset, split);
    source = { data, split, description: `${dataset} ${split} split in ${dir} (${data.count} images)`, label: `${dataset} ${split}` };
  }
  if (batchSize > source.data.count)
    throw new UsageError(`--batch ${batchSize} exceeds the ${source.data.count} images of the ${source.description}`);
  return source;
}
