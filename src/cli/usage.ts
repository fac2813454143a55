/**
 * Help text: one section per command (`zerocost CMD --help` prints that section), and the overview
 * (`zerocost --help`) that lists every command and then every section. An option shared by several commands
 * is written once below; a command's section is its list of option entries, so adding an option is one line.
 * The proxies and their options come from the registry (proxy_flags.ts).
 */

import { READINGS } from '../eval/readings.js';
import { PROXY_OPTION_NAMES } from '../proxies/options.js';
import { helpEntry, proxiesHelp, proxyOptionHelp } from './proxy_flags.js';

/** Help entries of options that mean the same in every command that takes them. */
const SHARED = {
  proxies: proxiesHelp(),
  data: `  --data DIR                 folder with the CIFAR binary files (data_batch_*.bin, test_batch.bin; CIFAR-100
                             train.bin/test.bin or train_partial.bin). Default: the bundled 512-image CIFAR-10
                             test sample for cifar10, ../shared/data beside the package for cifar100`,
  split: `  --split train|test         which split the batch is drawn from (default train with --data; the bundled
                             sample has only test images)`,
  batch: `  --batch N                  batch size (default 128)`,
  normalization: `  --normalization xautodl|zc per-channel mean/std: xautodl (NB201 training, NASWOT; default) or zc (zero-cost-nas)`,
  ntkBatch: proxyOptionHelp('ntkBatch'),
  backend: `  --backend auto|webgpu|wasm|js
                             compute backend: webgpu (WGSL compute shaders; Node needs the optional package
                             'webgpu'), wasm (AssemblyScript SIMD kernels) or js (the plain TypeScript reference
                             backend, the oracle). auto: webgpu on a hardware GPU adapter, else wasm; it says
                             which it chose`,
  threads: `  --threads N                threads for the wasm backend (default: every available core)`,
  conv: `  --conv direct|winograd     the wasm backend's 3×3 stride-1 convolutions: direct (default; PyTorch's scores on
                             every fixture) or Winograd F(2×2,3×3), 1.5–2.7× faster on those layers but a few
                             ulps off, enough to flip a rare ReLU mask or gradient sign`,
  chunk: `  --chunk N                  samples per batched pass (default 16): bounds memory; the scores do not change`,
  perSampleBn: `  --per-sample-bn sample|batch\n                             BN statistics of the per-sample pass: each image's own over H×W (the reference\n                             code's batch-of-one loop; the default but for NASLib's ops) or the whole batch's,\n                             held fixed (the default for nb301 and --ops naslib: there every feature map ends in a\n                             BN and per-image statistics make every per-sample gradient rounding noise)`,
  checkpoint: `  --checkpoint               recompute each cell in the baselines' backward instead of keeping its activations\n                             (NB101): less memory for one more forward; the scores do not change (taken anyway\n                             when a pass runs out of memory)`,
  quiet: `  --quiet                    no progress lines on stderr`,
  help: `  --help                     this command's options`,
  space: `  --space nb201|nb101|nb301|darts|nds-darts|nds-enas|nds-pnas|nds-nasnet|nds-amoeba|nds-darts-fix-w-d
                             the search space: nb201 (NAS-Bench-201, default); nb101 (NAS-Bench-101: a cell is
                             a JSON line {"matrix": [[0,1,…],…], "ops": ["input", "conv3x3-bn-relu",
                             "conv1x1-bn-relu" | "maxpool3x3", …, "output"]}, pruned as NB101 prunes it, or the
                             NB101 hash of a cell of ../shared's table); nb301 (NAS-Bench-301's DARTS cells as
                             NAS-Bench-Suite-Zero built them: C = 32, 8 cells, NASLib's ops; a genotype in NASLib's
                             compact form '[[(0, 2), (1, 4), …], […]]', the keys of ../shared's NB301 file;
                             eval correlates with its surrogate-predicted accuracy); darts (any DARTS genotype, 'Genotype(normal=[('sep_conv_3x3', 0), …],
                             normal_concat=[2, 3, 4, 5], reduce=[…], reduce_concat=[…])' or the compact form, at
                             --width/--depth/--ops; score only); nds-… (NDS's cell spaces, pycls's network and
                             ops: a model is NDS's net record '{"width":32,"depth":12,"genotype":{"normal":
                             [["avg_pool_3x3",0],…],"normal_concat":[…],"reduce":[…],"reduce_concat":[…]}}' or a
                             'Genotype(…)' at --width/--depth; eval needs --nds-table)`,
};

