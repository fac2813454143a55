/**
 * The core must run in Deno and browsers: outside src/node and src/cli no module imports a Node built-in or
 * those folders; and imports flow one way: proxies → nets → autodiff → backend interface ← {reference, wasm, gpu}
 * (backends never reach up into the autodiff, nor across into each other); search/ sits above nets/, data/ and eval/,
 * and only the command line and the package entry use it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers.js';

const src = join(repoRoot, 'src');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const modules = files(src).map((p) => ({
  path: relative(src, p),
  text: readFileSync(p, 'utf8'),
  imports: [...readFileSync(p, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!),
}));

test('core modules import no Node built-ins and nothing from src/node or src/cli', () => {
  const core = modules.filter((m) => !m.path.startsWith('node/') && !m.path.startsWith('cli/'));
  assert.ok(core.length > 20);
  for (const m of core) {
    for (const i of m.imports) {
      assert.not.ok(i.startsWith('node:') || /^(fs|path|os|url|child_process|worker_threads)$/.test(i), `${m.path} imports ${i}`);
      assert.not.ok(/\/(node|cli)\//.test(i) || /^\.\.?\/(node|cli)\//.test(i), `${m.path} imports ${i}`);
      assert.ok(i.startsWith('.'), `${m.path} imports the package ${i}: the core has no runtime dependencies`);
    }
  }
});

test('imports flow one way: proxies → nets → autodiff → backend interface ← {reference, wasm, gpu}', () => {
  // A backend sees the tensor type, the kernel interface and shapes.ts (all in backend/), never the autodiff
  // above it nor another backend; the autodiff sees the interface, never a backend.
  const backends = ['backend/reference/', 'backend/wasm/', 'gpu/'];
  const below: Record<string, string[]> = {
    'autodiff/': ['nets/', 'proxies/', 'per_sample/', ...backends],
    'backend/': ['autodiff/', 'nets/', 'proxies/', 'per_sample/', 'gpu/'],
    'backend/reference/': backends.filter((b) => b !== 'backend/reference/'),
    'backend/wasm/': backends.filter((b) => b !== 'backend/wasm/'),
    'gpu/': ['autodiff/', 'nets/', 'proxies/', 'per_sample/', 'backend/reference/', 'backend/wasm/'],
    'nets/': ['proxies/', 'per_sample/'],
  };
  for (const m of modules) {
    for (const [layer, forbidden] of Object.entries(below)) {
      if (!m.path.startsWith(layer)) continue;
      for (const i of m.imports) {
        const target = join(m.path, '..', i).replace(/\\/g, '/');
        for (const f of forbidden) assert.not.ok(target.startsWith(f), `${m.path} (layer ${layer}) imports ${i}`);
      }
    }
  }
});

test('search/ sits on top: it imports only nets/, data/, eval/ and util/, and only cli/ and index.ts import it', () => {
  const allowed = ['search/', 'nets/', 'data/', 'eval/', 'util/'];
  let searchModules = 0,
    importers = 0;
  for (const m of modules) {
    for (const i of m.imports) {
      if (!i.startsWith('.')) continue;
      const target = join(m.path, '..', i).replace(/\\/g, '/');
      if (m.path.startsWith('search/'))
        assert.ok(
          allowed.some((a) => target.startsWith(a)),
          `${m.path} (search) imports ${i}`,
        );
      else if (target.startsWith('search/')) {
        assert.ok(m.path.startsWith('cli/') || m.path === 'index.ts', `${m.path} imports ${i}: only cli/ and index.ts may use search/`);
        importers++;
      }
    }
    if (m.path.startsWith('search/')) searchModules++;
  }
  assert.ok(searchModules >= 10 && importers >= 2, `${searchModules} search modules, ${importers} imports of them`);
});

test('the autodiff needs only the kernels; the per-sample reductions are called only from per_sample/', () => {
  const reductions = /\.(allocSignSums|signSum|readSignSums|allocSigns|writeSigns|allocGrams|classGram|readGrams)\(/;
  const implementers = ['backend/', 'gpu/', 'per_sample/'];
  let callers = 0;
  for (const m of modules) {
    if (m.path.startsWith('autodiff/')) {
      assert.not.ok(/\b(Backend|SampleReductions)\b/.test(m.text), `${m.path} names the whole backend; the autodiff runs on Kernels`);
    }
    if (reductions.test(m.text)) {
      assert.ok(
        implementers.some((l) => m.path.startsWith(l)),
        `${m.path} calls a per-sample reduction: ${m.text.match(reductions)![0]}`,
      );
      if (m.path.startsWith('per_sample/')) callers++;
    }
  }
  assert.ok(callers >= 2, 'the sign-sum and class-Gram reducers call the reductions');
});

test.run();
