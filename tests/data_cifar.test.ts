import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseCifar10,
  parseCifar100,
  makeBatch,
  chooseBatchIndices,
  sampleCifarBatch,
  concatCifar,
  CIFAR_PIXELS,
} from '../src/data/cifar.js';
import { NORMALIZATIONS, normalizationStats } from '../src/data/normalization.js';
import { bundledDataDir, defaultSharedDataDir, loadBundledCifar10Sample, loadCifar, packageRoot } from '../src/node/files.js';
import { skipSuite, throwsWith } from './helpers.js';

const OFFICIAL_TEST_LABELS = [3, 8, 8, 0, 6, 6, 1, 6, 3, 1];
const shared = defaultSharedDataDir();
if (shared === undefined) skipSuite('CIFAR files in ../shared/data', '../shared/data is absent');

test('package root and bundled data folder are found from the compiled location', () => {
  const pj = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
  assert.is(pj.name, 'zerocost');
  assert.ok(existsSync(join(bundledDataDir(), 'cifar10-sample', 'test_batch.bin')));
});

test('bundled CIFAR-10 sample: 512 official test images, first labels 3 8 8 0 6 6 1 6 3 1', () => {
  const d = loadBundledCifar10Sample();
  assert.is(d.count, 512);
  assert.is(d.dataset, 'cifar10');
  assert.is(d.images.length, 512 * 3072);
  assert.equal(Array.from(d.labels.subarray(0, 10)), OFFICIAL_TEST_LABELS);
  // first pixel of the first test image (a cat), RGB = 158, 112, 49 as in the official data
  assert.equal([d.images[0], d.images[1024], d.images[2048]], [158, 112, 49]);
  const hist = new Array(10).fill(0);
  for (const l of d.labels) hist[l]++;
  assert.equal(hist, [57, 41, 51, 49, 44, 50, 56, 48, 57, 59]);
  const names = readFileSync(join(bundledDataDir(), 'cifar10-sample', 'batches.meta.txt'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(names, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
});

test('parseCifar10: record layout (label byte then R, G, B planes)', () => {
  const bytes = new Uint8Array(2 * 3073);
  bytes[0] = 7;
  bytes[1] = 11;
  bytes[1 + 1024] = 22;
  bytes[3072] = 33;
  bytes[3073] = 2;
  bytes[3073 + 1 + 5] = 44;
  const d = parseCifar10(bytes, 'x.bin');
  assert.is(d.count, 2);
  assert.equal(Array.from(d.labels), [7, 2]);
  assert.is(d.images[0], 11);
  assert.is(d.images[1024], 22);
  assert.is(d.images[3071], 33);
  assert.is(d.images[3072 + 5], 44);
  assert.is(d.coarseLabels, undefined);
});

test('parseCifar10/100 errors: truncated, empty, label out of range', () => {
  const sample = readFileSync(join(bundledDataDir(), 'cifar10-sample', 'test_batch.bin'));
  throwsWith(
    () => parseCifar10(sample.subarray(0, 3073 * 3 + 100), 'test_batch.bin'),
    'test_batch.bin:',
    'truncated or wrong format: 9319 bytes is not a multiple of the 3073-byte record',
  );
  throwsWith(
    () => parseCifar100(new Uint8Array(3073 * 2)),
    'truncated or wrong format: 6146 bytes is not a multiple of the 3074-byte record',
  );
  throwsWith(() => parseCifar10(new Uint8Array(0), 'e.bin'), 'e.bin:', '0 bytes');
  const bad = new Uint8Array(2 * 3073);
  bad[3073] = 10;
  throwsWith(() => parseCifar10(bad, 'b.bin'), 'b.bin:', 'record 1', 'label 10', '< 10');
  const bad100 = new Uint8Array(3074);
  bad100[1] = 100;
  throwsWith(() => parseCifar100(bad100), 'label 100', '< 100');
});

test('parseCifar100: fine labels used, coarse kept', () => {
  const bytes = new Uint8Array(2 * 3074);
  bytes[0] = 11;
  bytes[1] = 19;
  bytes[2] = 200;
  bytes[3074] = 15;
  bytes[3075] = 29;
  bytes[3074 + 2 + 3071] = 9;
  const d = parseCifar100(bytes);
  assert.equal(Array.from(d.labels), [19, 29]);
  assert.equal(Array.from(d.coarseLabels!), [11, 15]);
  assert.is(d.images[0], 200);
  assert.is(d.images[2 * 3072 - 1], 9);
});

test('normalisation constants', () => {
  assert.equal(normalizationStats('cifar10').mean, [125.3 / 255, 123.0 / 255, 113.9 / 255]);
  assert.equal(normalizationStats('cifar100', 'xautodl').std, [68.2 / 255, 65.4 / 255, 70.4 / 255]);
  assert.equal(NORMALIZATIONS.zc.cifar100.mean, [0.4914, 0.4822, 0.4465]);
  assert.equal(NORMALIZATIONS.zc.cifar10.std, [0.2023, 0.1994, 0.201]);
  throwsWith(() => normalizationStats('cifar10', 'imagenet' as never), 'unknown normalization "imagenet"');
});

test('makeBatch normalises known pixels (xautodl default and zc), NCHW', () => {
  const d = loadBundledCifar10Sample();
  const b = makeBatch(d.images, d.labels, [0, 3], { dataset: 'cifar10' });
  assert.equal(b.shape, [2, 3, 32, 32]);
  assert.equal(Array.from(b.y), [3, 0]);
  // pixel (0,0) of image 0: R=158, G=112, B=49
  const close = (a: number, e: number) => assert.ok(Math.abs(a - e) < 1e-6, `${a} vs ${e}`);
  close(b.x[0]!, (158 - 125.3) / 63.0); // 0.51905
  close(b.x[1024]!, (112 - 123.0) / 62.1); // -0.17713
  close(b.x[2048]!, (49 - 113.9) / 66.7); // -0.97301
  // bit-exact with torchvision ToTensor + Normalize in float32
  const f = Math.fround;
  assert.is(b.x[0], f(f(f(158 / 255) - f(125.3 / 255)) / f(63.0 / 255)));
  // image 3 lands in batch slot 1
  const p = d.images[3 * 3072 + 1024 + 5]!;
  close(b.x[3072 + 1024 + 5]!, (p - 123.0) / 62.1);
  const z = makeBatch(d.images, d.labels, [0], { dataset: 'cifar10', normalization: 'zc' });
  close(z.x[0]!, (158 / 255 - 0.4914) / 0.2023); // 0.63375
  close(z.x[2048]!, (49 / 255 - 0.4465) / 0.201);
  const c100 = makeBatch(d.images, d.labels, [0], { dataset: 'cifar100' });
  close(c100.x[0]!, (158 - 129.3) / 68.2);
  // white and black pixels
  const img = new Uint8Array(3072);
  img[0] = 255;
  const wb = makeBatch(img, new Int32Array([1]), [0], { dataset: 'cifar10' });
  close(wb.x[0]!, (255 - 125.3) / 63.0);
  close(wb.x[1]!, -125.3 / 63.0);
});

test('makeBatch errors', () => {
  const d = loadBundledCifar10Sample();
  throwsWith(() => makeBatch(d.images, d.labels, [0, 512], { dataset: 'cifar10' }), 'index 512', 'out of range for 512 images');
  throwsWith(() => makeBatch(d.images.subarray(0, 100), d.labels, [0], { dataset: 'cifar10' }), 'images has 100 bytes');
  throwsWith(() => makeBatch(d.images, d.labels, [], { dataset: 'cifar10' }), 'empty');
});

test('chooseBatchIndices: deterministic, distinct, in range, seed-dependent', () => {
  const a = chooseBatchIndices(512, 128, 1);
  const b = chooseBatchIndices(512, 128, 1);
  assert.equal(a, b);
  assert.is(a.length, 128);
  assert.is(new Set(a).size, 128);
  assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < 512));
  assert.not.equal(chooseBatchIndices(512, 128, 2), a);
  assert.equal(chooseBatchIndices(5, 5, 3).slice().sort(), [0, 1, 2, 3, 4]);
  throwsWith(() => chooseBatchIndices(512, 600, 1), 'batch size 600', '512 images');
  throwsWith(() => chooseBatchIndices(512, 0, 1), 'positive');
  const d = loadBundledCifar10Sample();
  const s1 = sampleCifarBatch(d, { batchSize: 64, seed: 42 });
  const s2 = sampleCifarBatch(d, { batchSize: 64, seed: 42 });
  assert.equal(Array.from(s1.y), Array.from(s2.y));
  assert.equal(s1.x, s2.x);
  const idx = chooseBatchIndices(512, 64, 42);
  assert.equal(
    Array.from(s1.y),
    idx.map((i) => d.labels[i]),
  );
});

test('loadCifar: subfolder layouts, train concatenation, and a helpful error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerocost-cifar-'));
  try {
    const rec = (label: number, px: number) => {
      const r = new Uint8Array(3073);
      r[0] = label;
      r.fill(px, 1);
      return r;
    };
    const sub = join(dir, 'cifar-10-batches-bin');
    mkdirSync(sub);
    writeFileSync(join(sub, 'data_batch_1.bin'), Buffer.concat([rec(1, 10), rec(2, 20)]));
    writeFileSync(join(sub, 'data_batch_2.bin'), rec(3, 30));
    const tr = loadCifar(dir, 'cifar10', 'train');
    assert.is(tr.count, 3);
    assert.equal(Array.from(tr.labels), [1, 2, 3]);
    assert.equal([tr.images[0], tr.images[3072], tr.images[2 * 3072 + 3071]], [10, 20, 30]);
    throwsWith(
      () => loadCifar(dir, 'cifar10', 'test'),
      'no cifar10 test data found',
      join(dir, 'test_batch.bin'),
      join(sub, 'test_batch.bin'),
    );
    throwsWith(() => loadCifar(dir, 'cifar100', 'train'), 'no cifar100 train data found', 'train.bin', 'train_partial.bin');
    throwsWith(() => loadCifar(join(dir, 'nope'), 'cifar10', 'test'), 'does not exist');
    writeFileSync(join(dir, 'train_partial.bin'), new Uint8Array(3074 + 5));
    throwsWith(() => loadCifar(dir, 'cifar100', 'train'), join(dir, 'train_partial.bin'), 'truncated or wrong format');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concatCifar keeps order', () => {
  const a = parseCifar10(new Uint8Array(3073).fill(1));
  const b = parseCifar10(new Uint8Array(3073 * 2).fill(2));
  const c = concatCifar([a, b]);
  assert.is(c.count, 3);
  assert.equal(Array.from(c.labels), [1, 2, 2]);
  assert.is(c.images.length, 3 * CIFAR_PIXELS);
});

