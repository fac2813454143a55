import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchFromSafetensors, batchToSafetensors, type Batch } from '../src/data/batch.js';
import { parseSafetensors, serializeSafetensors, type RawTensor } from '../src/io/safetensors.js';
import { readBatchFile, readSafetensorsFile, writeBatchFile, writeSafetensorsFile } from '../src/node/files.js';
import { throwsWith } from './helpers.js';

const x = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i * 0.5 - 3);

function map(entries: Record<string, RawTensor>): Map<string, RawTensor> {
  return parseSafetensors(serializeSafetensors(entries));
}

test('batch from safetensors with I64 labels (as torch.save_file writes them)', () => {
  const b = batchFromSafetensors(
    map({
      x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x },
      y: { dtype: 'I64', shape: [2], data: new BigInt64Array([7n, 0n]) },
    }),
    'batch.safetensors',
  );
  assert.equal(b.shape, [2, 3, 2, 2]);
  assert.equal(Array.from(b.x), Array.from(x));
  assert.instance(b.y, Int32Array);
  assert.equal(Array.from(b.y), [7, 0]);
});

test('batch with I32 labels; round trip through batchToSafetensors', () => {
  const b = batchFromSafetensors(
    map({
      x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x },
      y: { dtype: 'I32', shape: [2], data: new Int32Array([-1, 99]) },
    }),
  );
  assert.equal(Array.from(b.y), [-1, 99]);
  const again = batchFromSafetensors(parseSafetensors(serializeSafetensors(batchToSafetensors(b))));
  assert.equal(again, b);
  assert.is(batchToSafetensors(b).get('y')!.dtype, 'I64');
});

test('batch errors: size mismatch, channels, dtype, missing y, label overflow', () => {
  throwsWith(
    () =>
      batchFromSafetensors(
        map({
          x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x },
          y: { dtype: 'I64', shape: [3], data: new BigInt64Array(3) },
        }),
        'b.st',
      ),
    'b.st:',
    'tensor "y" has shape [3]',
    'batch size 2',
    'expected [2]',
  );
  throwsWith(
    () =>
      batchFromSafetensors(
        map({
          x: { dtype: 'F32', shape: [1, 4, 3, 2], data: new Float32Array(24) },
          y: { dtype: 'I64', shape: [1], data: new BigInt64Array(1) },
        }),
        'b.st',
      ),
    'b.st: tensor "x" has shape [1,4,3,2], expected [?,3,?,?]',
  );
  throwsWith(
    () =>
      batchFromSafetensors(
        map({
          x: { dtype: 'F64', shape: [2, 3, 2, 2], data: Float64Array.from(x) },
          y: { dtype: 'I64', shape: [2], data: new BigInt64Array(2) },
        }),
      ),
    'tensor "x" has dtype F64, expected F32',
  );
  throwsWith(() => batchFromSafetensors(map({ x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x } }), 'b.st'), 'b.st: missing tensor "y"');
  throwsWith(
    () =>
      batchFromSafetensors(
        map({
          x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x },
          y: { dtype: 'F32', shape: [2], data: new Float32Array(2) },
        }),
      ),
    'tensor "y" has dtype F32, expected one of I64, I32',
  );
  throwsWith(
    () =>
      batchFromSafetensors(
        map({
          x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x },
          y: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n ** 40n]) },
        }),
      ),
    'label 1099511627776 at position 1 does not fit in int32',
  );
});

test('batch and safetensors files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerocost-batch-'));
  try {
    const b: Batch = { x, shape: [2, 3, 2, 2], y: new Int32Array([4, 5]) };
    const p = join(dir, 'sub', 'batch.safetensors');
    writeBatchFile(p, b, { seed: '1' });
    assert.equal(readBatchFile(p), b);
    writeSafetensorsFile(join(dir, 'w.safetensors'), { w: { dtype: 'F64', shape: [1], data: new Float64Array([9]) } });
    assert.equal(Array.from(readSafetensorsFile(join(dir, 'w.safetensors')).get('w')!.data as Float64Array), [9]);
    throwsWith(
      () => readBatchFile(join(dir, 'missing.safetensors')),
      'cannot read safetensors file',
      'missing.safetensors',
      'no such file',
    );
    writeSafetensorsFile(join(dir, 'only_x.safetensors'), { x: { dtype: 'F32', shape: [2, 3, 2, 2], data: x } });
    throwsWith(() => readBatchFile(join(dir, 'only_x.safetensors')), `${join(dir, 'only_x.safetensors')}: missing tensor "y"`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
