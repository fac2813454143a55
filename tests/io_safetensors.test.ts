import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseSafetensors,
  parseSafetensorsFile,
  serializeSafetensors,
  requireTensor,
  tensorToFloat32,
  tensorToFloat64,
  SAFETENSORS_DTYPES,
  type RawTensor,
  type Dtype,
} from '../src/io/safetensors.js';
import { DataFormatError } from '../src/io/errors.js';
import { throwsWith } from './helpers.js';

const enc = new TextEncoder();

/** Builds a safetensors file by hand from a header object and raw data bytes. */
function build(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = enc.encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const samples: Record<Dtype, RawTensor> = {
  F64: { dtype: 'F64', shape: [2, 2], data: new Float64Array([1.5, -2.25, Math.PI, -0]) },
  F32: { dtype: 'F32', shape: [3], data: new Float32Array([0.1, -7, 3.4e38]) },
  F16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
  BF16: { dtype: 'BF16', shape: [1, 2], data: new Uint16Array([0x3f80, 0x4049]) },
  I64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 42n]) },
  U64: { dtype: 'U64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
  I32: { dtype: 'I32', shape: [2, 1], data: new Int32Array([-2147483648, 2147483647]) },
  U32: { dtype: 'U32', shape: [1], data: new Uint32Array([4294967295]) },
  I16: { dtype: 'I16', shape: [2], data: new Int16Array([-32768, 32767]) },
  U16: { dtype: 'U16', shape: [2], data: new Uint16Array([0, 65535]) },
  I8: { dtype: 'I8', shape: [3], data: new Int8Array([-128, 0, 127]) },
  U8: { dtype: 'U8', shape: [2, 2, 1], data: new Uint8Array([0, 1, 254, 255]) },
  BOOL: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
  F8_E4M3: { dtype: 'F8_E4M3', shape: [1], data: new Uint8Array([0x38]) },
  F8_E5M2: { dtype: 'F8_E5M2', shape: [], data: new Uint8Array([0x3c]) },
};

test('round trip of every dtype, values bit-exact', () => {
  assert.equal(Object.keys(samples).sort(), [...SAFETENSORS_DTYPES].sort());
  const bytes = serializeSafetensors(samples);
  const back = parseSafetensors(bytes);
  assert.is(back.size, SAFETENSORS_DTYPES.length);
  for (const [name, t] of Object.entries(samples)) {
    const r = back.get(name)!;
    assert.ok(r, name);
    assert.is(r.dtype, t.dtype);
    assert.equal(r.shape, t.shape);
    assert.is(Object.prototype.toString.call(r.data), Object.prototype.toString.call(t.data), name);
    assert.is(r.data.length, t.data.length);
    for (let i = 0; i < t.data.length; i++) assert.ok(Object.is(r.data[i], t.data[i]), `${name}[${i}]`);
  }
  assert.is((back.get('F64')!.data as Float64Array)[1], -2.25);
  assert.is((back.get('I64')!.data as BigInt64Array)[0], -(2n ** 63n));
  assert.is((back.get('F32')!.data as Float32Array)[0], Math.fround(0.1));
});

test('writer output is byte-identical to the reference format', () => {
  const bytes = serializeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) } });
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes, padded to 56
  assert.is(json.length, 54);
  const expected = new Uint8Array(8 + 56 + 8);
  expected[0] = 56;
  expected.set(enc.encode(json + '  '), 8);
  expected.set([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0], 64);
  assert.equal(Array.from(bytes), Array.from(expected));
});

