/**
 * Seconds per architecture for GradSign + GradAlign-I/II at batch 64 on the fixed list bench/archs10.txt,
 * zerocost's WASM backend (all cores) beside the PyTorch reference (bench/pytorch_reference.py, the
 * batch-of-one loop, Debian python3-torch) on the same architectures, batch and seed, in the same run.
 * (Each side draws its own seeded default init, so the scores differ; the fixtures test equality.)
 * Usage: npm run bench:scoring [-- --batch 64 --threads N --no-pytorch]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { loadBundledCifar10Sample, writeBatchFile } from '../src/node/files.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { PER_SAMPLE_PROXIES } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import { arg } from './args.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const archsFile = join(root, 'bench', 'archs10.txt');
const archs = readFileSync(archsFile, 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter((s) => s && !s.startsWith('#'));
const batchSize = Number(arg('batch', '64'));
const threads = Number(arg('threads', String(defaultThreads())));
const seed = 1;
const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize, seed });

const backend = await createNodeWasmBackend(threads);
const ours: { seconds: number }[] = [];
const bench = new Bench({ iterations: 1, warmup: false, time: 0 });
archs.forEach((arch, i) =>
  bench.add(`arch ${i + 1}`, () => {
    const r = scoreArchitecture(backend, arch, batch, { proxies: PER_SAMPLE_PROXIES, numClasses: 10, seed });
    ours[i] = { seconds: r.seconds };
  }),
);
await bench.run();
await backend.close();

let torch: { seconds: number; threads: number; torch: string }[] = [];
if (!process.argv.includes('--no-pytorch')) {
  const batchFile = join(mkdtempSync(join(tmpdir(), 'zerocost-bench-')), 'batch.safetensors');
  writeBatchFile(batchFile, batch);
  const py = spawnSync(
    '/usr/bin/python3',
    [join(root, 'bench', 'pytorch_reference.py'), archsFile, batchFile, String(seed), String(defaultThreads())],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) console.error(`PyTorch reference failed (is python3-torch installed?):\n${py.stderr}`);
  else
    torch = py.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
}

console.log(
  `GradSign + GradAlign-I/II, batch ${batchSize}, seed ${seed}, bundled CIFAR-10 sample; zerocost wasm on ${threads} thread(s)` +
    (torch[0] ? `; PyTorch ${torch[0].torch} batch-of-one loop on ${torch[0].threads} thread(s)` : ''),
);
console.table(
  archs.map((arch, i) => ({
    arch,
    'zerocost s': Number(ours[i]!.seconds.toFixed(3)),
    ...(torch[i]
      ? { 'PyTorch s': Number(torch[i]!.seconds.toFixed(3)), speedup: Number((torch[i]!.seconds / ours[i]!.seconds).toFixed(1)) }
      : {}),
  })),
);
const total = ours.reduce((t, r) => t + r.seconds, 0);
const totalTorch = torch.reduce((t, r) => t + r.seconds, 0);
console.log(
  `total: zerocost ${total.toFixed(2)} s` +
    (torch.length ? `, PyTorch ${totalTorch.toFixed(2)} s, ratio ${(totalTorch / total).toFixed(2)}×` : ''),
);
