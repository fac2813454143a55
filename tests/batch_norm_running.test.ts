/**
 * Batch-norm running statistics as PyTorch keeps them: momentum 0.1 toward the batch mean and the unbiased
 * (n/(n−1)) variance, once per batch in `batch` mode and once per sample, in order, in `sample` mode; `running`
 * mode reads them without changing them; num_batches_tracked counts the updates.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape, batchNorm, type BatchNormBuffers, type DType, type HostArray, type Tensor } from '../src/autodiff/index.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';

const backend = new ReferenceBackend();

function arr(dtype: DType, n: number): HostArray {
  return dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
}

function fresh(C: number, dtype: DType = 'f64'): BatchNormBuffers {
  return { runningMean: arr(dtype, C), runningVar: arr(dtype, C).fill(1), numBatchesTracked: 0 };
}

function copy(b: BatchNormBuffers): BatchNormBuffers {
  return { runningMean: b.runningMean.slice(), runningVar: b.runningVar.slice(), numBatchesTracked: b.numBatchesTracked };
}

function data(seed: number, shape: number[], dtype: DType = 'f64'): HostArray {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1),
    C = shape[1]!,
    inner = n / shape[0]! / C;
  const out = arr(dtype, n);
  // channel-dependent offsets and scales so every channel's statistics differ
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % C;
    out[i] = (c + 1) * rng.normal() + 2 * c - 1;
  }
  return out;
}

function params(C: number, dtype: DType = 'f64'): [Tensor, Tensor] {
  return [backend.fromHost(arr(dtype, C).fill(1), [C]), backend.fromHost(arr(dtype, C), [C])];
}

/** Per channel: mean and unbiased variance over (N, H, W), in doubles. */
function channelStats(x: HostArray, shape: number[]): { mean: number[]; unbiased: number[] } {
  const [N, C] = [shape[0]!, shape[1]!],
    inner = x.length / N / C,
    n = N * inner;
  const mean: number[] = [],
    unbiased: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let b = 0; b < N; b++) for (let i = 0; i < inner; i++) s += x[(b * C + c) * inner + i]!;
    const m = s / n;
    let q = 0;
    for (let b = 0; b < N; b++) for (let i = 0; i < inner; i++) q += (x[(b * C + c) * inner + i]! - m) ** 2;
    mean.push(m);
    unbiased.push(q / (n - 1));
  }
  return { mean, unbiased };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.is(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

for (const [dtype, tol] of [
  ['f64', 1e-14],
  ['f32', 1e-6],
] as [DType, number][]) {
  for (const shape of [
    [4, 3, 5, 6],
    [3, 2, 1, 4],
    [6, 3],
  ]) {
    test(`batch mode (${dtype}, x[${shape}]): running_mean = 0.1·mean, running_var = 0.9 + 0.1·unbiased var`, () => {
      const C = shape[1]!;
      const x = data(1, shape, dtype),
        bufs = fresh(C, dtype);
      batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C, dtype), bufs, { mode: 'batch' });
      const { mean, unbiased } = channelStats(x, shape);
      close(
        bufs.runningMean,
        mean.map((m) => 0.1 * m),
        tol,
        'running_mean',
      );
      close(
        bufs.runningVar,
        unbiased.map((v) => 0.9 + 0.1 * v),
        tol,
        'running_var',
      );
      assert.is(bufs.numBatchesTracked, 1);
      // a second batch moves them again from where they are
      const x2 = data(2, shape, dtype);
      const before = copy(bufs);
      batchNorm(new Tape(backend), backend.fromHost(x2, shape), ...params(C, dtype), bufs, { mode: 'batch' });
      const s2 = channelStats(x2, shape);
      close(
        bufs.runningMean,
        s2.mean.map((m, c) => 0.9 * before.runningMean[c]! + 0.1 * m),
        tol,
        'running_mean after 2',
      );
      close(
        bufs.runningVar,
        s2.unbiased.map((v, c) => 0.9 * before.runningVar[c]! + 0.1 * v),
        tol,
        'running_var after 2',
      );
      assert.is(bufs.numBatchesTracked, 2);
    });
  }
}

test('batch mode with momentum 0.3 and a known example', () => {
  // one channel, values 1, 2, 3, 6: mean 3, unbiased var (4+1+0+9)/3 = 14/3
  const bufs = fresh(1);
  batchNorm(new Tape(backend), backend.fromHost(Float64Array.of(1, 2, 3, 6), [2, 1, 1, 2]), ...params(1), bufs, {
    mode: 'batch',
    momentum: 0.3,
  });
  assert.ok(Math.abs(bufs.runningMean[0]! - 0.9) < 1e-15, `${bufs.runningMean[0]}`);
  assert.ok(Math.abs(bufs.runningVar[0]! - (0.7 + (0.3 * 14) / 3)) < 1e-15, `${bufs.runningVar[0]}`);
});