test('header is space-padded to a multiple of 8 and tensors are in sorted-name order', () => {
  for (let extra = 0; extra < 9; extra++) {
    const name = 'w' + 'x'.repeat(extra);
    const bytes = serializeSafetensors(
      new Map<string, RawTensor>([
        ['zeta', { dtype: 'U8', shape: [3], data: new Uint8Array([7, 8, 9]) }],
        [name, { dtype: 'F64', shape: [1], data: new Float64Array([2.5]) }],
        ['alpha', { dtype: 'I32', shape: [1], data: new Int32Array([-5]) }],
      ]),
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.is(n % 8, 0, `header length ${n}`);
    assert.is((8 + n) % 8, 0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.ok(/^\{.*\} *$/.test(text));
    assert.ok(text.length - text.trimEnd().length < 8);
    const header = JSON.parse(text);
    assert.equal(header.__metadata__, { format: 'pt' });
    assert.equal(header.alpha.data_offsets, [0, 4]);
    assert.equal(header[name].data_offsets, [4, 12]);
    assert.equal(header.zeta.data_offsets, [12, 15]);
    assert.is(bytes.length, 8 + n + 15);
  }
});

test('metadata round trip and empty file', () => {
  const f = parseSafetensorsFile(serializeSafetensors({}, { a: 'b', note: 'héllo' }));
  assert.is(f.tensors.size, 0);
  assert.equal(f.metadata, { a: 'b', note: 'héllo' });
  assert.equal(parseSafetensorsFile(serializeSafetensors({})).metadata, {});
});

test('reads from a buffer at an unaligned byte offset; returned arrays are independent copies', () => {
  const file = serializeSafetensors({ w: { dtype: 'F64', shape: [2], data: new Float64Array([1.25, -3]) } });
  const big = new Uint8Array(file.length + 5);
  big.set(file, 3);
  const view = big.subarray(3, 3 + file.length);
  const t = parseSafetensors(view, 'odd.safetensors').get('w')!;
  assert.equal(Array.from(t.data as Float64Array), [1.25, -3]);
  big.fill(0);
  assert.equal(Array.from(t.data as Float64Array), [1.25, -3]);
});

test('reads from a Node Buffer view (Buffer.slice shares memory; data must still be copied out correctly)', () => {
  const file = serializeSafetensors({
    a: { dtype: 'I32', shape: [2], data: new Int32Array([11, -12]) },
    b: { dtype: 'F32', shape: [1], data: new Float32Array([0.75]) },
  });
  const buf = Buffer.concat([Buffer.alloc(5, 0xaa), Buffer.from(file)]).subarray(5);
  assert.ok(buf.byteOffset > 0 || buf.buffer.byteLength > buf.length);
  const m = parseSafetensors(buf);
  assert.equal(Array.from(m.get('a')!.data as Int32Array), [11, -12]);
  assert.equal(Array.from(m.get('b')!.data as Float32Array), [0.75]);
  assert.is(m.get('b')!.data.byteOffset, 0);
  buf.fill(0);
  assert.equal(Array.from(m.get('a')!.data as Int32Array), [11, -12]);
});

test('hand-built file with a non-8-multiple header and tensors listed out of order', () => {
  const data = new Uint8Array(12);
  new DataView(data.buffer).setInt32(0, -7, true);
  new DataView(data.buffer).setFloat64(4, 0.5, true);
  const bytes = build(
    { b: { dtype: 'F64', shape: [], data_offsets: [4, 12] }, a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } },
    data,
  );
  const m = parseSafetensors(bytes);
  assert.equal([...m.keys()], ['a', 'b']);
  assert.equal(Array.from(m.get('a')!.data as Int32Array), [-7]);
  assert.equal(m.get('b')!.shape, []);
  assert.equal(Array.from(m.get('b')!.data as Float64Array), [0.5]);
});

test('error: file shorter than 8 bytes', () => {
  throwsWith(() => parseSafetensors(new Uint8Array(5), 'w.safetensors'), 'w.safetensors:', 'too short', '5 bytes');
});

test('error: header length beyond the file (truncated)', () => {
  const good = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
  throwsWith(() => parseSafetensors(good.subarray(0, 30), 'w.safetensors'), 'w.safetensors:', 'truncated', 'header length 56', '22 bytes');
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  throwsWith(() => parseSafetensors(huge), 'truncated');
});

test('error: data section truncated (offsets past the end)', () => {
  const good = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
  throwsWith(
    () => parseSafetensors(good.subarray(0, good.length - 1), 'w.safetensors'),
    'w.safetensors:',
    'tensor "a"',
    'data_offsets [0,16]',
    '15-byte data section',
  );
});

test('error: bad JSON, non-object header, bad UTF-8', () => {
  throwsWith(() => parseSafetensors(build(null, undefined, '{"a": '), 'x.st'), 'x.st:', 'not valid JSON');
  throwsWith(() => parseSafetensors(build([1, 2])), 'must be an object');
  const b = build({});
  const bad = new Uint8Array(b.length);
  bad.set(b);
  bad[8] = 0xff;
  bad[9] = 0xfe;
  throwsWith(() => parseSafetensors(bad), 'not valid UTF-8');
});

test('error: unknown dtype, bad shape, bad offsets', () => {
  throwsWith(
    () => parseSafetensors(build({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16))),
    'tensor "a"',
    'unknown dtype "F128"',
  );
  throwsWith(
    () => parseSafetensors(build({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))),
    'tensor "a"',
    'shape',
  );
  throwsWith(
    () => parseSafetensors(build({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4))),
    'tensor "a"',
    'data_offsets must be [begin, end]',
  );
  throwsWith(
    () => parseSafetensors(build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4))),
    'end before they begin',
  );
});

