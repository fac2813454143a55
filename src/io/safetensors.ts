/**
 * Reader and writer for the safetensors format (https://github.com/huggingface/safetensors), on plain
 * `Uint8Array`s so it runs unchanged in Node, Deno and browsers.
 *
 * Layout: 8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`,
 * then the data section; offsets are relative to the start of the data section.
 */
import { QUOTE_MAX, quote } from '../util/quote.js';
import { DataFormatError, formatShape } from './errors.js';

/** A header value as JSON, cut to 200 characters like any quoted input. */
function shown(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  return json.length <= QUOTE_MAX ? json : quote(json);
}

export type Dtype =
  'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'U64' | 'I32' | 'U32' | 'I16' | 'U16' | 'I8' | 'U8' | 'BOOL' | 'F8_E4M3' | 'F8_E5M2';

export type TensorData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * One tensor as stored: row-major data of `shape`. F16/BF16 are kept as raw bit patterns in a `Uint16Array`,
 * BOOL and the F8 types as raw bytes in a `Uint8Array`; use {@link tensorToFloat32} to decode floats.
 */
export interface RawTensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

interface DtypeInfo {
  size: number;
  arrayTag: string;
  make: (buf: ArrayBuffer, length: number) => TensorData;
}

const DTYPES: Record<Dtype, DtypeInfo> = {
  F64: { size: 8, arrayTag: 'Float64Array', make: (b, n) => new Float64Array(b, 0, n) },
  F32: { size: 4, arrayTag: 'Float32Array', make: (b, n) => new Float32Array(b, 0, n) },
  F16: { size: 2, arrayTag: 'Uint16Array', make: (b, n) => new Uint16Array(b, 0, n) },
  BF16: { size: 2, arrayTag: 'Uint16Array', make: (b, n) => new Uint16Array(b, 0, n) },
  I64: { size: 8, arrayTag: 'BigInt64Array', make: (b, n) => new BigInt64Array(b, 0, n) },
  U64: { size: 8, arrayTag: 'BigUint64Array', make: (b, n) => new BigUint64Array(b, 0, n) },
  I32: { size: 4, arrayTag: 'Int32Array', make: (b, n) => new Int32Array(b, 0, n) },
  U32: { size: 4, arrayTag: 'Uint32Array', make: (b, n) => new Uint32Array(b, 0, n) },
  I16: { size: 2, arrayTag: 'Int16Array', make: (b, n) => new Int16Array(b, 0, n) },
  U16: { size: 2, arrayTag: 'Uint16Array', make: (b, n) => new Uint16Array(b, 0, n) },
  I8: { size: 1, arrayTag: 'Int8Array', make: (b, n) => new Int8Array(b, 0, n) },
  U8: { size: 1, arrayTag: 'Uint8Array', make: (b, n) => new Uint8Array(b, 0, n) },
  BOOL: { size: 1, arrayTag: 'Uint8Array', make: (b, n) => new Uint8Array(b, 0, n) },
  F8_E4M3: { size: 1, arrayTag: 'Uint8Array', make: (b, n) => new Uint8Array(b, 0, n) },
  F8_E5M2: { size: 1, arrayTag: 'Uint8Array', make: (b, n) => new Uint8Array(b, 0, n) },
};

/** All dtypes this module reads and writes. */
export const SAFETENSORS_DTYPES: readonly Dtype[] = Object.keys(DTYPES) as Dtype[];

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