/** Seeds are 32-bit (what the generator takes); said once for every seed option. */
const SEED_RANGE = 'an integer in [0, 4294967295]';

interface CommandHelp {
  /** The usage line(s) and a summary, as in the overview. */
  synopsis: string;
  options: string[];
  /** Text after the options. */
  notes?: string;
}

export const COMMANDS = {
  score: {
    synopsis: `  zerocost score (--arch STR | --archs FILE | --sample N) [options]   score NAS-Bench-201 (-101, -301, DARTS, NDS) architectures`,
    options: [
      SHARED.space,
      `  --width C                  darts, nds-…: the initial width C (darts: default 36, DARTS's evaluation network;
                             nds-…: the width of a 'Genotype(…)' text, default 32)`,
      `  --depth L                  darts, nds-…: the number of cells (default 20; reductions at L/3 and 2L/3)`,
      `  --ops naslib|darts         darts only: DARTS's own ops (default) or NASLib's (BN without γ/β in the cells,
                             a BN after each pool: what nb301 uses)`,
      `  --arch STR                 one architecture of --space (an NB101 cell: a JSON line or a hash), e.g. the NB201 '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'`,
      `  --archs FILE               a file with one arch string per line ('#' comments and blank lines ignored; every
                             bad line is reported before any work; a repeated architecture is scored once, at
                             its first line, with a warning: one output line per distinct architecture)`,
      `  --sample N                 nds-… only: N models drawn from the space (width, depth, each pair's op and input
                             uniformly), seeded by --sample-seed`,
      `  --sample-seed N            seed of the --sample N draw (default 0; ${SEED_RANGE})`,
      SHARED.proxies,
      `  --dataset NAME             cifar10 | cifar100 (default cifar10); sets the class count (10 / 100)`,
      SHARED.data,
      SHARED.split,
      SHARED.batch,
      `  --seed N                   seed of the weight init and of the batch choice (default 1; ${SEED_RANGE})`,
      `  --batch-choice same|per-arch
                             the same batch for every architecture (default, the NASWOT/GradAlign protocol) or
                             a fresh batch per architecture (seed + its position in the list)`,
      SHARED.normalization,
      `  --weights FILE             safetensors with every parameter and BN buffer under xautodl state_dict names;
                             replaces the seeded init (only with a single architecture)`,
      `  --input FILE               safetensors batch: x F32 [B,3,H,W], y I64 or I32 [B]; replaces the data batch
                             (so not with --data, --split, --batch, --batch-choice, --normalization)`,
      `  --classes N                class count of the network (default: from --dataset)`,
      ...PROXY_OPTION_NAMES.map(proxyOptionHelp),
      SHARED.backend,
      SHARED.threads,
      SHARED.conv,
      `  --dtype f32|f64            arithmetic precision (default f32, as PyTorch; f64 needs --backend js)`,
      SHARED.chunk,
      SHARED.checkpoint,
      SHARED.perSampleBn,
      `  --save-weights FILE        write the initialised weights as safetensors (single architecture)`,
      `  --save-input FILE          write the batch used as safetensors`,
      `  --json                     one JSON object per architecture on stdout:
                             {"arch", "scores": {...}, "seconds", "protocol": {...}, "warnings": [...]}`,
      SHARED.quiet,
      SHARED.help,
    ],
  },
  eval: {
    synopsis: `  zerocost eval --space nb201 --dataset cifar10|cifar100 [--archs N|all|FILE] [--seeds 1,2,3] [options]
                                                          score NB201 architectures with every reading, append
                                                          to --out as it goes (resumable), print ρ/τ tables`,
    options: [
      SHARED.space,
      `  --table NAME               nb101 only: nb101 (default; the 1,000 trained cells of ../shared, 108-epoch
                             validation accuracy) or suite-zero (Suite-Zero's 292 cells, for the per-cell
                             agreement with their scores)`,
      `  --nds-table FILE           nds-… only (and needed there): your copy of NDS's JSON file of that space
                             (DARTS.json, ENAS.json, PNAS.json, NASNet.json, Amoeba.json, DARTS_fix-w-d.json; a
                             list of records or {"top": […], "mid": […]}); accuracy = 100 − test_ep_top1[−1]`,
      `  --dataset NAME             cifar10 | cifar100 (default cifar10): the images and the accuracies compared
                             (nb101, nds-…: cifar10 only)`,
      `  --archs N|all|FILE         N random NB201 architectures (seeded by --sample-seed), all 15,625, or a file of
                             arch strings as for score (default 100)`,
      `  --sample-seed N            seed of the --archs N sample (default 0; ${SEED_RANGE})`,
      `  --seeds LIST               seeds of the weight init and the batch (default 1; each ${SEED_RANGE}); one
                             line per (arch, seed)`,
      SHARED.proxies,
      SHARED.data,
      SHARED.split,
      SHARED.batch,
      SHARED.normalization,
      `  --batch-choice same|per-arch
                             one batch for every architecture (per seed; default) or a fresh one per
                             architecture, as zero-cost-nas draws them`,
      SHARED.ntkBatch,
      `  --out FILE                 JSON-lines results (default results-SPACE-DATASET.jsonl); run again to resume:
                             nothing is recomputed, a torn last line is redone; SVG plots go next to it. One
                             writer at a time (FILE.lock; a lock left by a killed run is taken over)`,
      `  --report-only              score nothing: print the report of what --out holds so far (safe while another
                             eval is still appending to it; a missing file is an error)`,
      `  --repair                   move the bad lines of --out (not results lines) to FILE.rejected, keep the rest
                             and go on (with --report-only: repair, then report)`,
      `  --shard K/N                score only the K-th of N disjoint slices (1 ≤ K ≤ N; by a hash of the NB201 index
                             and seed), e.g. one task of a job array; zerocost merge joins the shards' files`,
      SHARED.backend,
      SHARED.threads,
      SHARED.conv,
      SHARED.chunk,
      SHARED.checkpoint,
      SHARED.perSampleBn,
      SHARED.quiet,
      SHARED.help,
    ],
    notes: helpEntry(
      '',
      `Every reading of the per-sample proxies is recorded (${READINGS.map((r) => r.key).join(', ')}), each baseline asked for under its name, and params (the parameter count, the trivial reference).`,
      2,
    ),
  },
  select: {
    synopsis: `  zerocost select --results FILE [--n 100] [--runs 500] [--scores gradsign,...] [--seed 0]
                                                          pick the best-scored of N random architectures from
                                                          eval results (no rescoring); accuracy of the picks`,
    options: [
      `  --results FILE[,FILE...]   JSON lines from zerocost eval (CIFAR-10 images)`,
      `  --n N                      architectures drawn per run, with replacement (default 100)`,
      `  --runs N                   number of draws (default 500)`,
      `  --scores LIST              the scores to select by (default gradsign,gradalign1,gradalign2,params)`,
      `  --seed N                   seed of the draws (default 0; ${SEED_RANGE})`,
      `  --score-seed N             which eval seed's scores to use (default: the smallest in the results)`,
      SHARED.help,
    ],
  },
  search: {
    synopsis: `  zerocost search [--algo rs|rea|reinforce|bohb|a-rea] [--proxy NAME|none] [--budget 100] [--runs 500]
                                                          NAS on the NB201 table, plain or proxy-assisted (G-);
                                                          accuracy of the architectures found`,
    options: [
      `  --algo NAME                rs | rea | reinforce | bohb | a-rea (default rea): random search, regularised
                             evolution, REINFORCE, BOHB (Hyperband η = 3 with a TPE model) or A-REA (REA whose
                             initial population is the proxy's top of a random sample)`,
      `  --proxy NAME|none          the assisting proxy, any score of --scores (default gradsign): the G- variant
                             trains the proxy's best of --pool candidates; none: the plain algorithm`,
      `  --pool N                   candidates the proxy ranks per training (default 10)`,
      `  --budget N                 trained architectures per run, exactly (default 100; scoring candidates is free)`,
      `  --runs N                   independent runs (default 500)`,
      `  --seed N                   seed of the runs: run r is seeded by the r-th draw of it (default 0; ${SEED_RANGE})`,
      `  --dataset-search NAME      cifar10 | cifar100 | imagenet16-120 (default cifar10): the reward is its NB201
                             200-epoch validation accuracy (the report covers all three datasets)`,
      `  --scores FILE              the proxies' score table: zerocost eval results for all 15,625 architectures
                             (default: the committed results/nb201-all-cifar10-b64.jsonl.gz)`,
      `  --variant published|corrected
                             reinforce and bohb with a proxy: the authors' code (default) or corrected
                             (REINFORCE: the policy learns from the architecture trained, not the one sampled;
                             BOHB: the proxy picks among the model's proposals instead of random ones)`,
      `  --init-sample N            a-rea: random architectures the initial population is chosen from (default 1000)`,
      `  --json                     one JSON object per run on stdout: {"run", "seed", "algo", "proxy", "budget",
                             "best": {"arch", "val": {...}, "test": {...}}}, then {"summary": {...}} (mean, std)`,
      SHARED.help,
    ],
    notes: `  The table holds only 200-epoch accuracies: BOHB's lower Hyperband rungs return the final number too.`,
  },
  merge: {
    synopsis: `  zerocost merge OUT FILE...                              one results file from shards of one protocol
                                                          (checked, each (arch, seed) once)`,
    options: [SHARED.help],
    notes: `  OUT may be one of the inputs (merged into); an existing OUT that is not an input is refused.`,
  },
  demo: {
    synopsis: `  zerocost demo [--n 12] [--batch 64] [--seed 1]          score a dozen architectures on the bundled
                                                          CIFAR-10 sample, ranked beside NB201 accuracy`,
    options: [
      `  --n N                      architectures, drawn at random from NB201 (default 12)`,
      `  --batch N                  images of the bundled 512-image sample (default 64)`,
      `  --seed N                   seed of the draw, the batch and the weights (default 1; ${SEED_RANGE})`,
      SHARED.backend,
      SHARED.threads,
      SHARED.conv,
      SHARED.help,
    ],
  },
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;

const TITLE = 'zerocost — zero-cost NAS proxies (GradSign, GradAlign and the baselines) with a hand-written autodiff';

const FOOTER = `Every score is "higher is better". An undefined score (e.g. no class with two samples in the batch for
GradAlign, or a singular Gram matrix) is NaN (null in JSON) with a warning on stderr.
Exit status: 0 on success, 1 on a data or computation error, 2 on a usage error.
`;

function section(name: CommandName): string {
  const c: CommandHelp = COMMANDS[name];
  return `${name[0]!.toUpperCase()}${name.slice(1)} options:\n${c.options.join('\n')}\n${c.notes ? `${c.notes}\n` : ''}`;
}

/** `zerocost CMD --help`. */
export function commandUsage(name: CommandName): string {
  return `Usage:\n${COMMANDS[name].synopsis}\n\n${section(name)}\n${FOOTER}`;
}

/** `zerocost --help`: every command, then every command's options. */
export const USAGE = `${TITLE}

Usage:
${Object.values(COMMANDS)
  .map((c) => c.synopsis)
  .join('\n')}
  zerocost CMD --help                                     one command's options
  zerocost --help | --version

${(Object.keys(COMMANDS) as CommandName[]).map(section).join('\n')}
${FOOTER}`;
