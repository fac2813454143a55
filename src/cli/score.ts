/**
 * `zerocost score`: scores architectures of a space (NB201, NB101, NB301, DARTS, NDS's cell spaces), given or
 * (NDS) sampled, streaming one result per architecture as it completes.
 */
import type { DType } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference/index.js';
import { CONVOLUTION_ALGORITHMS, WasmBackend } from '../backend/wasm/index.js';
import type { Batch } from '../data/batch.js';
import { CIFAR_NUM_CLASSES, sampleCifarBatch, type CifarDataset } from '../data/cifar.js';
import { NORMALIZATION_NAMES, type NormalizationName } from '../data/normalization.js';
import { readBatchFile, readSafetensorsFile, writeBatchFile, writeSafetensorsFile } from '../node/files.js';
import { createNodeWasmBackend, defaultThreads } from '../node/worker_pool.js';
import { createNodeWebGpuBackend, probeNodeWebGpu } from '../node/gpu.js';
import { perSampleBnProtocol } from '../eval/protocol.js';
import { ENSEMBLE_SCORE } from '../eval/population_scores.js';
import { ENSEMBLE_PROVENANCE } from '../proxies/ensemble.js';
import { wantsEnsemble, type ProxyName } from '../proxies/registry.js';
import type { AdapterSummary } from '../gpu/protocol.js';
import { DEFAULT_CHUNK, scoreArchitecture } from '../scoring.js';
import { quote } from '../util/quote.js';
import { Random, SEED_LIMIT } from '../util/random.js';
import { weightsToTensors } from '../weights.js';
import { UsageError, choiceOption, intOption, parseArgs, seedOption, type OptionSpec } from './args.js';
import { readArchList } from './arch_list.js';
import { isNdsSpace, spaceNamed, SPACE_NAMES } from './benchmarks.js';
import { DARTS_OPS_VARIANTS } from '../nets/darts/plan.js';
import { DARTS_EVAL_SHAPE } from '../nets/darts/space.js';
import { chooseImages } from './images.js';
import { parseProxyOptions, perSampleBnOption, proxiesOption, proxyOptionSpecs } from './proxy_flags.js';

export const SCORE_OPTIONS: Record<string, OptionSpec> = {
  space: {},
  width: {},
  depth: {},
  ops: {},
  arch: {},
  archs: {},
  sample: {},
  'sample-seed': {},
  proxies: {},
  dataset: {},
  data: {},
  split: {},
  batch: {},
  seed: {},
  'batch-choice': {},
  normalization: {},
  weights: {},
  input: {},
  classes: {},
  ...proxyOptionSpecs(),
  backend: {},
  threads: {},
  conv: {},
  chunk: {},
  checkpoint: { flag: true },
  'per-sample-bn': {},
  dtype: {},
  'save-weights': {},
  'save-input': {},
  json: { flag: true },
  quiet: { flag: true },
  help: { flag: true },
};

/**
 * `--backend auto|webgpu|wasm|js` and `--threads N`. auto takes WebGPU only on a hardware adapter (a software
 * one such as lavapipe or SwiftShader is slower than WASM), else WASM on every core; `say` hears which
 * backend it chose and why. An explicit webgpu that cannot start is an error, never a silent fallback.
 */