/** Bytes per element of a dtype. */
export function dtypeSize(dtype: Dtype): number {
  return DTYPES[dtype].size;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each `size`-byte element in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

function where(source: string | undefined): string {
  return source ?? 'safetensors';
}

function fail(message: string, source: string | undefined): never {
  throw new DataFormatError(message, where(source));
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export interface SafetensorsFile {
  tensors: Map<string, RawTensor>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/**
 * Parses a safetensors file. Tensors are returned in data-offset order; each tensor's data is copied into a
 * fresh, aligned typed array, so the input may start at any byte offset.
 * @param source file name used in error messages
 */
export function parseSafetensors(bytes: Uint8Array, source?: string): Map<string, RawTensor> {
  return parseSafetensorsFile(bytes, source).tensors;
}

/** Like {@link parseSafetensors} but also returns the `__metadata__` map. */
export function parseSafetensorsFile(bytes: Uint8Array, source?: string): SafetensorsFile {
  if (bytes.length < 8) {
    fail(`file is too short to be safetensors: ${bytes.length} bytes, need at least 8 for the header length`, source);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (headerLen64 > BigInt(available)) {
    fail(`truncated: header length ${headerLen64} exceeds the ${available} bytes after the 8-byte length prefix`, source);
  }
  const headerLen = Number(headerLen64);
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail(`header (${headerLen} bytes) is not valid UTF-8`, source);
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`, source);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail('header JSON must be an object mapping tensor names to {dtype, shape, data_offsets}', source);
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }[] = [];

  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('"__metadata__" must be an object of strings', source);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__" value for ${quote(k)} must be a string, got ${shown(v)}`, source);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail(`tensor ${quote(name)}: header entry must be an object`, source);
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(info.dtype)) {
      fail(`tensor ${quote(name)}: unknown dtype ${shown(info.dtype)} (supported: ${SAFETENSORS_DTYPES.join(', ')})`, source);
    }
    const dtype = info.dtype;
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor ${quote(name)}: shape must be an array of non-negative integers, got ${shown(info.shape)}`, source);
    }
    const shape = info.shape as number[];
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor ${quote(name)}: data_offsets must be [begin, end] with non-negative integers, got ${shown(off)}`, source);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) fail(`tensor ${quote(name)}: data_offsets [${begin},${end}] end before they begin`, source);
    if (end > dataLen) {
      fail(
        `tensor ${quote(name)}: data_offsets [${begin},${end}] extend past the end of the ${dataLen}-byte data section (file truncated?)`,
        source,
      );
    }
    const need = shapeSize(shape) * DTYPES[dtype].size;
    if (end - begin !== need) {
      fail(
        `tensor ${quote(name)}: ${dtype} ${formatShape(shape)} needs ${need} bytes but data_offsets [${begin},${end}] span ${end - begin}`,
        source,
      );
    }
    entries.push({ name, dtype, shape: shape.slice(), begin, end });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < entries.length; i++) {
    const p = entries[i - 1]!,
      c = entries[i]!;
    if (c.begin < p.end) {
      fail(
        `tensors ${quote(p.name)} [${p.begin},${p.end}] and ${quote(c.name)} [${c.begin},${c.end}] have overlapping data_offsets`,
        source,
      );
    }
  }

  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    const info = DTYPES[e.dtype];
    // A fresh buffer at offset 0 is always aligned. (Not bytes.slice: on a Node Buffer that is a view.)
    const copy = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (!LITTLE_ENDIAN) swapBytes(copy, info.size);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: info.make(copy.buffer, (e.end - e.begin) / info.size) });
  }
  return { tensors, metadata };
}

