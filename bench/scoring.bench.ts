/**
 * Seconds per architecture for GradSign + GradAlign-I/II at batch 64 on bench/archs10.txt: zerocost's WASM backend
 * beside the PyTorch peers of bench/pytorch_reference.py (Debian python3-torch, OpenBLAS pinned to 1 thread), each
 * on every thread count asked for, on the same architectures, batch and seed, in the same run:
 *   loop          the GradSign repository's batch-of-one loop;
 *   batched       one batched pass, per-sample BN by instance_norm, per-sample filter gradients in hooks;
 *   batched-pool  batched, with avg_pool_3x3 as a depthwise conv of ones (faster than torch 1.13's CPU avg_pool2d).
 * zerocost runs with each `--conv` algorithm asked for (default both: direct, PyTorch's scores on every fixture, and
 * winograd, F(2×2,3×3) for the 3×3 stride-1 convolutions), in a child process per thread count and algorithm, so its peak RSS is its own, as is each PyTorch run's.
 * (Each side draws its own seeded default init, so the scores differ; the fixtures test equality, and
 * fixtures/pytorch/check_pytorch_peer.py checks the batched peers against the loop.)
 * Torch resolves libblas.so.3 through Debian's alternatives; where that is the netlib reference BLAS (no
 * libopenblas0 installed) the peers' GEMMs are ~10× slower, which the header line says: point LD_LIBRARY_PATH
 * at an OpenBLAS directory (e.g. /usr/lib/x86_64-linux-gnu/openblas-pthread) for a fair run.
 * Usage: npm run bench [-- --batch 64 --threads 1,2 --conv direct,winograd --modes loop,batched,batched-pool --archs FILE --no-pytorch]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { loadBundledCifar10Sample, writeBatchFile } from '../src/node/files.js';
import type { ConvolutionAlgorithm } from '../src/backend/wasm/index.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { DEFAULT_PROXIES } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import { arg } from './args.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const archsFile = resolve(arg('archs', join(root, 'bench', 'archs10.txt')));
const archs = readFileSync(archsFile, 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter((s) => s && !s.startsWith('#'));
const batchSize = Number(arg('batch', '64'));
const seed = 1;
const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize, seed });

interface Run {
  seconds: number[];
  rssMb: number;
}

/** The child: zerocost on `threads` threads, one JSON line per architecture, then its own peak RSS. */
async function zerocostChild(threads: number, convolution: ConvolutionAlgorithm): Promise<void> {
  const backend = await createNodeWasmBackend(threads);
  backend.convolution = convolution;
  for (const arch of archs) {
    // Exactly what the peers compute (PER_SAMPLE_PROXIES would add ZiCo's per-sample pass, ~15 % here).
    const r = scoreArchitecture(backend, arch, batch, { proxies: DEFAULT_PROXIES, numClasses: 10, seed });
    console.log(JSON.stringify({ arch, seconds: r.seconds }));
  }
  await backend.close();
  console.log(JSON.stringify({ rssMb: process.resourceUsage().maxRSS / 1024 }));
}

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function zerocost(threads: number, convolution: string): Run | undefined {
  const child = spawnSync(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--zerocost-child',
      String(threads),
      '--conv',
      convolution,
      '--batch',
      String(batchSize),
      '--archs',
      archsFile,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (child.status !== 0) {
    console.error(`zerocost (${convolution}) on ${threads} thread(s) failed:\n${child.stderr}`);
    return undefined;
  }
  const lines = jsonLines(child.stdout);
  return { seconds: lines.slice(0, -1).map((l) => l.seconds as number), rssMb: lines.at(-1)!.rssMb as number };
}

let torchInfo = '';
function pytorch(batchFile: string, mode: string, threads: number): Run | undefined {
  const py = spawnSync(
    '/usr/bin/python3',
    [join(root, 'bench', 'pytorch_reference.py'), archsFile, batchFile, String(seed), String(threads), '--mode', mode],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (py.status !== 0) {
    console.error(`PyTorch ${mode} on ${threads} thread(s) failed (is python3-torch installed?):\n${py.stderr}`);
    return undefined;
  }
  const lines = jsonLines(py.stdout);
  const l = lines[0]!;
  torchInfo ||=
    `PyTorch ${String(l.torch)}, ` +
    (l.openblas ? `${String(l.openblas)} on ${String(l.blas_threads)} thread` : `BLAS ${String(l.blas)} (not OpenBLAS: slow GEMMs)`);
  return { seconds: lines.map((r) => r.seconds as number), rssMb: Math.max(...lines.map((r) => r.peak_rss_mb as number)) };
}

const sum = (v: number[]) => v.reduce((t, s) => t + s, 0);
const fix = (v: number, d = 3) => Number(v.toFixed(d));

async function main(): Promise<void> {
  const threadCounts = arg('threads', [...new Set([1, defaultThreads()])].join(','))
    .split(',')
    .map(Number);
  const modes = process.argv.includes('--no-pytorch') ? [] : arg('modes', 'loop,batched,batched-pool').split(',');
  const batchFile = join(mkdtempSync(join(tmpdir(), 'zerocost-bench-')), 'batch.safetensors');
  writeBatchFile(batchFile, batch);

  const convs = arg('conv', 'direct,winograd').split(',');
  const results = threadCounts.map((threads) => ({
    threads,
    zerocost: convs.map((conv) => ({ conv, run: zerocost(threads, conv) })),
    peers: modes.map((mode) => ({ mode, run: pytorch(batchFile, mode, threads) })),
  }));

  console.log(
    `GradSign + GradAlign-I/II, batch ${batchSize}, seed ${seed}, bundled CIFAR-10 sample, ${archs.length} NB201 ` +
      `archs (${archsFile}); zerocost wasm` +
      (torchInfo ? `; ${torchInfo}, torch.set_num_threads(T)` : ''),
  );
  archs.forEach((a, i) => console.log(`  ${i + 1}  ${a}`));
  for (const { threads, zerocost: zcs, peers } of results) {
    const ok = peers.filter((p) => p.run) as { mode: string; run: Run }[];
    const ours = zcs.filter((z) => z.run) as { conv: string; run: Run }[];
    const row = (label: string, pick: (r: Run) => number) => {
      const z = ours.map((q) => pick(q.run));
      const p = ok.map((q) => pick(q.run));
      const cells = {
        ...Object.fromEntries(ours.map((q, j) => [`zerocost ${q.conv} s`, fix(z[j]!)])),
        ...Object.fromEntries(ok.map((q, j) => [`${q.mode} s`, fix(p[j]!)])),
        ...(ok.length ? Object.fromEntries(ours.map((q, j) => [`${q.conv} / fastest`, fix(z[j]! / Math.min(...p), 2)])) : {}),
      };
      return [label, cells] as const;
    };
    console.log(`\n${threads} thread(s):`);
    console.table(
      Object.fromEntries([...archs.map((_, i) => row(String(i + 1), (r) => r.seconds[i]!)), row('total', (r) => sum(r.seconds))]),
    );
    for (const { conv, run } of ours) {
      const total = sum(run.seconds);
      console.log(
        `  zerocost ${conv} / peer (total; < 1: zerocost faster): ` +
          (ok.map((q) => `${q.mode} ${(total / sum(q.run.seconds)).toFixed(2)}`).join(', ') || 'no peer'),
      );
    }
    console.log(
      `  peak RSS MB: ` +
        [...ours.map((q) => `zerocost ${q.conv} ${q.run.rssMb.toFixed(0)}`), ...ok.map((q) => `${q.mode} ${q.run.rssMb.toFixed(0)}`)].join(
          ', ',
        ),
    );
  }
}

const child = arg('zerocost-child', '');
if (child) await zerocostChild(Number(child), arg('conv', 'direct') as ConvolutionAlgorithm);
else await main();