export async function makeBackend(
  args: ReturnType<typeof parseArgs>,
  say: (line: string) => void = () => {},
): Promise<Backend & { close?: () => Promise<void> }> {
  const name = choiceOption(args, 'backend', ['auto', 'webgpu', 'wasm', 'js'] as const, 'auto');
  const threads = intOption(args, 'threads', defaultThreads(), 1);
  if (threads > defaultThreads())
    throw new UsageError(`--threads must be at most ${defaultThreads()} (the cores available), got ${threads}`);
  const convolution = choiceOption(args, 'conv', CONVOLUTION_ALGORITHMS, 'direct');
  if (convolution !== 'direct' && name !== 'wasm' && name !== 'auto')
    throw new UsageError(`--conv ${convolution} is a wasm backend option (got --backend ${name})`);
  const wasm = async () => {
    const b = await createNodeWasmBackend(threads);
    b.convolution = convolution;
    return b;
  };
  if (name === 'js') return new ReferenceBackend();
  if (name === 'wasm') return wasm();
  if (name === 'webgpu') {
    try {
      const gpu = await createNodeWebGpuBackend();
      say(
        `backend: webgpu on ${adapterName(gpu.adapter)}${gpu.adapter.software ? ' (a software renderer: expect it to be slower than --backend wasm)' : ''}`,
      );
      return gpu;
    } catch (e) {
      throw new UsageError(`--backend webgpu: ${(e as Error).message}`);
    }
  }
  if (convolution !== 'direct') {
    say(`backend: wasm, ${threads} thread(s) (auto: --conv ${convolution} is a wasm backend option)`);
    return wasm();
  }
  let why: string;
  try {
    // Probed in a child process: Dawn's native warnings must not reach a user who ends up on WASM.
    const adapter = await probeNodeWebGpu();
    if (!adapter.software) {
      const gpu = await createNodeWebGpuBackend();
      say(`backend: webgpu on ${adapterName(gpu.adapter)} (auto)`);
      return gpu;
    }
    why = `the WebGPU adapter is ${adapterName(adapter)}, a software renderer slower than WASM`;
  } catch (e) {
    why = (e as Error).message.replace(/^WebGPU: /, 'no WebGPU: ');
  }
  say(`backend: wasm, ${threads} thread(s) (auto: ${why})`);
  return wasm();
}

function adapterName(a: AdapterSummary): string {
  return [a.vendor, a.description].filter((s) => s).join(' ') || 'an unnamed adapter';
}

interface DataSource {
  describe: string;
  batchFor(index: number): Batch;
}

function dataSource(
  args: ReturnType<typeof parseArgs>,
  dataset: CifarDataset,
  batchSize: number,
  seed: number,
  normalization: NormalizationName,
  perArch: boolean,
): DataSource {
  const input = args.values.get('input');
  if (input) {
    const batch = readBatchFile(input);
    return { describe: `input file ${input}`, batchFor: () => batch };
  }
  const { data, description } = chooseImages(args, dataset, batchSize);
  const cache = new Map<number, Batch>();
  return {
    describe: description,
    batchFor: (i) => {
      const s = perArch ? (seed + i) % SEED_LIMIT : seed;
      if (!cache.has(s)) cache.set(s, sampleCifarBatch(data, { batchSize, seed: s, normalization }));
      return cache.get(s)!;
    },
  };
}

function formatScore(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(6) : v.toFixed(6).replace(/\.?0+$/, '');
}