function typedArrayTag(x: unknown): string | undefined {
  return ArrayBuffer.isView(x) ? (x as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : undefined;
}

/** Checks one tensor's internal consistency (dtype known, shape valid, data type and length match). */
export function validateRawTensor(name: string, t: RawTensor, source?: string): void {
  if (!isDtype(t.dtype)) fail(`tensor ${quote(name)}: unknown dtype ${shown(t.dtype)}`, source);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor ${quote(name)}: shape must be an array of non-negative integers, got ${shown(t.shape)}`, source);
  }
  const info = DTYPES[t.dtype];
  const tag = typedArrayTag(t.data);
  if (tag !== info.arrayTag) fail(`tensor ${quote(name)}: dtype ${t.dtype} needs a ${info.arrayTag}, got ${tag ?? typeof t.data}`, source);
  const n = shapeSize(t.shape);
  if (t.data.length !== n) {
    fail(`tensor ${quote(name)}: shape ${formatShape(t.shape)} has ${n} elements but data has ${t.data.length}`, source);
  }
}

/**
 * Serialises tensors to safetensors bytes. Tensors are written in sorted-name order, contiguously; the JSON
 * header is padded with spaces so the data section starts at a multiple of 8 bytes.
 */
export function serializeSafetensors(
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list: [string, RawTensor][] = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new DataFormatError(`metadata value for ${quote(k)} must be a string, got ${typeof v}`, 'safetensors writer');
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new DataFormatError('"__metadata__" cannot be used as a tensor name', 'safetensors writer');
    validateRawTensor(name, t, 'safetensors writer');
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const [, t] of list) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, pos);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(pos, pos + src.length), DTYPES[t.dtype].size);
    pos += src.length;
  }
  return out;
}

export interface TensorRequirement {
  /** Accepted dtypes (any when omitted). */
  dtype?: readonly string[];
  /** Expected shape; `null` entries accept any size in that dimension. */
  shape?: readonly (number | null)[];
}

/**
 * Looks up a tensor and checks its dtype and shape, with errors such as
 * `weights.safetensors: tensor "stem.0.weight" has shape [16,3,3,3], expected [16,3,5,5]`.
 */
export function requireTensor(map: Map<string, RawTensor>, name: string, req: TensorRequirement = {}, source?: string): RawTensor {
  const t = map.get(name);
  if (t === undefined) {
    const names = [...map.keys()];
    const listed = names
      .slice(0, 8)
      .map((n) => quote(n))
      .join(', ');
    const listing =
      names.length === 0 ? 'the file has no tensors' : `available: ${listed}${names.length > 8 ? `, … (${names.length} in all)` : ''}`;
    fail(`missing tensor ${quote(name)} (${listing})`, source);
  }
  if (req.dtype !== undefined && !req.dtype.includes(t.dtype)) {
    const exp = req.dtype.length === 1 ? req.dtype[0] : `one of ${req.dtype.join(', ')}`;
    fail(`tensor ${quote(name)} has dtype ${t.dtype}, expected ${exp}`, source);
  }
  if (req.shape !== undefined) {
    const s = req.shape;
    const ok = s.length === t.shape.length && s.every((d, i) => d === null || d === t.shape[i]);
    if (!ok) fail(`tensor ${quote(name)} has shape ${formatShape(t.shape)}, expected ${formatShape(s)}`, source);
  }
  return t;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes any numeric tensor to a Float32Array (a copy; F16/BF16 bit patterns decoded; 64-bit ints converted
 * via Number). F8 types are not decoded and raise an error.
 */
export function tensorToFloat32(t: RawTensor, name = 'tensor', source?: string): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return (t.data as Float32Array).slice();
    case 'F16':
      return Float32Array.from(t.data as Uint16Array, halfToFloat);
    case 'BF16': {
      const bits = new Uint32Array(t.data.length);
      const src = t.data as Uint16Array;
      for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64':
    case 'U64':
      return Float32Array.from(t.data as BigInt64Array | BigUint64Array, (v) => Number(v));
    case 'F8_E4M3':
    case 'F8_E5M2':
      fail(`tensor ${quote(name)}: cannot convert dtype ${t.dtype} to float32`, source);
    default:
      return Float32Array.from(t.data as ArrayLike<number>);
  }
}

/** Decodes any numeric tensor to a Float64Array (a copy; see {@link tensorToFloat32}). */
export function tensorToFloat64(t: RawTensor, name = 'tensor', source?: string): Float64Array {
  switch (t.dtype) {
    case 'F64':
      return (t.data as Float64Array).slice();
    case 'F16':
    case 'BF16':
      return Float64Array.from(tensorToFloat32(t, name, source));
    case 'I64':
    case 'U64':
      return Float64Array.from(t.data as BigInt64Array | BigUint64Array, (v) => Number(v));
    case 'F8_E4M3':
    case 'F8_E5M2':
      fail(`tensor ${quote(name)}: cannot convert dtype ${t.dtype} to float64`, source);
    default:
      return Float64Array.from(t.data as ArrayLike<number>);
  }
}
