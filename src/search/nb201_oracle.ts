/**
 * The tabular NAS-Bench-201 oracle over the bundled table (src/data/nb201_table.ts): "training" is a lookup.
 *
 * The reward is the 200-epoch validation accuracy of the search dataset (NAS-Bench-Suite-Zero's `val_accuracy`;
 * for CIFAR-10 the `cifar10-valid` model on its held-out half of the training set). The GradSign paper's harness
 * (AutoDL's) rewarded a search with the *12-epoch* validation accuracy of one random training seed
 * (`get_more_info(i, 'cifar10-valid', hp='12', is_random=True)`), which the bundled table does not hold: our
 * reward is the converged number, far less noisy, so every algorithm finds better architectures with it than
 * with the paper's. The report is the paper's: 200-epoch validation and test accuracy on every dataset
 * (CIFAR-10 test: the `cifar10` model, trained on the whole training set, on the test set).
 *
 * The table has only final accuracies, so `fraction` (BOHB's Hyperband rung) is ignored: every rung's
 * evaluation returns the same 200-epoch number.
 */
import { NB201_DATASETS, nb201Lookup, type Nb201Dataset, type Nb201Table } from '../data/nb201_table.js';
import type { Oracle } from './oracle.js';

export function nb201TableOracle(table: Nb201Table, dataset: Nb201Dataset = 'cifar10'): Oracle {
  if (!NB201_DATASETS.includes(dataset))
    throw new RangeError(`unknown NB201 dataset ${JSON.stringify(dataset)} (${NB201_DATASETS.join(', ')})`);
  return {
    train: (arch) => nb201Lookup(table, arch).val[dataset],
    report(arch) {
      const row = nb201Lookup(table, arch);
      return { val: { ...row.val }, test: { ...row.test } };
    },
  };
}