test('error: offsets not matching dtype x shape', () => {
  throwsWith(
    () => parseSafetensors(build({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(24)), 'm.st'),
    'm.st:',
    'tensor "a"',
    'F32 [2,3] needs 24 bytes',
    'span 20',
  );
});

test('error: overlapping offsets', () => {
  const h = {
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  };
  throwsWith(() => parseSafetensors(build(h, new Uint8Array(12))), 'overlapping', '"a" [0,8]', '"b" [4,12]');
});

test('error: bad __metadata__', () => {
  throwsWith(() => parseSafetensors(build({ __metadata__: { n: 3 } })), '__metadata__', '"n"');
});

test('requireTensor: found, missing, wrong shape, wrong dtype, wildcards', () => {
  const m = new Map<string, RawTensor>([
    ['stem.0.weight', { dtype: 'F32', shape: [16, 3, 3, 3], data: new Float32Array(16 * 27) }],
    ['y', { dtype: 'I64', shape: [4], data: new BigInt64Array(4) }],
  ]);
  assert.is(requireTensor(m, 'stem.0.weight', { dtype: ['F32'], shape: [16, 3, 3, 3] }, 'weights.safetensors'), m.get('stem.0.weight'));
  assert.ok(requireTensor(m, 'stem.0.weight', { shape: [null, 3, null, 3] }));
  throwsWith(
    () => requireTensor(m, 'stem.0.weight', { shape: [16, 3, 5, 5] }, 'weights.safetensors'),
    'weights.safetensors: tensor "stem.0.weight" has shape [16,3,3,3], expected [16,3,5,5]',
  );
  throwsWith(() => requireTensor(m, 'stem.0.weight', { shape: [16, 3, 3] }), 'has shape [16,3,3,3], expected [16,3,3]');
  throwsWith(() => requireTensor(m, 'stem.0.weight', { shape: [null, 4, null, null] }), 'expected [?,4,?,?]');
  throwsWith(() => requireTensor(m, 'x', {}, 'weights.safetensors'), 'weights.safetensors: missing tensor "x"', '"stem.0.weight"', '"y"');
  throwsWith(() => requireTensor(m, 'y', { dtype: ['I32'] }, 'b.st'), 'b.st: tensor "y" has dtype I64, expected I32');
  throwsWith(() => requireTensor(m, 'y', { dtype: ['F32', 'F64'] }), 'has dtype I64, expected one of F32, F64');
  try {
    requireTensor(m, 'x');
  } catch (e) {
    assert.instance(e, DataFormatError);
  }
});

test('writer rejects inconsistent tensors', () => {
  throwsWith(
    () => serializeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }),
    'tensor "a"',
    'shape [2,2] has 4 elements but data has 3',
  );
  throwsWith(
    () => serializeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }),
    'tensor "a"',
    'F32 needs a Float32Array, got Float64Array',
  );
  throwsWith(() => serializeSafetensors({ a: { dtype: 'Q4' as Dtype, shape: [1], data: new Uint8Array(1) } }), 'unknown dtype "Q4"');
  throwsWith(
    () => serializeSafetensors({ __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }),
    '"__metadata__" cannot be used',
  );
});

test('tensorToFloat32 / tensorToFloat64 decode F16, BF16 and integers', () => {
  const f16: RawTensor = { dtype: 'F16', shape: [6], data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00]) };
  assert.equal(Array.from(tensorToFloat32(f16)), [1, -2, 65504, 2 ** -24, Math.fround(0.333251953125), Infinity]);
  const bf16: RawTensor = { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc049]) };
  assert.equal(Array.from(tensorToFloat32(bf16)), [1, -3.140625]);
  const i64: RawTensor = { dtype: 'I64', shape: [2], data: new BigInt64Array([-3n, 5n]) };
  assert.equal(Array.from(tensorToFloat64(i64)), [-3, 5]);
  const i32: RawTensor = { dtype: 'I32', shape: [1], data: new Int32Array([16777217]) };
  assert.equal(Array.from(tensorToFloat64(i32)), [16777217]);
  throwsWith(() => tensorToFloat32(samples.F8_E4M3, 'q'), 'tensor "q"', 'F8_E4M3');
});

test.run();
