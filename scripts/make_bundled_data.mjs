#!/usr/bin/env node
// Builds the small data files bundled with the package (data/) from the fetched sources in ../shared/data.
//
//   node scripts/make_bundled_data.mjs [SHARED_DATA_DIR]
//
// Writes:
//   data/nb201/accuracy.tsv          NB201 / NATS-Bench TSS test + validation accuracies for all 15625 archs
//   data/nb201/README.md             provenance
//   data/cifar10-sample/test_batch.bin   first 512 records of the official CIFAR-10 test batch (binary format)
//   data/cifar10-sample/batches.meta.txt class names
//   data/cifar10-sample/README.md    provenance
// Deterministic: running it twice gives identical files.
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(process.argv[2] ?? join(root, '..', 'shared', 'data'));
const out = join(root, 'data');

function die(msg) {
  console.error(`make_bundled_data: ${msg}`);
  process.exit(1);
}
if (!existsSync(shared)) die(`shared data folder not found: ${shared}`);

// ---------------------------------------------------------------- NB201 accuracy table
const OPS = '(?:none|skip_connect|nor_conv_1x1|nor_conv_3x3|avg_pool_3x3)';
const ARCH_RE = new RegExp(`^\\|${OPS}~0\\|\\+\\|${OPS}~0\\|${OPS}~1\\|\\+\\|${OPS}~0\\|${OPS}~1\\|${OPS}~2\\|$`);

function readCsv(path, expectedHeader) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const header = lines[0].split(',');
  if (header.join(',') !== expectedHeader.join(',')) die(`${path}: unexpected header ${lines[0]}`);
  return lines.slice(1).map((l, i) => {
    const f = l.split(',');
    if (f.length !== header.length) die(`${path}:${i + 2}: expected ${header.length} fields, got ${f.length}`);
    return Object.fromEntries(header.map((h, j) => [h, f[j]]));
  });
}

function acc(s, where) {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v < 0 || v > 100) die(`${where}: bad accuracy ${JSON.stringify(s)}`);
  // 3 decimals, trailing zeros dropped: 85.86333333333334 -> 85.863, 81.9 -> 81.9, 53.67999998779297 -> 53.68.
  return String(Number(v.toFixed(3)));
}

const testPath = join(shared, 'nb201', 'nb201_tss_test_acc_200ep.csv');
const valPath = join(shared, 'nb201', 'nb201_valacc_zen_suitezero.csv');
const test = readCsv(testPath, [
  'CIFAR10TestAccuracy200Epochs',
  'CIFAR100TestAccuracy200Epochs',
  'ImageNetTestAccuracy200Epochs',
  'ArchitectureString',
  'UniqueString',
]);
const val = readCsv(valPath, [
  'nats_index',
  'arch_str',
  'naslib_op_indices',
  'val_acc_cifar10',
  'zen_cifar10',
  'val_acc_cifar100',
  'zen_cifar100',
  'val_acc_imagenet16_120',
  'zen_imagenet16_120',
]);
if (test.length !== 15625) die(`${testPath}: ${test.length} rows, expected 15625`);
if (val.length !== 15625) die(`${valPath}: ${val.length} rows, expected 15625`);

const valByIndex = new Map();
for (const [i, r] of val.entries()) {
  const idx = Number(r.nats_index);
  if (!Number.isInteger(idx) || idx < 0 || idx >= 15625) die(`${valPath}:${i + 2}: bad nats_index ${r.nats_index}`);
  if (valByIndex.has(idx)) die(`${valPath}:${i + 2}: duplicate nats_index ${idx}`);
  valByIndex.set(idx, r);
}

const seen = new Set();
const rows = ['index\tarch\ttest_cifar10\ttest_cifar100\ttest_imagenet16_120\tval_cifar10\tval_cifar100\tval_imagenet16_120'];
for (const [i, t] of test.entries()) {
  const arch = t.ArchitectureString;
  if (!ARCH_RE.test(arch)) die(`${testPath}:${i + 2}: arch string is not canonical NB201 form: ${arch}`);
  if (seen.has(arch)) die(`${testPath}:${i + 2}: duplicate arch ${arch}`);
  seen.add(arch);
  const v = valByIndex.get(i);
  if (!v) die(`${valPath}: no row for nats_index ${i}`);
  if (v.arch_str !== arch) die(`index ${i}: arch strings differ between sources: ${arch} vs ${v.arch_str}`);
  const w = `index ${i}`;
  rows.push(
    [
      i,
      arch,
      acc(t.CIFAR10TestAccuracy200Epochs, w),
      acc(t.CIFAR100TestAccuracy200Epochs, w),
      acc(t.ImageNetTestAccuracy200Epochs, w),
      acc(v.val_acc_cifar10, w),
      acc(v.val_acc_cifar100, w),
      acc(v.val_acc_imagenet16_120, w),
    ].join('\t'),
  );
}
// Anchors from xautodl exps/NAS-Bench-201/main.py (docs/proxies.md §4.5).
const anchors = {
  0: '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
  9: '|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
  123: '|avg_pool_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|',
};
for (const [i, a] of Object.entries(anchors)) {
  if (test[Number(i)].ArchitectureString !== a) die(`index ${i} is not the NB201 anchor ${a}`);
}

