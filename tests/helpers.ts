/** Shared test helpers: locating repo files from dist/tests and comparing numbers. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';

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
