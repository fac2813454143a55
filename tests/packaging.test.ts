/**
 * The package as a user gets it: `npm pack`, `npm install ./zerocost-0.1.0.tgz` in a fresh project (as README
 * says; the name is not published), the CLI runs, the licence is in it and every source map points at a file
 * the package ships.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; license: string };
const tarball = `${pkg.name}-${pkg.version}.tgz`;

function npm(cwd: string, ...args: string[]): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

test('LICENSE is the MIT licence that package.json names', () => {
  const text = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  assert.is(pkg.license, 'MIT');
  assert.ok(text.startsWith('MIT License\n\nCopyright (c) 2026 the zerocost authors\n'), text.slice(0, 80));
});

test('README tells how to install from a tarball; the installed package runs and ships what its maps point at', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  for (const s of ['npm pack', `npm install ./${tarball}`, 'not published on npm']) assert.ok(readme.includes(s), `README lacks ${s}`);
  const dir = mkdtempSync(join(tmpdir(), 'zerocost-pack-'));
  // the dist/ that npm test just built; prepare (the same build) is not run again
  npm(repoRoot, 'pack', '--ignore-scripts', '--pack-destination', dir);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name": "app", "version": "1.0.0", "type": "module"}\n');
  npm(app, 'install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', `../${tarball}`);
  const installed = join(app, 'node_modules', pkg.name);
  assert.ok(existsSync(join(installed, 'LICENSE')), 'LICENSE is in the package');

  const bin = join(app, 'node_modules', '.bin', 'zerocost');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  assert.is(version.stdout, `zerocost ${pkg.version}\n`, version.stderr);
  const score = spawnSync(
    bin,
    [
      'score',
      '--arch',
      '|none~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|',
      '--batch',
      '2',
      '--backend',
      'js',
      '--proxies',
      'params',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  assert.is(score.status, 0, score.stderr);
  assert.is((JSON.parse(score.stdout) as { scores: { params: number } }).scores.params > 0, true);
  // search's default score table (the full NB201 one) ships with the package
  const search = spawnSync(bin, ['search', '--algo', 'rs', '--budget', '5', '--runs', '2', '--json'], { encoding: 'utf8' });
  assert.is(search.status, 0, search.stderr);
  assert.ok('summary' in (JSON.parse(search.stdout.trim().split('\n').at(-1)!) as object), 'search prints its summary line');
  writeFileSync(
    join(app, 'use.mjs'),
    "import { parseArch } from 'zerocost';\nprocess.stdout.write(`${parseArch('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|').edges.length}`);\n",
  );
  const use = spawnSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' });
  assert.is(use.stdout.trim(), '6', use.stderr);

  const maps = walk(installed).filter((f) => f.endsWith('.map'));
  assert.ok(maps.length > 50, `${maps.length} source maps`);
  for (const map of maps) {
    for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
      assert.ok(
        existsSync(resolve(dirname(map), source)),
        `${map.slice(installed.length)} points at ${source}, which the package does not ship`,
      );
    }
  }
});

test.run();