mkdirSync(join(out, 'nb201'), { recursive: true });
const tsvPath = join(out, 'nb201', 'accuracy.tsv');
writeFileSync(tsvPath, rows.join('\n') + '\n');
const tsvSize = statSync(tsvPath).size;
if (tsvSize >= 2.5 * 1024 * 1024) die(`${tsvPath} is ${tsvSize} bytes, over the 2.5 MiB budget`);

writeFileSync(
  join(out, 'nb201', 'README.md'),
  `# NAS-Bench-201 accuracy table

\`accuracy.tsv\`: one header line, then one tab-separated row per NAS-Bench-201 / NATS-Bench TSS architecture index
0..15624 (row order = index order; the indices are identical in NB201 and NATS-Bench TSS).

| column | meaning |
|---|---|
| \`index\` | NB201 / NATS-Bench TSS index |
| \`arch\` | canonical NB201 arch string (form below) |
| \`test_cifar10\` | CIFAR-10 test accuracy (%), 200 epochs, trained on the full train set (\`cifar10\`, ori-test), mean over seeds |
| \`test_cifar100\` | CIFAR-100 test accuracy (%), 200 epochs (x-test), mean over seeds |
| \`test_imagenet16_120\` | ImageNet16-120 test accuracy (%), 200 epochs (x-test), mean over seeds |
| \`val_cifar10\` | NAS-Bench-Suite-Zero \`val_accuracy\` for CIFAR-10 (the \`cifar10-valid\` split; max 91.57) |
| \`val_cifar100\` | NAS-Bench-Suite-Zero \`val_accuracy\` for CIFAR-100 |
| \`val_imagenet16_120\` | NAS-Bench-Suite-Zero \`val_accuracy\` for ImageNet16-120 |

Arch strings have the canonical form \`|op~0|+|op~0|op~1|+|op~0|op~1|op~2|\` with ops from
none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3.

Accuracies are rounded to 3 decimals (trailing zeros dropped), i.e. within 0.0005 of the source values.

Sources (see ../shared/data/MANIFEST.txt):
- test accuracies: \`nb201/nb201_tss_test_acc_200ep.csv\` (github v-tao/nats-bench-landscape, nats_bench.csv at b307ae5, made with
  nats_bench \`create(None, 'tss')\` and \`get_more_info(i, ds, hp=200, is_random=False)['test-accuracy']\`);
- validation accuracies: \`nb201/nb201_valacc_zen_suitezero.csv\` (NAS-Bench-Suite-Zero via automl/NASLib, re-indexed by NATS index).

Checks made by \`scripts/make_bundled_data.mjs\`: both sources have 15625 rows; every arch string is in canonical form and
unique; the arch string of index i is identical in both sources; indices 0, 9 and 123 match the anchors asserted in
xautodl \`exps/NAS-Bench-201/main.py\`.
`,
);

// ---------------------------------------------------------------- CIFAR-10 sample
const SAMPLE = 512,
  REC = 3073;
const testBatch = readFileSync(join(shared, 'cifar10', 'test_batch.bin'));
if (testBatch.length % REC !== 0) die(`cifar10/test_batch.bin: ${testBatch.length} bytes is not a multiple of ${REC}`);
if (testBatch.length / REC < SAMPLE) die(`cifar10/test_batch.bin has only ${testBatch.length / REC} records`);
const sample = testBatch.subarray(0, SAMPLE * REC);
const first = Array.from({ length: 10 }, (_, i) => sample[i * REC]).join(' ');
if (first !== '3 8 8 0 6 6 1 6 3 1') die(`unexpected first labels of test_batch.bin: ${first}`);
const counts = new Array(10).fill(0);
for (let i = 0; i < SAMPLE; i++) counts[sample[i * REC]]++;

mkdirSync(join(out, 'cifar10-sample'), { recursive: true });
writeFileSync(join(out, 'cifar10-sample', 'test_batch.bin'), sample);
const meta = readFileSync(join(shared, 'cifar10', 'batches.meta.txt'));
writeFileSync(join(out, 'cifar10-sample', 'batches.meta.txt'), meta);
const names = meta
  .toString('utf8')
  .split('\n')
  .filter((s) => s.length > 0);

writeFileSync(
  join(out, 'cifar10-sample', 'README.md'),
  `# CIFAR-10 sample

\`test_batch.bin\`: the first ${SAMPLE} images of the official CIFAR-10 test set, in official order, in the official
binary format (records of 1 label byte + 3072 pixel bytes: 1024 R, 1024 G, 1024 B, each row-major 32×32), so the same
reader handles this file and the full \`cifar-10-batches-bin/test_batch.bin\`. ${SAMPLE} × ${REC} = ${SAMPLE * REC} bytes.

\`batches.meta.txt\`: the 10 class names, one per line, label order.

First labels: ${first} (official). Images per class in this sample:
${names.map((n, i) => `${n} ${counts[i]}`).join(', ')}.

Made by \`scripts/make_bundled_data.mjs\` from \`../shared/data/cifar10/test_batch.bin\` (itself the first 1017 records of the
official test batch, converted from the python pickle; see ../shared/data/MANIFEST.txt). CIFAR-10: Alex Krizhevsky,
"Learning Multiple Layers of Features from Tiny Images", 2009, https://www.cs.toronto.edu/~kriz/cifar.html.
`,
);

console.log(`wrote ${tsvPath} (${tsvSize} bytes, ${rows.length - 1} rows)`);
console.log(`wrote ${join(out, 'cifar10-sample', 'test_batch.bin')} (${sample.length} bytes, ${SAMPLE} records)`);
