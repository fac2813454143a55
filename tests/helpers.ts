/** Shared test helpers: locating repo files from dist/tests and comparing numbers. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawTensor } from '../src/io/safetensors.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

export const repoRoot = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();

export const fixturesDir = join(repoRoot, 'fixtures', 'pytorch');

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

/**
 * A suite (or test) that cannot run on this machine: says why on a "SKIPPED —" line and registers a skipped
 * test, which uvu and npm test's closing summary count (a suite that registers nothing would vanish).
 */
export function skipSuite(suite: string, why: string): void {
  console.log(`${suite}: SKIPPED — ${why}`);
  test.skip(`${suite} (${why})`, () => {});
}

type ErrorClass = abstract new (...a: never[]) => Error;

/**
 * Runs `fn`, which must throw (an instance of `type` when one is given first) with a message containing every
 * part; returns the message.
 */
export function throwsWith(fn: () => unknown, ...parts: string[]): string;
export function throwsWith(fn: () => unknown, type: ErrorClass, ...parts: string[]): string;
export function throwsWith(fn: () => unknown, ...args: (string | ErrorClass)[]): string {
  const type = typeof args[0] === 'function' ? (args.shift() as ErrorClass) : undefined;
  const parts = args as string[];
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected an error containing ${JSON.stringify(parts)}`);
  if (type) assert.instance(error, type);
  const msg = (error as Error).message;
  for (const p of parts) assert.ok(msg.includes(p), `error ${JSON.stringify(msg)} should contain ${JSON.stringify(p)}`);
  return msg;
}

/** max |a − b| / max |b| (over a whole layer). */
export function maxNormErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? err : err / scale;
}

/** A score against PyTorch's: within `tol` relative (or `tol`·1e-3 absolute, near 0); NaN and ±∞ must match exactly. */
export function near(got: number, want: number, tol: number, what: string): void {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got} vs PyTorch NaN`);
  if (!Number.isFinite(want)) return assert.is(got, want, `${what}: ${got} vs PyTorch ${want}`);
  assert.ok(
    relErr(got, want) <= tol || Math.abs(got - want) <= tol * 1e-3,
    `${what}: ${got} vs PyTorch ${want} (rel ${relErr(got, want).toExponential(2)})`,
  );
}

/** A fixture's f32 tensor as float64 (a missing one names what was expected). */
export const f64 = (t: RawTensor | undefined, what: string): Float64Array => {
  if (!t) throw new Error(`fixture lacks ${what}`);
  return Float64Array.from(t.data as Float32Array);
};