if (shared !== undefined) {
  test('shared CIFAR-10: train batches concatenated, first labels official; test matches bundled sample', () => {
    const tr = loadCifar(join(shared, 'cifar10'), 'cifar10', 'train');
    assert.is(tr.count, 1102 + 1017 + 1017 + 1285 + 1017);
    assert.equal(Array.from(tr.labels.subarray(0, 10)), [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    assert.equal(Array.from(tr.labels.subarray(1102, 1103)), [readFileSync(join(shared, 'cifar10', 'data_batch_2.bin'))[0]]);
    const te = loadCifar(shared, 'cifar10', 'test'); // found via the cifar10/ subfolder
    assert.is(te.count, 1017);
    const s = loadBundledCifar10Sample();
    assert.equal(te.images.subarray(0, s.images.length), s.images);
    assert.equal(te.labels.subarray(0, 512), s.labels);
  });

  test('shared CIFAR-100 train_partial: fine and coarse labels of the official train set', () => {
    const d = loadCifar(join(shared, 'cifar100'), 'cifar100', 'train');
    assert.is(d.count, 1117);
    assert.equal(Array.from(d.labels.subarray(0, 10)), [19, 29, 0, 11, 1, 86, 90, 28, 23, 31]);
    assert.equal(Array.from(d.coarseLabels!.subarray(0, 10)), [11, 15, 4, 14, 1, 5, 18, 3, 10, 11]);
    const b = makeBatch(d.images, d.labels, [0], { dataset: 'cifar100' });
    const p = d.images[0]!;
    assert.ok(Math.abs(b.x[0]! - (p - 129.3) / 68.2) < 1e-6);
  });
}

test.run();