for (const dtype of ['f64', 'f32'] as DType[]) {
  test(`sample mode (${dtype}): buffers equal a loop of N batch-of-one batch-mode forwards, in order`, () => {
    const shape = [5, 3, 4, 3],
      [N, C, H, W] = shape as [number, number, number, number];
    const x = data(3, shape, dtype);
    const start: BatchNormBuffers = {
      runningMean: data(4, [1, C], dtype),
      runningVar: arr(dtype, C).map((_, c) => 0.5 + c),
      numBatchesTracked: 7,
    };
    const batched = copy(start),
      looped = copy(start);
    batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C, dtype), batched, { mode: 'sample' });
    for (let n = 0; n < N; n++) {
      const xn = x.slice(n * C * H * W, (n + 1) * C * H * W);
      batchNorm(new Tape(backend), backend.fromHost(xn, [1, C, H, W]), ...params(C, dtype), looped, { mode: 'batch' });
    }
    close(batched.runningMean, looped.runningMean, dtype === 'f64' ? 1e-15 : 1e-7, 'running_mean');
    close(batched.runningVar, looped.runningVar, dtype === 'f64' ? 1e-15 : 1e-7, 'running_var');
    assert.is(batched.numBatchesTracked, 7 + N);
    assert.is(looped.numBatchesTracked, 7 + N);
    // order matters: the reversed loop ends somewhere else
    const reversed = copy(start);
    for (let n = N - 1; n >= 0; n--) {
      batchNorm(
        new Tape(backend),
        backend.fromHost(x.slice(n * C * H * W, (n + 1) * C * H * W), [1, C, H, W]),
        ...params(C, dtype),
        reversed,
        { mode: 'batch' },
      );
    }
    assert.ok(
      reversed.runningMean.some((v, c) => Math.abs(v - batched.runningMean[c]!) > 1e-6),
      'sample order is observable',
    );
  });
}

test('running mode uses the buffers and does not change them; updateRunning: false leaves them', () => {
  const shape = [3, 2, 3, 3],
    C = 2;
  const x = data(5, shape);
  const bufs: BatchNormBuffers = { runningMean: Float64Array.of(0.5, -1), runningVar: Float64Array.of(2, 0.25), numBatchesTracked: 3 };
  const gamma = Float64Array.of(1.5, 0.5),
    beta = Float64Array.of(0.1, -0.2);
  const y = backend.toHost(
    batchNorm(new Tape(backend), backend.fromHost(x, shape), backend.fromHost(gamma, [C]), backend.fromHost(beta, [C]), bufs, {
      mode: 'running',
    }),
  );
  const inner = 9;
  close(
    y,
    Array.from(x, (v, i) => {
      const c = Math.floor(i / inner) % C;
      return (gamma[c]! * (v - bufs.runningMean[c]!)) / Math.sqrt(bufs.runningVar[c]! + 1e-5) + beta[c]!;
    }),
    1e-14,
    'running-mode output',
  );
  assert.equal([...bufs.runningMean], [0.5, -1]);
  assert.equal([...bufs.runningVar], [2, 0.25]);
  assert.is(bufs.numBatchesTracked, 3);
  // running mode ignores updateRunning: true as well
  batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C), bufs, { mode: 'running', updateRunning: true });
  assert.equal([...bufs.runningMean], [0.5, -1]);
  assert.is(bufs.numBatchesTracked, 3);
  for (const mode of ['batch', 'sample'] as const) {
    batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C), bufs, { mode, updateRunning: false });
    assert.equal([...bufs.runningMean], [0.5, -1], `${mode}: mean untouched`);
    assert.equal([...bufs.runningVar], [2, 0.25], `${mode}: var untouched`);
    assert.is(bufs.numBatchesTracked, 3, `${mode}: count untouched`);
  }
  // the output in batch mode does not depend on the buffers
  const other: BatchNormBuffers = { runningMean: Float64Array.of(9, 9), runningVar: Float64Array.of(9, 9), numBatchesTracked: 0 };
  const y1 = backend.toHost(
    batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C), bufs, { mode: 'batch', updateRunning: false }),
  );
  const y2 = backend.toHost(
    batchNorm(new Tape(backend), backend.fromHost(x, shape), ...params(C), other, { mode: 'batch', updateRunning: false }),
  );
  assert.equal([...y1], [...y2]);
});

test('whole network: a sample-mode forward updates every BN as a loop of batch-of-one forwards does', () => {
  const arch = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
  const make = () => {
    const net = new Nb201Network(backend, { arch, C: 2, N: 1, numClasses: 3, dtype: 'f64' });
    net.parameters.initialize(11);
    return net;
  };
  const a = make(),
    b = make(),
    c = make();
  const B = 4,
    x = data(6, [B, 3, 8, 8]);
  a.forward({ tape: new Tape(backend), bnMode: 'sample' }, backend.fromHost(x, [B, 3, 8, 8]));
  for (let n = 0; n < B; n++) {
    b.forward({ tape: new Tape(backend), bnMode: 'batch' }, backend.fromHost(x.slice(n * 192, (n + 1) * 192), [1, 3, 8, 8]));
  }
  c.forward({ tape: new Tape(backend), bnMode: 'batch' }, backend.fromHost(x, [B, 3, 8, 8]));
  assert.ok(a.parameters.batchNorms.size > 5);
  for (const [name, bn] of a.parameters.batchNorms) {
    const other = b.parameters.batchNorms.get(name)!;
    close(bn.runningMean, other.runningMean, 1e-14, `${name}.running_mean`);
    close(bn.runningVar, other.runningVar, 1e-14, `${name}.running_var`);
    assert.is(bn.numBatchesTracked, B, `${name}: one update per sample`);
    assert.is(c.parameters.batchNorms.get(name)!.numBatchesTracked, 1, `${name}: one update per batch`);
    assert.ok(
      bn.runningMean.some((v) => v !== 0),
      `${name} moved`,
    );
  }
  // running mode afterwards leaves every buffer alone
  const snapshot = [...a.parameters.stateDict()].map(([k, t]) => [k, [...t.data]] as const);
  a.forward({ tape: new Tape(backend), bnMode: 'running' }, backend.fromHost(x, [B, 3, 8, 8]));
  const after = a.parameters.stateDict();
  for (const [k, v] of snapshot) assert.equal([...after.get(k)!.data], v, `${k} unchanged by running mode`);
});

test.run();
