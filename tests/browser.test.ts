/**
 * The library in a browser: headless Chromium (Debian's, driven by playwright-core) loads tests/browser/
 * from a local cross-origin-isolated server and scores a PyTorch fixture in a Web Worker with the WASM
 * backend (2 threads) and the WebGPU backend (Chromium's SwiftShader adapter). Without /usr/bin/chromium
 * the test says so and skips, unless ZEROCOST_REQUIRE_BROWSER=1 (set by .ci/run, which installs it).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir, readJson, relErr, repoRoot, skipSuite } from './helpers.js';

const CHROMIUM = process.env.ZEROCOST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.ZEROCOST_REQUIRE_BROWSER === '1') throw new Error(`browser test: no Chromium at ${CHROMIUM}`);
  skipSuite('browser', `no Chromium at ${CHROMIUM} (apt-get install chromium, or set ZEROCOST_CHROMIUM)`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Serves the checkout read-only, cross-origin isolated (SharedArrayBuffer needs COOP + COEP). */
function serve(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(repoRoot, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(repoRoot + sep) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address() as { port: number };
      resolve({ server, origin: `http://127.0.0.1:${a.port}` });
    }),
  );
}

interface Scored {
  backend: string;
  threads: number;
  adapter: { vendor: string; description: string; software: boolean } | null;
  scores: Record<string, number>;
  seconds: number;
  error?: string;
}

if (available) {
  test('Chromium: a fixture scored in a Web Worker with WASM (2 threads) and WebGPU (SwiftShader) equals PyTorch', async () => {
    const { chromium } = await import('playwright-core');
    const { server, origin } = await serve();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
        '--headless=new',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      await page.goto(`${origin}/tests/browser/index.html?fixture=tiny&backends=wasm,webgpu`);
      await page.waitForFunction(() => (window as unknown as { zerocostResult?: unknown }).zerocostResult !== undefined, undefined, {
        timeout: 300_000,
      });
      const r = await page.evaluate(() => (window as unknown as { zerocostResult: Record<string, unknown> }).zerocostResult);
      assert.not.ok(r.error, `page error: ${r.error} ${logs.join('\n')}`);
      assert.is(r.crossOriginIsolated, true, 'the page is cross-origin isolated');
      const want = readJson<{ cases: Record<string, { scores: Record<string, number> }> }>(join(fixturesDir, 'expected.json')).cases.tiny!
        .scores;
      const wasm = r.wasm as Scored,
        gpu = r.webgpu as Scored;
      assert.not.ok(wasm.error, `wasm: ${wasm.error}`);
      assert.not.ok(gpu.error, `webgpu: ${gpu.error}`);
      console.log(
        `  chromium: wasm ${wasm.threads} threads ${wasm.seconds.toFixed(1)} s; webgpu on ${gpu.adapter?.vendor} ${gpu.adapter?.description} ${gpu.seconds.toFixed(1)} s`,
      );
      assert.is(wasm.threads, 2);
      assert.is(gpu.adapter?.software, true, 'SwiftShader is recognised as a software adapter (so --backend auto would take WASM)');
      assert.ok(relErr(wasm.scores.gradsign!, want.gradsign_sum!) <= 1e-3, `wasm gradsign ${wasm.scores.gradsign} vs ${want.gradsign_sum}`);
      assert.ok(relErr(wasm.scores.gradalign1!, want.gradalign1_none!) <= 1e-3, `wasm gradalign1 ${wasm.scores.gradalign1}`);
      for (const k of ['gradsign', 'gradalign1', 'gradalign2'])
        assert.ok(relErr(gpu.scores[k]!, wasm.scores[k]!) <= 1e-4, `${k}: webgpu ${gpu.scores[k]} vs wasm ${wasm.scores[k]}`);
    } finally {
      await browser.close();
      server.close();
    }
  });
}

test.run();