export async function runScore(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const args = parseArgs(argv, SCORE_OPTIONS);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${quote(args.positional[0]!)}`);
  const single = args.values.get('arch');
  const file = args.values.get('archs');
  const sampleCount = args.values.has('sample') ? intOption(args, 'sample', 1, 1) : undefined;
  if ([single, file, sampleCount].filter((x) => x !== undefined).length !== 1)
    throw new UsageError('give exactly one of --arch STR, --archs FILE or --sample N');
  if (args.values.has('sample-seed') && sampleCount === undefined) throw new UsageError('--sample-seed seeds --sample N: give --sample N');
  const spaceName = choiceOption(args, 'space', SPACE_NAMES, 'nb201');
  const shapeOptions = ['width', 'depth', 'ops'].filter((k) => args.values.has(k));
  if (isNdsSpace(spaceName)) {
    if (args.values.has('ops')) throw new UsageError("--ops is for --space darts: the NDS spaces use pycls's ops");
  } else if (spaceName !== 'darts' && shapeOptions.length > 0)
    throw new UsageError(
      `--${shapeOptions.join(', --')} ${shapeOptions.length > 1 ? 'are' : 'is'} for --space darts (--width, --depth: and nds-…) only`,
    );
  const space = spaceNamed(
    spaceName,
    spaceName === 'darts'
      ? {
          C: intOption(args, 'width', DARTS_EVAL_SHAPE.C, 1),
          layers: intOption(args, 'depth', DARTS_EVAL_SHAPE.layers, 1),
          ops: choiceOption(args, 'ops', DARTS_OPS_VARIANTS, DARTS_EVAL_SHAPE.ops),
        }
      : isNdsSpace(spaceName)
        ? {
            ...(args.values.has('width') ? { C: intOption(args, 'width', 1, 1) } : {}),
            ...(args.values.has('depth') ? { layers: intOption(args, 'depth', 1, 1) } : {}),
          }
        : {},
  );
  let archs: { arch: string; line: number }[];
  if (sampleCount !== undefined) {
    const { sample } = space;
    if (!sample)
      throw new UsageError(
        `--space ${space.name} has no sampler: --sample N is for the nds-… spaces (eval samples the other spaces' tables)`,
      );
    const random = new Random(seedOption(args, 'sample-seed', 0));
    archs = Array.from({ length: sampleCount }, (_, i) => ({ arch: sample(random), line: i + 1 }));
  } else if (single !== undefined) {
    try {
      archs = [{ arch: space.canonical(single), line: 1 }];
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else {
    const list = readArchList(file!, { space });
    for (const w of list.warnings) io.err(`warning: ${w}`);
    archs = list.entries;
  }

  const proxies = proxiesOption(args);
  const dataset = choiceOption(args, 'dataset', ['cifar10', 'cifar100'] as const, 'cifar10');
  const numClasses = intOption(args, 'classes', CIFAR_NUM_CLASSES[dataset], 1);
  const batchSize = intOption(args, 'batch', 128, 1);
  const seed = seedOption(args, 'seed', 1);
  const perArch = choiceOption(args, 'batch-choice', ['same', 'per-arch'] as const, 'same') === 'per-arch';
  const normalization = choiceOption(args, 'normalization', NORMALIZATION_NAMES, 'xautodl');
  const proxyOptions = parseProxyOptions(args);
  const dtype = choiceOption(args, 'dtype', ['f32', 'f64'] as const, 'f32') as DType;
  const chunk = intOption(args, 'chunk', DEFAULT_CHUNK, 1);
  const perSampleBn = perSampleBnOption(args, space, proxies, (line) => io.err(line));
  // option conflicts are usage errors, found before a backend starts
  if (dtype === 'f64' && args.values.get('backend') !== 'js')
    throw new UsageError('--dtype f64 needs --backend js (the wasm and webgpu kernels are f32)');
  const weightsPath = args.values.get('weights');
  const saveWeights = args.values.get('save-weights');
  if ((weightsPath || saveWeights) && archs.length > 1)
    throw new UsageError('--weights and --save-weights need a single architecture (--arch)');
  const replaced = ['data', 'split', 'batch', 'batch-choice', 'normalization'].filter((k) => args.values.has(k));
  if (args.values.has('input') && replaced.length > 0)
    throw new UsageError(`--input FILE replaces the data batch: drop --${replaced.join(', --')}`);
  const backend = await makeBackend(args, args.flags.has('quiet') ? undefined : (line) => io.err(line));
  const json = args.flags.has('json');
  const quiet = args.flags.has('quiet');

  const source = dataSource(args, dataset, batchSize, seed, normalization, perArch);
  const weights = weightsPath ? { tensors: readSafetensorsFile(weightsPath), source: weightsPath } : undefined;
  const saveInput = args.values.get('save-input');
  if (saveInput) writeBatchFile(saveInput, source.batchFor(0), { source: source.describe, seed: String(seed) });
  if (saveWeights) {
    const net = space.build(backend, archs[0]!.arch, { numClasses, dtype });
    net.parameters.initialize(seed);
    writeSafetensorsFile(saveWeights, weightsToTensors(net.parameters), {
      arch: archs[0]!.arch,
      seed: String(seed),
      init: 'pytorch-default',
    });
  }

  let failures = 0;
  // the ensemble is a rank aggregate over the architectures of this call: their member scores are kept for it
  const ensemble = wantsEnsemble(proxies);
  const scored: { arch: string; scores: Partial<Record<ProxyName, number>> }[] = [];
  if (!json) io.out(['#', ...proxies, 'seconds', 'arch'].join('\t'));
  for (const [i, { arch, line }] of archs.entries()) {
    const batch = source.batchFor(i);
    const protocol = {
      dataset,
      numClasses,
      data: source.describe,
      batch: batch.shape[0],
      inputShape: batch.shape,
      batchChoice: args.values.has('input') ? 'input file' : perArch ? 'per-arch (seed + index)' : 'same for every architecture',
      seed,
      normalization: args.values.has('input') ? 'as in input file' : normalization,
      init: weights ? `weights file ${weights.source}` : 'PyTorch default (U(±1/√fan_in) weights, BN γ=1 β=0), seeded',
      bn: perSampleBnProtocol(perSampleBn),
      loss: 'cross-entropy per sample',
      weightsCounted: 'Conv2d and Linear weights',
      ...proxyOptions,
      backend: backend.name,
      dtype,
      ...('threads' in backend ? { threads: backend.threads } : {}),
      ...(backend instanceof WasmBackend ? { convolution: backend.convolution } : {}),
    };
    try {
      const r = scoreArchitecture(backend, arch, batch, {
        proxies,
        proxyOptions,
        numClasses,
        seed,
        weights,
        dtype,
        chunk,
        space,
        checkpoint: args.flags.has('checkpoint'),
        perSampleBn,
      });
      for (const w of r.warnings) io.err(`warning: ${arch}: ${w}`);
      if (ensemble) scored.push({ arch: r.arch, scores: r.scores });
      if (json) {
        const scores = Object.fromEntries(proxies.map((p) => [p, Number.isFinite(r.scores[p]) ? r.scores[p] : null]));
        io.out(JSON.stringify({ arch, scores, seconds: Number(r.seconds.toFixed(3)), protocol, warnings: r.warnings }));
      } else {
        io.out([String(i + 1), ...proxies.map((p) => formatScore(r.scores[p])), r.seconds.toFixed(2), arch].join('\t'));
      }
      if (!quiet) io.err(`[${i + 1}/${archs.length}] ${r.seconds.toFixed(1)} s ${arch}`);
    } catch (e) {
      failures++;
      io.err(`error: ${arch}${file ? ` (${file}:${line})` : ''}: ${(e as Error).message}`);
    }
    // scoring blocks the event loop: yield so that a closed stdout (EPIPE, `| head`) ends the run here
    await new Promise((resolve) => setImmediate(resolve));
  }
  await backend.close?.();
  if (ensemble) printEnsemble(scored, json, io);
  return failures > 0 ? 1 : 0;
}

/**
 * The ensemble over the architectures scored (those with every member a number): text, a block after the table;
 * JSON, one last line `{"population": {...}}` after the architectures' lines.
 */
function printEnsemble(
  scored: readonly { arch: string; scores: Partial<Record<ProxyName, number>> }[],
  json: boolean,
  io: { out: (s: string) => void; err: (s: string) => void },
): void {
  const complete = scored.filter((s) => ENSEMBLE_SCORE.members.every((m) => ENSEMBLE_SCORE.usable(s.scores[m as ProxyName] ?? NaN)));
  const values = ENSEMBLE_SCORE.aggregate(ENSEMBLE_SCORE.members.map((m) => complete.map((s) => s.scores[m as ProxyName]!)));
  if (complete.length < 2)
    io.err(
      `warning: ensemble: ${complete.length} architecture(s) with every member scored: it ranks architectures against each other, so score several together (--archs FILE)`,
    );
  if (complete.length < scored.length)
    io.err(`warning: ensemble: ${scored.length - complete.length} architecture(s) left out (a member score is NaN)`);
  if (json) {
    const scores = complete.map((s, i) => ({ arch: s.arch, ensemble: values[i]! }));
    io.out(JSON.stringify({ population: { key: 'ensemble', definition: ENSEMBLE_PROVENANCE, architectures: complete.length, scores } }));
    return;
  }
  io.out(`# ensemble = ${ENSEMBLE_PROVENANCE}, over these ${complete.length} architectures (higher is better)`);
  io.out(['#', 'ensemble', 'arch'].join('\t'));
  complete.forEach((s, i) => io.out([String(i + 1), formatScore(values[i]!), s.arch].join('\t')));
}
