/**
 * The NB201 network: strict arch-string parsing, parameter counts and state_dict names against xautodl /
 * PyTorch, seeded init, weight round trips and load errors, and the forward's output shape.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape } from '../src/autodiff/index.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { DataFormatError } from '../src/io/errors.js';
import type { RawTensor } from '../src/io/safetensors.js';
import { ArchStringError, NB201_OPS, archString, parseArch } from '../src/nets/nb201/arch.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readSafetensorsFile } from '../src/node/files.js';
import { Random } from '../src/util/random.js';
import { loadWeights, weightsToTensors } from '../src/weights.js';
import { fixturesDir, throwsWith } from './helpers.js';

const backend = new ReferenceBackend();
const README_ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const ALL = (op: string): string => `|${op}~0|+|${op}~0|${op}~1|+|${op}~0|${op}~1|${op}~2|`;

// ---------------------------------------------------------------------------------------------------------
// arch strings

test('parseArch: the README example, edges in xautodl layer order, and archString round trip', () => {
  const g = parseArch(README_ARCH);
  assert.equal(g.edges, [
    { op: 'nor_conv_3x3', from: 0, to: 1 },
    { op: 'nor_conv_3x3', from: 0, to: 2 },
    { op: 'avg_pool_3x3', from: 1, to: 2 },
    { op: 'skip_connect', from: 0, to: 3 },
    { op: 'nor_conv_3x3', from: 1, to: 3 },
    { op: 'skip_connect', from: 2, to: 3 },
  ]);
  assert.is(archString(g), README_ARCH);
  for (const op of NB201_OPS) assert.is(archString(parseArch(ALL(op))), ALL(op));
  // sources in a non-ascending order are legal and kept in string order
  const swapped = '|none~0|+|skip_connect~1|nor_conv_1x1~0|+|avg_pool_3x3~2|none~0|nor_conv_3x3~1|';
  assert.is(archString(parseArch(swapped)), swapped);
  assert.is(new Nb201Network(backend, { arch: README_ARCH, C: 2, N: 1 }).arch, README_ARCH);
});

const bad: [string, string, string][] = [
  [
    'unknown op',
    '|nor_conv_5x5~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'unknown op "nor_conv_5x5"',
  ],
  ['two node groups', '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|', "expected 3 node groups separated by '+', found 2"],
  ['four node groups', README_ARCH + '+|none~0|none~1|none~2|none~3|', "expected 3 node groups separated by '+', found 4"],
  [
    'too few edges in node 2',
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'node 2 must have 2 input edge(s), found 1',
  ],
  [
    'too many edges in node 1',
    '|nor_conv_3x3~0|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'node 1 must have 1 input edge(s), found 2',
  ],
  [
    'source not before the node',
    '|nor_conv_3x3~1|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'takes node 1, which is not before it',
  ],
  [
    'source ≥ node in node 3',
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~3|',
    'takes node 3, which is not before it (valid: 0..2)',
  ],
  [
    'non-numeric source',
    '|nor_conv_3x3~a|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'source "a" of edge "nor_conv_3x3~a" is not a node index',
  ],
  ['empty source', '|nor_conv_3x3~|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', 'is not a node index'],
  [
    'duplicate source',
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'node 2 takes node 0 twice',
  ],
  [
    'missing ~',
    '|nor_conv_3x3|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'is not of the form op~source',
  ],
  [
    'stray space',
    '|nor_conv_3x3~0|+|nor_conv_3x3~0| avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    `stray character " " at position ${'|nor_conv_3x3~0|+|nor_conv_3x3~0|'.length}`,
  ],
  ['stray #', '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|#', 'stray character "#"'],
  ['upper case', README_ARCH.toUpperCase(), 'stray character "N"'],
  [
    'missing leading bar',
    'nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    'node 1 group "nor_conv_3x3~0|" must start and end with \'|\'',
  ],
  [
    'missing trailing bar',
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2',
    'node 3 group',
  ],
  ['missing inner bar', '|nor_conv_3x3~0|+|nor_conv_3x3~0avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', 'node 2'],
  ['doubled bar', '|nor_conv_3x3~0|+|nor_conv_3x3~0||avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', 'has an empty entry'],
  ['empty string', '', 'empty string'],
];

for (const [what, arch, part] of bad) {
  test(`parseArch rejects: ${what}`, () => {
    const msg = throwsWith(() => parseArch(arch), ArchStringError, part);
    assert.ok(msg.startsWith('invalid NB201 arch string'), msg);
    throwsWith(() => new Nb201Network(backend, { arch, C: 2, N: 1 }), ArchStringError, part);
  });
}

// ---------------------------------------------------------------------------------------------------------
// parameters: counts, names, init

test('parameter counts match PyTorch (C=16, N=5)', () => {
  const count = (arch: string, numClasses: number): number => new Nb201Network(backend, { arch, numClasses }).parameters.parameterCount();
  assert.is(count(ALL('nor_conv_3x3'), 10), 1_531_546);
  assert.is(count(ALL('nor_conv_3x3'), 100), 1_537_396);
  assert.is(count(ALL('nor_conv_3x3'), 120), 1_538_696);
  assert.is(count(ALL('none'), 10), 73_306);
  assert.is(count(README_ARCH, 10), 802_426, 'readme case num_params');
});

test('state_dict names equal the PyTorch readme weights file keys (with running buffers and num_batches_tracked)', () => {
  const net = new Nb201Network(backend, { arch: README_ARCH });
  const file = readSafetensorsFile(join(fixturesDir, 'readme.weights.safetensors'));
  const ours = [...net.parameters.stateDict().keys()].sort();
  const theirs = [...file.keys()].sort();
  assert.equal(ours, theirs);
  assert.ok(ours.some((k) => k.endsWith('.num_batches_tracked')) && ours.some((k) => k.endsWith('.running_var')));
  for (const [name, t] of net.parameters.stateDict()) assert.equal(t.shape, file.get(name)!.shape, `${name} shape`);
  // and the counted weights follow module order
  const counted = net.parameters.countedWeights().map((e) => e.name);
  assert.is(counted[0], 'stem.0.weight');
  assert.is(counted[counted.length - 1], 'classifier.weight');
});

test('seeded init: deterministic, seed-dependent, PyTorch default distributions', () => {
  const make = (seed: number) => {
    const net = new Nb201Network(backend, { arch: README_ARCH, C: 8, N: 2 });
    net.parameters.initialize(seed);
    return net;
  };
  const a = make(5),
    b = make(5),
    c = make(6);
  const sa = a.parameters.stateDict(),
    sb = b.parameters.stateDict(),
    sc = c.parameters.stateDict();
  for (const [name, t] of sa) assert.equal([...t.data], [...sb.get(name)!.data], `${name}: same seed, same values`);
  assert.not.equal([...sa.get('stem.0.weight')!.data], [...sc.get('stem.0.weight')!.data], 'different seed, different weights');
  assert.not.equal([...sa.get('classifier.bias')!.data], [...sc.get('classifier.bias')!.data]);

  let n = 0,
    s1 = 0,
    s2 = 0;
  for (const e of a.parameters.entries) {
    const data = backend.toHost(e.tensor);
    const bound = 1 / Math.sqrt(e.fanIn);
    if (e.kind === 'bn_weight')
      assert.ok(
        data.every((v) => v === 1),
        `${e.name} = 1`,
      );
    else if (e.kind === 'bn_bias')
      assert.ok(
        data.every((v) => v === 0),
        `${e.name} = 0`,
      );
    else {
      assert.ok(
        data.every((v) => Math.abs(v) <= bound),
        `${e.name} within ±1/√fan_in`,
      );
      if (e.kind === 'conv_weight') {
        assert.is(e.fanIn, e.tensor.shape[1]! * e.tensor.shape[2]! * e.tensor.shape[3]!, `${e.name} fan_in`);
        for (const v of data) {
          const u = v / bound;
          n++;
          s1 += u;
          s2 += u * u;
        }
      }
      if (e.kind === 'linear_weight' || e.kind === 'linear_bias') assert.is(e.fanIn, 32, `${e.name} fan_in = in_features`);
    }
  }
  const mean = s1 / n,
    variance = s2 / n - mean * mean;
  assert.ok(n > 50_000, `${n} conv weights`);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance / (1 / 3) - 1) < 0.03, `variance ${variance} of U(−1,1) should be 1/3`);
  for (const bn of a.parameters.batchNorms.values()) {
    assert.ok(bn.runningMean.every((v) => v === 0) && bn.runningVar.every((v) => v === 1));
    assert.is(bn.numBatchesTracked, 0);
  }
});

// ---------------------------------------------------------------------------------------------------------
// weights round trip and load errors

function smallNet(arch = README_ARCH, numClasses = 10): Nb201Network {
  return new Nb201Network(backend, { arch, C: 4, N: 1, numClasses });
}

test('weightsToTensors → loadWeights preserves every parameter and buffer', () => {
  const src = smallNet();
  src.parameters.initialize(41);
  // make the running buffers non-trivial with two batch-statistics forwards
  const rng = new Random(42);
  const x = backend.fromHost(
    Float32Array.from({ length: 2 * 3 * 8 * 8 }, () => rng.normal()),
    [2, 3, 8, 8],
  );
  for (let k = 0; k < 2; k++) src.forward({ tape: new Tape(backend), bnMode: 'batch' }, x);
  const tensors = weightsToTensors(src.parameters);
  assert.is(tensors.get('stem.1.num_batches_tracked')!.dtype, 'I64');
  assert.equal(tensors.get('stem.1.num_batches_tracked')!.shape, []);
  assert.is(tensors.get('stem.0.weight')!.dtype, 'F32');
  const dst = smallNet();
  dst.parameters.initialize(99);
  loadWeights(dst.parameters, tensors, 'roundtrip');
  const a = src.parameters.stateDict(),
    b = dst.parameters.stateDict();
  assert.equal([...a.keys()], [...b.keys()]);
  for (const [name, t] of a) {
    assert.equal(b.get(name)!.shape, t.shape, `${name} shape`);
    assert.equal([...b.get(name)!.data], [...t.data], `${name} values`);
  }
  assert.is(dst.parameters.batchNorms.get('stem.1')!.numBatchesTracked, 2);
  assert.ok(dst.parameters.batchNorms.get('stem.1')!.runningMean.some((v) => v !== 0));
  // same outputs afterwards
  const ya = backend.toHost(src.forward({ tape: new Tape(backend), bnMode: 'running' }, x));
  const yb = backend.toHost(dst.forward({ tape: new Tape(backend), bnMode: 'running' }, x));
  assert.equal([...ya], [...yb]);
});

test('loadWeights: the PyTorch readme weights load into the readme network', () => {
  const net = new Nb201Network(backend, { arch: README_ARCH });
  const file = readSafetensorsFile(join(fixturesDir, 'readme.weights.safetensors'));
  loadWeights(net.parameters, file, 'readme.weights');
  const w = file.get('cells.3.layers.4.op.1.weight')!;
  assert.equal([...backend.toHost(net.parameters.get('cells.3.layers.4.op.1.weight')!.tensor)], [...(w.data as Float32Array)]);
});

test('loadWeights: a missing tensor, a wrong shape, an extra tensor of another architecture are errors naming it', () => {
  const base = (): Map<string, RawTensor> => {
    const n = smallNet();
    n.parameters.initialize(1);
    return weightsToTensors(n.parameters);
  };
  const missing = base();
  missing.delete('cells.0.layers.4.op.2.running_var');
  throwsWith(
    () => loadWeights(smallNet().parameters, missing, 'w.safetensors'),
    DataFormatError,
    'w.safetensors',
    'missing tensor "cells.0.layers.4.op.2.running_var"',
  );
  const missingWeight = base();
  missingWeight.delete('classifier.bias');
  throwsWith(() => loadWeights(smallNet().parameters, missingWeight), DataFormatError, 'missing tensor "classifier.bias"');

  const wrongShape = base();
  wrongShape.set('cells.1.conv_a.op.1.weight', { dtype: 'F32', shape: [8, 4, 1, 1], data: new Float32Array(32) });
  throwsWith(
    () => loadWeights(smallNet().parameters, wrongShape),
    DataFormatError,
    'tensor "cells.1.conv_a.op.1.weight" has shape [8,4,1,1], expected [8,4,3,3]',
  );
  // 100-class weights into a 10-class network: the classifier's shape
  const c100 = smallNet(README_ARCH, 100);
  throwsWith(
    () => loadWeights(smallNet().parameters, weightsToTensors(c100.parameters)),
    DataFormatError,
    '"classifier.weight"',
    '[100,16]',
  );

  // all-conv weights have convs on edges the README arch does not
  const allConv = smallNet(ALL('nor_conv_3x3'));
  throwsWith(
    () => loadWeights(smallNet().parameters, weightsToTensors(allConv.parameters)),
    DataFormatError,
    'this network does not have',
    '"cells.0.layers.2.op.1.weight"',
  );
  // and the other way round: README weights lack convs the all-conv network needs
  throwsWith(
    () => loadWeights(smallNet(ALL('nor_conv_3x3')).parameters, base()),
    DataFormatError,
    'missing tensor "cells.0.layers.2.op.1.weight"',
  );

  // a float tensor stored as an integer is rejected by dtype
  const badDtype = base();
  badDtype.set('stem.1.bias', { dtype: 'I32', shape: [4], data: new Int32Array(4) });
  throwsWith(() => loadWeights(smallNet().parameters, badDtype), DataFormatError, '"stem.1.bias"', 'dtype I32');
  // a failed load leaves the network untouched
  const net = smallNet();
  net.parameters.initialize(3);
  const before = [...backend.toHost(net.parameters.get('stem.0.weight')!.tensor)];
  const partial = base();
  partial.delete('lastact.0.bias');
  assert.throws(() => loadWeights(net.parameters, partial));
  assert.equal([...backend.toHost(net.parameters.get('stem.0.weight')!.tensor)], before);
});

// ---------------------------------------------------------------------------------------------------------
// forward shapes

test('forward: 16×16 input, 120 classes, C=4 N=1 → logits [B,120]; bad inputs are rejected', () => {
  const net = new Nb201Network(backend, { arch: README_ARCH, C: 4, N: 1, numClasses: 120 });
  net.parameters.initialize(8);
  const rng = new Random(9);
  const x = backend.fromHost(
    Float32Array.from({ length: 2 * 3 * 16 * 16 }, () => rng.normal()),
    [2, 3, 16, 16],
  );
  for (const bnMode of ['batch', 'sample', 'running'] as const) {
    const y = net.forward({ tape: new Tape(backend), bnMode }, x);
    assert.equal(y.shape, [2, 120]);
    assert.is(y.dtype, 'f32');
    assert.ok(backend.toHost(y).every(Number.isFinite));
  }
  assert.throws(
    () => net.forward({ tape: new Tape(backend), bnMode: 'batch' }, backend.fromHost(new Float32Array(2 * 16 * 16), [2, 1, 16, 16])),
    /\[B,3,H,W\]/,
  );
  assert.throws(
    () => net.forward({ tape: new Tape(backend), bnMode: 'batch' }, backend.fromHost(new Float32Array(3 * 10 * 10), [1, 3, 10, 10])),
    /divisible by 4/,
  );
  assert.throws(() => new Nb201Network(backend, { arch: README_ARCH, numClasses: 0 }), /numClasses/);
  // f64 network gives f64 logits
  const n64 = new Nb201Network(backend, { arch: README_ARCH, C: 2, N: 1, numClasses: 3, dtype: 'f64' });
  n64.parameters.initialize(1);
  assert.is(
    n64.forward({ tape: new Tape(backend), bnMode: 'batch' }, backend.fromHost(new Float64Array(3 * 64), [1, 3, 8, 8])).dtype,
    'f64',
  );
});

test.run();
